"""Proposals: draft, change a draft, open for voting, discuss; the cooperative's voting rules
changed by a coordinator (or by an adopted decision: `apply_voting_rules`). Each call is one
transaction, permission-checked and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import lock_cooperative, record
from governance.auth.models import Person
from governance.base import clock
from governance.base.errors import Conflict, Invalid, NotFound, PermissionDenied
from governance.base.i18n import _, datetime_short, ngettext
from governance.input.forms import Form
from governance.language.months import Month
from governance.ledger.books.kinds import PeriodState
from governance.ledger.books.models import Period
from governance.ledger.costs.costs import categories_of
from governance.ledger.sharing.rule_versions import rule_in_force
from governance.members import MembershipStatus, Role
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative, Membership
from governance.members.service import save_settings
from governance.votes import mails
from governance.votes.counting.kinds import ProposalState
from governance.votes.counting.minimums import (
    Minimum,
    Minimums,
    category_name,
    category_of,
    raised_quorum,
)
from governance.votes.drafting.drafting import (
    DraftContext,
    MemberChoice,
    ProposalInput,
    markdown_text,
    parse_proposal,
    quorum_value,
)
from governance.votes.drafting.fund_reads import fund_balances
from governance.votes.drafting.voting_rules import VotingRules, parse_voting_rules, voting_rules
from governance.votes.models import EligibleVoter, Proposal, ProposalComment

MAX_DAYS_OPEN = 90
MIN_MINUTES_OPEN = 10
VOTING_ROLES = (Role.COOPERATOR.value, Role.COORDINATOR.value)


def may_open(membership: Membership, settings: Mapping[str, Any]) -> bool:
    """Coordinators open proposals; cooperators too when the cooperative's voting rules say so
    (always where coordinators hold their role by mandate)."""
    if membership.role == Role.COORDINATOR:
        return True
    opener = voting_rules(settings).open_proposals
    return membership.role == Role.COOPERATOR and opener == "cooperators"


async def draft_context(
    session: AsyncSession, cooperative_id: int, language: str, month: str
) -> DraftContext:
    cooperative = await session.get(Cooperative, cooperative_id)
    assert cooperative is not None
    version = await rule_in_force(session, cooperative_id, month)
    funds = tuple(f["fund"] for f in (version.rule.get("funds", []) if version else []))
    rows = await session.exec(
        select(Membership.person_id, Person.name, Membership.role, Membership.status)
        .join(Person, col(Person.id) == Membership.person_id)
        .where(Membership.cooperative_id == cooperative_id)
        .order_by(Person.name)
    )
    members = tuple(
        MemberChoice(pid, name, role, status == MembershipStatus.ACTIVE)
        for pid, name, role, status in rows.all()
    )
    frozen = (
        await session.exec(
            select(Period.month)
            .where(Period.cooperative_id == cooperative_id, Period.state != PeriodState.OPEN)
            .order_by(col(Period.month).desc())
            .limit(1)
        )
    ).first()
    return DraftContext(
        language=language,
        current_rule=version.rule if version else None,
        funds=funds,
        categories=categories_of(cooperative.settings),
        members=members,
        last_frozen_month=frozen,
        minimums=voting_rules(cooperative.settings).minimums,
        fund_balances=await fund_balances(session, cooperative_id),
    )


def _content(proposal: Proposal) -> dict[str, Any]:
    """What is voted on, as the audit trail keeps it."""
    return {
        "kind": proposal.kind,
        "title": proposal.title,
        "body": proposal.body,
        "method": proposal.method,
        "quorum": proposal.quorum,
        "threshold": proposal.threshold,
        "visibility": proposal.visibility,
        "results_hidden": proposal.results_hidden,
        "options": proposal.options,
        "effect": proposal.effect,
    }


def _apply(proposal: Proposal, clean: ProposalInput) -> None:
    proposal.kind = clean.kind
    proposal.title = clean.title
    proposal.body = clean.body
    proposal.method = clean.method
    proposal.quorum = clean.quorum
    proposal.threshold = clean.threshold
    proposal.visibility = clean.visibility
    proposal.results_hidden = clean.results_hidden
    proposal.options = clean.options
    proposal.effect = clean.effect


async def proposal_of(
    session: AsyncSession, actor: Actor, proposal_id: int, *, lock: bool = False
) -> Proposal:
    """The cooperative's proposal, or NotFound (another cooperative's is not found either)."""
    query = select(Proposal).where(
        Proposal.id == proposal_id, Proposal.cooperative_id == actor.cooperative_id
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    found = (await session.exec(query)).first()
    if found is None:
        raise NotFound(_("This proposal does not exist."))
    return found


async def save_draft(
    session: AsyncSession,
    actor: Actor,
    data: Mapping[str, Any],
    *,
    language: str,
    today: dt.date,
    proposal_id: int | None = None,
) -> Proposal:
    """Create a draft, or change one (its author or a coordinator) while it is not open.

    Raises PermissionDenied, NotFound, Conflict (already open), Invalid (every bad field: a rule
    that does not validate, a start month already closed, an unknown member or fund...).
    """
    async with session.begin():
        membership = await authorize(session, actor, Permission.DRAFT_PROPOSAL)
        await lock_cooperative(session, actor.cooperative_id)
        if proposal_id is not None:
            await proposal_of(session, actor, proposal_id)
        context = await draft_context(session, actor.cooperative_id, language, str(Month.of(today)))
        clean = parse_proposal(data, context)
        if proposal_id is None:
            proposal = Proposal(
                cooperative_id=actor.cooperative_id,
                kind=clean.kind,
                title=clean.title,
                method=clean.method,
                quorum=clean.quorum,
                created_by_id=actor.person_id,
                created_at=clock.now(),
            )
            action = "proposal.drafted"
        else:
            proposal = await proposal_of(session, actor, proposal_id, lock=True)
            if proposal.state != ProposalState.DRAFT:
                raise Conflict(_("This proposal is open or closed: it can no longer change."))
            if proposal.created_by_id != actor.person_id and membership.role != Role.COORDINATOR:
                raise PermissionDenied(_("Only its author or a coordinator can change a draft."))
            action = "proposal.changed"
        _apply(proposal, clean)
        session.add(proposal)
        await session.flush()
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action=action,
            subject_type="proposal",
            subject_id=proposal.id,
            data=_content(proposal),
        )
    return proposal


def _closing_time(
    data: Mapping[str, Any], now: dt.datetime, minimum: Minimum, category: str
) -> dt.datetime:
    """The closing time asked for: at least 10 minutes and the minimum duration of the
    proposal's category ahead (counted from the current minute, as the form has no seconds),
    at most 90 days."""
    form = Form(data)
    day = form.day("closes_on")
    at = form.time_of_day("closes_time") or dt.time(20, 0)
    form.done()
    assert day is not None
    try:
        closes = clock.from_local(dt.datetime.combine(day, at))
    except OverflowError:  # year 1 at midnight is before the first UTC instant
        closes = dt.datetime.min.replace(tzinfo=dt.UTC)
    earliest = now.replace(second=0, microsecond=0) + minimum.duration
    if closes < earliest:
        message = ngettext(
            "%(what)s stay open at least %(num)d day: choose a closing time on %(earliest)s "
            "or later.",
            "%(what)s stay open at least %(num)d days: choose a closing time on %(earliest)s "
            "or later.",
            minimum.days,
        ) % {
            "what": category_name(category),
            "num": minimum.days,
            "earliest": datetime_short(earliest),
        }
        raise Invalid(message, {"closes_on": message})
    if closes < now + dt.timedelta(minutes=MIN_MINUTES_OPEN):
        message = _("The vote must stay open at least %(minutes)d minutes.") % {
            "minutes": MIN_MINUTES_OPEN
        }
        raise Invalid(message, {"closes_on": message})
    if closes > now + dt.timedelta(days=MAX_DAYS_OPEN):
        message = _("A vote stays open at most %(days)d days.") % {"days": MAX_DAYS_OPEN}
        raise Invalid(message, {"closes_on": message})
    return closes


async def open_proposal(
    session: AsyncSession, actor: Actor, proposal_id: int, data: Mapping[str, Any]
) -> Proposal:
    """Open a draft for voting until the closing time given; freezes its eligible voters (the
    active cooperators and coordinators) and, from then on, everything it says. The closing
    time must respect the minimum duration of the proposal's category, and a quorum below the
    category's minimum is raised to it (governance/votes/counting/minimums.py).

    Raises PermissionDenied, NotFound, Conflict (not a draft; nobody could vote), Invalid.
    """
    now = clock.now()
    async with session.begin():
        membership = await authorize(session, actor, Permission.READ_PROPOSALS)
        cooperative = await session.get(Cooperative, actor.cooperative_id)
        assert cooperative is not None
        if not may_open(membership, cooperative.settings):
            raise PermissionDenied(_("Your role does not allow this."))
        await lock_cooperative(session, actor.cooperative_id)
        proposal = await proposal_of(session, actor, proposal_id, lock=True)
        if proposal.state != ProposalState.DRAFT:
            raise Conflict(_("This proposal is already open or closed."))
        category = category_of(proposal.kind, proposal.effect)
        minimum = voting_rules(cooperative.settings).minimums.of(category)
        closes = _closing_time(data, now, minimum, category)
        drafted_quorum = proposal.quorum
        proposal.quorum = raised_quorum(proposal.quorum, minimum, quorum_value(proposal.quorum))
        voters = list(
            (
                await session.exec(
                    select(Membership.person_id)
                    .where(
                        Membership.cooperative_id == actor.cooperative_id,
                        Membership.status == MembershipStatus.ACTIVE,
                        col(Membership.role).in_(VOTING_ROLES),
                    )
                    .order_by(col(Membership.person_id))
                )
            ).all()
        )
        if not voters:
            raise Conflict(_("Nobody could vote: the cooperative has no active cooperator."))
        assert proposal.id is not None
        session.add_all(EligibleVoter(proposal_id=proposal.id, person_id=p) for p in voters)
        proposal.state = ProposalState.OPEN
        proposal.opened_by_id = actor.person_id
        proposal.opens_at = now
        proposal.closes_at = closes
        proposal.eligible_count = len(voters)
        session.add(proposal)
        await session.flush()
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="proposal.opened",
            subject_type="proposal",
            subject_id=proposal.id,
            data={
                **_content(proposal),
                "closes_at": clock.iso(closes),
                "eligible": voters,
                "minimum": {"category": category, **minimum.as_settings()},
                "drafted_quorum": drafted_quorum,
            },
        )
        await mails.vote_opened(session, cooperative, proposal, voters)
    return proposal


async def add_comment(
    session: AsyncSession, actor: Actor, proposal_id: int, data: Mapping[str, Any]
) -> ProposalComment:
    """A message in the proposal's discussion (members; not after the close)."""
    async with session.begin():
        await authorize(session, actor, Permission.DISCUSS)
        await proposal_of(session, actor, proposal_id)
        await lock_cooperative(session, actor.cooperative_id)
        proposal = await proposal_of(session, actor, proposal_id, lock=True)
        if proposal.state == ProposalState.CLOSED or (
            proposal.closes_at is not None and proposal.closes_at <= clock.now()
        ):
            raise Conflict(_("The vote is closed: the discussion is over."))
        form = Form(data)
        body = markdown_text(form, "body", required=True)
        form.done()
        comment = ProposalComment(
            proposal_id=proposal_id,
            author_id=actor.person_id,
            body=body,
            created_at=clock.now(),
        )
        session.add(comment)
        await session.flush()
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="proposal.commented",
            subject_type="proposal",
            subject_id=proposal_id,
            data={"comment_id": comment.id, "body": body},
        )
    return comment


