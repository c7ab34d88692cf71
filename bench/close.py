"""Month close benchmark: closing a month of 1 000 members and 100 000 prestations.

    .venv/bin/python -m bench.close [--db sqlite|postgresql|both] [--members N] [--prestations N]

The close (`closing.start_review` then `closing.finalize`, with a coordinator) runs in a child
process, against a baseline measured in the same run on the same database and rows: the bare
SQL aggregate of the month's prestations per member, through a plain driver connection, in
another child process. Both children report their own peak memory. Nothing is asserted about
time: the run exits 0 when every close ran and its checks held (period closed, statements,
shares add up, audit chain intact), 1 otherwise, 2 when it could not set up. See
bench/README.md, "Month close benchmark".
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gc
import itertools
import json
import os
import platform
import resource
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python bench/close.py` works too
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

import governance.app  # noqa: F401  the server's modules, loaded in each child as in a server
from governance.audit.service import verify_chain
from governance.auth.models import Person
from governance.base import clock, faults
from governance.base.db import make_engine, make_sessionmaker, migrate
from governance.ledger.books.journal import Posting, account_type, prestation_postings
from governance.ledger.books.models import Account, JournalEntry, LedgerLine, Period
from governance.ledger.closing import closing, periods
from governance.ledger.closing.models import PeriodClose
from governance.ledger.costs.models import Cost
from governance.ledger.sharing import founding as ledger_service
from governance.ledger.statements.models import Statement
from governance.ledger.work.models import ClientKind, Prestation, PrestationStatus
from governance.members import service as members
from governance.members.access import Actor
from governance.members.models import Membership, MembershipStatus, Role

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{db}"
PASSWORD = "bench-close-password-2026"
COOP_SLUG = "benchclose"
COORDINATOR = ("coord@close.bench.example", "Carla Coordinator")
MONTH = "2026-10"
TODAY = dt.date(2026, 11, 27)  # the close's `today`: October is over
# name, kind, usual hourly rate in cents (a multiple of 4: 15-minute steps give whole cents)
CLIENTS = [
    ("CHU de Liège", ClientKind.HOSPITAL, 5500),
    ("CPAS de Liège", ClientKind.SOCIAL_SERVICES, 4800),
    ("CRIPEL", ClientKind.INTEGRATION_OFFICE, 5000),
    ("Fedasil Sugny", ClientKind.OTHER, 6000),
    ("Intégra+ SA", ClientKind.COMPANY, 5200),
]
# day of October, supplier, amount in cents: Dr expense:rent / Cr bank
COSTS = [(1, "Immo Meuse SPRL", 120_000), (10, "Immo Meuse SPRL", 45_000), (20, "Bureau+", 9_900)]
KINDS = ("on_site", "phone", "video")
BATCH = 5_000  # prestations (each with its entry and two lines) per INSERT batch
GOAL = 5.0  # close time ÷ aggregate time, from the issue
PROFILE_TOP = 15

AGGREGATE_SQL = (
    "SELECT p.member_id, SUM(p.amount_cents), SUM(p.duration_minutes), COUNT(*) "
    "FROM prestation p JOIN journal_entry e ON e.id = p.entry_id "
    "WHERE e.cooperative_id = {c} AND e.period = '2026-10' GROUP BY p.member_id"
)


class BenchError(RuntimeError):
    """The benchmark could not be set up."""


# --------------------------------------------------------------------------- databases


@dataclass
class Store:
    """Fresh databases of one kind, and copies of a filled one (a close runs once per copy)."""

    kind: str
    tmp: Path
    created: list[str]

    def _pg_admin(self, statement: str) -> None:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.exec_driver_sql(statement)
        finally:
            admin.dispose()

    def fresh(self, name: str) -> str:
        """The async URL of a new, migrated, empty database."""
        if self.kind == "sqlite":
            url = f"sqlite+aiosqlite:///{self.tmp / (name + '.db')}"
        else:
            db = f"bench_close_{name}_{secrets.token_hex(4)}"
            self._pg_admin(f'CREATE DATABASE "{db}"')
            self.created.append(db)
            url = PG_URL.format(db=db)
        migrate(url)
        return url

    def copy(self, url: str, name: str) -> str:
        """A copy of the database at `url` (nobody may be connected to it)."""
        if self.kind == "sqlite":
            target = self.tmp / (name + ".db")
            source = sqlite3.connect(sqlite_path(url))
            destination = sqlite3.connect(target)
            try:
                source.backup(destination)
            finally:
                destination.close()
                source.close()
            return f"sqlite+aiosqlite:///{target}"
        db = f"bench_close_{name}_{secrets.token_hex(4)}"
        template = make_url(url).database
        self._pg_admin(f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
        self.created.append(db)
        return PG_URL.format(db=db)

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
def store(kind: str, keep: bool) -> Iterator[Store]:
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-close-{kind}-"))
    dbs = Store(kind, tmp, [])
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


def sqlite_path(url: str) -> str:
    database = make_url(url).database
    assert database
    return database


# --------------------------------------------------------------------------- fill


@dataclass
class Filled:
    cooperative_id: int
    coordinator_id: int
    members: int
    prestations: int
    costs: int
    entries: int
    lines: int
    income_cents: int
    expense_cents: int
    seconds: float


async def fill(url: str, members_n: int, prestations_n: int) -> Filled:
    """One cooperative (services), `members_n` cooperators and `prestations_n` validated
    prestations of October with their entries and lines (bulk INSERTs), a few costs."""
    started = time.perf_counter()
    engine = make_engine(url)
    try:
        sessions = make_sessionmaker(engine)
        async with sessions() as session:
            coop = await ledger_service.found_cooperative(
                session, slug=COOP_SLUG, name="Bench close", rule_template="mixed_80_20"
            )
        assert coop.id is not None
        async with sessions() as session:
            coordinator = await members.add_person_to_cooperative(
                session,
                slug=COOP_SLUG,
                email=COORDINATOR[0],
                name=COORDINATOR[1],
                password=PASSWORD,
                role=Role.COORDINATOR,
            )
        assert coordinator.id is not None
        actor = Actor(person_id=coordinator.id, cooperative_id=coop.id)
        clients: list[tuple[int, int]] = []  # (id, rate)
        for name, kind, rate in CLIENTS:
            async with sessions() as session:
                client = await ledger_service.create_client(
                    session, actor, name=name, kind=kind, default_rate_cents=rate
                )
            assert client.id is not None
            clients.append((client.id, rate))
        totals = await _fill_rows(
            engine,
            coop.id,
            coordinator.id,
            coordinator.password_hash,
            clients,
            members_n,
            prestations_n,
        )
    finally:
        await engine.dispose()
    return Filled(
        cooperative_id=coop.id,
        coordinator_id=coordinator.id,
        members=members_n,
        prestations=prestations_n,
        costs=len(COSTS),
        entries=prestations_n + len(COSTS),
        lines=2 * (prestations_n + len(COSTS)),
        income_cents=totals[0],
        expense_cents=totals[1],
        seconds=time.perf_counter() - started,
    )


async def _next_id(connection: Any, table: str) -> int:
    found = await connection.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}"))
    return int(found.scalar_one()) + 1


async def _fill_rows(
    engine: AsyncEngine,
    coop_id: int,
    coordinator_id: int,
    password_hash: str,
    clients: list[tuple[int, int]],
    members_n: int,
    prestations_n: int,
) -> tuple[int, int]:
    """The bulk part of the fill, in one transaction; returns (income, expenses) in cents."""
    now = clock.now()
    postgres = engine.dialect.name == "postgresql"
    tables = {
        "person": Person.__table__,  # type: ignore[attr-defined]
        "membership": Membership.__table__,  # type: ignore[attr-defined]
        "journal_entry": JournalEntry.__table__,  # type: ignore[attr-defined]
        "ledger_line": LedgerLine.__table__,  # type: ignore[attr-defined]
        "prestation": Prestation.__table__,  # type: ignore[attr-defined]
        "cost": Cost.__table__,  # type: ignore[attr-defined]
    }
    income = expenses = 0
    async with engine.begin() as connection:
        if postgres:
            # Not measured: skip the per-row triggers (running balance, foreign keys). The
            # balances below are computed as the trigger wants them, or later posts would fail.
            await connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        ids = {name: await _next_id(connection, name) for name in tables if name != "membership"}

        # Members: one precomputed argon2 hash for all (hashing 1 000 passwords takes minutes).
        first_person = ids["person"]
        member_ids = list(range(first_person, first_person + members_n))
        await connection.execute(
            insert(tables["person"]),
            [
                {
                    "id": pid,
                    "email": f"member{n}@close.bench.example",
                    "name": f"Member {n}",
                    "password_hash": password_hash,
                    "language": "fr",
                    "languages": [],
                    "token_version": 1,
                    "iban": "",
                    "bic": "",
                    "created_at": now,
                }
                for n, pid in enumerate(member_ids, 1)
            ],
        )
        await connection.execute(
            insert(tables["membership"]),
            [
                {
                    "cooperative_id": coop_id,
                    "person_id": pid,
                    "role": Role.COOPERATOR.value,
                    "status": MembershipStatus.ACTIVE.value,
                    "joined_at": now,
                }
                for pid in member_ids
            ],
        )

        codes = ["revenue", "bank", "expense:rent"] + [f"receivable:{cid}" for cid, _ in clients]
        accounts: dict[str, int] = {}
        for code in codes:
            result = await connection.execute(
                insert(Account.__table__).returning(Account.__table__.c.id),  # type: ignore[attr-defined]
                {
                    "cooperative_id": coop_id,
                    "code": code,
                    "type": account_type(code).value,
                    "created_at": now,
                },
            )
            accounts[code] = int(result.scalar_one())
        await connection.execute(
            insert(Period.__table__),  # type: ignore[attr-defined]
            {"cooperative_id": coop_id, "month": MONTH, "state": "open", "created_at": now},
        )

        balances = dict.fromkeys(accounts.values(), 0)  # running balance per account, by id
        entry_id = ids["journal_entry"]
        line_id = ids["ledger_line"]

        def entry(day: dt.date, kind: str, memo: str) -> dict[str, Any]:
            return {
                "id": entry_id,
                "cooperative_id": coop_id,
                "period": MONTH,
                "date": day,
                "kind": kind,
                "memo": memo,
                "author_id": coordinator_id,
                "idempotency_key": None,
                "reverses_id": None,
                "created_at": now,
            }

        def lines_of(postings: list[Posting]) -> list[dict[str, Any]]:
            nonlocal line_id
            rows = []
            for posting in postings:
                account_id = accounts[posting.account]
                balances[account_id] += posting.amount
                rows.append(
                    {
                        "id": line_id,
                        "entry_id": entry_id,
                        "cooperative_id": coop_id,
                        "period": MONTH,
                        "account_id": account_id,
                        "amount": posting.amount,
                        "balance": balances[account_id],
                    }
                )
                line_id += 1
            return rows

        # A few costs first.
        entries: list[dict[str, Any]] = []
        lines: list[dict[str, Any]] = []
        costs = []
        for day_number, supplier, amount in COSTS:
            day = dt.date(2026, 10, day_number)
            entries.append(entry(day, "cost", f"rent: {supplier}"))
            lines += lines_of([Posting("expense:rent", amount), Posting("bank", -amount)])
            costs.append(
                {
                    "cooperative_id": coop_id,
                    "date": day,
                    "category": "rent",
                    "supplier": supplier,
                    "note": "",
                    "amount_cents": amount,
                    "entry_id": entry_id,
                    "created_by_id": coordinator_id,
                    "created_at": now,
                }
            )
            expenses += amount
            entry_id += 1
        await connection.execute(insert(tables["journal_entry"]), entries)
        await connection.execute(insert(tables["ledger_line"]), lines)
        await connection.execute(insert(tables["cost"]), costs)

        # The prestations, validated, each with its entry and two lines.
        prestation_id = ids["prestation"]
        for first in range(0, prestations_n, BATCH):
            entries, lines, prestations = [], [], []
            for i in range(first, min(first + BATCH, prestations_n)):
                member_id = member_ids[i % members_n]
                client_id, rate = clients[(i // 7) % len(clients)]
                day = dt.date(2026, 10, 1 + i % 31)
                minutes = 15 * (1 + i % 12)
                amount = minutes * rate // 60
                entries.append(entry(day, "prestation", f"prestation {prestation_id}"))
                lines += lines_of(prestation_postings(client_id, member_id, amount, 0))
                prestations.append(
                    {
                        "id": prestation_id,
                        "cooperative_id": coop_id,
                        "member_id": member_id,
                        "client_id": client_id,
                        "date": day,
                        "start_time": None,
                        "duration_minutes": minutes,
                        "rate_cents": rate,
                        "amount_cents": amount,
                        "travel_cents": 0,
                        "kind": KINDS[i % len(KINDS)],
                        "languages": ["fa"],
                        "note": "",
                        "status": PrestationStatus.VALIDATED.value,
                        "rejection_reason": "",
                        "idempotency_key": None,
                        "request_fingerprint": "",
                        "created_by_id": coordinator_id,
                        "created_at": now,
                        "decided_by_id": coordinator_id,
                        "decided_at": now,
                        "entry_id": entry_id,
                    }
                )
                income += amount
                entry_id += 1
                prestation_id += 1
            await connection.execute(insert(tables["journal_entry"]), entries)
            await connection.execute(insert(tables["ledger_line"]), lines)
            await connection.execute(insert(tables["prestation"]), prestations)

    async with engine.begin() as connection:
        if postgres:
            for name in ("person", "journal_entry", "ledger_line", "prestation", "cost"):
                await connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT max(id) FROM {name}))"
                )
        else:
            await connection.exec_driver_sql("ANALYZE")
    if postgres:
        # What autovacuum does to freshly inserted tables on its own: statistics, and the
        # visibility map that lets index-only scans skip the table.
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql("VACUUM ANALYZE")
    return income, expenses


# --------------------------------------------------------------------------- children


def _peak_kb() -> int:
    """This process's peak resident memory in KiB.

    VmHWM, not ru_maxrss: on Linux a child's ru_maxrss starts at its parent's peak (the old
    memory's high-water mark survives exec), which would count the parent's fill.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_aggregate(url: str, cooperative_id: int) -> dict[str, Any]:
    """The baseline: the bare aggregate through a plain DB-API connection, best of 3."""
    startup = _peak_kb()
    sql = AGGREGATE_SQL.format(c=int(cooperative_id))
    if url.startswith("sqlite"):
        connection: Any = sqlite3.connect(sqlite_path(url))
    else:
        import psycopg

        parsed = make_url(url)
        connection = psycopg.connect(
            host=parsed.host, port=parsed.port, user=parsed.username, dbname=parsed.database
        )
    measured = []
    rows: list[Any] = []
    try:
        for _ in range(3):
            started = time.perf_counter()
            cursor = connection.cursor()
            cursor.execute(sql)
            rows = cursor.fetchall()
            cursor.close()
            measured.append(time.perf_counter() - started)
    finally:
        connection.close()
    return {
        "seconds": min(measured),
        "all_seconds": measured,
        "rows": len(rows),
        "startup_peak_kb": startup,
        "peak_kb": _peak_kb(),
    }


# What `closing` calls, timed by wrappers in the close child (a few calls: no measurable cost).
TIMED_CALLS = (
    "unvalidated",
    "draft",
    "income_and_expenses",
    "post",
    "record",
    "sign_head",
)


def instrument() -> tuple[dict[str, list[float]], list[tuple[str, float]]]:
    """Wrap the functions `closing` calls, and `faults.cut` (the close's named points), in
    this process only: (seconds per call of each function, (point, time) in order)."""
    spans: dict[str, list[float]] = {name: [] for name in TIMED_CALLS}
    marks: list[tuple[str, float]] = []

    def timed(name: str, function: Any) -> Any:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                spans[name].append(time.perf_counter() - started)

        return wrapper

    for name in TIMED_CALLS:
        if hasattr(closing, name):  # what closing.py calls, as it is named there
            setattr(closing, name, timed(name, getattr(closing, name)))
    cut = faults.cut

    def marked(point: str) -> None:
        marks.append((point, time.perf_counter()))
        cut(point)

    faults.cut = marked  # type: ignore[assignment]
    return spans, marks


def phases(marks: list[tuple[str, float]], start: float, end: float) -> list[tuple[str, float]]:
    """finalize's time between its named points, with what was called in between."""
    at = dict(marks)
    points = [("start", start)] + [(p, at[p]) for p in closing.CUT_POINTS if p in at]
    points.append(("commit", end))
    labels = {
        "close.after_entry": "checks + draft + income_and_expenses + post (the close entry)",
        "close.after_statements": "statements (one bulk insert)",
        "close.after_audit": "period state + audit event",
        "close.after_checkpoint": "sign_head (checkpoint)",
        "close.before_commit": "period_close row (distribution JSON)",
        "commit": "COMMIT",
    }
    return [
        (labels.get(name, name), t - before)
        for (_, before), (name, t) in itertools.pairwise(points)
    ]


async def _close(
    url: str, actor: Actor, profile: Path | None, trace: bool, page_first: bool
) -> dict[str, Any]:
    engine = make_engine(url)
    spans, marks = instrument()
    queries: dict[str, list[float]] = {}
    if profile:  # count statements and the time spent waiting for each kind

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def _before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            conn.info.setdefault("bench_started", []).append(time.perf_counter())

        @event.listens_for(engine.sync_engine, "after_cursor_execute")
        def _after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            seconds = time.perf_counter() - conn.info["bench_started"].pop()
            queries.setdefault(" ".join(statement.split())[:90], []).append(seconds)

    try:
        sessions = make_sessionmaker(engine)
        async with engine.connect() as connection:  # open the pool's connection untimed
            await connection.execute(text("SELECT 1"))
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
        if trace:
            import tracemalloc

            tracemalloc.start()

        async def page() -> None:
            # What the coordinator's browser asks the server for before each click: the
            # month's page (the draft, the contests, the close button). Not timed.
            if page_first:
                async with sessions() as session:
                    await periods.review_page(session, actor, MONTH, today=TODAY)

        def clear_spans() -> dict[str, list[float]]:
            kept = {name: list(seconds) for name, seconds in spans.items()}
            for seconds in spans.values():
                seconds.clear()
            return kept

        await page()
        clear_spans()
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        async with sessions() as session:
            await closing.start_review(session, actor, MONTH, today=TODAY)
        reviewed = time.perf_counter()
        if profiler:
            profiler.disable()
        in_review = clear_spans()
        await page()
        clear_spans()
        paged = time.perf_counter()
        if profiler:
            profiler.enable()
        async with sessions() as session:
            await closing.finalize(session, actor, MONTH)
        if profiler:
            profiler.disable()
        finished = time.perf_counter()
        result: dict[str, Any] = {
            "seconds": (reviewed - started) + (finished - paged),
            "review_seconds": reviewed - started,
            "finalize_seconds": finished - paged,
            "calls": {
                name: [len(v) + len(in_review[name]), sum(v) + sum(in_review[name])]
                for name, v in spans.items()
            },
            "finalize_phases": phases(marks, paged, finished),
        }
        if trace:
            import tracemalloc

            result["tracemalloc_peak_bytes"] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        if profiler:
            import io
            import pstats

            out = io.StringIO()
            profiler.dump_stats(profile)  # for `python -m pstats` or snakeviz
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(PROFILE_TOP)
            result["profile_cumulative"] = out.getvalue()
            out = io.StringIO()
            stats.stream = out  # type: ignore[attr-defined]
            stats.sort_stats("tottime").print_stats(PROFILE_TOP)
            result["profile_tottime"] = out.getvalue()
            result["queries"] = sum(len(v) for v in queries.values())
            result["query_seconds"] = sum(sum(v) for v in queries.values())
            result["query_kinds"] = sorted(
                ([len(v), sum(v), k] for k, v in queries.items()), key=lambda q: -q[1]
            )[:12]
        return result
    finally:
        await engine.dispose()


def child_close(
    url: str,
    cooperative_id: int,
    actor_id: int,
    profile: Path | None,
    trace: bool,
    page_first: bool,
) -> dict[str, Any]:
    startup = _peak_kb()
    actor = Actor(person_id=actor_id, cooperative_id=cooperative_id)
    result = asyncio.run(_close(url, actor, profile, trace, page_first))
    result.update(startup_peak_kb=startup, peak_kb=_peak_kb())
    return result


def run_child(what: str, url: str, filled: Filled, *extra: str) -> dict[str, Any]:
    """Run `what` in a fresh interpreter (same imports as this one); its JSON report."""
    command = [
        sys.executable,
        "-m",
        "bench.close",
        "--child",
        what,
        "--url",
        url,
        "--cooperative",
        str(filled.cooperative_id),
        "--actor",
        str(filled.coordinator_id),
        *extra,
    ]
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"the {what} child failed (exit {done.returncode})")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert isinstance(report, dict)
    return report


