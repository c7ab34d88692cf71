"""The proposals list a page at a time: the open votes and drafts (few: all of them, with the
first page), and the closed votes newest first, by keyset on the proposal id (`before` the last
of a page, `after` the first going back), each with its number of ballots counted for the page's
proposals only. The JSON API's list is `reads.list_proposals` (every proposal)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.members.access import Actor, Permission, authorize
from governance.votes.counting.kinds import ProposalState
from governance.votes.models import Ballot, Proposal

CLOSED_PAGE = 30  # closed votes a page of the list shows


@dataclass(frozen=True)
class ProposalList:
    """The list page: open votes and drafts (few, all of them, on the first page only), and
    one page of the closed votes, newest first, by keyset on the proposal id."""

    current: list[tuple[Proposal, int]]  # each with its number of ballots
    closed: list[tuple[Proposal, int]]
    older: int | None  # `before` of the next page of closed votes (None: the last)
    newer: int | None  # `after` of the page before (None: this is the first)
    newer_is_first: bool  # the page before is the first (its link needs no key)


async def _with_ballots(
    session: AsyncSession, proposals: list[Proposal]
) -> list[tuple[Proposal, int]]:
    """Each proposal with its number of ballots, counted for these proposals only."""
    ids = [p.id for p in proposals if p.id is not None]
    counts: dict[int, int] = {}
    if ids:
        rows = await session.exec(
            select(Ballot.proposal_id, func.count())
            .where(col(Ballot.proposal_id).in_(ids))
            .group_by(col(Ballot.proposal_id))
        )
        counts = {pid: int(n) for pid, n in rows.all()}
    return [(p, counts.get(p.id or 0, 0)) for p in proposals]


async def proposal_list(
    session: AsyncSession,
    actor: Actor,
    *,
    before: int | None = None,
    after: int | None = None,
    limit: int = CLOSED_PAGE,
) -> ProposalList:
    """The proposals list a page at a time: the closed votes whose id is below `before` (or,
    going back, above `after`), `limit` of them, newest first; open votes and drafts with the
    first page. Each page reads at most two pages of closed proposals and their ids (served
    by ix_proposal_coop_state_id), whatever its depth."""
    await authorize(session, actor, Permission.READ_PROPOSALS)
    mine = Proposal.cooperative_id == actor.cooperative_id
    closed = [mine, Proposal.state == ProposalState.CLOSED]
    current: list[Proposal] = []
    if before is None and after is None:
        current = list(
            (
                await session.exec(
                    select(Proposal)
                    .where(mine, col(Proposal.state).in_([ProposalState.OPEN, ProposalState.DRAFT]))
                    .order_by(col(Proposal.id).desc())
                )
            ).all()
        )
        current.sort(key=lambda p: p.state != ProposalState.OPEN)  # open first, then drafts
    backwards = after is not None and before is None
    query = select(Proposal).where(*closed)
    if backwards:
        query = query.where(col(Proposal.id) > after).order_by(col(Proposal.id))
    else:
        if before is not None:
            query = query.where(col(Proposal.id) < before)
        query = query.order_by(col(Proposal.id).desc())
    # Going back, the page and what lies beyond it up to one page more; going on, the page
    # and whether any lies beyond it.
    found = list((await session.exec(query.limit(2 * limit + 1 if backwards else limit + 1))).all())
    page = found[:limit]
    newer = older = 0  # how many closed votes lie on each side of the page (up to a page + 1)
    if backwards:
        page.reverse()
        newer = len(found) - len(page)
    else:
        older = len(found) - len(page)
    if page and (before is not None or after is not None):
        # The other side of the key: whether any (going back), or more than a page (going on:
        # if not, the page before is the first, the one with the open votes).
        ids = select(Proposal.id).where(*closed)
        if backwards:
            ids = ids.where(col(Proposal.id) < page[-1].id).order_by(col(Proposal.id).desc())
            older = len((await session.exec(ids.limit(1))).all())
        else:
            ids = ids.where(col(Proposal.id) > page[0].id).order_by(col(Proposal.id))
            newer = len((await session.exec(ids.limit(limit + 1))).all())
    return ProposalList(
        current=await _with_ballots(session, current),
        closed=await _with_ballots(session, page),
        older=page[-1].id if older and page else None,
        newer=page[0].id if newer and page else None,
        newer_is_first=newer <= limit,
    )