async def apply_voting_rules(
    session: AsyncSession,
    cooperative: Cooperative,
    rules: VotingRules,
    *,
    actor_id: int | None,
    proposal_id: int | None,
) -> None:
    """Write `rules` into the cooperative's settings and audit it (caller's transaction)."""
    before = voting_rules(cooperative.settings).as_settings()
    await save_settings(
        session,
        cooperative,
        rules.as_settings(),
        actor_id=actor_id,
        action="cooperative.voting_rules_changed",
        data={"before": before, "after": rules.as_settings(), "proposal_id": proposal_id},
    )


async def change_voting_rules(
    session: AsyncSession, actor: Actor, data: Mapping[str, Any]
) -> VotingRules:
    """A coordinator changes the voting rules, unless coordinators hold their role by mandate
    (then only an adopted decision does); the minimums stay as they are (only an adopted
    decision changes them). Raises PermissionDenied, Conflict, Invalid."""
    async with session.begin():
        await authorize(session, actor, Permission.MANAGE_COOPERATIVE)
        rules = parse_voting_rules(data, minimums=Minimums())
        await lock_cooperative(session, actor.cooperative_id)
        cooperative = await session.get(Cooperative, actor.cooperative_id)
        assert cooperative is not None
        current = voting_rules(cooperative.settings)
        rules = replace(rules, minimums=current.minimums)
        if current.coordinators_by_mandate:
            raise Conflict(
                _(
                    "Coordinators hold their role by mandate: the voting rules change only "
                    "by an adopted decision."
                )
            )
        await apply_voting_rules(
            session, cooperative, rules, actor_id=actor.person_id, proposal_id=None
        )
    return rules
