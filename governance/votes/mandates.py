"""Coordinators' mandates: granted by an adopted `mandate` proposal for a term, ended by a
recall, lapsing at the end of the term unless renewed. Functions run in the caller's
transaction, except `lapse_due` which runs one transaction per cooperative."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import lock_cooperative, record
from governance.auth.models import Person
from governance.base import clock
from governance.base.errors import Conflict
from governance.base.i18n import _
from governance.members import MembershipStatus, Role
from governance.members.models import Cooperative, Membership
from governance.members.roles import active_coordinators
from governance.votes.drafting.voting_rules import voting_rules
from governance.votes.models import Mandate, Proposal


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


async def _membership(session: AsyncSession, cooperative_id: int, person_id: int) -> Membership:
    found = (
        await session.exec(
            select(Membership).where(
                Membership.cooperative_id == cooperative_id, Membership.person_id == person_id
            )
        )
    ).first()
    if found is None or found.status != MembershipStatus.ACTIVE:
        raise Conflict(_("This person is no longer a member."))
    return found


async def _open_mandates(
    session: AsyncSession, cooperative_id: int, person_id: int
) -> list[Mandate]:
    rows = await session.exec(
        select(Mandate).where(
            Mandate.cooperative_id == cooperative_id,
            Mandate.person_id == person_id,
            col(Mandate.ended_at).is_(None),
        )
    )
    return list(rows.all())


async def _end(mandates: list[Mandate], session: AsyncSession, reason: str) -> None:
    for mandate in mandates:
        mandate.ended_at = clock.now()
        mandate.end_reason = reason
        session.add(mandate)


async def grant(session: AsyncSession, proposal: Proposal, today: dt.date) -> dict[str, Any]:
    """Elect: the person becomes coordinator until the term's end (a running mandate is
    renewed by this one)."""
    assert proposal.id is not None
    effect = proposal.effect
    membership = await _membership(session, proposal.cooperative_id, int(effect["person_id"]))
    if membership.role not in {Role.COOPERATOR, Role.COORDINATOR}:
        raise Conflict(_("Only a cooperator can hold a coordinator's mandate."))
    await _end(
        await _open_mandates(session, proposal.cooperative_id, membership.person_id),
        session,
        "renewed",
    )
    ends = add_months(today, int(effect["term_months"])) - dt.timedelta(days=1)
    mandate = Mandate(
        cooperative_id=proposal.cooperative_id,
        person_id=membership.person_id,
        proposal_id=proposal.id,
        starts_on=today,
        ends_on=ends,
    )
    before = membership.role
    membership.role = Role.COORDINATOR
    session.add_all([mandate, membership])
    await session.flush()
    return {"mandate_id": mandate.id, "ends_on": ends.isoformat(), "role_before": before}


async def recall(session: AsyncSession, proposal: Proposal) -> dict[str, Any]:
    """Recall: the coordinator becomes a cooperator again and their mandate ends. The last
    coordinator can be recalled only where coordinators hold their role by mandate (there,
    cooperators open votes and can elect another)."""
    membership = await _membership(
        session, proposal.cooperative_id, int(proposal.effect["person_id"])
    )
    if membership.role != Role.COORDINATOR:
        raise Conflict(_("Only a coordinator can be recalled."))
    cooperative = await session.get(Cooperative, proposal.cooperative_id)
    assert cooperative is not None
    # `membership` is an active coordinator: another one exists when they are more than one.
    if not voting_rules(cooperative.settings).coordinators_by_mandate and (
        await active_coordinators(session, proposal.cooperative_id) <= 1
    ):
        raise Conflict(_("A cooperative needs at least one active coordinator."))
    await _end(
        await _open_mandates(session, proposal.cooperative_id, membership.person_id),
        session,
        "recalled",
    )
    membership.role = Role.COOPERATOR
    session.add(membership)
    await session.flush()
    return {"membership_id": membership.id}


async def lapse_due(session: AsyncSession, cooperative_id: int | None = None) -> int:
    """End every mandate whose term is over: the person is a cooperator again (audited)."""
    today = clock.today()
    query = select(Mandate.id, Mandate.cooperative_id).where(
        col(Mandate.ended_at).is_(None), Mandate.ends_on < today
    )
    if cooperative_id is not None:
        query = query.where(Mandate.cooperative_id == cooperative_id)
    async with session.begin():
        due = list((await session.exec(query)).all())
    ended = 0
    for mandate_id, coop_id in due:
        async with session.begin():
            await lock_cooperative(session, coop_id)
            mandate = await session.get(Mandate, mandate_id, populate_existing=True)
            if mandate is None or mandate.ended_at is not None:
                continue
            await _end([mandate], session, "lapsed")
            membership = (
                await session.exec(
                    select(Membership).where(
                        Membership.cooperative_id == coop_id,
                        Membership.person_id == mandate.person_id,
                    )
                )
            ).first()
            cooperative = await session.get(Cooperative, coop_id)
            assert cooperative is not None and membership is not None
            # Outside the mandate mode the last active coordinator keeps the role: without
            # one, nobody could open a vote or manage the members any more.
            kept = (
                membership.role == Role.COORDINATOR
                and membership.status == MembershipStatus.ACTIVE
                and not voting_rules(cooperative.settings).coordinators_by_mandate
                and await active_coordinators(session, coop_id) <= 1
            )
            if membership.role == Role.COORDINATOR and not kept:
                membership.role = Role.COOPERATOR
                session.add(membership)
            person = await session.get(Person, mandate.person_id)
            await session.flush()
            await record(
                session,
                cooperative_id=coop_id,
                actor_id=None,
                action="mandate.lapsed",
                subject_type="mandate",
                subject_id=mandate.id,
                data={
                    "person_id": mandate.person_id,
                    "name": person.name if person else "",
                    "ends_on": mandate.ends_on.isoformat(),
                    "kept_role": kept,
                },
            )
            ended += 1
    return ended


async def current_mandates(session: AsyncSession, cooperative_id: int) -> list[tuple[Mandate, str]]:
    """The running mandates, soonest to end first, with the holder's name."""
    rows = await session.exec(
        select(Mandate, Person.name)
        .join(Person, col(Person.id) == Mandate.person_id)
        .where(Mandate.cooperative_id == cooperative_id, col(Mandate.ended_at).is_(None))
        .order_by(col(Mandate.ends_on))
    )
    return [(m, name) for m, name in rows.all()]
