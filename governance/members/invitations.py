"""Invitations: a coordinator invites someone by email with a role; the one-time link opens the
invitation and, used, makes its holder a member (a new account or the logged-in one)."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import record
from governance.auth import tokens
from governance.auth.models import Person
from governance.base import clock
from governance.base.errors import Conflict, Invalid, NotFound
from governance.base.i18n import _
from governance.base.settings import LANGUAGES
from governance.input.forms import Form
from governance.members import Role
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative, Invitation, Membership
from governance.members.roles import by_mandate, mandate_only
from governance.members.service import add_membership, membership_of, new_person, person_by_email

INVITATION_TTL = timedelta(days=7)


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
# invitation form's handler (governance/mail/pages.py) passes governance.mail.invitations.
# invitation_mail (members does not depend on mail).
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
            if by_mandate(cooperative):
                raise mandate_only()
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
            person = await new_person(
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
        if invitation.role == Role.COORDINATOR and by_mandate(cooperative):
            raise mandate_only()
        invitation.used_at = clock.now()
        invitation.used_by_id = person.id
        session.add(invitation)
        await add_membership(
            session,
            cooperative,
            person,
            Role(invitation.role),
            person.id,
            "member.joined",
            {"invitation_id": invitation.id},
        )
    return person
