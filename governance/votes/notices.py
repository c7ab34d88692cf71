"""What needs a member's attention in the votes, read from the votes' state (nothing to keep
in sync): a vote open to them that they have not cast, one closing within 24 hours, a proxy
they hold and have not used, a result of the last two weeks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.members.access import Actor
from governance.votes.counting.kinds import ProposalState
from governance.votes.models import Ballot, EligibleVoter, Proposal, Proxy

SOON = dt.timedelta(hours=24)
RECENT = dt.timedelta(days=14)


@dataclass(frozen=True)
class Notice:
    kind: str  # vote_open, closing_soon, proxy_received, result
    proposal_id: int
    title: str
    at: dt.datetime  # the closing time (open votes) or when it closed (results)
    adopted: bool | None = None
    giver: str = ""  # proxy_received: whose proxy
    proposal: Proposal | None = None  # result: the closed proposal, for its outcome in words


async def notices_for(session: AsyncSession, actor: Actor, now: dt.datetime) -> list[Notice]:
    """The actor's notices, most urgent first."""
    me = actor.person_id
    open_rows = (
        await session.exec(
            select(Proposal)
            .join(EligibleVoter, col(EligibleVoter.proposal_id) == Proposal.id)
            .where(
                Proposal.cooperative_id == actor.cooperative_id,
                Proposal.state == ProposalState.OPEN,
                col(Proposal.closes_at) > now,
                EligibleVoter.person_id == me,
            )
        )
    ).all()
    voted = set(
        (
            await session.exec(
                select(Ballot.proposal_id).where(
                    Ballot.voter_id == me,
                    col(Ballot.proposal_id).in_([p.id for p in open_rows]),
                )
            )
        ).all()
    )
    notices = []
    for proposal in open_rows:
        assert proposal.id is not None and proposal.closes_at is not None
        if proposal.id in voted:
            continue
        soon = proposal.closes_at - now <= SOON
        kind = "closing_soon" if soon else "vote_open"
        notices.append(Notice(kind, proposal.id, proposal.title, proposal.closes_at))
    held = (
        await session.exec(
            select(Proxy, Proposal, Person.name)
            .join(Proposal, col(Proposal.id) == Proxy.proposal_id)
            .join(Person, col(Person.id) == Proxy.giver_id)
            .where(
                Proxy.holder_id == me,
                col(Proxy.revoked_at).is_(None),
                Proposal.cooperative_id == actor.cooperative_id,
                Proposal.state == ProposalState.OPEN,
                col(Proposal.closes_at) > now,
            )
        )
    ).all()
    cast = set(
        (
            await session.exec(
                select(Ballot.proposal_id, Ballot.voter_id).where(
                    col(Ballot.proposal_id).in_([p.id for _x, p, _n in held])
                )
            )
        ).all()
    )
    for proxy, proposal, giver in held:
        assert proposal.id is not None and proposal.closes_at is not None
        if (proposal.id, proxy.giver_id) not in cast:
            notices.append(
                Notice(
                    "proxy_received", proposal.id, proposal.title, proposal.closes_at, None, giver
                )
            )
    results = (
        await session.exec(
            select(Proposal).where(
                Proposal.cooperative_id == actor.cooperative_id,
                Proposal.state == ProposalState.CLOSED,
                col(Proposal.closed_at) >= now - RECENT,
            )
        )
    ).all()
    for proposal in results:
        assert proposal.id is not None and proposal.closed_at is not None
        notices.append(
            Notice(
                "result",
                proposal.id,
                proposal.title,
                proposal.closed_at,
                proposal.adopted,
                proposal=proposal,
            )
        )
    order = {"closing_soon": 0, "proxy_received": 1, "vote_open": 2, "result": 3}
    return sorted(
        notices,
        key=lambda n: (order[n.kind], n.at.timestamp() * (-1 if n.kind == "result" else 1)),
    )
