"""Votes benchmark: counting 100 000 ranked ballots, and a distribution-rule proposal's page.

    .venv/bin/python -m bench.votes [--db sqlite|postgresql|both] [--runs N] [--ballots N]
                                    [--members N] [--prestations N] [--profile auto|always|never]

Three measurements, each in a child process (a fresh interpreter that loads what the server
loads), each against a baseline measured in the same child, best of `--runs`:

- `count`: `methods.ranked` on `--ballots` rankings of 6 options (pure), against a plain
  plurality count of the same ballots' first choices (`collections.Counter`);
- `tally`: `outcome.tally_now(session, proposal)` (every Ballot row of the proposal, then the
  count) on a database holding those ballots, against the bare `SELECT choice FROM ballot
  WHERE proposal_id = :p` in the same session;
- `page`: GET /c/<slug>/proposals/<id> of an open distribution-rule proposal (with its rule
  comparison over three closed months), through the real app in-process, against the
  members page of the same cooperative for the same member; `preview.compare` alone too.

Nothing is asserted about time: the run exits 0 when every step ran and its checks held, 1
when a check failed (the line then says INVALID), 2 when it could not set up. See
bench/README.md, "Votes benchmark".
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gc
import json
import math
import os
import platform
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python bench/votes.py` works too
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

import governance.app  # noqa: F401  the server's modules, loaded in each child as in a server
from bench.close import (
    CLIENTS,
    COORDINATOR,
    COSTS,
    KINDS,
    PASSWORD,
    PG_ADMIN_URL,
    PG_URL,
    _peak_kb,
    _trim_profile,
)
from governance.auth.models import Person
from governance.base import clock
from governance.base.db import bulk_insert, make_engine, make_sessionmaker, migrate
from governance.ledger.books.journal import Posting, account_type, prestation_postings
from governance.ledger.books.models import Account, JournalEntry, LedgerLine, Period
from governance.ledger.closing import closing
from governance.ledger.costs.models import Cost
from governance.ledger.sharing import founding as ledger_service
from governance.ledger.work.models import Prestation, PrestationStatus
from governance.members import service as members
from governance.members.access import Actor
from governance.members.models import Membership, MembershipStatus, Role
from governance.votes import outcome
from governance.votes import service as votes_service
from governance.votes.counting import methods
from governance.votes.counting.kinds import ProposalKind, ProposalState, Visibility
from governance.votes.drafting import preview_reads as preview
from governance.votes.models import Ballot, Proposal

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
GOAL_SECONDS = 1.0  # issue 5: 100 000 ranked ballots over 6 options counted in under a second
PROFILE_TOP = 15
SEED = 20261204

# The ranked vote: where the cooperative's office goes. Six options, in the proposal's order.
OPTIONS = (
    "Outremeuse",
    "Centre-ville",
    "Guillemins",
    "Bureau partagé",
    "Seraing",
    "Rester rue Saint-Gilles",
)
# Voter blocs: (share of the voters, Plackett-Luce weight of each option). Chosen so that no
# option has a first-round majority and the count takes five rounds, the leader of the first
# round losing in the end.
BLOCS = (
    (0.30, (9, 5, 1, 1, 2, 1)),
    (0.26, (1, 2, 9, 6, 1, 1)),
    (0.20, (4, 9, 1, 1, 6, 2)),
    (0.14, (1, 1, 3, 9, 2, 5)),
    (0.10, (2, 2, 2, 2, 2, 2)),
)
# How many options a ballot ranks (1 to 6): partial rankings are common.
LENGTHS = ((1, 0.12), (2, 0.18), (3, 0.22), (4, 0.18), (5, 0.12), (6, 0.18))
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # as governance.votes.ballots

BALLOTS_SLUG = "benchvotes"
COOP_SLUG = "benchrule"
MONTHS = ("2026-08", "2026-09", "2026-10")  # filled, then closed through the services
START_MONTH = "2026-11"  # the proposal's rule starts the month after the last closed one
PROPOSED_TEMPLATE = "equal"  # the cooperative's rule is mixed_80_20
READER = "member1@rule.bench.example"  # the member who reads the pages (a cooperator)
BARE_SQL = "SELECT choice FROM ballot WHERE proposal_id = :p"
# tally_now's steps, timed apart (see _tally).
PARTS = {
    "bare_ordered": "the bare SELECT with tally_now's ORDER BY receipt",
    "core_choices": "select(ballot.c.choice) ORDER BY receipt: SQLAlchemy Core, JSON decoded",
    "ballots_of": "outcome.ballots_of: the same rows as ORM Ballot objects, all columns",
    "ballots_of_gc_off": "outcome.ballots_of with the garbage collector off",
    "count": "outcome.count (methods.ranked) on the choices",
}


class BenchError(RuntimeError):
    """The benchmark could not be set up."""


# --------------------------------------------------------------------------- ballots


def rankings(n: int, seed: int = SEED) -> list[list[str]]:
    """`n` rankings, best first, reproducible from `seed`: each voter belongs to a bloc and
    ranks the options by a Plackett-Luce draw with the bloc's weights, keeping the first 1 to 6
    (exponential keys: the option with the smallest Exp(weight) draw comes first)."""
    rng = random.Random(seed)
    bloc_cumulative = list(_cumulative([share for share, _w in BLOCS]))
    length_cumulative = list(_cumulative([w for _n, w in LENGTHS]))
    found = []
    log = math.log
    for _ in range(n):
        weights = BLOCS[_pick(bloc_cumulative, rng.random())][1]
        keys = [-log(1.0 - rng.random()) / w for w in weights]
        order = sorted(range(len(OPTIONS)), key=keys.__getitem__)
        length = LENGTHS[_pick(length_cumulative, rng.random())][0]
        found.append([OPTIONS[i] for i in order[:length]])
    return found


def _cumulative(weights: list[float]) -> Iterator[float]:
    total = sum(weights)
    running = 0.0
    for w in weights:
        running += w / total
        yield running


def _pick(cumulative: list[float], u: float) -> int:
    for index, edge in enumerate(cumulative):
        if u < edge:
            return index
    return len(cumulative) - 1


def receipts(n: int, seed: int = SEED) -> list[str]:
    """`n` distinct receipts in the service's format (XXXX-XXXX-XXXX), reproducible."""
    rng = random.Random(seed + 1)
    seen: set[str] = set()
    while len(seen) < n:
        code = "".join(rng.choices(RECEIPT_ALPHABET, k=12))
        seen.add(f"{code[:4]}-{code[4:8]}-{code[8:]}")
    found = sorted(seen)
    rng.shuffle(found)
    return found


