"""Closing a vote: the count, computed exactly once, and the effect of an adopted proposal in
the same transaction (a new distribution rule, a fund-spending entry, a membership change).

`close_due` runs in the worker (governance/worker.py, every few seconds) and from `governance
votes close-due`; never in a request. It takes the cooperative's writer lock and looks at each
proposal's state again under it, so concurrent workers count once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import lock_cooperative, record
from governance.base import clock
from governance.base.errors import Conflict, Invalid
from governance.base.i18n import _, language
from governance.ledger.books.journal import Posting
from governance.ledger.books.memos import Memo
from governance.ledger.books.posting import post
from governance.ledger.sharing.rule_versions import adopt_rule
from governance.members import MembershipStatus, Role
from governance.members.models import Cooperative, Membership
from governance.members.roles import active_coordinators
from governance.votes import mails, mandates
from governance.votes.counting.kinds import ProposalKind, ProposalState
from governance.votes.counting.methods import Result, approval, consent, ranked
from governance.votes.counting.minimums import category_of
from governance.votes.drafting import fund_reads, funds
from governance.votes.drafting.drafting import option_labels, quorum_value
from governance.votes.drafting.voting_rules import voting_rules
from governance.votes.models import Ballot, EligibleVoter, Proposal
from governance.votes.service import apply_voting_rules


def quorum_of(proposal: Proposal, floor: Fraction = Fraction(0)) -> Fraction:
    """The quorum a vote is counted with: the one its close used, once closed; before, its own
    (raised to its category's minimum at the opening) or `floor` (the minimum in force now)
    when that is higher."""
    if proposal.result is not None and isinstance(proposal.result.get("quorum"), str):
        return quorum_value(proposal.result["quorum"])
    return max(quorum_value(proposal.quorum), floor)


def minimum_quorum(proposal: Proposal, settings: Mapping[str, Any]) -> Fraction:
    """The minimum quorum the cooperative's rules set now for the proposal's category."""
    minimums = voting_rules(settings).minimums
    return minimums.of(category_of(proposal.kind, proposal.effect)).quorum


def count(proposal: Proposal, ballots: list[Any], floor: Fraction = Fraction(0)) -> Result:
    """The result of `ballots` (choices, or rankings) under the proposal's method, with the
    quorum of `quorum_of`."""
    quorum = quorum_of(proposal, floor)
    if proposal.method == "ranked":
        return ranked(
            ballots,
            options=option_labels(proposal.options),
            eligible=proposal.eligible_count,
            quorum=quorum,
        )
    if proposal.method == "consent":
        return consent(ballots, eligible=proposal.eligible_count, quorum=quorum)
    return approval(
        ballots,
        eligible=proposal.eligible_count,
        quorum=quorum,
        threshold=quorum_value(proposal.threshold),
    )


async def ballots_of(session: AsyncSession, proposal_id: int) -> list[Ballot]:
    """Every counted ballot, in receipt order (which says nothing about who or when)."""
    rows = await session.exec(
        select(Ballot).where(Ballot.proposal_id == proposal_id).order_by(col(Ballot.receipt))
    )
    return list(rows.all())


async def choices_of(session: AsyncSession, proposal_id: int) -> list[Any]:
    """Only the choices, as the count needs them: no ORM object per ballot (100 000 ballots
    read in about half a second instead of two), in no particular order (the count does not
    depend on it)."""
    table = Ballot.__table__  # type: ignore[attr-defined]
    rows = await session.exec(select(table.c.choice).where(table.c.proposal_id == proposal_id))
    return list(rows.all())


async def tally_now(session: AsyncSession, proposal: Proposal, floor: Fraction) -> Result:
    assert proposal.id is not None
    return count(proposal, await choices_of(session, proposal.id), floor)


async def _spend_from_fund(session: AsyncSession, proposal: Proposal, today: dt.date) -> int:
    effect = proposal.effect
    fund, amount = str(effect["fund"]), int(effect["amount_cents"])
    held = await fund_reads.fund_held(session, proposal.cooperative_id, fund)
    if held < amount:
        raise funds.FundTooLow(fund, held)
    entry = await post(
        session,
        cooperative_id=proposal.cooperative_id,
        day=today,
        kind="fund_spending",
        memo=Memo("fund_spending", {"category": effect["category"], "title": proposal.title}),
        author_id=None,
        postings=[Posting(f"fund:{fund}", amount), Posting("bank", -amount)],
    )
    assert entry.id is not None
    return entry.id


async def _change_membership(session: AsyncSession, proposal: Proposal) -> dict[str, Any]:
    effect = proposal.effect
    membership = (
        await session.exec(
            select(Membership).where(
                Membership.cooperative_id == proposal.cooperative_id,
                Membership.person_id == effect["person_id"],
            )
        )
    ).first()
    if membership is None:
        raise Conflict(_("This person is no longer a member."))
    before = {"role": membership.role, "status": membership.status}
    if effect["action"] == "admit":
        if membership.role != Role.WORKER or membership.status != MembershipStatus.ACTIVE:
            raise Conflict(_("This member is no longer an active worker."))
        membership.role = Role.COOPERATOR
    else:
        if membership.status != MembershipStatus.ACTIVE:
            raise Conflict(_("This membership has already ended."))
        if (
            membership.role == Role.COORDINATOR
            and await active_coordinators(session, proposal.cooperative_id) <= 1
        ):
            raise Conflict(_("A cooperative needs at least one active coordinator."))
        membership.status = MembershipStatus.SUSPENDED
    session.add(membership)
    await session.flush()
    return {
        "membership_id": membership.id,
        "before": before,
        "after": {"role": membership.role, "status": membership.status},
    }


async def _apply_effect(
    session: AsyncSession, proposal: Proposal, result: Result
) -> dict[str, Any]:
    """What the adopted proposal changes; raises Invalid or Conflict when it no longer can."""
    assert proposal.id is not None
    kind, effect = proposal.kind, proposal.effect
    if kind == ProposalKind.DISTRIBUTION_RULE:
        if proposal.method == "ranked":
            chosen = next(o for o in proposal.options if o["label"] == result.winner)
            rule = chosen["rule"]
        else:
            rule = effect["rule"]
        version = await adopt_rule(
            session,
            cooperative_id=proposal.cooperative_id,
            rule=rule,
            start_month=effect["start_month"],
            proposal_id=proposal.id,
            actor_id=None,
        )
        return {"rule_version_id": version.id, "start_month": effect["start_month"]}
    if kind == ProposalKind.FUND_SPENDING:
        entry_id = await _spend_from_fund(session, proposal, clock.today())
        return {"entry_id": entry_id, "amount_cents": effect["amount_cents"]}
    if kind == ProposalKind.MEMBERSHIP:
        return await _change_membership(session, proposal)
    if kind == ProposalKind.MANDATE:
        if effect["action"] == "elect":
            return await mandates.grant(session, proposal, clock.today())
        return await mandates.recall(session, proposal)
    if "voting_rules" in effect:
        cooperative = await session.get(Cooperative, proposal.cooperative_id)
        assert cooperative is not None
        # What the decision does not say (the minimums, in a decision drafted without them)
        # stays as it is.
        rules = voting_rules({**cooperative.settings, **effect["voting_rules"]})
        await apply_voting_rules(
            session, cooperative, rules, actor_id=None, proposal_id=proposal.id
        )
        return {"voting_rules": rules.as_settings()}
    return {}


def _decided(proposal: Proposal, result: Result) -> bool:
    if proposal.method == "ranked":
        return result.winner is not None
    return bool(result.adopted)


async def _close_locked(session: AsyncSession, proposal_id: int, now: dt.datetime) -> bool:
    """Inside a transaction holding the cooperative's lock: close if still open and due."""
    proposal = (
        await session.exec(
            select(Proposal)
            .where(Proposal.id == proposal_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).first()
    if (
        proposal is None
        or proposal.state != ProposalState.OPEN
        or proposal.closes_at is None
        or proposal.closes_at > now
    ):
        return False
    cooperative = await session.get(Cooperative, proposal.cooperative_id)
    assert cooperative is not None
    # A vote is never adopted below the minimum quorum in force at its close, even one opened
    # before the minimums existed or before they were raised.
    result = await tally_now(session, proposal, minimum_quorum(proposal, cooperative.settings))
    adopted = _decided(proposal, result)
    effect: dict[str, Any] = {}
    error = ""
    if adopted:
        try:
            # In English: the message is kept as its msgid and translated where it is shown.
            with language("en"):
                async with session.begin_nested():
                    effect = await _apply_effect(session, proposal, result)
        except (Invalid, Conflict) as failure:
            error = str(getattr(failure, "stored", failure.message))[:500]
    proposal.state = ProposalState.CLOSED
    proposal.closed_at = now
    proposal.result = result.as_data()
    proposal.adopted = adopted
    proposal.effect_error = error
    session.add(proposal)
    await session.flush()
    await record(
        session,
        cooperative_id=proposal.cooperative_id,
        actor_id=None,
        action="proposal.closed",
        subject_type="proposal",
        subject_id=proposal.id,
        data={
            "result": proposal.result,
            "adopted": adopted,
            "effect": effect,
            "effect_error": error,
        },
    )
    voters = (
        await session.exec(
            select(EligibleVoter.person_id).where(EligibleVoter.proposal_id == proposal.id)
        )
    ).all()
    await mails.vote_closed(session, cooperative, proposal, voters)
    return True


async def close_due(session: AsyncSession, cooperative_id: int | None = None) -> int:
    """Close every proposal whose time has come (one transaction each), and end the mandates
    whose term is over; how many proposals this closed."""
    await mandates.lapse_due(session, cooperative_id)
    now = clock.now()
    query = select(Proposal.id, Proposal.cooperative_id).where(
        Proposal.state == ProposalState.OPEN, col(Proposal.closes_at) <= now
    )
    if cooperative_id is not None:
        query = query.where(Proposal.cooperative_id == cooperative_id)
    async with session.begin():
        due = list((await session.exec(query.order_by(col(Proposal.id)))).all())
    closed = 0
    for proposal_id, coop_id in due:
        assert proposal_id is not None
        async with session.begin():
            await lock_cooperative(session, coop_id)
            closed += await _close_locked(session, proposal_id, now)
    return closed
