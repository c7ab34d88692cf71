"""The big cooperative's votes: each proposal drafted and opened through `votes.service`
(`save_draft`, `open_proposal`: its eligible voters and their mails), about 60 % of the voters'
ballots inserted in bulk with the `ballot.cast` events `votes.ballots.cast_ballot` writes
(receipts made by its own `new_receipt`), then counted and closed by `votes.outcome.close_due`
once its time is over, on the clock of that month (`months.at`).
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.bigcoop.chain import BulkChain, advance_sequences
from bench.bigcoop.months import Coop, Phases, at
from governance.base import clock
from governance.base.db import bulk_insert, make_sessionmaker
from governance.language.months import Month
from governance.members.access import Actor
from governance.votes import outcome, service
from governance.votes.ballots import new_receipt
from governance.votes.counting.methods import APPROVAL_CHOICES
from governance.votes.models import Ballot

SEED = 17


def votes_in(index: int, months: int, total: int) -> int:
    """How many of `total` votes open in month `index` of `months` (spread evenly)."""
    return total * (index + 1) // months - total * index // months


async def vote_month(
    engine: AsyncEngine, coop: Coop, month: str, count: int, phases: Phases
) -> tuple[int, int]:
    """`count` votes opened on the 6th of the month after `month` and closed on the 15th:
    (proposals, ballots)."""
    if count == 0:
        return 0, 0
    sessions = make_sessionmaker(engine)
    actor = coop.coordinator
    sixth = Month.parse(month).next.first_day.replace(day=6)
    draw = random.Random(f"{SEED}-{month}")
    opened: list[int] = []
    ballots = 0
    with at(dt.datetime.combine(sixth, dt.time(10, 0))):
        for number in range(count):
            with phases.timed("proposals (service)"):
                async with sessions() as session:
                    proposal = await service.save_draft(
                        session,
                        actor,
                        {
                            "kind": "decision",
                            "title": f"Décision {month} n° {number + 1}",
                            "body": "Proposition du mois : voir le détail en réunion.",
                            "method": "approval",
                            "quorum": "1/2",
                            "threshold": "1/2",
                            "visibility": "public",
                        },
                        language="fr",
                        today=sixth,
                    )
                assert proposal.id is not None
                async with sessions() as session:
                    await service.open_proposal(
                        session,
                        actor,
                        proposal.id,
                        {
                            "closes_on": (sixth + dt.timedelta(days=8)).isoformat(),
                            "closes_time": "20:00",
                        },
                    )
                opened.append(proposal.id)
            with phases.timed("ballots (bulk + events)"):
                ballots += await _ballots(engine, coop.cooperative_id, proposal.id, draw)
    closing = dt.datetime.combine(sixth + dt.timedelta(days=9), dt.time(8, 0))
    with at(closing), phases.timed("vote closes (service)", len(opened)):
        async with sessions() as session:
            await outcome.close_due(session, coop.cooperative_id)
    return len(opened), ballots


async def _ballots(
    engine: AsyncEngine, cooperative_id: int, proposal_id: int, draw: random.Random
) -> int:
    """About 60 % of the eligible voters vote, a few seconds apart; how many."""
    async with make_sessionmaker(engine)() as session, session.begin():
        connection = await session.connection()
        voters = [
            int(row[0])
            for row in await connection.execute(
                text(
                    "SELECT person_id FROM eligible_voter WHERE proposal_id = :p ORDER BY person_id"
                ),
                {"p": proposal_id},
            )
        ]
        voting = [v for v in voters if draw.random() < 0.6]
        chain = await BulkChain.open(session, cooperative_id)
        start = clock.now()
        rows = []
        for i, voter in enumerate(voting):
            cast_at = start + dt.timedelta(seconds=7 * (i + 1))
            rows.append(
                {
                    "proposal_id": proposal_id,
                    "voter_id": voter,
                    "cast_by_id": voter,
                    "choice": draw.choices(APPROVAL_CHOICES, weights=(6, 3, 1))[0],
                    "reason": "",
                    "receipt": new_receipt(),
                    "cast_at": cast_at,
                }
            )
            chain.append(
                at=cast_at,
                actor_id=voter,
                action="ballot.cast",
                subject_type="proposal",
                subject_id=proposal_id,
                data={"voter_id": voter},
            )
        await bulk_insert(session, Ballot.__table__, rows)  # type: ignore[attr-defined]
        await chain.flush(session, force=True)
        await advance_sequences(session, ("audit_event",))
    return len(rows)


async def rule_proposal(engine: AsyncEngine, cooperative_id: int, coordinator_id: int) -> int:
    """An open proposal to share from next month on by the `equal` rule (the page with its
    preview over the last closed months), drafted and opened through `votes.service` now; its
    id."""
    sessions = make_sessionmaker(engine)
    actor = Actor(person_id=coordinator_id, cooperative_id=cooperative_id)
    today = clock.today()
    async with sessions() as session:
        proposal = await service.save_draft(
            session,
            actor,
            {
                "kind": "distribution_rule",
                "title": "Partager à parts égales",
                "body": "Chaque membre actif reçoit la même part du revenu distribuable.",
                "method": "approval",
                "quorum": "1/2",
                "threshold": "1/2",
                "visibility": "public",
                "rule_json": "equal",
                "start_month": str(Month.of(today).next),
            },
            language="fr",
            today=today,
        )
    assert proposal.id is not None
    async with sessions() as session:
        await service.open_proposal(
            session,
            actor,
            proposal.id,
            {"closes_on": (today + dt.timedelta(days=14)).isoformat(), "closes_time": "20:00"},
        )
    return proposal.id
