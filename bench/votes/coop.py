"""The cooperative of the proposal page: filled in bulk, three months closed, a distribution
rule proposal drafted and opened through the services, half the members' ballots."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from bench.cooperative import (
    COORDINATOR,
    add_clients,
    everyone_reads,
    fill_months,
    found,
)
from bench.votes import (
    COOP_SLUG,
    MONTHS,
    PROPOSED_TEMPLATE,
    SEED,
    START_MONTH,
)
from bench.votes.ballots import receipts
from governance.base import clock
from governance.base.db import bulk_insert, make_engine, make_sessionmaker
from governance.ledger.closing import closing
from governance.members.access import Actor
from governance.votes import service as votes_service
from governance.votes.counting.kinds import ProposalKind, Visibility
from governance.votes.models import Ballot


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


async def fill_coop(url: str, members_n: int, per_month: int) -> CoopFilled:
    """The cooperative of the page: filled in bulk, three months closed and a distribution-rule
    proposal drafted and opened through the services, then ballots of half the members."""
    started = time.perf_counter()
    engine = make_engine(url)
    try:
        coop_id, coordinator = await found(engine, COOP_SLUG, "Bench rule", COORDINATOR[0])
        assert coordinator.id is not None
        actor = Actor(person_id=coordinator.id, cooperative_id=coop_id)
        sessions = make_sessionmaker(engine)
        clients = await add_clients(engine, actor)
        member_ids, _income, _expenses = await fill_months(
            engine,
            coop_id,
            coordinator,
            clients,
            members_n,
            per_month,
            MONTHS,
            "rule.bench.example",
            copy=True,
        )
        filled = time.perf_counter() - started
        closes = []
        for month in MONTHS:  # the real close, as the coordinator
            began = time.perf_counter()
            async with sessions() as session:
                await closing.start_review(session, actor, month, today=clock.today())
            reviewed = time.perf_counter()
            await everyone_reads(engine, coop_id, month)  # or the close waits (not timed)
            began += time.perf_counter() - reviewed
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
