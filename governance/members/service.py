"""Use cases for cooperatives and their members. Each public function is one transaction."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.checkpoints.checkpoints import ensure_key
from governance.audit.service import AuditPage, list_events, record, subject_types
from governance.auth import tokens
from governance.auth.models import Person
from governance.auth.passwords import hash_password
from governance.auth.sessions import end_all
from governance.base import clock
from governance.base.errors import Conflict, Invalid, NotFound, PermissionDenied
from governance.base.i18n import _
from governance.base.settings import LANGUAGES
from governance.input.forms import SLUG_RE, Form
from governance.members.access import Actor, Permission, authorize
from governance.members.models import (
    DEFAULT_COOP_SETTINGS,
    Cooperative,
    Invitation,
    Membership,
    MembershipStatus,
    Role,
)

INVITATION_TTL = timedelta(days=7)


async def cooperative_by_slug(session: AsyncSession, slug: str) -> Cooperative | None:
    # Only well-formed slugs reach the database (PostgreSQL refuses NUL bytes, for one).
    if not SLUG_RE.match(slug):
        return None
    return (await session.exec(select(Cooperative).where(Cooperative.slug == slug))).first()


async def membership_of(
    session: AsyncSession, cooperative_id: int | None, person_id: int | None
) -> Membership | None:
    return (
        await session.exec(
            select(Membership).where(
                Membership.cooperative_id == cooperative_id, Membership.person_id == person_id
            )
        )
    ).first()


async def person_by_email(session: AsyncSession, email: str) -> Person | None:
    return (await session.exec(select(Person).where(Person.email == email.lower()))).first()


async def _new_person(
    session: AsyncSession,
    *,
    email: str,
    name: str,
    password: str,
    language: str,
    actor_id: int | None,
) -> Person:
    if await person_by_email(session, email) is not None:
        raise Invalid(
            _("An account already uses this email address."),
            {"email": _("An account already uses this email address.")},
        )
    person = Person(
        email=email.lower(),
        name=name,
        password_hash=hash_password(password),
        language=language,
        created_at=clock.now(),
    )
    session.add(person)
    await session.flush()
    assert person.id is not None
    await record(
        session,
        cooperative_id=None,
        actor_id=actor_id or person.id,
        action="person.created",
        subject_type="person",
        subject_id=person.id,
        data={"name": name, "language": language},
    )
    return person


async def _add_membership(
    session: AsyncSession,
    cooperative: Cooperative,
    person: Person,
    role: Role,
    actor_id: int | None,
    action: str,
    extra: Mapping[str, Any] | None = None,
) -> Membership:
    assert cooperative.id is not None and person.id is not None
    membership = Membership(
        cooperative_id=cooperative.id,
        person_id=person.id,
        role=role,
        status=MembershipStatus.ACTIVE,
        joined_at=clock.now(),
    )
    session.add(membership)
    await session.flush()
    await record(
        session,
        cooperative_id=cooperative.id,
        actor_id=actor_id,
        action=action,
        subject_type="membership",
        subject_id=membership.id,
        data={"person_id": person.id, "name": person.name, "role": str(role), **(extra or {})},
    )
    return membership


async def create_cooperative(
    session: AsyncSession,
    *,
    slug: str,
    name: str,
    language: str = "fr",
    actor_id: int | None = None,
    then: Callable[[AsyncSession, Cooperative], Awaitable[object]] | None = None,
) -> Cooperative:
    """Create a cooperative (command line). Raises Invalid for a bad or taken slug.

    `then` runs in the same transaction once the cooperative exists (the ledger sets its
    first distribution rule there: members does not import the ledger)."""
    form = Form({"slug": slug, "name": name, "language": language})
    clean_slug = form.slug()
    clean_name = form.text("name", max_length=120)
    clean_language = form.choice("language", LANGUAGES)
    form.done()
    async with session.begin():
        if await cooperative_by_slug(session, clean_slug) is not None:
            raise Invalid(
                _("This address is already taken."), {"slug": _("This address is already taken.")}
            )
        cooperative = Cooperative(
            slug=clean_slug,
            name=clean_name,
            language=clean_language,
            settings=dict(DEFAULT_COOP_SETTINGS),
            created_at=clock.now(),
        )
        session.add(cooperative)
        await session.flush()
        assert cooperative.id is not None
        # The key pair that signs the month-close checkpoints; its public half is in the chain.
        public_key = await ensure_key(session, cooperative.id, announce=False)
        await record(
            session,
            cooperative_id=cooperative.id,
            actor_id=actor_id,
            action="cooperative.created",
            subject_type="cooperative",
            subject_id=cooperative.id,
            data={
                "slug": clean_slug,
                "name": clean_name,
                "language": clean_language,
                "settings": cooperative.settings,
                "public_key": public_key,
            },
        )
        if then is not None:
            await then(session, cooperative)
    return cooperative


async def add_person_to_cooperative(
    session: AsyncSession,
    *,
    slug: str,
    email: str,
    name: str,
    password: str,
    role: Role,
    language: str = "fr",
) -> Person:
    """First set-up from the command line: a person (new or existing) joins with a role."""
    form = Form({"email": email, "name": name, "password": password})
    clean_email = form.email()
    clean_name = form.text("name", max_length=120)
    clean_password = form.password(new=True)
    form.done()
    async with session.begin():
        cooperative = await cooperative_by_slug(session, slug)
        if cooperative is None:
            raise NotFound(_("There is no cooperative at this address."))
        person = await person_by_email(session, clean_email)
        if person is None:
            person = await _new_person(
                session,
                email=clean_email,
                name=clean_name,
                password=clean_password,
                language=language,
                actor_id=None,
            )
        existing = await membership_of(session, cooperative.id, person.id)
        if existing is not None:
            raise Conflict(_("This person is already a member."))
        await _add_membership(session, cooperative, person, role, None, "member.added")
    return person


@dataclass(frozen=True)
class MemberRow:
    membership: Membership
    person: Person


async def list_members(session: AsyncSession, actor: Actor) -> list[MemberRow]:
    async with session.begin():
        await authorize(session, actor, Permission.READ_MEMBERS)
        rows = await session.exec(
            select(Membership, Person)
            .join(Person, col(Person.id) == Membership.person_id)
            .where(Membership.cooperative_id == actor.cooperative_id)
            .order_by(col(Person.name), col(Person.id))
        )
        return [MemberRow(m, p) for m, p in rows.all()]


async def pending_invitations(session: AsyncSession, actor: Actor) -> list[Invitation]:
    async with session.begin():
        await authorize(session, actor, Permission.MANAGE_MEMBERS)
        rows = await session.exec(
            select(Invitation)
            .where(
                Invitation.cooperative_id == actor.cooperative_id,
                col(Invitation.used_at).is_(None),
                Invitation.expires_at > clock.now(),
            )
            .order_by(col(Invitation.created_at).desc())
        )
        return list(rows.all())


# What else happens in the invitation's transaction, given the invitation and its token: the
# web layer passes governance.mail.invitations.invitation_mail (members does not depend on mail).
InvitationHook = Callable[[AsyncSession, Invitation, str], Awaitable[object]]


async def invite(
    session: AsyncSession,
    actor: Actor,
    data: Mapping[str, Any],
    secret: str,
    then: InvitationHook | None = None,
) -> tuple[Invitation, str]:
    """A coordinator invites someone by email with a role; returns the one-time token.

    Raises PermissionDenied for non-coordinators, Invalid for a bad email or role, Conflict when
    the person is already a member. The token itself is never audited; it is stored only in
    the invitation's mail while that mail waits to be sent (`then`, the mail queued when the
    cooperative sends email).
    """
    form = Form(data)
    email = form.email()
    role = form.choice("role", [r.value for r in Role])
    form.done()
    async with session.begin():
        await authorize(session, actor, Permission.MANAGE_MEMBERS)
        if role == Role.COORDINATOR:
            cooperative = await session.get(Cooperative, actor.cooperative_id)
            assert cooperative is not None
            if _by_mandate(cooperative):
                raise _mandate_only()
        existing = (
            await session.exec(
                select(Membership)
                .join(Person, col(Person.id) == Membership.person_id)
                .where(Membership.cooperative_id == actor.cooperative_id, Person.email == email)
            )
        ).first()
        if existing is not None:
            raise Invalid(
                _("This person is already a member."),
                {"email": _("This person is already a member.")},
            )
        now = clock.now()
        invitation = Invitation(
            cooperative_id=actor.cooperative_id,
            email=email,
            role=role,
            nonce=secrets.token_urlsafe(24),
            invited_by_id=actor.person_id,
            created_at=now,
            expires_at=now + INVITATION_TTL,
        )
        session.add(invitation)
        await session.flush()
        assert invitation.id is not None
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="member.invited",
            subject_type="invitation",
            subject_id=invitation.id,
            data={"email": email, "role": role},
        )
        token = tokens.issue_invitation(
            invitation.id, invitation.nonce, secret, now, INVITATION_TTL
        )
        if then is not None:
            await then(session, invitation, token)
    return invitation, token


@dataclass(frozen=True)
class OpenInvitation:
    invitation: Invitation
    cooperative: Cooperative
    existing_account: bool


async def _valid_invitation(
    session: AsyncSession, token: str, secret: str
) -> tuple[Invitation, Cooperative]:
    try:
        claims = tokens.read_invitation(token, secret)
    except tokens.InvalidToken as error:
        raise NotFound(_("This invitation link is not valid or has expired.")) from error
    invitation = await session.get(Invitation, claims.invitation_id)
    if invitation is None or not secrets.compare_digest(invitation.nonce, claims.nonce):
        raise NotFound(_("This invitation link is not valid or has expired."))
    if invitation.used_at is not None:
        raise NotFound(_("This invitation link has already been used."))
    if invitation.expires_at <= clock.now():
        raise NotFound(_("This invitation link is not valid or has expired."))
    cooperative = await session.get(Cooperative, invitation.cooperative_id)
    assert cooperative is not None
    return invitation, cooperative


async def open_invitation(session: AsyncSession, token: str, secret: str) -> OpenInvitation:
    """Raises NotFound for a tampered, expired or used link."""
    async with session.begin():
        invitation, cooperative = await _valid_invitation(session, token, secret)
        existing = await person_by_email(session, invitation.email) is not None
        return OpenInvitation(invitation, cooperative, existing)


async def accept_invitation(
    session: AsyncSession, token: str, secret: str, person_id: int | None, data: Mapping[str, Any]
) -> Person:
    """Join the cooperative: as the logged-in person, or as a new account made from `data`.

    Raises NotFound for a bad link, Invalid for bad account fields, Conflict when the person
    is already a member. Using the link kills it, in the same transaction.
    """
    async with session.begin():
        invitation, cooperative = await _valid_invitation(session, token, secret)
        if person_id is not None:
            person = await session.get(Person, person_id)
            assert person is not None
        else:
            if await person_by_email(session, invitation.email) is not None:
                raise Conflict(
                    _(
                        "An account already uses this email address: log in first, "
                        "then open the link again."
                    )
                )
            form = Form(data)
            name = form.text("name", max_length=120)
            password = form.password(new=True)
            language = form.choice("language", LANGUAGES)
            form.done()
            person = await _new_person(
                session,
                email=invitation.email,
                name=name,
                password=password,
                language=language,
                actor_id=None,
            )
        already = await membership_of(session, cooperative.id, person.id)
        if already is not None:
            raise Conflict(_("You are already a member of this cooperative."))
        if invitation.role == Role.COORDINATOR and _by_mandate(cooperative):
            raise _mandate_only()
        invitation.used_at = clock.now()
        invitation.used_by_id = person.id
        session.add(invitation)
        await _add_membership(
            session,
            cooperative,
            person,
            Role(invitation.role),
            person.id,
            "member.joined",
            {"invitation_id": invitation.id},
        )
    return person


BY_MANDATE = "coordinators_by_mandate"


def _by_mandate(cooperative: Cooperative) -> bool:
    """Whether the coordinator role is granted and withdrawn only by a mandate vote."""
    return cooperative.settings.get(BY_MANDATE) is True


def _mandate_only() -> Conflict:
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
        if _by_mandate(cooperative) and Role.COORDINATOR in {before, role}:
            raise _mandate_only()
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
            if _by_mandate(cooperative):
                raise _mandate_only()
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


@dataclass(frozen=True)
class MembershipView:
    cooperative: Cooperative
    membership: Membership


async def memberships_of(session: AsyncSession, person_id: int) -> list[MembershipView]:
    """The person's cooperatives (active memberships first), for the switcher."""
    async with session.begin():
        rows = await session.exec(
            select(Membership, Cooperative)
            .join(Cooperative, col(Cooperative.id) == Membership.cooperative_id)
            .where(Membership.person_id == person_id)
            .order_by(col(Membership.status), col(Cooperative.name))
        )
        return [MembershipView(c, m) for m, c in rows.all()]