# --------------------------------------------------------------------------- databases


@dataclass
class Store:
    """Fresh migrated databases of one kind: SQLite files, or throw-away PostgreSQL databases."""

    kind: str
    tmp: Path
    created: list[str]

    def fresh(self, name: str) -> str:
        if self.kind == "sqlite":
            url = f"sqlite+aiosqlite:///{self.tmp / (name + '.db')}"
        else:
            db = f"bench_votes_{name}_{secrets.token_hex(4)}"
            admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            try:
                with admin.connect() as connection:
                    connection.exec_driver_sql(f'CREATE DATABASE "{db}"')
            finally:
                admin.dispose()
            self.created.append(db)
            url = PG_URL.format(db=db)
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
def store(kind: str, keep: bool) -> Iterator[Store]:
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-votes-{kind}-"))
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


async def _next_id(connection: Any, table: str) -> int:
    found = await connection.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}"))
    return int(found.scalar_one()) + 1


async def _after_fill(engine: AsyncEngine, tables: tuple[str, ...]) -> None:
    """Sequences past the ids written by hand (PostgreSQL), then the planner's statistics."""
    postgres = engine.dialect.name == "postgresql"
    async with engine.begin() as connection:
        if postgres:
            for name in tables:
                await connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT max(id) FROM {name}))"
                )
        else:
            await connection.exec_driver_sql("ANALYZE")
    if postgres:  # what autovacuum would do to freshly filled tables
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql("VACUUM ANALYZE")


async def _found(engine: AsyncEngine, slug: str, name: str, email: str) -> tuple[int, Person]:
    """A cooperative (with the mixed_80_20 rule) and its coordinator, through the services."""
    sessions = make_sessionmaker(engine)
    async with sessions() as session:
        coop = await ledger_service.found_cooperative(
            session, slug=slug, name=name, rule_template="mixed_80_20"
        )
    async with sessions() as session:
        coordinator = await members.add_person_to_cooperative(
            session,
            slug=slug,
            email=email,
            name=COORDINATOR[1],
            password=PASSWORD,
            role=Role.COORDINATOR,
        )
    assert coop.id is not None and coordinator.id is not None
    return coop.id, coordinator


def _person_rows(
    first_id: int, n: int, kind: str, domain: str, password_hash: str, now: datetime
) -> list[dict[str, Any]]:
    return [
        {
            "id": first_id + i,
            "email": f"{kind}{i + 1}@{domain}",
            "name": f"{kind.capitalize()} {i + 1}",
            "password_hash": password_hash,
            "language": "fr",
            "languages": [],
            "token_version": 1,
            "iban": "",
            "bic": "",
            "created_at": now,
        }
        for i in range(n)
    ]


@dataclass
class BallotsFilled:
    cooperative_id: int
    proposal_id: int
    ballots: int
    seconds: float