# --------------------------------------------------------------------------- checks


async def check(url: str, filled: Filled) -> dict[str, Any]:
    """What must hold after the close: what was found, and `problems` (what does not hold)."""
    problems: list[str] = []
    found: dict[str, Any] = {"problems": problems}
    c = filled.cooperative_id
    engine = make_engine(url, read_only=url.startswith("sqlite"))
    try:
        sessions = make_sessionmaker(engine)
        async with sessions() as session, session.begin():
            connection = await session.connection()
            state = (
                await connection.execute(
                    select(Period.state).where(Period.cooperative_id == c, Period.month == MONTH)
                )
            ).scalar_one()
            if state != "closed":
                problems.append(f"the period is {state}, not closed")
            bare = {
                int(m): (int(cents), int(minutes), int(n))
                for m, cents, minutes, n in (
                    await connection.exec_driver_sql(AGGREGATE_SQL.format(c=c))
                ).all()
            }
            income = sum(cents for cents, _, _ in bare.values())
            expenses = int(
                (
                    await connection.exec_driver_sql(
                        "SELECT COALESCE(SUM(amount_cents), 0) FROM cost "
                        f"WHERE cooperative_id = {c}"
                    )
                ).scalar_one()
            )
            if (income, expenses) != (filled.income_cents, filled.expense_cents):
                problems.append("the month's rows are not the rows filled")
            statements = (
                await connection.execute(
                    select(Statement.member_id, Statement.share_cents).where(
                        Statement.cooperative_id == c, Statement.month == MONTH
                    )
                )
            ).all()
            found.update(
                period_state=state, statements=len(statements), members_with_prestations=len(bare)
            )
            if len(statements) != len(bare):
                problems.append(
                    f"{len(statements)} statements for {len(bare)} members with prestations"
                )
            closed = (
                await connection.execute(
                    select(PeriodClose.distribution).where(
                        PeriodClose.cooperative_id == c, PeriodClose.month == MONTH
                    )
                )
            ).scalar_one_or_none()
            if closed is None:
                problems.append("no period_close row")
            else:
                shares = closed["shares"]
                funds = sum(s["cents"] for s in shares if s["fund"] is not None)
                paid = sum(int(share) for _, share in statements)
                if paid + funds != income - expenses:
                    problems.append(
                        f"shares {paid} + funds {funds} != income {income} - expenses {expenses}"
                    )
                if sum(s["cents"] for s in shares) != income - expenses:
                    problems.append("the close's shares do not add up to income - expenses")
                figures = {
                    m["member_id"]: (m["revenue_cents"], m["minutes"], m["prestations"])
                    for m in closed["members"]
                    if m["prestations"]
                }
                if figures != bare:
                    problems.append("the close's member figures differ from the bare aggregate")
            left = (
                await connection.exec_driver_sql(
                    "SELECT COALESCE(SUM(l.amount), 0) FROM ledger_line l "
                    "JOIN account a ON a.id = l.account_id "
                    f"WHERE l.cooperative_id = {c} AND l.period = '{MONTH}' "
                    "AND a.type IN ('income', 'expense')"
                )
            ).scalar_one()
            if int(left) != 0:
                problems.append(f"income and expense accounts not zeroed by the close ({left})")
        async with sessions() as session, session.begin():
            verification = await verify_chain(session, c)
            found["audit_events"] = verification.count
            if verification.problem is not None:
                problems.append(f"audit chain: {verification.problem}")
    finally:
        await engine.dispose()
    return found


