"""Who may do what in a cooperative: one table of permissions per role, one check."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.base.errors import PermissionDenied
from governance.base.i18n import _
from governance.members import MembershipStatus, Role
from governance.members.models import Membership


class Permission(StrEnum):
    READ_COOPERATIVE = "read_cooperative"
    READ_MEMBERS = "read_members"
    READ_AUDIT = "read_audit"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_COOPERATIVE = "manage_cooperative"
    RECORD_OWN_WORK = "record_own_work"
    RECORD_FOR_ANYONE = "record_for_anyone"
    VALIDATE_WORK = "validate_work"
    MANAGE_CLIENTS = "manage_clients"
    POST_JOURNAL = "post_journal"
    CLOSE_PERIOD = "close_period"
    PAY_MEMBERS = "pay_members"
    READ_OWN_STATEMENT = "read_own_statement"
    READ_ALL_STATEMENTS = "read_all_statements"
    CONTEST_STATEMENT = "contest_statement"
    READ_PROPOSALS = "read_proposals"
    DISCUSS = "discuss"
    DRAFT_PROPOSAL = "draft_proposal"
    # Coordinators; cooperators too when the cooperative's setting says so (see votes).
    OPEN_PROPOSAL = "open_proposal"
    VOTE = "vote"


_EVERYONE = frozenset(Role)
ROLES_FOR: dict[Permission, frozenset[Role]] = {
    Permission.READ_COOPERATIVE: _EVERYONE,
    Permission.READ_MEMBERS: _EVERYONE,
    Permission.READ_AUDIT: _EVERYONE,
    Permission.MANAGE_MEMBERS: frozenset({Role.COORDINATOR}),
    Permission.MANAGE_COOPERATIVE: frozenset({Role.COORDINATOR}),
    Permission.RECORD_OWN_WORK: frozenset({Role.COOPERATOR, Role.WORKER, Role.COORDINATOR}),
    Permission.RECORD_FOR_ANYONE: frozenset({Role.COORDINATOR}),
    Permission.VALIDATE_WORK: frozenset({Role.COORDINATOR}),
    Permission.MANAGE_CLIENTS: frozenset({Role.COORDINATOR}),
    Permission.POST_JOURNAL: frozenset({Role.COORDINATOR}),
    Permission.CLOSE_PERIOD: frozenset({Role.COORDINATOR}),
    Permission.PAY_MEMBERS: frozenset({Role.COORDINATOR}),
    # Anyone who is paid reads their own statement; observers read the cooperative's.
    Permission.READ_OWN_STATEMENT: frozenset({Role.COOPERATOR, Role.WORKER, Role.COORDINATOR}),
    # Coordinators and observers; cooperators too under open books (checked by the service).
    Permission.READ_ALL_STATEMENTS: frozenset({Role.COORDINATOR, Role.OBSERVER}),
    Permission.CONTEST_STATEMENT: frozenset({Role.COOPERATOR, Role.WORKER, Role.COORDINATOR}),
    Permission.READ_PROPOSALS: _EVERYONE,
    Permission.DISCUSS: frozenset({Role.COOPERATOR, Role.WORKER, Role.COORDINATOR}),
    Permission.DRAFT_PROPOSAL: frozenset({Role.COOPERATOR, Role.COORDINATOR}),
    Permission.OPEN_PROPOSAL: frozenset({Role.COORDINATOR}),
    # One member, one vote: cooperators, coordinators among them; workers and observers not.
    Permission.VOTE: frozenset({Role.COOPERATOR, Role.COORDINATOR}),
}


@dataclass(frozen=True)
class Actor:
    """A person acting in one cooperative; their rights are looked up when they act."""

    person_id: int
    cooperative_id: int


def allows(role: str, permission: Permission) -> bool:
    return role in ROLES_FOR[permission]


async def authorize(session: AsyncSession, actor: Actor, permission: Permission) -> Membership:
    """The actor's active membership, or PermissionDenied (suspended, not a member, wrong role)."""
    membership = (
        await session.exec(
            select(Membership).where(
                Membership.cooperative_id == actor.cooperative_id,
                Membership.person_id == actor.person_id,
            )
        )
    ).first()
    if membership is None or membership.status != MembershipStatus.ACTIVE:
        raise PermissionDenied(_("You are not an active member of this cooperative."))
    if not allows(membership.role, permission):
        raise PermissionDenied(_("Your role does not allow this."))
    return membership
