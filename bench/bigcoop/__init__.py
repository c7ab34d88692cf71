"""A big cooperative, built for the pages benchmark: 1 000 members over 5 years.

    .venv/bin/python -m bench.bigcoop [--db sqlite|postgresql] [--members N] [--years N]
                                      [--out PATH|DBNAME] [--keep]

About 16 700 validated prestations a month (1 000 a member over five years, 1 000 000 in
all), every month invoiced per client, closed with its statements, paid by the clients and
paid out to the members, 200 votes with their ballots, and the audit chain all of it writes,
checked at the end with `governance audit verify`. What has a service goes through it (the
cooperative, its coordinator, clients, costs, invoices, payments, reviews and closes, payouts,
proposals and their counts); what would take hours one by one goes in bulk with the audit
events its service would have written (members, prestations with their entries and lines,
ballots). Prints the time of each phase and the database's size. See
/work/i17-notes/bigcoop-readme.md (bench/README.md once merged).

This package: the build (here), the chain written in bulk (`chain`), the members (`people`),
a month's work (`work`), a month's life through the services (`months`), the votes (`votes`),
the runner (`__main__`).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from bench.bigcoop.chain import advance_sequences
from bench.bigcoop.months import Coop, Phases, at, live_month
from bench.bigcoop.people import add_members
from bench.bigcoop.votes import rule_proposal, vote_month, votes_in
from bench.cooperative import COORDINATOR, add_clients, found
from governance.base import clock
from governance.base.db import make_sessionmaker
from governance.language.months import Month
from governance.members import details
from governance.members.access import Actor

SLUG = "bigcoop"
DOMAIN = "big.bench.example"
PER_MEMBER_MONTH = 50 / 3  # prestations a member a month: 1 000 members x 60 months = 1 000 000
VOTES = 200
DETAILS = {
    "legal_name": "Big Coop SC",
    "address": "Rue Saint-Gilles 58\n4000 Liège",
    "enterprise_number": "BE 0999.412.378",
    "iban": "BE71 1604 1001 2769",
    "bic": "UNIVBEB1",
    "email": "coordination@big.bench.example",
    "phone": "",
    "vat_status": "exempt",
    "vat_mention": "art44",
}


def months_of(years: int, today: dt.date) -> list[str]:
    """The `years` × 12 months before today's."""
    last = Month.of(today).previous
    months = [last]
    while len(months) < 12 * years:
        months.append(months[-1].previous)
    return [str(m) for m in reversed(months)]


@dataclass
class Built:
    cooperative_id: int
    coordinator_id: int
    member_ids: list[int]
    months: list[str]
    prestations: int = 0
    income_cents: int = 0
    proposals: int = 0
    ballots: int = 0
    rule_proposal_id: int | None = None
    phases: Phases = field(default_factory=Phases)


async def analyze(engine: AsyncEngine) -> None:
    """The planner's statistics, as autovacuum or a nightly ANALYZE would keep them."""
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.exec_driver_sql("ANALYZE")


async def build(
    engine: AsyncEngine, members: int, years: int, votes: int, progress: bool = True
) -> Built:
    """The whole cooperative, month after month, on each month's clock."""
    months = months_of(years, clock.today())
    per_month = round(members * PER_MEMBER_MONTH)
    phases = Phases()
    sessions = make_sessionmaker(engine)
    founded = dt.datetime.combine(Month.parse(months[0]).first_day, dt.time(9, 0))
    with at(founded):
        with phases.timed("cooperative, coordinator, clients (service)"):
            coop_id, coordinator = await found(engine, SLUG, "Big Coop", COORDINATOR[0])
            assert coordinator.id is not None
            actor = Actor(person_id=coordinator.id, cooperative_id=coop_id)
            async with sessions() as session:
                await details.update_details(session, actor, DETAILS)
            clients = await add_clients(engine, actor)
        with phases.timed("members (bulk + events)", members):
            async with sessions() as session, session.begin():
                member_ids = await add_members(
                    session, coop_id, members, DOMAIN, coordinator.password_hash, clock.now()
                )
                await advance_sequences(session, ("person", "membership", "audit_event"))
    built = Built(coop_id, coordinator.id, member_ids, months, phases=phases)
    coop = Coop(coop_id, actor, member_ids, clients)
    for index, month in enumerate(months):
        started = time.perf_counter()
        before = dict(phases.seconds)
        built.income_cents += await live_month(engine, coop, month, index, per_month, phases)
        built.prestations += per_month
        opened, ballots = await vote_month(
            engine, coop, month, votes_in(index, len(months), votes), phases
        )
        built.proposals += opened
        built.ballots += ballots
        if index in (0, 2) or index % 12 == 11:
            with phases.timed("ANALYZE"):
                await analyze(engine)
        if progress:
            steps = ", ".join(
                f"{name.split(' (')[0]} {seconds - before.get(name, 0.0):.1f}"
                for name, seconds in phases.seconds.items()
                if seconds - before.get(name, 0.0) >= 0.05
            )
            print(
                f"  {month}: {per_month:,} prestations, {opened} votes ({ballots:,} ballots) "
                f"in {time.perf_counter() - started:.1f} s ({steps})",
                flush=True,
            )
    with phases.timed("ANALYZE"):
        await analyze(engine)
    with phases.timed("rule proposal (service)"):
        built.rule_proposal_id = await rule_proposal(engine, coop_id, coordinator.id)
    return built
