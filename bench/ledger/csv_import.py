"""The CSV import benchmark: the real import path (read_csv, then import_prestations, per file
of 5 000 rows) against a bare batched INSERT of the same rows, each on a fresh database."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select

from bench.cooperative import CLIENTS
from bench.databases import Store, count, engine_for
from bench.ledger import (
    CSV_HEADER,
    GOALS,
    INSERT_BATCH,
    LANGS,
    MEMBERS,
    World,
    build_world,
)
from governance.base import clock
from governance.base.db import make_sessionmaker
from governance.ledger.imports import csv_reader
from governance.ledger.imports import service as import_service
from governance.ledger.work.models import Prestation
from governance.ledger.work.statuses import PrestationStatus
from governance.members.access import Actor


@dataclass(frozen=True)
class Row:
    date: dt.date
    member: str
    client: str
    start: dt.time | None
    minutes: int | None
    rate_cents: int | None  # written in the file, or None: the client's usual rate
    fixed_cents: int | None
    travel_cents: int
    kind: str
    languages: tuple[str, ...]
    note: str

    @property
    def amount_cents(self) -> int:
        if self.fixed_cents is not None:
            return self.fixed_cents
        rate = self.rate_cents if self.rate_cents is not None else _client_rate(self.client)
        assert self.minutes is not None and (self.minutes * rate) % 60 == 0
        return self.minutes * rate // 60


def _client_rate(name: str) -> int:
    return next(rate for client, _kind, rate in CLIENTS if client == name)


def _money(cents: int | None) -> str:
    return "" if cents is None else f"{cents // 100},{cents % 100:02d}"


def make_rows(count: int, today: dt.date) -> list[Row]:
    """`count` valid, distinct prestations over the last 365 days (deterministic)."""
    rows = []
    for i in range(count):
        member = MEMBERS[i % len(MEMBERS)][0]
        client = CLIENTS[(i // 7) % len(CLIENTS)][0]
        day = today - dt.timedelta(days=1 + (i * 37) % 365)
        if i % 10 == 9:  # a written translation: a fixed amount
            rows.append(
                Row(
                    day,
                    member,
                    client,
                    None,
                    None,
                    None,
                    4000 + (i % 50) * 100,
                    0,
                    "translation",
                    ("fa",),
                    f"Traduction {i}",
                )
            )
            continue
        minutes = 15 * (1 + i % 12)
        rate = None if i % 3 else 4500 + (i % 4) * 500
        start = dt.time(8 + i % 10, (i % 4) * 15) if i % 2 else None
        travel = (i % 5) * 310 if i % 4 == 0 else 0
        kind = ("on_site", "phone", "video")[i % 3]
        rows.append(
            Row(
                day,
                member,
                client,
                start,
                minutes,
                rate,
                None,
                travel,
                kind,
                tuple(LANGS[i % len(LANGS)].split()),
                f"Séance {i}",
            )
        )
    return rows


def csv_line(row: Row) -> str:
    return ";".join(
        [
            row.date.strftime("%d/%m/%Y"),
            row.member,
            row.client,
            row.start.strftime("%H:%M") if row.start else "",
            str(row.minutes) if row.minutes is not None else "",
            _money(row.rate_cents),
            _money(row.fixed_cents),
            _money(row.travel_cents) if row.travel_cents else "",
            row.kind,
            " ".join(row.languages),
            row.note,
        ]
    )


def csv_bytes(rows: list[Row]) -> bytes:
    return ("\ufeff" + CSV_HEADER + "\r\n" + "".join(csv_line(r) + "\r\n" for r in rows)).encode()


def prestation_values(world: World, row: Row, index: int, now: dt.datetime) -> dict[str, Any]:
    """The columns `import_prestations` writes for a row (its keys are computed differently)."""
    return {
        "cooperative_id": world.cooperative_id,
        "member_id": world.member_ids[row.member],
        "client_id": world.client_ids[row.client],
        "date": row.date,
        "start_time": row.start,
        "duration_minutes": row.minutes,
        "rate_cents": None
        if row.fixed_cents is not None
        else (row.rate_cents or _client_rate(row.client)),
        "amount_cents": row.amount_cents,
        "travel_cents": row.travel_cents,
        "kind": row.kind,
        "languages": list(row.languages),
        "note": row.note,
        "status": PrestationStatus.SUBMITTED.value,
        "rejection_reason": "",
        "idempotency_key": f"bench:{index}",
        "request_fingerprint": hashlib.sha256(str(index).encode()).hexdigest(),
        "created_by_id": world.coordinator_id,
        "created_at": now,
    }


async def bench_csv_import(dbs: Store, rows_n: int, chunk: int) -> dict[str, Any]:
    today = clock.today()
    rows = make_rows(rows_n, today)
    data = csv_bytes(rows)
    (dbs.tmp / "prestations.csv").write_bytes(data)
    size = chunk if chunk > 0 else rows_n
    chunks = [csv_bytes(rows[i : i + size]) for i in range(0, rows_n, size)]
    mode = (
        f"{len(chunks)} chunk(s) of up to {size} rows, one file and one import_prestations "
        "transaction each (the HTTP upload cap is 5 000 rows)"
        if chunk > 0
        else f"all {rows_n} rows at once: read_csv(max_rows={rows_n}) + one import_prestations"
    )
    print(f"  csv_import: {rows_n} rows, {len(data):,} bytes; {mode}", flush=True)

    # Baseline: a bare batched INSERT of the same rows on a fresh database, one transaction.
    base_url = dbs.fresh("insert")
    async with engine_for(base_url) as engine:
        world = await build_world(engine)
        now = clock.now()
        values = [prestation_values(world, row, i, now) for i, row in enumerate(rows)]
        table = Prestation.__table__  # type: ignore[attr-defined]
        started = time.perf_counter()
        async with engine.begin() as connection:
            for start in range(0, rows_n, INSERT_BATCH):
                await connection.execute(insert(table), values[start : start + INSERT_BATCH])
        base_seconds = time.perf_counter() - started
        base_count = await count(engine, select(func.count()).select_from(table))
    del values

    # The real path: parse (read_csv, pure) + import_prestations (checks, one transaction).
    url = dbs.fresh("import")
    parse_seconds = 0.0
    imported = 0
    chunk_seconds: list[float] = []
    async with engine_for(url) as engine:
        world = await build_world(engine)
        sessions = make_sessionmaker(engine)
        actor = Actor(person_id=world.coordinator_id, cooperative_id=world.cooperative_id)
        started = time.perf_counter()
        for number, chunk_data in enumerate(chunks, 1):
            t0 = time.perf_counter()
            parsed = csv_reader.read_csv(chunk_data, max_rows=max(size, csv_reader.MAX_ROWS))
            parse_seconds += time.perf_counter() - t0
            async with sessions() as session:
                result = await import_service.import_prestations(
                    session,
                    actor,
                    parsed.rows,
                    language="fr",
                    today=today,
                    file_digest=parsed.digest,
                    columns=parsed.columns,
                    filename=f"prestations-{number}.csv",
                )
            imported += result.imported
            chunk_seconds.append(time.perf_counter() - t0)
        import_seconds = time.perf_counter() - started
        import_count = await count(
            engine,
            select(func.count()).select_from(Prestation.__table__),  # type: ignore[attr-defined]
        )

    problems = []
    if base_count != rows_n:
        problems.append(f"baseline inserted {base_count} rows, not {rows_n}")
    if imported != rows_n or import_count != rows_n:
        problems.append(f"import recorded {imported} ({import_count} in the table), not {rows_n}")
    import_rate = rows_n / import_seconds
    base_rate = rows_n / base_seconds
    return {
        "name": "csv_import",
        "rows": rows_n,
        "csv_bytes": len(data),
        "mode": mode,
        "chunk_rows": size,
        "chunks": len(chunks),
        "import_seconds": import_seconds,
        "parse_seconds": parse_seconds,
        "chunk_seconds": chunk_seconds,
        "baseline_seconds": base_seconds,
        "import_rows_per_s": import_rate,
        "baseline_rows_per_s": base_rate,
        "ratio": import_rate / base_rate,
        "ratio_meaning": "import rows/s ÷ bare INSERT rows/s (higher is better)",
        "goal": f">= {GOALS['csv_import']}",
        "problems": problems,
    }
