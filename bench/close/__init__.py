"""Month close benchmark: closing a month of 1 000 members and 100 000 prestations.

    .venv/bin/python -m bench.close [--db sqlite|postgresql|both] [--members N] [--prestations N]

The close (`closing.start_review` then `closing.finalize`, with a coordinator) runs in a child
process, against a baseline measured in the same run on the same database and rows: the bare
SQL aggregate of the month's prestations per member, through a plain driver connection, in
another child process. Both children report their own peak memory. Nothing is asserted about
time: the run exits 0 when every close ran and its checks held (period closed, statements,
shares add up, audit chain intact), 1 otherwise, 2 when it could not set up. See
bench/README.md, "Month close benchmark".

This package: the month and what is filled (here), the children (`child`), the checks after a
close (`checks`), the printed tables (`report`), the runner (`__main__`).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from bench.cooperative import COORDINATOR, COSTS, add_clients, fill_months, found
from governance.base.db import make_engine
from governance.members.access import Actor

COOP_SLUG = "benchclose"
MONTH = "2026-10"
TODAY = dt.date(2026, 11, 27)  # the close's `today`: October is over
GOAL = 5.0  # close time ÷ aggregate time, from the issue

AGGREGATE_SQL = (
    "SELECT p.member_id, SUM(p.amount_cents), SUM(p.duration_minutes), COUNT(*) "
    "FROM prestation p JOIN journal_entry e ON e.id = p.entry_id "
    "WHERE e.cooperative_id = {c} AND e.period = '2026-10' GROUP BY p.member_id"
)


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
        coop_id, coordinator = await found(engine, COOP_SLUG, "Bench close", COORDINATOR[0])
        assert coordinator.id is not None
        clients = await add_clients(engine, Actor(person_id=coordinator.id, cooperative_id=coop_id))
        _members, income, expenses = await fill_months(
            engine,
            coop_id,
            coordinator,
            clients,
            members_n,
            prestations_n,
            (MONTH,),
            "close.bench.example",
            copy=False,
        )
    finally:
        await engine.dispose()
    return Filled(
        cooperative_id=coop_id,
        coordinator_id=coordinator.id,
        members=members_n,
        prestations=prestations_n,
        costs=len(COSTS),
        entries=prestations_n + len(COSTS),
        lines=2 * (prestations_n + len(COSTS)),
        income_cents=income,
        expense_cents=expenses,
        seconds=time.perf_counter() - started,
    )