async def fill_ballots(url: str, ballots: list[list[str]]) -> BallotsFilled:
    """An open ranked proposal (ORM), its voters as person rows and one ballot each (bulk)."""
    started = time.perf_counter()
    engine = make_engine(url)
    n = len(ballots)
    try:
        coop_id, coordinator = await _found(
            engine, BALLOTS_SLUG, "Bench votes", "coord@votes.bench.example"
        )
        assert coordinator.id is not None
        now = clock.now()
        sessions = make_sessionmaker(engine)
        async with sessions() as session, session.begin():
            connection = await session.connection()
            if engine.dialect.name == "postgresql":
                # Not measured: skip the foreign-key triggers of 2 × n rows (all valid).
                await connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            proposal = Proposal(
                cooperative_id=coop_id,
                kind=ProposalKind.DECISION,
                title="Où installer le bureau de la coopérative ?",
                body="Six lieux possibles. Classez ceux que vous acceptez, du meilleur "
                "au moins bon.",
                method="ranked",
                quorum="1/2",
                threshold="1/2",
                visibility=Visibility.SECRET,
                results_hidden=True,
                options=[{"label": label} for label in OPTIONS],
                effect={},
                state=ProposalState.OPEN,
                created_by_id=coordinator.id,
                created_at=now,
                opened_by_id=coordinator.id,
                opens_at=now,
                closes_at=now + dt.timedelta(days=14),
                eligible_count=n,
            )
            session.add(proposal)
            await session.flush()
            assert proposal.id is not None
            first = await _next_id(connection, "person")
            persons = _person_rows(
                first, n, "voter", "votes.bench.example", coordinator.password_hash, now
            )
            await bulk_insert(session, Person.__table__, persons)  # type: ignore[attr-defined]
            rows = [
                {
                    "proposal_id": proposal.id,
                    "voter_id": first + i,
                    "cast_by_id": first + i,
                    "choice": ranking,
                    "reason": "",
                    "receipt": receipt,
                    "cast_at": now,
                }
                for i, (ranking, receipt) in enumerate(zip(ballots, receipts(n), strict=True))
            ]
            await bulk_insert(session, Ballot.__table__, rows)  # type: ignore[attr-defined]
            proposal_id = proposal.id
        await _after_fill(engine, ("person",))
    finally:
        await engine.dispose()
    return BallotsFilled(coop_id, proposal_id, n, time.perf_counter() - started)


# --------------------------------------------------------------------------- the cooperative


@dataclass
class CoopFilled:
    cooperative_id: int
    coordinator_id: int
    reader_id: int
    proposal_id: int
    members: int
    prestations: int
    ballots: int
    fill_seconds: float
    close_seconds: list[float]