# --------------------------------------------------------------------------- one database


def bench_database(kind: str, args: argparse.Namespace, stamp: str) -> dict[str, Any]:
    with store(kind, args.keep) as dbs:
        master = dbs.fresh("filled")
        print(
            f"  filling {args.members:,} members and {args.prestations:,} prestations …",
            flush=True,
        )
        filled = asyncio.run(fill(master, args.members, args.prestations))
        print(
            f"  filled in {filled.seconds:.1f} s: {filled.entries:,} entries, "
            f"{filled.lines:,} lines",
            flush=True,
        )
        runs = []
        for number in range(1, args.runs + 1):
            url = dbs.copy(master, f"run{number}")
            aggregate = run_child("aggregate", url, filled)
            close = run_child("close", url, filled, "--page-first")
            checked = asyncio.run(check(url, filled))
            fresh_url = dbs.copy(master, f"fresh{number}")
            fresh = run_child("close", fresh_url, filled)
            fresh_checked = asyncio.run(check(fresh_url, filled))
            problems = checked["problems"] + fresh_checked["problems"]
            print(
                f"  run {number}: close {close['seconds']:.2f} s (review "
                f"{close['review_seconds']:.2f} s, finalize {close['finalize_seconds']:.2f} s), "
                f"in a fresh process {fresh['seconds']:.2f} s, "
                f"aggregate {aggregate['seconds'] * 1000:.1f} ms; period "
                f"{checked.get('period_state')}, {checked.get('statements')} statements, "
                f"{checked.get('audit_events')} audit events in the checked chain"
                + (f"; INVALID: {'; '.join(problems)}" if problems else ""),
                flush=True,
            )
            runs.append(
                {
                    "close": close,
                    "fresh": fresh,
                    "aggregate": aggregate,
                    "checked": checked,
                    "problems": problems,
                }
            )
        best = min(runs, key=lambda r: r["close"]["seconds"])
        close_s = best["close"]["seconds"]
        fresh_s = min(r["fresh"]["seconds"] for r in runs)
        aggregate_s = min(r["aggregate"]["seconds"] for r in runs)
        ratio = close_s / aggregate_s
        close_mb = max(max(r["close"]["peak_kb"], r["fresh"]["peak_kb"]) for r in runs) / 1024
        aggregate_mb = max(r["aggregate"]["peak_kb"] for r in runs) / 1024
        result: dict[str, Any] = {
            "db": kind,
            "filled": asdict(filled),
            "runs": runs,
            "close_seconds": close_s,
            "fresh_seconds": fresh_s,
            "aggregate_seconds": aggregate_s,
            "ratio": ratio,
            "fresh_ratio": fresh_s / aggregate_s,
            "goal": f"<= {GOAL:g}",
            "close_peak_mb": close_mb,
            "aggregate_peak_mb": aggregate_mb,
            "memory_ratio": close_mb / aggregate_mb,
            "startup_mb": best["aggregate"]["startup_peak_kb"] / 1024,
            "statements": best["checked"].get("statements"),
            "problems": [p for r in runs for p in r["problems"]],
        }
        if args.tracemalloc:
            url = dbs.copy(master, "trace")
            traced = run_child("close", url, filled, "--page-first", "--tracemalloc")
            result["tracemalloc"] = traced
            print(
                f"  tracemalloc run: Python allocations peak at "
                f"{traced['tracemalloc_peak_bytes'] / 2**20:.0f} MB "
                f"(close {traced['seconds']:.2f} s under tracemalloc, not the timed one)",
                flush=True,
            )
        if args.profile == "always" or (args.profile == "auto" and ratio > GOAL):
            url = dbs.copy(master, "profile")
            prof = RESULTS_DIR / f"close-{kind}-{stamp}.prof"
            prof.parent.mkdir(parents=True, exist_ok=True)
            profiled = run_child("close", url, filled, "--page-first", "--profile-out", str(prof))
            profiled["prof_file"] = str(prof.relative_to(ROOT))
            result["profile"] = profiled
            print(
                f"  profiled run (cProfile on, slower): close {profiled['seconds']:.2f} s, "
                f"{profiled['queries']:,} SQL statements waiting {profiled['query_seconds']:.2f} s",
                flush=True,
            )
    return result


