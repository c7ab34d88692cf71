"""Ledger benchmarks: CSV import, trial balance and account pages, each against a bare baseline.

    .venv/bin/python -m bench.ledger [--db sqlite|postgresql] [--rows N] [--lines N]

Every figure is a ratio against a baseline measured in the same run, on the same kind of fresh
database (see bench/README.md, "Ledger benchmarks"). Nothing is asserted about time: the run
exits 0 when every benchmark ran and its checks held (row counts, balances), 1 otherwise, 2
when it could not set up.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python bench/ledger.py` works too
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from governance.base import clock
from governance.base.db import make_engine, make_sessionmaker, migrate
from governance.ledger.books import reading
from governance.ledger.books.journal import account_type
from governance.ledger.books.models import Account, JournalEntry, LedgerLine
from governance.ledger.imports import csv_import
from governance.ledger.sharing import founding as ledger_service
from governance.ledger.work.models import ClientKind, Prestation, PrestationStatus
from governance.members import service as members
from governance.members.access import Actor
from governance.members.models import Role

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PASSWORD = "bench-ledger-password-2026"
COOP_SLUG = "benchcoop"
COORDINATOR = ("coord@bench.example", "Carla Coordinator")
MEMBERS = [(f"member{i}@bench.example", f"Member {i}") for i in range(1, 7)]
# name, kind, usual hourly rate in cents (whole euros, so minutes × rate is exact in cents)
CLIENTS = [
    ("CHU de Liège", ClientKind.HOSPITAL, 5500),
    ("CPAS de Liège", ClientKind.SOCIAL_SERVICES, 4800),
    ("CRIPEL", ClientKind.INTEGRATION_OFFICE, 5000),
    ("Fedasil Sugny", ClientKind.OTHER, 6000),
    ("Intégra+ SA", ClientKind.COMPANY, 5200),
]
CSV_HEADER = (
    "date;membre;client;debut;duree_minutes;tarif;montant_fixe;deplacement;type;langues;note"
)
LANGS = ["ps fa", "ar", "prs", "so", "ti", "fa"]
INSERT_BATCH = 5_000
LINE_BATCH = 10_000
PAGE = 50
GOALS = {"csv_import": 0.2, "trial_balance": 3.0, "account_page": 2.0}


class BenchError(RuntimeError):
    """The benchmark could not be set up."""


# --------------------------------------------------------------------------- databases


@dataclass
class Databases:
    kind: str
    tmp: Path
    created: list[str]

    def fresh(self, name: str) -> str:
        """The async URL of a new, migrated, empty database."""
        if self.kind == "sqlite":
            url = f"sqlite+aiosqlite:///{self.tmp / (name + '.db')}"
        else:
            db = f"bench_ledger_{name}_{secrets.token_hex(4)}"
            admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            try:
                with admin.connect() as connection:
                    connection.exec_driver_sql(f'CREATE DATABASE "{db}"')
            finally:
                admin.dispose()
            self.created.append(db)
            url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{db}"
        migrate(url)
        return url

    def drop_all(self) -> None:
        if self.created:
            admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            try:
                with admin.connect() as connection:
                    for db in self.created:
                        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            finally:
                admin.dispose()


@contextlib.contextmanager
def databases(kind: str, keep: bool) -> Iterator[Databases]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-ledger-"))
    dbs = Databases(kind, tmp, [])
    try:
        yield dbs
    finally:
        if keep:
            print(
                f"kept: {tmp}" + (f" and databases {', '.join(dbs.created)}" if dbs.created else "")
            )
        else:
            dbs.drop_all()
            shutil.rmtree(tmp, ignore_errors=True)


@contextlib.asynccontextmanager
async def engine_for(url: str, *, read_only: bool = False) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(url, read_only=read_only)
    try:
        yield engine
    finally:
        await engine.dispose()


@dataclass
class World:
    cooperative_id: int
    coordinator_id: int
    member_ids: dict[str, int]  # email -> person id
    client_ids: dict[str, int]  # name -> client id


async def build_world(engine: AsyncEngine) -> World:
    """A demo cooperative through the services: a coordinator, cooperators, clients."""
    sessions = make_sessionmaker(engine)
    async with sessions() as session:
        coop = await members.create_cooperative(session, slug=COOP_SLUG, name="Bench coop")
    assert coop.id is not None
    people: dict[str, int] = {}
    for (email, name), role in [(COORDINATOR, Role.COORDINATOR)] + [
        (m, Role.COOPERATOR) for m in MEMBERS
    ]:
        async with sessions() as session:
            person = await members.add_person_to_cooperative(
                session, slug=COOP_SLUG, email=email, name=name, password=PASSWORD, role=role
            )
        assert person.id is not None
        people[email] = person.id
    actor = Actor(person_id=people[COORDINATOR[0]], cooperative_id=coop.id)
    clients: dict[str, int] = {}
    for name, kind, rate in CLIENTS:
        async with sessions() as session:
            client = await ledger_service.create_client(
                session, actor, name=name, kind=kind, default_rate_cents=rate
            )
        assert client.id is not None
        clients[name] = client.id
    return World(coop.id, people[COORDINATOR[0]], people, clients)


# --------------------------------------------------------------------------- data


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


async def count(engine: AsyncEngine, query: Any) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(query)).scalar_one())


# --------------------------------------------------------------------------- 1. CSV import


async def bench_csv_import(dbs: Databases, rows_n: int, chunk: int) -> dict[str, Any]:
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
            parsed = csv_import.read_csv(chunk_data, max_rows=max(size, csv_import.MAX_ROWS))
            parse_seconds += time.perf_counter() - t0
            async with sessions() as session:
                result = await csv_import.import_prestations(
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


# --------------------------------------------------------------------------- 2 + 3. books


def _period(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


async def fill_ledger(engine: AsyncEngine, world: World, lines: int) -> dict[str, int]:
    """`lines` ledger lines (balanced pairs receivable:<client> / revenue), core inserts.

    Returns account code -> account id.
    """
    now = clock.now()
    today = clock.today()
    codes = ["revenue", "bank"] + [f"receivable:{cid}" for cid in world.client_ids.values()]
    accounts: dict[str, int] = {}
    async with engine.begin() as connection:
        for code in codes:
            result = await connection.execute(
                insert(Account.__table__).returning(Account.__table__.c.id),  # type: ignore[attr-defined]
                {
                    "cooperative_id": world.cooperative_id,
                    "code": code,
                    "type": account_type(code).value,
                    "created_at": now,
                },
            )
            accounts[code] = int(result.scalar_one())
    receivables = [accounts[f"receivable:{cid}"] for cid in world.client_ids.values()]
    entries_n = lines // 2
    entry_table = JournalEntry.__table__  # type: ignore[attr-defined]
    line_table = LedgerLine.__table__  # type: ignore[attr-defined]
    per_batch = LINE_BATCH // 2
    balances = dict.fromkeys(accounts.values(), 0)  # running balance per account, as posted
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # The fill is not measured: skip the per-row running-balance trigger (its check
            # is the account page's `problems` below); it would triple the fill time.
            await connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for first in range(0, entries_n, per_batch):
            entries = []
            pairs = []
            for e in range(first, min(first + per_batch, entries_n)):
                entry_id = e + 1
                day = today - dt.timedelta(days=(e * 13) % 730)
                period = _period(day)
                amount = 1000 + (e % 97) * 125
                entries.append(
                    {
                        "id": entry_id,
                        "cooperative_id": world.cooperative_id,
                        "period": period,
                        "date": day,
                        "kind": "prestation",
                        "memo": f"Prestation {entry_id}",
                        "author_id": world.coordinator_id,
                        "idempotency_key": f"bench:{entry_id}",
                        "created_at": now,
                    }
                )
                common = {"entry_id": entry_id, "cooperative_id": world.cooperative_id}
                receivable = receivables[e % len(receivables)]
                balances[receivable] += amount
                balances[accounts["revenue"]] -= amount
                pairs.append(
                    {
                        "id": 2 * e + 1,
                        **common,
                        "period": period,
                        "account_id": receivable,
                        "amount": amount,
                        "balance": balances[receivable],
                    }
                )
                pairs.append(
                    {
                        "id": 2 * e + 2,
                        **common,
                        "period": period,
                        "account_id": accounts["revenue"],
                        "amount": -amount,
                        "balance": balances[accounts["revenue"]],
                    }
                )
            await connection.execute(insert(entry_table), entries)
            await connection.execute(insert(line_table), pairs)
    if engine.dialect.name == "postgresql":
        async with engine.begin() as connection:
            await connection.exec_driver_sql("ANALYZE")
            for table in ("journal_entry", "ledger_line"):
                await connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
    else:
        async with engine.begin() as connection:
            await connection.exec_driver_sql("ANALYZE")
    return accounts


async def best_of(times: int, call: Callable[[], Awaitable[Any]]) -> tuple[float, list[float]]:
    measured = []
    for _ in range(times):
        started = time.perf_counter()
        await call()
        measured.append(time.perf_counter() - started)
    return min(measured), measured


async def bench_books(dbs: Databases, lines: int) -> list[dict[str, Any]]:
    url = dbs.fresh("books")
    async with engine_for(url) as engine:
        world = await build_world(engine)
        started = time.perf_counter()
        accounts = await fill_ledger(engine, world, lines)
        fill_seconds = time.perf_counter() - started
        line_count = await count(engine, select(func.count()).select_from(LedgerLine.__table__))  # type: ignore[attr-defined]
    print(f"  filled {line_count:,} ledger lines in {fill_seconds:.1f} s", flush=True)

    results = []
    reader = reading.Operator(world.cooperative_id)
    async with engine_for(url, read_only=True) as engine:
        sessions = make_sessionmaker(engine)

        # ---- 2. trial balance vs bare GROUP BY
        bare_sql = text(
            "SELECT account_id, SUM(amount) FROM ledger_line "
            "WHERE cooperative_id = :c GROUP BY account_id"
        )
        bare_rows: list[Any] = []

        async def bare() -> None:
            async with sessions() as session, session.begin():
                connection = await session.connection()
                bare_rows[:] = (
                    await connection.execute(bare_sql, {"c": world.cooperative_id})
                ).all()

        balance: list[reading.BalanceRow] = []

        async def trial() -> None:
            async with sessions() as session:
                balance[:] = await reading.trial_balance(session, reader, None)

        await bare()  # warm the cache once each, then best of 3
        await trial()
        bare_best, bare_all = await best_of(3, bare)
        trial_best, trial_all = await best_of(3, trial)
        problems = []
        bare_sums = {int(a): int(s) for a, s in bare_rows}
        by_code = {row.account: row.balance_cents for row in balance}
        if sum(bare_sums.values()) != 0 or sum(by_code.values()) != 0:
            problems.append("the books do not balance")
        if {code: by_code.get(code) for code in accounts if accounts[code] in bare_sums} != {
            code: bare_sums[aid] for code, aid in accounts.items() if aid in bare_sums
        }:
            problems.append("trial_balance and the bare GROUP BY disagree")
        results.append(
            {
                "name": "trial_balance",
                "lines": line_count,
                "accounts": len(balance),
                "seconds": trial_best,
                "baseline_seconds": bare_best,
                "all_seconds": trial_all,
                "baseline_all_seconds": bare_all,
                "ratio": trial_best / bare_best,
                "ratio_meaning": "trial_balance time ÷ bare GROUP BY time, best of 3 "
                "(lower is better)",
                "goal": f"<= {GOALS['trial_balance']}",
                "problems": problems,
            }
        )

        # ---- 3. account page 1 vs page 1000
        code = "revenue"
        account_id = accounts[code]
        want = 999 * PAGE  # lines before page 1000
        async with engine.connect() as connection:
            own = (
                await connection.execute(
                    text("SELECT count(*) FROM ledger_line WHERE account_id = :a"),
                    {"a": account_id},
                )
            ).scalar_one()
            skip = min(want, max(0, int(own) - PAGE))
            after_id = (
                await connection.execute(
                    text(
                        "SELECT id FROM ledger_line WHERE account_id = :a "
                        "ORDER BY id LIMIT 1 OFFSET :o"
                    ),
                    {"a": account_id, "o": skip - 1},
                )
            ).scalar_one()
            opening = (
                await connection.execute(
                    text(
                        "SELECT COALESCE(SUM(amount), 0) FROM ledger_line "
                        "WHERE account_id = :a AND id <= :after"
                    ),
                    {"a": account_id, "after": after_id},
                )
            ).scalar_one()
        page_number = skip // PAGE + 1
        pages: dict[str, reading.AccountPage] = {}

        async def first_page() -> None:
            async with sessions() as session:
                pages["first"] = await reading.account_lines(session, reader, code, limit=PAGE)

        async def far_page() -> None:
            async with sessions() as session:
                pages["far"] = await reading.account_lines(
                    session, reader, code, after_id=int(after_id), limit=PAGE
                )

        await first_page()
        await far_page()
        first_best, first_all = await best_of(5, first_page)
        far_best, far_all = await best_of(5, far_page)
        problems = []
        if page_number != 1000:
            problems.append(f"the account has {own} lines: measured page {page_number}, not 1000")
        if len(pages["first"].lines) != PAGE or len(pages["far"].lines) != PAGE:
            problems.append("a page did not have 50 lines")
        if pages["far"].opening_balance != int(opening):
            problems.append(
                f"page {page_number} opens at {pages['far'].opening_balance}, "
                f"not at the sum of the earlier lines ({int(opening)})"
            )
        results.append(
            {
                "name": "account_page",
                "account": code,
                "account_lines": int(own),
                "page": page_number,
                "after_id": int(after_id),
                "seconds": far_best,
                "baseline_seconds": first_best,
                "all_seconds": far_all,
                "baseline_all_seconds": first_all,
                "ratio": far_best / first_best,
                "ratio_meaning": f"page {page_number} time ÷ page 1 time, best of 5 "
                "(lower is better)",
                "goal": f"<= {GOALS['account_page']}",
                "problems": problems,
            }
        )
    return results


# --------------------------------------------------------------------------- output


def print_table(results: list[dict[str, Any]]) -> None:
    header = ["benchmark", "size", "measured", "baseline", "ratio", "goal", "ok"]
    body = []
    for r in results:
        if r["name"] == "csv_import":
            size = f"{r['rows']:,} rows"
            measured = f"{r['import_rows_per_s']:,.0f} rows/s"
            baseline = f"{r['baseline_rows_per_s']:,.0f} rows/s"
            met = r["ratio"] >= GOALS["csv_import"]
        else:
            size = f"{r['lines']:,} lines" if r["name"] == "trial_balance" else f"page {r['page']}"
            measured = f"{r['seconds'] * 1000:,.1f} ms"
            baseline = f"{r['baseline_seconds'] * 1000:,.1f} ms"
            met = r["ratio"] <= GOALS[r["name"]]
        ok = "INVALID" if r["problems"] else ("yes" if met else "no")
        body.append([r["name"], size, measured, baseline, f"{r['ratio']:.2f}", r["goal"], ok])
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    right = {1, 2, 3, 4}

    def fmt(row: list[str]) -> str:
        return "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    print()
    print(fmt(header))
    print(fmt(["-" * w for w in widths]))
    for row in body:
        print(fmt(row))
    print()
    for r in results:
        if r["name"] == "csv_import":
            print(
                f"csv_import: import {r['import_rows_per_s']:,.0f} rows/s "
                f"({r['import_seconds']:.2f} s, of which read_csv {r['parse_seconds']:.2f} s) "
                f"vs bare INSERT {r['baseline_rows_per_s']:,.0f} rows/s "
                f"({r['baseline_seconds']:.2f} s) -> ratio {r['ratio']:.2f} "
                f"[{r['mode']}]"
            )
            if len(r["chunk_seconds"]) > 1:
                print(
                    f"  per file: first {r['chunk_seconds'][0]:.2f} s, "
                    f"last {r['chunk_seconds'][-1]:.2f} s"
                )
        elif r["name"] == "trial_balance":
            print(
                f"trial_balance: {r['seconds'] * 1000:.1f} ms vs bare GROUP BY "
                f"{r['baseline_seconds'] * 1000:.1f} ms over {r['lines']:,} lines "
                f"-> ratio {r['ratio']:.2f}"
            )
        else:
            print(
                f"account_page: page {r['page']} {r['seconds'] * 1000:.2f} ms vs page 1 "
                f"{r['baseline_seconds'] * 1000:.2f} ms ({r['account']}, "
                f"{r['account_lines']:,} lines) -> ratio {r['ratio']:.2f}"
            )
        for problem in r["problems"]:
            print(f"  !!! INVALID: {problem}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ledger", description=__doc__.split("\n\n")[0] if __doc__ else ""
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000, help="prestations in the CSV")
    parser.add_argument("--lines", type=int, default=1_000_000, help="ledger lines")
    parser.add_argument(
        "--chunk",
        type=int,
        default=csv_import.MAX_ROWS,
        help="rows per imported file (default 5000, the upload cap); 0: all at once",
    )
    parser.add_argument(
        "--only", action="append", choices=["csv_import", "books"], help="repeatable"
    )
    parser.add_argument("--json", type=Path, help="default bench/results/ledger-<db>-<time>.json")
    parser.add_argument("--keep", action="store_true", help="keep the temporary databases")
    args = parser.parse_args(argv)
    if args.rows < 1 or args.lines < 2 or args.chunk < 0:
        parser.error("--rows must be >= 1, --lines >= 2, --chunk >= 0")
    return args


async def run(args: argparse.Namespace, dbs: Databases) -> list[dict[str, Any]]:
    only = set(args.only or ["csv_import", "books"])
    results = []
    if "csv_import" in only:
        print("1. CSV import vs bare batched INSERT", flush=True)
        results.append(await bench_csv_import(dbs, args.rows, args.chunk))
    if "books" in only:
        print("2-3. trial balance vs bare GROUP BY; account page 1000 vs page 1", flush=True)
        results += await bench_books(dbs, args.lines)
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("GOVERNANCE_SECRET_KEY", secrets.token_hex(32))
    load_before = os.getloadavg()
    started = time.perf_counter()
    print(
        f"ledger benchmarks on {args.db}: --rows {args.rows} --lines {args.lines} "
        f"--chunk {args.chunk}; load average {load_before[0]:.2f}",
        flush=True,
    )
    try:
        with databases(args.db, args.keep) as dbs:
            results = asyncio.run(run(args, dbs))
    except BenchError as error:
        print(f"could not run: {error}", file=sys.stderr)
        return 2
    load_after = os.getloadavg()
    print_table(results)
    print(
        f"\nload average {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = args.json or RESULTS_DIR / f"ledger-{args.db}-{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "started": stamp,
                "db": args.db,
                "options": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                "machine": {
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                    "cpus": os.cpu_count(),
                    "load_before": load_before,
                    "load_after": load_after,
                },
                "results": results,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    print(f"results: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 1 if any(r["problems"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
