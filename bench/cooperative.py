"""The cooperative the month close and votes benchmarks fill: founded, given a coordinator
and five clients through the services (audited, the real way), then filled in bulk with
cooperators, accounts, and months of costs and validated prestations with their entries and
lines (running balances computed here, as the triggers want them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.databases import after_fill, lines_added_without_trigger, next_id
from governance.auth.models import Person
from governance.base import clock
from governance.base.db import bulk_insert, make_sessionmaker
from governance.ledger.books.journal import Posting, account_type, prestation_postings
from governance.ledger.books.kinds import ClientKind
from governance.ledger.books.models import Account, JournalEntry, LedgerLine, Period
from governance.ledger.closing import reviews
from governance.ledger.costs.models import Cost
from governance.ledger.sharing import new_cooperative
from governance.ledger.work import clients as work_clients
from governance.ledger.work.models import Prestation
from governance.ledger.work.statuses import PrestationStatus
from governance.members import MembershipStatus, Role
from governance.members import service as members
from governance.members.access import Actor
from governance.members.models import Membership

PASSWORD = "bench-close-password-2026"
COORDINATOR = ("coord@close.bench.example", "Carla Coordinator")
# name, kind, usual hourly rate in cents (a multiple of 4: 15-minute steps give whole cents)
CLIENTS = [
    ("CHU de Liège", ClientKind.HOSPITAL, 5500),
    ("CPAS de Liège", ClientKind.SOCIAL_SERVICES, 4800),
    ("CRIPEL", ClientKind.INTEGRATION_OFFICE, 5000),
    ("Fedasil Sugny", ClientKind.OTHER, 6000),
    ("Intégra+ SA", ClientKind.COMPANY, 5200),
]
# day of the month, supplier, amount in cents: Dr expense:rent / Cr bank
COSTS = [(1, "Immo Meuse SPRL", 120_000), (10, "Immo Meuse SPRL", 45_000), (20, "Bureau+", 9_900)]
KINDS = ("on_site", "phone", "video")
BATCH = 5_000  # prestations (each with its entry and two lines) per INSERT batch
FILLED_TABLES = ("person", "journal_entry", "ledger_line", "prestation", "cost")


async def found(engine: AsyncEngine, slug: str, name: str, email: str) -> tuple[int, Person]:
    """A cooperative (with the mixed_80_20 rule) and its coordinator, through the services."""
    sessions = make_sessionmaker(engine)
    async with sessions() as session:
        coop = await new_cooperative.found_cooperative(
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


async def add_clients(engine: AsyncEngine, actor: Actor) -> list[tuple[int, int]]:
    """The five CLIENTS through the service: (id, rate) of each."""
    sessions = make_sessionmaker(engine)
    clients: list[tuple[int, int]] = []
    for name, kind, rate in CLIENTS:
        async with sessions() as session:
            client = await work_clients.create_client(
                session, actor, name=name, kind=kind, default_rate_cents=rate
            )
        assert client.id is not None
        clients.append((client.id, rate))
    return clients


def person_rows(
    first_id: int, n: int, kind: str, domain: str, password_hash: str, now: dt.datetime
) -> list[dict[str, Any]]:
    """`n` people `<kind><i>@<domain>`, all with the same (precomputed argon2) hash: hashing
    1 000 passwords would take minutes."""
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


def month_day(month: str, i: int) -> dt.date:
    """Day `1 + i % <days in the month>` of `month`."""
    year, number = int(month[:4]), int(month[5:7])
    days = (dt.date(year + number // 12, number % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, number, 1 + i % days)


async def fill_months(
    engine: AsyncEngine,
    coop_id: int,
    coordinator: Person,
    clients: list[tuple[int, int]],
    members_n: int,
    per_month: int,
    months: tuple[str, ...],
    domain: str,
    *,
    copy: bool,
) -> tuple[list[int], int, int]:
    """`members_n` cooperators `member<i>@<domain>`, the accounts used, and for each month: its
    period (open), the three COSTS and `per_month` validated prestations (15 to 180 minutes at
    the client's rate) with their entries and lines, in one transaction. On PostgreSQL the
    per-row triggers are skipped (not measured). With `copy` the prestations' batches go in with
    `db.bulk_insert` (COPY on PostgreSQL), else with executemany INSERTs.
    (member ids, income, expenses), in cents."""
    assert coordinator.id is not None
    coordinator_id = coordinator.id
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
    async with make_sessionmaker(engine)() as session, session.begin():
        connection = await session.connection()
        if postgres:
            # Not measured: skip the per-row triggers (running balance, foreign keys). The
            # balances below are computed as the trigger wants them, or later posts would fail.
            await connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        ids = {name: await next_id(connection, name) for name in tables if name != "membership"}
        member_ids = list(range(ids["person"], ids["person"] + members_n))
        await connection.execute(
            insert(tables["person"]),
            person_rows(ids["person"], members_n, "member", domain, coordinator.password_hash, now),
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
        balances = dict.fromkeys(accounts.values(), 0)  # running balance per account, by id
        entry_id, line_id = ids["journal_entry"], ids["ledger_line"]
        prestation_id = ids["prestation"]

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

        async def write(table: str, rows: list[dict[str, Any]]) -> None:
            if copy:  # COPY on PostgreSQL (about four times faster here), executemany on SQLite
                await bulk_insert(session, tables[table], rows)
            else:
                await connection.execute(insert(tables[table]), rows)

        for month in months:
            await connection.execute(
                insert(Period.__table__),  # type: ignore[attr-defined]
                {"cooperative_id": coop_id, "month": month, "state": "open", "created_at": now},
            )
            # A few costs first.
            entries: list[dict[str, Any]] = []
            lines: list[dict[str, Any]] = []
            costs = []
            for day_number, supplier, amount in COSTS:
                day = month_day(month, day_number - 1)
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
                expenses += amount
                entry_id += 1
            await connection.execute(insert(tables["journal_entry"]), entries)
            await connection.execute(insert(tables["ledger_line"]), lines)
            await connection.execute(insert(tables["cost"]), costs)

            # The prestations, validated, each with its entry and two lines.
            for first in range(0, per_month, BATCH):
                entries, lines, prestations = [], [], []
                for i in range(first, min(first + BATCH, per_month)):
                    member_id = member_ids[i % members_n]
                    client_id, rate = clients[(i // 7) % len(clients)]
                    day = month_day(month, i)
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
                    income += amount
                    entry_id += 1
                    prestation_id += 1
                await write("journal_entry", entries)
                await write("ledger_line", lines)
                await write("prestation", prestations)
        await lines_added_without_trigger(connection, ids["ledger_line"], line_id)
    await after_fill(engine, FILLED_TABLES)
    return member_ids, income, expenses


async def everyone_reads(engine: AsyncEngine, cooperative_id: int, month: str) -> int:
    """Every member concerned by `month`'s review marks their draft as read (the service, one
    call each), so that the close need not wait for the review's minimum time. How many."""
    sessions = make_sessionmaker(engine)
    async with sessions() as session, session.begin():
        concerned = await reviews.concerned_members(session, cooperative_id, month)
    for member in concerned:
        async with sessions() as session:
            await reviews.mark_read(
                session, Actor(person_id=member, cooperative_id=cooperative_id), month
            )
    return len(concerned)