# --------------------------------------------------------------------------- output


def print_table(results: list[dict[str, Any]]) -> None:
    header = [
        "database",
        "size",
        "close",
        "aggregate",
        "ratio",
        "goal",
        "fresh process",
        "ratio",
        "close peak",
        "agg. peak",
        "mem ratio",
        "ok",
    ]
    body = []
    for r in results:
        met = r["ratio"] <= GOAL
        ok = "INVALID" if r["problems"] else ("yes" if met else "no")
        body.append(
            [
                r["db"],
                f"{r['filled']['members']:,} members, {r['filled']['prestations']:,} prest.",
                f"{r['close_seconds']:.2f} s",
                f"{r['aggregate_seconds'] * 1000:.1f} ms",
                f"{r['ratio']:.1f}",
                r["goal"],
                f"{r['fresh_seconds']:.2f} s",
                f"{r['fresh_ratio']:.1f}",
                f"{r['close_peak_mb']:.0f} MB",
                f"{r['aggregate_peak_mb']:.0f} MB",
                f"{r['memory_ratio']:.1f}",
                ok,
            ]
        )
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    right = {1, 2, 3, 4, 6, 7, 8, 9, 10}

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
        close = min(r["runs"], key=lambda run: run["close"]["seconds"])["close"]
        print(
            f"{r['db']}: close {r['close_seconds']:.2f} s (start_review "
            f"{close['review_seconds']:.2f} s + finalize {close['finalize_seconds']:.2f} s"
            f"{', best of ' + str(len(r['runs'])) if len(r['runs']) > 1 else ', timed once'}) "
            f"vs bare aggregate {r['aggregate_seconds'] * 1000:.1f} ms (best of 3) "
            f"-> ratio {r['ratio']:.1f}; the same close in a fresh process (the CLI, or the "
            f"first request after a restart) {r['fresh_seconds']:.2f} s -> ratio "
            f"{r['fresh_ratio']:.1f}"
        )
        print(
            f"  peak resident memory (VmHWM) of the close child {r['close_peak_mb']:.0f} MB vs "
            f"the aggregate child {r['aggregate_peak_mb']:.0f} MB -> {r['memory_ratio']:.1f}; "
            f"both are at about {r['startup_mb']:.0f} MB after the same imports, so the close "
            f"itself adds {r['close_peak_mb'] - r['startup_mb']:.0f} MB, the aggregate "
            f"{r['aggregate_peak_mb'] - r['startup_mb']:.0f} MB"
        )
        print(
            "  calls timed inside the close (count, seconds): "
            + ", ".join(
                f"{name} ×{n} {seconds:.2f} s" for name, (n, seconds) in close["calls"].items()
            )
        )
        print("  finalize, between its named points:")
        for label, seconds in close["finalize_phases"]:
            print(f"  {seconds:8.2f} s  {label}")
        if "tracemalloc" in r:
            print(
                f"  tracemalloc peak of the close: "
                f"{r['tracemalloc']['tracemalloc_peak_bytes'] / 2**20:.0f} MB"
            )
        for problem in r["problems"]:
            print(f"  !!! INVALID: {problem}")
        if "profile" in r:
            p = r["profile"]
            print(
                f"\n{r['db']}: profile of one close under cProfile ({p['seconds']:.2f} s; "
                f"{p['queries']:,} SQL statements, {p['query_seconds']:.2f} s waiting on them)"
            )
            print("  SQL by statement (count, seconds, statement):")
            for n, seconds, statement in p["query_kinds"]:
                print(f"  {n:>6}  {seconds:6.2f}  {statement}")
            print(_trim_profile(p["profile_cumulative"]))
            print(f"  full profile: python -m pstats {p['prof_file']}")


