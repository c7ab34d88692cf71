"""What the proposal pages and the API show, per reader: never who chose what in a secret vote.

A reader sees their own ballot (choice and receipt), the ballots they cast by proxy, and who
took part. After the close: the result and the bulletin board (receipts and choices; for a
public vote, each voter's name beside their choice). Results of an open vote only when the
proposal shows them live (never for a secret vote). A receipt typed in the board's search box
is looked up on the board, then among the receipts the vote no longer counts (`search`).

The database queries behind the pages, each checking the reader's permission; the wording and
counting they use are pure (governance/votes/counting/, governance/votes/drafting/).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from markupsafe import Markup
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.base.i18n import _
from governance.language.markdown_text import render
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative
from governance.members.people_names import names_of
from governance.votes.counting.board import FORMAT
from governance.votes.counting.kinds import ProposalState, Visibility
from governance.votes.counting.methods import Result, fraction_text
from governance.votes.counting.minimums import (
    Minimum,
    category_of,
    category_sentence,
    describe,
    percent,
)
from governance.votes.counting.receipts import (
    MAX_TYPED,
    Replaced,
    Search,
    find_on_board,
    receipt_key,
    written,
)
from governance.votes.counting.standing import quorum_needed
from governance.votes.counting.wording import Wording, explain, explain_now
from governance.votes.drafting.drafting import option_labels
from governance.votes.drafting.page_labels import option_label
from governance.votes.drafting.voting_rules import VotingRules, voting_rules
from governance.votes.models import (
    Ballot,
    EligibleVoter,
    Proposal,
    ProposalComment,
    Proxy,
    ReplacedReceipt,
)
from governance.votes.outcome import ballots_of, choices_of, count, minimum_quorum, quorum_of
from governance.votes.service import may_open, proposal_of


@dataclass(frozen=True)
class Comment:
    author: str
    html: Markup
    at: dt.datetime


@dataclass(frozen=True)
class HeldProxy:
    giver_id: int
    giver: str
    voted_themselves: bool
    ballot: Ballot | None  # the ballot this holder cast for the giver


@dataclass
class ProposalView:
    proposal: Proposal
    body_html: Markup
    author: str
    comments: list[Comment]
    eligible: bool
    my_ballot: Ballot | None
    my_ballot_by: str | None  # the holder's name when a proxy holder cast it
    proxy_given_to: tuple[int, str] | None
    proxies_held: list[HeldProxy]
    voters: list[tuple[int, str]]  # the eligible voters, for the proxy form
    participants: list[str]  # who took part (never what they chose, in a secret vote)
    result: Result | None
    explanation: list[str]  # the lines of `wording`
    may_open: bool
    may_edit: bool
    proxy_limit: int
    labels: list[str] = field(default_factory=list)
    effect_member: str = ""  # the member a membership or mandate proposal is about
    new_rules: VotingRules | None = None  # the voting rules a decision would set
    category: str = (
        "none"  # money, membership, rules or none (governance/votes/counting/minimums.py)
    )
    minimum: Minimum | None = None  # the minimums in force now for that category
    quorum: str = ""  # the quorum it is (or would now be) counted with, "1/2"
    minimum_text: str = ""  # what its category needs, in the reader's language
    quorum_note: str = ""  # why a closed vote failed for lack of quorum
    # The result in words: after the close, in the past; while open, "if it closed now".
    wording: Wording | None = None


def _fraction(value: Fraction) -> str:
    """ "1/2"; "0" for no quorum (as the proposal's form writes it)."""
    return fraction_text(value) if value else "0"


def _quorum_note(proposal: Proposal, result: Result | None) -> str:
    if proposal.state != ProposalState.CLOSED or result is None or result.quorum_reached:
        return ""
    return _(
        "It failed for lack of quorum: %(n)d of %(eligible)d eligible voters took part, "
        "%(needed)d were needed (%(quorum)s)."
    ) % {
        "n": result.participants,
        "eligible": result.eligible,
        "needed": quorum_needed(result.quorum, result.eligible),
        "quorum": percent(result.quorum),
    }


def option_labels_of(proposal: Proposal) -> list[str]:
    return option_labels(proposal.options)


async def list_proposals(session: AsyncSession, actor: Actor) -> list[tuple[Proposal, int]]:
    """The cooperative's proposals, open first, then drafts, then closed (newest first),
    each with its number of ballots."""
    await authorize(session, actor, Permission.READ_PROPOSALS)
    counts = (
        select(Ballot.proposal_id, func.count().label("n"))
        .join(Proposal, col(Proposal.id) == Ballot.proposal_id)
        .where(Proposal.cooperative_id == actor.cooperative_id)
        .group_by(col(Ballot.proposal_id))
        .subquery()
    )
    rows = await session.exec(
        select(Proposal, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.proposal_id == Proposal.id)
        .where(Proposal.cooperative_id == actor.cooperative_id)
        .order_by(col(Proposal.id).desc())
    )
    order = {ProposalState.OPEN: 0, ProposalState.DRAFT: 1, ProposalState.CLOSED: 2}
    found = [(p, int(n)) for p, n in rows.all()]
    return sorted(found, key=lambda row: order.get(ProposalState(row[0].state), 3))


def visible_result(proposal: Proposal) -> bool:
    if proposal.state == ProposalState.CLOSED:
        return True
    return (
        proposal.state == ProposalState.OPEN
        and not proposal.results_hidden
        and proposal.visibility == Visibility.PUBLIC
    )


async def proposal_view(session: AsyncSession, actor: Actor, proposal_id: int) -> ProposalView:
    membership = await authorize(session, actor, Permission.READ_PROPOSALS)
    proposal = await proposal_of(session, actor, proposal_id)
    cooperative = await session.get(Cooperative, actor.cooperative_id)
    assert cooperative is not None and proposal.id is not None
    me = actor.person_id
    voter_ids = list(
        (
            await session.exec(
                select(EligibleVoter.person_id)
                .where(EligibleVoter.proposal_id == proposal_id)
                .order_by(col(EligibleVoter.person_id))
            )
        ).all()
    )
    comments = list(
        (
            await session.exec(
                select(ProposalComment)
                .where(ProposalComment.proposal_id == proposal_id)
                .order_by(col(ProposalComment.id))
            )
        ).all()
    )
    voted = list(
        (await session.exec(select(Ballot.voter_id).where(Ballot.proposal_id == proposal_id))).all()
    )
    proxies = list(
        (
            await session.exec(
                select(Proxy).where(
                    Proxy.proposal_id == proposal_id, col(Proxy.revoked_at).is_(None)
                )
            )
        ).all()
    )
    names = await names_of(
        session,
        actor.cooperative_id,
        {proposal.created_by_id, *voter_ids, *(c.author_id for c in comments)}
        | set(voted)
        | ({int(proposal.effect["person_id"])} if "person_id" in proposal.effect else set()),
    )
    # Only the reader's own ballot and those of the members whose proxy they hold.
    readable = {me} | {p.giver_id for p in proxies if p.holder_id == me}
    by_voter = {
        b.voter_id: b
        for b in (
            await session.exec(
                select(Ballot).where(
                    Ballot.proposal_id == proposal_id, col(Ballot.voter_id).in_(readable)
                )
            )
        ).all()
    }
    mine = by_voter.get(me)
    given = next((p for p in proxies if p.giver_id == me), None)
    held = [
        HeldProxy(
            giver_id=p.giver_id,
            giver=names.get(p.giver_id, "?"),
            voted_themselves=(b := by_voter.get(p.giver_id)) is not None and b.cast_by_id != me,
            ballot=b if b is not None and b.cast_by_id == me else None,
        )
        for p in proxies
        if p.holder_id == me
    ]
    rules = voting_rules(cooperative.settings)
    category = category_of(proposal.kind, proposal.effect)
    floor = minimum_quorum(proposal, cooperative.settings)
    result = None
    if visible_result(proposal):  # closed, or counts shown live
        result = count(proposal, await choices_of(session, proposal_id), floor)
    labels = option_labels(proposal.options)
    wording = None
    if result is not None:
        words = explain if proposal.state == ProposalState.CLOSED else explain_now
        wording = words(result, {label: option_label(label) for label in labels})
    return ProposalView(
        proposal=proposal,
        body_html=render(proposal.body),
        author=names.get(proposal.created_by_id, "?"),
        comments=[
            Comment(names.get(c.author_id, "?"), render(c.body), c.created_at) for c in comments
        ],
        eligible=me in voter_ids,
        my_ballot=mine,
        my_ballot_by=names.get(mine.cast_by_id) if mine and mine.cast_by_id != me else None,
        proxy_given_to=(given.holder_id, names.get(given.holder_id, "?")) if given else None,
        proxies_held=held,
        voters=[(v, names.get(v, "?")) for v in voter_ids],
        participants=sorted(names.get(v, "?") for v in voted),
        result=result,
        explanation=list(wording.lines) if wording else [],
        wording=wording,
        may_open=proposal.state == ProposalState.DRAFT
        and may_open(membership, cooperative.settings),
        may_edit=proposal.state == ProposalState.DRAFT
        and membership.role in {"cooperator", "coordinator"}
        and (proposal.created_by_id == me or membership.role == "coordinator"),
        proxy_limit=rules.proxy_limit,
        labels=labels,
        effect_member=names.get(int(proposal.effect.get("person_id") or 0), ""),
        # What the decision does not say (the minimums, in one drafted without them) stays.
        new_rules=voting_rules({**cooperative.settings, **proposal.effect["voting_rules"]})
        if "voting_rules" in proposal.effect
        else None,
        category=category,
        minimum=rules.minimums.of(category),
        quorum=_fraction(quorum_of(proposal, floor)),
        minimum_text=f"{category_sentence(category)} {describe(rules.minimums.of(category))}",
        quorum_note=_quorum_note(proposal, result),
    )


async def board(session: AsyncSession, actor: Actor, proposal_id: int) -> dict[str, Any] | None:
    """The bulletin board (format governance-board/1) of a closed proposal; None before the
    close. A public vote's ballots also name their voter; a secret vote's never do."""
    await authorize(session, actor, Permission.READ_PROPOSALS)
    proposal = await proposal_of(session, actor, proposal_id)
    if proposal.state != ProposalState.CLOSED:
        return None
    ballots = await ballots_of(session, proposal_id)
    public = proposal.visibility == Visibility.PUBLIC
    voters = {b.voter_id for b in ballots}
    names = await names_of(session, actor.cooperative_id, voters) if public else {}
    entries = []
    for ballot in ballots:
        entry: dict[str, Any] = {"receipt": ballot.receipt}
        if proposal.method == "ranked":
            entry["ranking"] = list(ballot.choice)
        else:
            entry["choice"] = ballot.choice
        if public:
            entry["voter"] = names.get(ballot.voter_id, "?")
            if ballot.reason:
                entry["reason"] = ballot.reason
        entries.append(entry)
    data: dict[str, Any] = {
        "format": FORMAT,
        "proposal": {"id": proposal.id, "title": proposal.title, "kind": proposal.kind},
        "method": proposal.method,
        "visibility": proposal.visibility,
        "eligible": proposal.eligible_count,
        # The quorum the close counted with (the proposal's, or the minimum when higher).
        "quorum": _fraction(quorum_of(proposal)),
        "threshold": proposal.threshold,
        "ballots": entries,
        "result": proposal.result,
    }
    if proposal.method == "ranked":
        data["options"] = option_labels(proposal.options)
    return data


async def replaced(
    session: AsyncSession, proposal_id: int, typed: str
) -> tuple[Replaced, str] | None:
    """Why the vote no longer counts the receipt `typed`, with the receipt as it was given
    (None: it never had it)."""
    key = receipt_key(typed)
    if not key:
        return None
    rows = await session.exec(
        select(ReplacedReceipt.receipt, ReplacedReceipt.cause)
        .where(ReplacedReceipt.proposal_id == proposal_id)
        .order_by(col(ReplacedReceipt.id))
    )
    kept = ((Replaced(cause), receipt) for receipt, cause in rows.all())
    return next((found for found in kept if receipt_key(found[1]) == key), None)


async def search(
    session: AsyncSession, proposal_id: int, typed: str, board: Iterable[str]
) -> Search | None:
    """The board's answer to a receipt typed in its search box (None: nothing typed)."""
    typed = " ".join(typed[:MAX_TYPED].split())
    if not typed:
        return None
    found = find_on_board(typed, board)
    if found is not None:
        return Search(typed, found=found, shown=found)
    gone = await replaced(session, proposal_id, typed)
    if gone is not None:
        return Search(typed, replaced=gone[0], shown=written(gone[1]))
    return Search(typed, shown=written(typed))