def _month_day(month: str, i: int) -> dt.date:
    year, number = int(month[:4]), int(month[5:7])
    days = (dt.date(year + number // 12, number % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, number, 1 + i % days)


async def _fill_coop_rows(
    engine: AsyncEngine,
    coop_id: int,
    coordinator_id: int,
    password_hash: str,
    clients: list[tuple[int, int]],
    members_n: int,
    per_month: int,
) -> list[int]:
    """As bench/close.py fills October, for each of MONTHS: `members_n` cooperators, the
    month's period (open), three costs and `per_month` validated prestations with their
    entries and lines (running balances computed here), in one transaction; the prestations
    go in with `db.bulk_insert` (COPY on PostgreSQL). The member ids."""
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
    async with make_sessionmaker(engine)() as session, session.begin():
        connection = await session.connection()
        if postgres:
            await connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        ids = {name: await _next_id(connection, name) for name in tables if name != "membership"}
        member_ids = list(range(ids["person"], ids["person"] + members_n))
        await connection.execute(
            insert(tables["person"]),
            _person_rows(
                ids["person"], members_n, "member", "rule.bench.example", password_hash, now
            ),
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
        balances = dict.fromkeys(accounts.values(), 0)
        entry_id, line_id, prestation_id = (
            ids["journal_entry"],
            ids["ledger_line"],
            ids["prestation"],
        )

        def entry(month: str, day: dt.date, kind: str, memo: str) -> dict[str, Any]:
            return {
                "id": entry_id,
                "cooperative_id": coop_id,
                "period": month,
                "date": day,
                "kind": kind,
                "memo": memo,
                "author_id": coordinator_id,
                "idempotency_key": None,
                "reverses_id": None,
                "created_at": now,
            }

        def lines_of(month: str, postings: list[Posting]) -> list[dict[str, Any]]:
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
                        "period": month,
                        "account_id": account_id,
                        "amount": posting.amount,
                        "balance": balances[account_id],
                    }
                )
                line_id += 1
            return rows

        for month in MONTHS:
            await connection.execute(
                insert(Period.__table__),  # type: ignore[attr-defined]
                {"cooperative_id": coop_id, "month": month, "state": "open", "created_at": now},
            )
            entries: list[dict[str, Any]] = []
            lines: list[dict[str, Any]] = []
            costs = []
            for day_number, supplier, amount in COSTS:
                day = _month_day(month, day_number - 1)
                entries.append(entry(month, day, "cost", f"rent: {supplier}"))
                lines += lines_of(
                    month, [Posting("expense:rent", amount), Posting("bank", -amount)]
                )
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
                entry_id += 1
            await connection.execute(insert(tables["journal_entry"]), entries)
            await connection.execute(insert(tables["ledger_line"]), lines)
            await connection.execute(insert(tables["cost"]), costs)
            for first in range(0, per_month, 5_000):
                entries, lines, prestations = [], [], []
                for i in range(first, min(first + 5_000, per_month)):
                    member_id = member_ids[i % members_n]
                    client_id, rate = clients[(i // 7) % len(clients)]
                    day = _month_day(month, i)
                    minutes = 15 * (1 + i % 12)
                    amount = minutes * rate // 60
                    entries.append(entry(month, day, "prestation", f"prestation {prestation_id}"))
                    lines += lines_of(month, prestation_postings(client_id, member_id, amount, 0))
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
                    entry_id += 1
                    prestation_id += 1
                # COPY on PostgreSQL (about four times faster here), executemany on SQLite.
                await bulk_insert(session, tables["journal_entry"], entries)
                await bulk_insert(session, tables["ledger_line"], lines)
                await bulk_insert(session, tables["prestation"], prestations)
    await _after_fill(engine, ("person", "journal_entry", "ledger_line", "prestation", "cost"))
    return member_ids


async def fill_coop(url: str, members_n: int, per_month: int) -> CoopFilled:
    """The cooperative of the page: filled in bulk, three months closed and a distribution-rule
    proposal drafted and opened through the services, then ballots of half the members."""
    started = time.perf_counter()
    engine = make_engine(url)
    try:
        coop_id, coordinator = await _found(engine, COOP_SLUG, "Bench rule", COORDINATOR[0])
        assert coordinator.id is not None
        actor = Actor(person_id=coordinator.id, cooperative_id=coop_id)
        sessions = make_sessionmaker(engine)
        clients: list[tuple[int, int]] = []
        for name, kind, rate in CLIENTS:
            async with sessions() as session:
                client = await ledger_service.create_client(
                    session, actor, name=name, kind=kind, default_rate_cents=rate
                )
            assert client.id is not None
            clients.append((client.id, rate))
        member_ids = await _fill_coop_rows(
            engine,
            coop_id,
            coordinator.id,
            coordinator.password_hash,
            clients,
            members_n,
            per_month,
        )
        filled = time.perf_counter() - started
        closes = []
        for month in MONTHS:  # the real close, as the coordinator
            began = time.perf_counter()
            async with sessions() as session:
                await closing.start_review(session, actor, month, today=clock.today())
            async with sessions() as session:
                await closing.finalize(session, actor, month)
            closes.append(time.perf_counter() - began)
        async with sessions() as session:
            proposal = await votes_service.save_draft(
                session,
                actor,
                {
                    "kind": ProposalKind.DISTRIBUTION_RULE.value,
                    "title": "Partager à parts égales à partir de novembre",
                    "body": "Chaque membre actif reçoit la même part du revenu distribuable.\n\n"
                    "Le tableau ci-dessous montre ce que chacun aurait reçu.",
                    "method": "approval",
                    "quorum": "1/2",
                    "threshold": "1/2",
                    "visibility": Visibility.PUBLIC.value,
                    "rule_json": PROPOSED_TEMPLATE,
                    "start_month": START_MONTH,
                },
                language="fr",
                today=clock.today(),
            )
        assert proposal.id is not None
        closes_on = (clock.now() + dt.timedelta(days=14)).astimezone(clock.BRUSSELS).date()
        async with sessions() as session:
            await votes_service.open_proposal(
                session, actor, proposal.id, {"closes_on": closes_on.isoformat()}
            )
        # Half the members have voted (the reader, member 1, among them), as mid-vote.
        now = clock.now()
        voted = member_ids[::2]
        async with sessions() as session, session.begin():
            await bulk_insert(
                session,
                Ballot.__table__,  # type: ignore[attr-defined]
                [
                    {
                        "proposal_id": proposal.id,
                        "voter_id": pid,
                        "cast_by_id": pid,
                        "choice": ("yes", "no", "abstain")[i % 3],
                        "reason": "",
                        "receipt": receipt,
                        "cast_at": now,
                    }
                    for i, (pid, receipt) in enumerate(
                        zip(voted, receipts(len(voted), SEED + 7), strict=True)
                    )
                ],
            )
    finally:
        await engine.dispose()
    return CoopFilled(
        cooperative_id=coop_id,
        coordinator_id=coordinator.id,
        reader_id=member_ids[0],
        proposal_id=proposal.id,
        members=members_n,
        prestations=per_month * len(MONTHS),
        ballots=len(voted),
        fill_seconds=filled,
        close_seconds=closes,
    )


# --------------------------------------------------------------------------- children


def _profile_text(profiler: Any, sort: str, only: str | None = None) -> str:
    import io
    import pstats

    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(sort).print_stats(*([only] if only else []), PROFILE_TOP)
    return _trim_profile(out.getvalue())


def _profiled(profiler: Any, path: Path, only: str | None = None) -> dict[str, Any]:
    """The top functions by cumulative time (only those matching `only`, a regex, if given)
    and by own time; the profile saved to `path`."""
    profiler.dump_stats(path)
    return {
        "prof_file": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
        "cumulative": _profile_text(profiler, "cumulative", only),
        "only": only,
        "tottime": _profile_text(profiler, "tottime"),
    }


def child_count(n: int, runs: int, profile: str, profile_out: Path | None) -> dict[str, Any]:
    """(a) the pure count against a plurality Counter of first choices, best of `runs`."""
    startup = _peak_kb()
    ballots = rankings(n)
    options = list(OPTIONS)
    quorum = Fraction(1, 2)
    counted, plurality = [], []
    result = None
    firsts: Counter[str] = Counter()
    for _ in range(runs):
        started = time.perf_counter()
        firsts = Counter(b[0] for b in ballots if b)
        plurality.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = methods.ranked(ballots, options=options, eligible=n, quorum=quorum)
        counted.append(time.perf_counter() - started)
    assert result is not None
    problems = []
    if dict(result.rounds[0].counts) != {o: firsts.get(o, 0) for o in options}:
        problems.append("the first round differs from the plurality count of first choices")
    report: dict[str, Any] = {
        "seconds": min(counted),
        "all_seconds": counted,
        "baseline_seconds": min(plurality),
        "all_baseline_seconds": plurality,
        "result": result.as_data(),
        "first_choices": dict(firsts.most_common()),
        "ranking_lengths": dict(sorted(Counter(len(b) for b in ballots).items())),
        "problems": problems,
    }
    if profile_out and (profile == "always" or (profile == "auto" and min(counted) > GOAL_SECONDS)):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        methods.ranked(ballots, options=options, eligible=n, quorum=quorum)
        profiler.disable()
        report["profile"] = _profiled(profiler, profile_out)
    report.update(startup_peak_kb=startup, peak_kb=_peak_kb())
    return report


async def _tally(
    url: str, proposal_id: int, runs: int, profile: str, profile_out: Path | None
) -> dict[str, Any]:
    # The writer engine: the close counts in close_due's session, holding the writer lock.
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    try:
        async with sessions() as session, session.begin():  # warm: pool, page cache
            connection = await session.connection()
            rows_n = len((await connection.execute(text(BARE_SQL), {"p": proposal_id})).all())
        bare, tallied = [], []
        result = None
        for _ in range(runs):
            async with sessions() as session, session.begin():
                proposal = await session.get(Proposal, proposal_id)
                assert proposal is not None
                connection = await session.connection()
                started = time.perf_counter()
                rows = (await connection.execute(text(BARE_SQL), {"p": proposal_id})).all()
                bare.append(time.perf_counter() - started)
                rows_n = len(rows)
                del rows
                started = time.perf_counter()
                result = await outcome.tally_now(session, proposal)
                tallied.append(time.perf_counter() - started)
        assert result is not None
        # Where the time goes: tally_now's steps apart, best of `runs` each, each step in a
        # new session (the ORM's identity map empty, as at the close).
        parts: dict[str, list[float]] = {label: [] for label in PARTS}
        table = Ballot.__table__  # type: ignore[attr-defined]
        for _ in range(runs):
            async with sessions() as session, session.begin():
                connection = await session.connection()
                started = time.perf_counter()
                rows = (
                    await connection.execute(
                        text(BARE_SQL + " ORDER BY receipt"), {"p": proposal_id}
                    )
                ).all()
                parts["bare_ordered"].append(time.perf_counter() - started)
                del rows
            async with sessions() as session, session.begin():
                connection = await session.connection()
                started = time.perf_counter()
                query = select(table.c.choice).where(table.c.proposal_id == proposal_id)
                decoded = (await connection.execute(query.order_by(table.c.receipt))).all()
                parts["core_choices"].append(time.perf_counter() - started)
                del decoded
            for gc_off in (False, True):
                async with sessions() as session, session.begin():
                    proposal = await session.get(Proposal, proposal_id)
                    assert proposal is not None
                    if gc_off:
                        gc.disable()
                    try:
                        started = time.perf_counter()
                        loaded = await outcome.ballots_of(session, proposal_id)
                        loaded_s = time.perf_counter() - started
                    finally:
                        gc.enable()
                    parts["ballots_of_gc_off" if gc_off else "ballots_of"].append(loaded_s)
                    choices = [b.choice for b in loaded]
                    started = time.perf_counter()
                    outcome.count(proposal, choices)
                    parts["count"].append(time.perf_counter() - started)
                    del loaded, choices
        report: dict[str, Any] = {
            "seconds": min(tallied),
            "all_seconds": tallied,
            "baseline_seconds": min(bare),
            "all_baseline_seconds": bare,
            "rows": rows_n,
            "result": result.as_data(),
            "parts": {label: min(seconds) for label, seconds in parts.items()},
        }
        if profile_out and (
            profile == "always" or (profile == "auto" and min(tallied) > GOAL_SECONDS)
        ):
            import cProfile

            async with sessions() as session, session.begin():
                proposal = await session.get(Proposal, proposal_id)
                assert proposal is not None
                profiler = cProfile.Profile()
                started = time.perf_counter()
                profiler.enable()
                await outcome.tally_now(session, proposal)
                profiler.disable()
                seconds = time.perf_counter() - started
            report["profile"] = {"seconds": seconds, **_profiled(profiler, profile_out)}
        return report
    finally:
        await engine.dispose()


def child_tally(
    url: str, proposal_id: int, runs: int, profile: str, profile_out: Path | None
) -> dict[str, Any]:
    startup = _peak_kb()
    report = asyncio.run(_tally(url, proposal_id, runs, profile, profile_out))
    report.update(startup_peak_kb=startup, peak_kb=_peak_kb())
    return report


async def _page(
    url: str,
    cooperative_id: int,
    reader_id: int,
    proposal_id: int,
    runs: int,
    profile: str,
    profile_out: Path | None,
) -> dict[str, Any]:
    import logging

    import httpx

    from governance.app import create_app

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request
    from governance.base.settings import Settings

    settings = Settings(database_url=url, secret_key=os.environ["GOVERNANCE_SECRET_KEY"])
    app = create_app(settings)
    proposal_path = f"/c/{COOP_SLUG}/proposals/{proposal_id}"
    members_path = f"/c/{COOP_SLUG}/members"
    problems: list[str] = []
    async with (
        app.lifespan(),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
        ) as client,
    ):
        await client.get("/login")
        response = await client.post(
            "/login",
            data={
                "_csrf_token": client.cookies["csrftoken"],
                "email": READER,
                "password": PASSWORD,
                "next": "/",
            },
        )
        if response.status_code not in (302, 303):
            raise BenchError(f"login as {READER} failed: {response.status_code}")

        async def fetch(path: str) -> tuple[float, httpx.Response]:
            started = time.perf_counter()
            response = await client.get(path)
            return time.perf_counter() - started, response

        actor = Actor(person_id=reader_id, cooperative_id=cooperative_id)

        async def compare() -> tuple[float, Any]:
            async with app.state.read_sessionmaker() as session:
                proposal = await session.get(Proposal, proposal_id)
                assert proposal is not None
                started = time.perf_counter()
                found = await preview.compare(session, actor, proposal)
                return time.perf_counter() - started, found

        # One of each untimed first: compiled statements, template cache, pool connections.
        _s, first_members = await fetch(members_path)
        _s, first_page = await fetch(proposal_path)
        _s, comparison = await compare()
        members_s, page_s, compare_s = [], [], []
        statuses = set()
        sizes = {
            "members_page": len(first_members.content),
            "proposal_page": len(first_page.content),
        }
        for _ in range(runs):
            seconds, response = await fetch(members_path)
            members_s.append(seconds)
            statuses.add(response.status_code)
            seconds, response = await fetch(proposal_path)
            page_s.append(seconds)
            statuses.add(response.status_code)
            seconds, comparison = await compare()
            compare_s.append(seconds)
        body = first_page.text
        if statuses != {200} or first_members.status_code != 200 or first_page.status_code != 200:
            problems.append(f"statuses {sorted(statuses)}")
        if 'id="comparison"' not in body or 'id="my-difference"' not in body:
            problems.append("the proposal page has no comparison table with the reader's row")
        if comparison is None:
            problems.append("preview.compare found nothing to compare")
        rows = len(comparison.rows) if comparison is not None else 0
        months = list(comparison.months) if comparison is not None else []
        if months != list(MONTHS):
            problems.append(f"compared months {months}, not {list(MONTHS)}")
        if first_members.text.count("Member ") < 1:
            problems.append("the members page lists no member")
        report: dict[str, Any] = {
            "seconds": min(page_s),
            "all_seconds": page_s,
            "baseline_seconds": min(members_s),
            "all_baseline_seconds": members_s,
            "compare_seconds": min(compare_s),
            "all_compare_seconds": compare_s,
            "sizes": sizes,
            "comparison_rows": rows,
            "comparison_months": months,
            "problems": problems,
        }
        if profile_out and profile == "always":
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
            seconds, _r = await fetch(proposal_path)
            profiler.disable()
            # Coroutines resumed many times make the framework's cumulative times unreadable:
            # the service's own functions and the templates only.
            report["profile"] = {
                "seconds": seconds,
                **_profiled(profiler, profile_out, r"governance/|\.html"),
            }
    return report


def child_page(
    url: str,
    cooperative_id: int,
    reader_id: int,
    proposal_id: int,
    runs: int,
    profile: str,
    profile_out: Path | None,
) -> dict[str, Any]:
    startup = _peak_kb()
    report = asyncio.run(
        _page(url, cooperative_id, reader_id, proposal_id, runs, profile, profile_out)
    )
    report.update(startup_peak_kb=startup, peak_kb=_peak_kb())
    return report


def run_child(what: str, *extra: str) -> dict[str, Any]:
    """Run `what` in a fresh interpreter (same imports as this one); its JSON report."""
    command = [sys.executable, "-m", "bench.votes", "--child", what, *extra]
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"the {what} child failed (exit {done.returncode})")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert isinstance(report, dict)
    return report


# --------------------------------------------------------------------------- one database


def bench_database(
    kind: str, args: argparse.Namespace, ballots: list[list[str]], count: dict[str, Any], stamp: str
) -> dict[str, Any]:
    common = ["--runs", str(args.runs), "--profile", args.profile]
    with store(kind, args.keep) as dbs:
        url = dbs.fresh("ballots")
        print(f"  filling {len(ballots):,} voters and their ranked ballots …", flush=True)
        ballots_filled = asyncio.run(fill_ballots(url, ballots))
        print(f"  filled in {ballots_filled.seconds:.1f} s", flush=True)
        prof = RESULTS_DIR / f"votes-tally-{kind}-{stamp}.prof"
        tally = run_child(
            "tally",
            *common,
            "--url",
            url,
            "--proposal",
            str(ballots_filled.proposal_id),
            "--profile-out",
            str(prof),
        )
        problems = []
        if tally["rows"] != len(ballots):
            problems.append(f"the bare SELECT read {tally['rows']} rows, not {len(ballots)}")
        if tally["result"] != count["result"]:
            problems.append("tally_now's result differs from the pure count of the same rankings")
        print(
            f"  tally_now {_ms(tally['seconds'])}, bare SELECT "
            f"{_ms(tally['baseline_seconds'])} (best of {args.runs})"
            + (f"; INVALID: {'; '.join(problems)}" if problems else ""),
            flush=True,
        )
        tally["problems"] = problems

        url = dbs.fresh("coop")
        print(
            f"  filling {args.members:,} members, {args.prestations:,} prestations in each of "
            f"{', '.join(MONTHS)}, closing the three months, opening the proposal …",
            flush=True,
        )
        coop = asyncio.run(fill_coop(url, args.members, args.prestations))
        print(
            f"  filled in {coop.fill_seconds:.1f} s; closes "
            + ", ".join(f"{s:.2f} s" for s in coop.close_seconds),
            flush=True,
        )
        prof = RESULTS_DIR / f"votes-page-{kind}-{stamp}.prof"
        page = run_child(
            "page",
            *common,
            "--url",
            url,
            "--cooperative",
            str(coop.cooperative_id),
            "--reader",
            str(coop.reader_id),
            "--proposal",
            str(coop.proposal_id),
            "--profile-out",
            str(prof),
        )
        if page["comparison_rows"] < args.members:
            page["problems"].append(
                f"{page['comparison_rows']} comparison rows for {args.members} members"
            )
        print(
            f"  proposal page {page['seconds'] * 1000:.0f} ms, members page "
            f"{page['baseline_seconds'] * 1000:.0f} ms, preview.compare "
            f"{page['compare_seconds'] * 1000:.0f} ms (best of {args.runs})"
            + (f"; INVALID: {'; '.join(page['problems'])}" if page["problems"] else ""),
            flush=True,
        )
    return {
        "db": kind,
        "ballots_filled": asdict(ballots_filled),
        "tally": tally,
        "coop_filled": asdict(coop),
        "page": page,
        "problems": tally["problems"] + page["problems"],
    }


# --------------------------------------------------------------------------- output


def _ms(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.1f} ms"


def _table(header: list[str], body: list[list[str]], left: set[int]) -> None:
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]

    def fmt(row: list[str]) -> str:
        return "  ".join(
            cell.ljust(w) if i in left else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    print(fmt(header))
    print(fmt(["-" * w for w in widths]))
    for row in body:
        print(fmt(row))


def print_results(
    args: argparse.Namespace, count: dict[str, Any], results: list[dict[str, Any]]
) -> None:
    goal = f"< {GOAL_SECONDS:g} s"

    def ok(seconds: float, problems: list[str]) -> str:
        return "INVALID" if problems else ("yes" if seconds < GOAL_SECONDS else "no")

    body = [
        [
            "count (pure)",
            "-",
            f"{args.ballots:,} rankings",
            _ms(count["seconds"]),
            "Counter of first choices",
            _ms(count["baseline_seconds"]),
            f"{count['seconds'] / count['baseline_seconds']:.1f}",
            goal,
            ok(count["seconds"], count["problems"]),
        ]
    ]
    for r in results:
        t = r["tally"]
        body.append(
            [
                "tally_now",
                r["db"],
                f"{args.ballots:,} ballots",
                _ms(t["seconds"]),
                "bare SELECT choice",
                _ms(t["baseline_seconds"]),
                f"{t['seconds'] / t['baseline_seconds']:.1f}",
                goal,
                ok(t["seconds"], t["problems"]),
            ]
        )
    for r in results:
        p = r["page"]
        body.append(
            [
                "proposal page",
                r["db"],
                f"{args.members:,} members",
                _ms(p["seconds"]),
                "members page",
                _ms(p["baseline_seconds"]),
                f"{p['seconds'] / p['baseline_seconds']:.1f}",
                "-",
                "INVALID" if p["problems"] else "-",
            ]
        )
    print()
    _table(
        ["measured", "database", "size", "time", "baseline", "time", "ratio", "goal", "ok"],
        body,
        {0, 1, 4, 7, 8},
    )
    print()
    result = count["result"]
    rounds = result["rounds"]
    print(
        f"count: methods.ranked {_ms(count['seconds'])} vs Counter of first choices "
        f"{_ms(count['baseline_seconds'])} (best of {args.runs}) -> ratio "
        f"{count['seconds'] / count['baseline_seconds']:.1f}; goal under 1 s: "
        f"{'met' if count['seconds'] < GOAL_SECONDS else 'NOT met'}"
    )
    print(
        f"  {len(rounds)} rounds, winner {result['winner']!r}; ballots ranking 1..6 options: "
        + ", ".join(f"{n}: {c:,}" for n, c in count["ranking_lengths"].items())
    )
    for number, r in enumerate(rounds, 1):
        counts = ", ".join(f"{o} {n:,}" for o, n in r["counts"].items())
        out = f" -> {r['eliminated']} out" if r["eliminated"] else ""
        print(f"  round {number}: {counts}; exhausted {r['exhausted']:,}{out}")
    for problem in count["problems"]:
        print(f"  !!! INVALID: {problem}")
    _print_profile("count", count)
    for r in results:
        t = r["tally"]
        print(
            f"{r['db']}: tally_now {_ms(t['seconds'])} vs bare SELECT choice of "
            f"{t['rows']:,} rows {_ms(t['baseline_seconds'])} (same session, best of "
            f"{args.runs}) -> ratio {t['seconds'] / t['baseline_seconds']:.1f}; goal under 1 s: "
            f"{'met' if t['seconds'] < GOAL_SECONDS else 'NOT met'}"
        )
        print(
            f"  where the time goes (each step apart, each in a new session, best of {args.runs}):"
        )
        for label, seconds in t["parts"].items():
            print(f"  {_ms(seconds):>9}  {PARTS.get(label, label)}")
        for problem in t["problems"]:
            print(f"  !!! INVALID: {problem}")
        _print_profile(f"{r['db']} tally_now", t)
    for r in results:
        p = r["page"]
        c = r["coop_filled"]
        print(
            f"{r['db']}: GET proposal page {_ms(p['seconds'])} ({p['sizes']['proposal_page']:,} "
            f"bytes) vs GET members page {_ms(p['baseline_seconds'])} "
            f"({p['sizes']['members_page']:,} bytes), best of {args.runs} -> ratio "
            f"{p['seconds'] / p['baseline_seconds']:.1f}; preview.compare alone "
            f"{_ms(p['compare_seconds'])} ({p['comparison_rows']:,} rows over "
            f"{', '.join(p['comparison_months'])})"
        )
        print(
            f"  {c['members']:,} members, {c['prestations']:,} prestations over three closed "
            f"months, {c['ballots']:,} approval ballots cast so far"
        )
        for problem in p["problems"]:
            print(f"  !!! INVALID: {problem}")
        _print_profile(f"{r['db']} proposal page", p)


def _print_profile(what: str, report: dict[str, Any]) -> None:
    if "profile" not in report:
        return
    p = report["profile"]
    took = f" ({p['seconds']:.2f} s under cProfile)" if "seconds" in p else ""
    only = f" (functions matching {p['only']!r})" if p.get("only") else ""
    print(f"\n{what}: profile of one call{took}, by cumulative time{only}")
    print(p["cumulative"])
    print("  by own time")
    print(p["tottime"])
    print(f"  full profile: python -m pstats {p['prof_file']}\n")


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.votes", description=__doc__.split("\n\n")[0] if __doc__ else ""
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each step; best kept")
    parser.add_argument("--ballots", type=int, default=100_000, help="ranked ballots")
    parser.add_argument("--members", type=int, default=1_000, help="members of the cooperative")
    parser.add_argument(
        "--prestations",
        type=int,
        help="prestations in each of the three closed months (default 100 per member)",
    )
    parser.add_argument(
        "--profile",
        choices=["auto", "always", "never"],
        default="auto",
        help="cProfile one more call; auto: a count or tally that misses the 1 s goal",
    )
    parser.add_argument("--json", type=Path, help="default bench/results/votes-<db>-<time>.json")
    parser.add_argument("--keep", action="store_true", help="keep the temporary databases")
    # Internal: what a child process runs.
    parser.add_argument("--child", choices=["count", "tally", "page"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--proposal", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cooperative", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--reader", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prestations is None:
        args.prestations = 100 * args.members
    if args.runs < 1 or args.ballots < 1 or args.members < 1 or args.prestations < 1:
        parser.error("--runs, --ballots, --members and --prestations must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("GOVERNANCE_SECRET_KEY", secrets.token_hex(32))
    if args.child:
        if args.child != "page":  # the page child's app freezes at start-up, in its lifespan
            gc.freeze()  # as the server does after start-up (governance.app's lifespan)
        if args.child == "count":
            report = child_count(args.ballots, args.runs, args.profile, args.profile_out)
        elif args.child == "tally":
            report = child_tally(args.url, args.proposal, args.runs, args.profile, args.profile_out)
        else:
            report = child_page(
                args.url,
                args.cooperative,
                args.reader,
                args.proposal,
                args.runs,
                args.profile,
                args.profile_out,
            )
        print(json.dumps(report, ensure_ascii=False))
        return 0

    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    started = time.perf_counter()
    print(
        f"votes benchmark on {', '.join(kinds)}: --ballots {args.ballots} --members "
        f"{args.members} --prestations {args.prestations} (per month) --runs {args.runs}; "
        f"load average {load_before[0]:.2f}",
        flush=True,
    )
    results = []
    try:
        print(f"count: {args.ballots:,} rankings of {len(OPTIONS)} options (seed {SEED}) …")
        count = run_child(
            "count",
            "--ballots",
            str(args.ballots),
            "--runs",
            str(args.runs),
            "--profile",
            args.profile,
            "--profile-out",
            str(RESULTS_DIR / f"votes-count-{stamp}.prof"),
        )
        print(
            f"  methods.ranked {_ms(count['seconds'])}, Counter {_ms(count['baseline_seconds'])}"
            f" (best of {args.runs}), {len(count['result']['rounds'])} rounds",
            flush=True,
        )
        ballots = rankings(args.ballots)
        for kind in kinds:
            print(f"{kind}:", flush=True)
            results.append(bench_database(kind, args, ballots, count, stamp))
    except (BenchError, OperationalError) as error:
        print(f"could not run: {error}", file=sys.stderr)
        return 2
    load_after = os.getloadavg()
    print_results(args, count, results)
    print(
        f"\nload average {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    path = args.json or RESULTS_DIR / f"votes-{args.db}-{stamp}.json"
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
                "count": count,
                "results": results,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    print(f"results: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    problems = count["problems"] + [p for r in results for p in r["problems"]]
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
