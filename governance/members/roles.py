"""A member's role and status: a coordinator changes a role, suspends or reinstates a member
(never the last active coordinator; never by hand where the coordinator role goes by mandate)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import record
from governance.auth.models import Person
from governance.auth.sessions import end_all
from governance.base import clock
from governance.base.errors import Conflict, NotFound
from governance.base.i18n import _
from governance.input.forms import Form
from governance.members import MembershipStatus, Role
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative, Membership

BY_MANDATE = "coordinators_by_mandate"


def by_mandate(cooperative: Cooperative) -> bool:
    """Whether the coordinator role is granted and withdrawn only by a mandate vote."""
    return cooperative.settings.get(BY_MANDATE) is True


def mandate_only() -> Conflict:
    return Conflict(
        _(
            "In this cooperative the coordinator role is granted and withdrawn only "
            "by a mandate vote."
        )
    )


async def _target_membership(
    session: AsyncSession, actor: Actor, membership_id: int
) -> tuple[Membership, Person]:
    membership = await session.get(Membership, membership_id)
    if membership is None or membership.cooperative_id != actor.cooperative_id:
        raise NotFound(_("This member does not exist."))
    person = await session.get(Person, membership.person_id)
    assert person is not None
    return membership, person


async def active_coordinators(session: AsyncSession, cooperative_id: int) -> int:
    return (
        await session.exec(
            select(func.count())
            .select_from(Membership)
            .where(
                Membership.cooperative_id == cooperative_id,
                Membership.role == Role.COORDINATOR,
                Membership.status == MembershipStatus.ACTIVE,
            )
        )
    ).one()


async def change_role(
    session: AsyncSession, actor: Actor, membership_id: int, data: Mapping[str, Any]
) -> Membership:
    """Raises PermissionDenied, NotFound, Invalid; refuses to remove the last coordinator."""
    form = Form(data)
    role = form.choice("role", [r.value for r in Role])
    form.done()
    async with session.begin():
        await authorize(session, actor, Permission.MANAGE_MEMBERS)
        membership, person = await _target_membership(session, actor, membership_id)
        before = membership.role
        if before == role:
            return membership
        cooperative = await session.get(Cooperative, actor.cooperative_id)
        assert cooperative is not None
        if by_mandate(cooperative) and Role.COORDINATOR in {before, role}:
            raise mandate_only()
        if (
            before == Role.COORDINATOR
            and membership.status == MembershipStatus.ACTIVE
            and await active_coordinators(session, actor.cooperative_id) <= 1
        ):
            raise Conflict(_("A cooperative needs at least one active coordinator."))
        membership.role = role
        session.add(membership)
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="member.role_changed",
            subject_type="membership",
            subject_id=membership.id,
            data={"person_id": person.id, "name": person.name, "before": before, "after": role},
        )
    return membership


async def set_status(
    session: AsyncSession, actor: Actor, membership_id: int, status: MembershipStatus
) -> Membership:
    """Suspend or reinstate a membership. A suspension ends every session of that person.

    Raises PermissionDenied, NotFound, and Conflict for suspending oneself or the last
    active coordinator.
    """
    async with session.begin():
        await authorize(session, actor, Permission.MANAGE_MEMBERS)
        membership, person = await _target_membership(session, actor, membership_id)
        if membership.status == status:
            return membership
        if membership.role == Role.COORDINATOR:
            cooperative = await session.get(Cooperative, actor.cooperative_id)
            assert cooperative is not None
            if by_mandate(cooperative):
                raise mandate_only()
        if status == MembershipStatus.SUSPENDED:
            if membership.person_id == actor.person_id:
                raise Conflict(_("You cannot suspend yourself."))
            if (
                membership.role == Role.COORDINATOR
                and await active_coordinators(session, actor.cooperative_id) <= 1
            ):
                raise Conflict(_("A cooperative needs at least one active coordinator."))
            person.token_version += 1  # every token of theirs dies, and every session ends
            session.add(person)
            await end_all(session, membership.person_id, clock.now())
        before = membership.status
        membership.status = status
        session.add(membership)
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action=f"member.{'suspended' if status == 'suspended' else 'reinstated'}",
            subject_type="membership",
            subject_id=membership.id,
            data={
                "person_id": person.id,
                "name": person.name,
                "before": before,
                "after": str(status),
            },
        )
    return membership
