"""What needs a member's attention in the votes, read from the votes' state (nothing to keep
in sync): a vote open to them that they have not cast, one closing within 24 hours, a proxy
they hold and have not used, a result of the last two weeks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, bindparam, exists, null, union_all
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.base.db import run_sync
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


def _not_cast_by(voter: Any) -> ColumnElement[bool]:
    """No ballot of `voter` on the proposal of the row."""
    return ~exists().where(
        col(Ballot.proposal_id) == col(Proposal.id), col(Ballot.voter_id) == voter
    )


def _open_to_vote() -> tuple[ColumnElement[bool], ...]:
    return (
        col(Proposal.cooperative_id) == bindparam("coop"),
        col(Proposal.state) == ProposalState.OPEN,
        col(Proposal.closes_at) > bindparam("now"),
    )


# Built once: the votes open to the reader that they have not cast (giver NULL), then the
# proxies they hold whose giver has not voted yet (the giver's name): one statement, the
# ballots checked in it.
TO_CAST: CompoundSelect = union_all(
    select_columns(
        col(Proposal.id), col(Proposal.title), col(Proposal.closes_at), null().label("giver")
    )
    .join(EligibleVoter, col(EligibleVoter.proposal_id) == col(Proposal.id))
    .where(
        *_open_to_vote(),
        col(EligibleVoter.person_id) == bindparam("me"),
        _not_cast_by(bindparam("me")),
    ),
    select_columns(col(Proposal.id), col(Proposal.title), col(Proposal.closes_at), col(Person.name))
    .join(Proxy, col(Proxy.proposal_id) == col(Proposal.id))
    .join(Person, col(Person.id) == col(Proxy.giver_id))
    .where(
        *_open_to_vote(),
        col(Proxy.holder_id) == bindparam("me"),
        col(Proxy.revoked_at).is_(None),
        _not_cast_by(col(Proxy.giver_id)),
    ),
)


async def notices_for(session: AsyncSession, actor: Actor, now: dt.datetime) -> list[Notice]:
    """The actor's notices, most urgent first."""
    return await run_sync(session, lambda sync: notices_in(sync, actor, now))


def notices_in(
    session: Session, actor: Actor, now: dt.datetime, *, results: bool = True
) -> list[Notice]:
    """`notices_for` for a plain session (governance.base.db.read); `results=False` leaves out
    the results of the last two weeks (the home page's to-do list has no use for them)."""
    connection = session.connection()
    params = {"coop": actor.cooperative_id, "me": actor.person_id, "now": now}
    notices = []
    for proposal_id, title, closes_at, giver in connection.execute(TO_CAST, params):
        assert proposal_id is not None and closes_at is not None
        if giver is not None:
            notices.append(Notice("proxy_received", proposal_id, title, closes_at, None, giver))
        else:
            kind = "closing_soon" if closes_at - now <= SOON else "vote_open"
            notices.append(Notice(kind, proposal_id, title, closes_at))
    if results:
        closed = session.exec(
            select(Proposal).where(
                Proposal.cooperative_id == actor.cooperative_id,
                Proposal.state == ProposalState.CLOSED,
                col(Proposal.closed_at) >= now - RECENT,
            )
        ).all()
        for proposal in closed:
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
