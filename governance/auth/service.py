"""Logging in, throttling, and what a person changes about their own account."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import record
from governance.auth.models import LoginAttempt, Person
from governance.auth.passwords import check_password, hash_password
from governance.auth.sessions import end_all
from governance.base import clock
from governance.base.errors import Invalid, NotFound, TooManyAttempts
from governance.base.i18n import _, ngettext
from governance.base.settings import LANGUAGES
from governance.input.forms import Form


async def _recent_failures(
    session: AsyncSession, email: str, address: str, window: timedelta
) -> int:
    since = clock.now() - window
    return (
        await session.exec(
            select(func.count())
            .select_from(LoginAttempt)
            .where(
                LoginAttempt.email == email,
                LoginAttempt.address == address,
                LoginAttempt.succeeded == False,  # noqa: E712  (SQL expression)
                LoginAttempt.at > since,
            )
        )
    ).one()


async def login(
    session: AsyncSession,
    data: Mapping[str, Any],
    address: str,
    *,
    max_failures: int = 5,
    window_minutes: int = 15,
) -> Person:
    """The person whose email and password these are.

    Raises Invalid (same message for an unknown email and a wrong password) and
    TooManyAttempts after `max_failures` failures for this account from this address within
    the window. Rehashes the password when the hashing parameters have changed.
    """
    form = Form(data)
    email = form.email()
    password = form.password()
    form.done()
    address = address[:64]
    window = timedelta(minutes=window_minutes)
    async with session.begin():
        if await _recent_failures(session, email, address, window) >= max_failures:
            raise TooManyAttempts(
                ngettext(
                    "Too many failed attempts. Wait %(minutes)d minute and try again.",
                    "Too many failed attempts. Wait %(minutes)d minutes and try again.",
                    window_minutes,
                )
                % {"minutes": window_minutes}
            )
        person = (await session.exec(select(Person).where(Person.email == email))).first()
        check = check_password(person.password_hash if person else None, password)
        session.add(LoginAttempt(email=email, address=address, succeeded=check.ok, at=clock.now()))
        if person is None or not check.ok:
            failed = Invalid(
                _("Wrong email or password."), {"password": _("Wrong email or password.")}
            )
        else:
            failed = None
            if check.needs_rehash:
                person.password_hash = hash_password(password)
                session.add(person)
    # The failed attempt is committed above, so the throttle counts it.
    if failed is not None:
        raise failed
    assert person is not None
    return person


async def purge_login_attempts(
    session: AsyncSession, now: datetime, *, window_minutes: int = 15
) -> int:
    """Delete the login attempts older than the throttling window (pass
    `settings.login_window_minutes`): the throttle never reads them again. Committed; how many."""
    cutoff = now - timedelta(minutes=window_minutes)
    async with session.begin():
        result = await session.exec(delete(LoginAttempt).where(col(LoginAttempt.at) < cutoff))
    return int(result.rowcount)


async def _person(session: AsyncSession, person_id: int) -> Person:
    person = await session.get(Person, person_id)
    if person is None:
        raise NotFound(_("This account does not exist."))
    return person


async def _record_own(
    session: AsyncSession, person_id: int, action: str, data: dict[str, Any]
) -> None:
    """Changes to one's own account go to the deployment-wide (system) chain."""
    await record(
        session,
        cooperative_id=None,
        actor_id=person_id,
        action=action,
        subject_type="person",
        subject_id=person_id,
        data=data,
    )


async def log_out_everywhere(session: AsyncSession, person_id: int) -> Person:
    """Every session ends and every token issued so far stops working (its version is old)."""
    async with session.begin():
        person = await _person(session, person_id)
        person.token_version += 1
        session.add(person)
        ended = await end_all(session, person_id, clock.now())
        await _record_own(session, person_id, "person.logged_out_everywhere", {"sessions": ended})
    return person


async def change_password(session: AsyncSession, person_id: int, data: Mapping[str, Any]) -> Person:
    """Raises Invalid for a wrong current password or a too-short new one.

    Every session ends, this one included: the caller starts a new one for this browser.
    """
    form = Form(data)
    current = form.password("current_password")
    new = form.password("new_password", new=True)
    form.done()
    async with session.begin():
        person = await _person(session, person_id)
        if not check_password(person.password_hash, current).ok:
            raise Invalid(
                _("Please correct the fields marked below."),
                {"current_password": _("This is not your current password.")},
            )
        person.password_hash = hash_password(new)
        person.token_version += 1
        session.add(person)
        await end_all(session, person_id, clock.now())
        await _record_own(session, person_id, "person.password_changed", {})
    return person


async def update_profile(session: AsyncSession, person_id: int, data: Mapping[str, Any]) -> Person:
    """Name and language; raises Invalid."""
    form = Form(data)
    name = form.text("name", max_length=120)
    language = form.choice("language", LANGUAGES)
    form.done()
    async with session.begin():
        person = await _person(session, person_id)
        before = {"name": person.name, "language": person.language}
        after = {"name": name, "language": language}
        if before != after:
            person.name, person.language = name, language
            session.add(person)
            await _record_own(
                session, person_id, "person.profile_changed", {"before": before, "after": after}
            )
    return person


async def set_language(session: AsyncSession, person_id: int, language: str) -> Person:
    form = Form({"language": language})
    clean = form.choice("language", LANGUAGES)
    form.done()
    async with session.begin():
        person = await _person(session, person_id)
        if person.language != clean:
            before = person.language
            person.language = clean
            session.add(person)
            await _record_own(
                session,
                person_id,
                "person.profile_changed",
                {"before": {"language": before}, "after": {"language": clean}},
            )
    return person