def _trim_profile(text_: str) -> str:
    lines = text_.splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return "\n".join(line.replace(str(ROOT) + "/", "") for line in lines[start:] if line.strip())


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.close", description=__doc__.split("\n\n")[0] if __doc__ else ""
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--members", type=int, default=1_000)
    parser.add_argument("--prestations", type=int, default=100_000)
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help="timed closes of each kind, each on a new copy (best is kept, as for the aggregate)",
    )
    parser.add_argument(
        "--profile",
        choices=["auto", "always", "never"],
        default="auto",
        help="one more close under cProfile; auto: when the ratio is above the goal",
    )
    parser.add_argument(
        "--tracemalloc", action="store_true", help="one more close under tracemalloc"
    )
    parser.add_argument("--json", type=Path, help="default bench/results/close-<db>-<time>.json")
    parser.add_argument("--keep", action="store_true", help="keep the temporary databases")
    # Internal: what a child process runs.
    parser.add_argument("--child", choices=["aggregate", "close"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--cooperative", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--actor", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--page-first", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.members < 1 or args.prestations < 1 or args.runs < 1:
        parser.error("--members, --prestations and --runs must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("GOVERNANCE_SECRET_KEY", secrets.token_hex(32))
    if args.child:
        gc.freeze()  # as the server does after start-up (governance.app's lifespan)
        if args.child == "aggregate":
            report = child_aggregate(args.url, args.cooperative)
        else:
            report = child_close(
                args.url,
                args.cooperative,
                args.actor,
                args.profile_out,
                args.tracemalloc,
                args.page_first,
            )
        print(json.dumps(report))
        return 0

    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    load_before = os.getloadavg()
    started = time.perf_counter()
    print(
        f"month close benchmark on {', '.join(kinds)}: --members {args.members} "
        f"--prestations {args.prestations} --runs {args.runs}; "
        f"load average {load_before[0]:.2f}",
        flush=True,
    )
    results = []
    try:
        for kind in kinds:
            print(f"{kind}:", flush=True)
            results.append(bench_database(kind, args, stamp))
    except (BenchError, OperationalError) as error:
        print(f"could not run: {error}", file=sys.stderr)
        return 2
    load_after = os.getloadavg()
    print_table(results)
    print(
        f"\nload average {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    path = args.json or RESULTS_DIR / f"close-{args.db}-{stamp}.json"
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
