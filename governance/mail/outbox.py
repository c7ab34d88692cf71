"""Putting emails in the outbox, in the caller's transaction, each in its reader's language."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import lock_cooperative
from governance.auth.models import Person
from governance.base import clock, i18n
from governance.mail.models import OutboxMail
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative
from governance.members.service import save_settings


def email_notices(cooperative: Cooperative) -> bool:
    """Whether the cooperative sends its notices by email too (a coordinator's setting)."""
    return cooperative.settings.get("email_notices") is True


async def enqueue(
    session: AsyncSession,
    cooperative: Cooperative,
    person_ids: Iterable[int],
    compose: Callable[[Person], tuple[str, str]],
) -> int:
    """One mail per person (subject and body from `compose`, called in the person's own
    language), when the cooperative sends notices by email; how many were queued."""
    if not email_notices(cooperative):
        return 0
    ids = sorted(set(person_ids))
    if not ids:
        return 0
    people = (await session.exec(select(Person).where(col(Person.id).in_(ids)))).all()
    now = clock.now()
    queued = 0
    for person in people:
        assert person.id is not None and cooperative.id is not None
        with i18n.language(person.language):
            subject, body = compose(person)
        session.add(
            OutboxMail(
                cooperative_id=cooperative.id,
                person_id=person.id,
                to_address=person.email,
                subject=subject[:200],
                body=body,
                created_at=now,
            )
        )
        queued += 1
    return queued


async def set_email_notices(session: AsyncSession, actor: Actor, on: bool) -> None:
    """A coordinator turns the cooperative's email notices on or off (audited)."""
    async with session.begin():
        await authorize(session, actor, Permission.MANAGE_COOPERATIVE)
        await lock_cooperative(session, actor.cooperative_id)
        cooperative = await session.get(Cooperative, actor.cooperative_id)
        assert cooperative is not None
        if email_notices(cooperative) == on:
            return
        await save_settings(
            session,
            cooperative,
            {"email_notices": on},
            actor_id=actor.person_id,
            action="cooperative.email_notices_changed",
            data={"email_notices": on},
        )
