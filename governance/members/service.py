"""Use cases for cooperatives and their members: founding, the command line's first members,
the member list, one's memberships, the trail's names. Each public function is one
transaction, except the helpers that say they run inside the caller's (`new_person`,
`add_membership`, `save_settings`). Invitations are in invitations.py, role and status
changes in roles.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam
from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.checkpoints.checkpoints import ensure_key
from governance.audit.service import record
from governance.auth.models import Person
from governance.auth.passwords import hash_password
from governance.base import clock
from governance.base.db import run_sync
from governance.base.errors import Conflict, Invalid, NotFound, PermissionDenied
from governance.base.i18n import _
from governance.base.settings import LANGUAGES
from governance.input.forms import SLUG_RE, Form
from governance.members import MembershipStatus, Role
from governance.members.access import Actor, Permission, authorize
from governance.members.models import DEFAULT_COOP_SETTINGS, Cooperative, Membership


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


async def new_person(
    session: AsyncSession,
    *,
    email: str,
    name: str,
    password: str,
    language: str,
    actor_id: int | None,
) -> Person:
    """A new account, inside the caller's transaction; Invalid when the email is taken."""
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


async def add_membership(
    session: AsyncSession,
    cooperative: Cooperative,
    person: Person,
    role: Role,
    actor_id: int | None,
    action: str,
    extra: Mapping[str, Any] | None = None,
) -> Membership:
    """An active membership with `role`, inside the caller's transaction, audited as `action`."""
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
            person = await new_person(
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
        await add_membership(session, cooperative, person, role, None, "member.added")
    return person


async def save_settings(
    session: AsyncSession,
    cooperative: Cooperative,
    changes: Mapping[str, Any],
    *,
    actor_id: int | None,
    action: str,
    data: Mapping[str, Any],
) -> None:
    """Write `changes` into the cooperative's settings and record `action` with `data` in its
    audit trail (subject: the cooperative), inside the caller's transaction (each caller checks
    the permission and the values first)."""
    cooperative.settings = {**cooperative.settings, **changes}
    session.add(cooperative)
    await session.flush()
    await record(
        session,
        cooperative_id=cooperative.id,
        actor_id=actor_id,
        action=action,
        subject_type="cooperative",
        subject_id=cooperative.id,
        data=data,
    )


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
        found = await run_sync(session, lambda sync: membership_at(sync, person_id, slug))
    if found is None:
        return None
    # Detached, so that a later rollback in this request cannot expire what the page shows.
    cooperative, membership = found
    session.expunge(cooperative)
    if membership is not None:
        session.expunge(membership)
    return found


def membership_at(
    session: Session, person_id: int, slug: str
) -> tuple[Cooperative, Membership | None] | None:
    """`membership_in` for a plain session (governance.base.db.read), in one statement."""
    # Only well-formed slugs reach the database (PostgreSQL refuses NUL bytes, for one).
    if not SLUG_RE.match(slug):
        return None
    row = session.exec(MEMBERSHIP_AT, params={"slug": slug, "person": person_id}).first()
    return None if row is None else (row[0], row[1])


# Built once, at import: the cooperative of a slug and a person's membership there, if any.
MEMBERSHIP_AT = (
    select(Cooperative, Membership)
    .outerjoin(
        Membership,
        and_(
            col(Membership.cooperative_id) == col(Cooperative.id),
            col(Membership.person_id) == bindparam("person"),
        ),
    )
    .where(col(Cooperative.slug) == bindparam("slug"))
)


def ensure_not_denied(membership: Membership | None) -> Membership:
    if membership is None:
        raise NotFound(_("There is no cooperative at this address."))
    if membership.status != MembershipStatus.ACTIVE:
        raise PermissionDenied(_("Your membership in this cooperative is suspended."))
    return membership
