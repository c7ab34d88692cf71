"""What every `governance` sub-command needs: the settings from the environment (exiting with
the reason when they are wrong) and a database session for one action."""

from __future__ import annotations

import sys

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.base import db
from governance.base.errors import Invalid, NotFound
from governance.base.settings import Settings, SettingsError
from governance.members import MembershipStatus, Role
from governance.members.access import Actor
from governance.members.models import Cooperative, Membership


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        sys.exit(f"error: {error}")


async def with_session(action):  # type: ignore[no-untyped-def]
    settings = load_settings()
    engine = db.make_engine(settings.database_url)
    try:
        async with db.make_sessionmaker(engine)() as session:
            return await action(session)
    finally:
        await engine.dispose()


async def coordinator_actor(
    session: AsyncSession, slug: str, email: str | None
) -> tuple[Actor, str]:
    """The coordinator a command acts as: `--by EMAIL`, or the only active one."""
    async with session.begin():
        return await _find_coordinator(session, slug, email)


async def _find_coordinator(
    session: AsyncSession, slug: str, email: str | None
) -> tuple[Actor, str]:
    coop = (await session.exec(select(Cooperative).where(Cooperative.slug == slug))).first()
    if coop is None or coop.id is None:
        raise NotFound(f"no cooperative {slug!r}")
    query = (
        select(Person)
        .join(Membership, col(Membership.person_id) == Person.id)
        .where(
            Membership.cooperative_id == coop.id,
            Membership.role == Role.COORDINATOR,
            Membership.status == MembershipStatus.ACTIVE,
        )
        .order_by(col(Person.id))
    )
    if email is not None:
        query = query.where(Person.email == email.strip().lower())
    coordinators = list((await session.exec(query)).all())
    if email is not None and not coordinators:
        raise Invalid(f"{email} is not an active coordinator of {slug}")
    if len(coordinators) != 1:
        names = ", ".join(p.email for p in coordinators) or "none"
        raise Invalid(f"say which coordinator acts with --by (active coordinators: {names})")
    person = coordinators[0]
    assert person.id is not None
    return Actor(person_id=person.id, cooperative_id=coop.id), person.email