async def membership_in(
    session: AsyncSession, person_id: int, slug: str
) -> tuple[Cooperative, Membership | None] | None:
    """The cooperative at `slug` and the person's membership there (None if not a member)."""
    async with session.begin():
        cooperative = await cooperative_by_slug(session, slug)
        if cooperative is None:
            return None
        membership = await membership_of(session, cooperative.id, person_id)
    # Detached, so that a later rollback in this request cannot expire what the page shows.
    session.expunge(cooperative)
    if membership is not None:
        session.expunge(membership)
    return cooperative, membership


def ensure_not_denied(membership: Membership | None) -> Membership:
    if membership is None:
        raise NotFound(_("There is no cooperative at this address."))
    if membership.status != MembershipStatus.ACTIVE:
        raise PermissionDenied(_("Your membership in this cooperative is suspended."))
    return membership


@dataclass(frozen=True)
class Trail:
    page: AuditPage
    names: dict[int, str]
    subjects: list[str]


async def read_trail(
    session: AsyncSession,
    actor: Actor,
    *,
    actor_filter: int | None = None,
    subject: str | None = None,
    before: int | None = None,
) -> Trail:
    """One page of the cooperative's audit trail, with the names of the people in it."""
    async with session.begin():
        await authorize(session, actor, Permission.READ_AUDIT)
        page = await list_events(
            session,
            actor.cooperative_id,
            actor_id=actor_filter,
            subject_type=subject,
            before=before,
        )
        rows = await session.exec(
            select(Person.id, Person.name)
            .join(Membership, col(Membership.person_id) == Person.id)
            .where(Membership.cooperative_id == actor.cooperative_id)
        )
        names = {person_id: name for person_id, name in rows.all() if person_id is not None}
        subjects = await subject_types(session, actor.cooperative_id)
    return Trail(page=page, names=names, subjects=subjects)
