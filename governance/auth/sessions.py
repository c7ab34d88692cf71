"""Server-side sessions: each login is a row; every authenticated request checks it is live.

The session token (a signed JWT in the `governance_session` cookie) names the person, their
token version and a random session id. A request is authenticated only when the row of that
id exists, belongs to that person, has not ended and has not expired, and the person's token
version is still the token's (suspension and "log out everywhere" raise it). docs/sessions.md.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from litestar.datastructures import Cookie
from sqlalchemy import bindparam, delete, or_, update
from sqlmodel import Session, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth import tokens
from governance.auth.models import AuthSession, Person
from governance.base.settings import Settings

SESSION_COOKIE = "governance_session"
# Ended and expired sessions are kept this long (who was logged in when), then purged.
KEEP_ENDED = timedelta(days=30)


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("ascii")).hexdigest()


async def start(session: AsyncSession, person: Person, settings: Settings, now: datetime) -> Cookie:
    """A new session for `person`, committed; the cookie that carries its token."""
    assert person.id is not None
    session_id = secrets.token_urlsafe(24)
    ttl = timedelta(hours=settings.token_ttl_hours)
    async with session.begin():
        session.add(
            AuthSession(
                id=_key(session_id), person_id=person.id, created_at=now, expires_at=now + ttl
            )
        )
    token = tokens.issue_session(
        person.id, person.token_version, session_id, settings.secret_key, now, ttl
    )
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=int(ttl.total_seconds()),
        path="/",
    )


# Built once, at import (building a statement costs about what running it costs).
_LIVE_PERSON = (
    select(Person)
    .join(AuthSession, col(AuthSession.person_id) == col(Person.id))
    .where(
        col(AuthSession.id) == bindparam("key"),
        col(Person.id) == bindparam("person"),
        col(AuthSession.ended_at).is_(None),
        col(AuthSession.expires_at) > bindparam("now"),
    )
)


def live_person(session: Session, claims: tokens.SessionClaims, now: datetime) -> Person | None:
    """The person of a live session, or None: the row of the token's session id exists,
    belongs to the token's person, has not ended nor expired, and the person's token version is
    still the token's. One query, by primary key; never writes. A plain function, read through
    governance.base.db.read by the authentication middleware (one hop on SQLite)."""
    params = {"key": _key(claims.session_id), "person": claims.person_id, "now": now}
    person = session.exec(_LIVE_PERSON, params=params).first()
    if person is None or person.token_version != claims.token_version:
        return None
    return person


async def end(session: AsyncSession, claims: tokens.SessionClaims, now: datetime) -> bool:
    """End one session (logout), committed; False when it had already ended."""
    async with session.begin():
        result = await session.exec(
            update(AuthSession)
            .where(
                col(AuthSession.id) == _key(claims.session_id),
                col(AuthSession.person_id) == claims.person_id,
                col(AuthSession.ended_at).is_(None),
            )
            .values(ended_at=now)
        )
    return bool(result.rowcount)


async def end_all(session: AsyncSession, person_id: int, now: datetime) -> int:
    """End every live session of a person, inside the caller's transaction; how many."""
    result = await session.exec(
        update(AuthSession)
        .where(col(AuthSession.person_id) == person_id, col(AuthSession.ended_at).is_(None))
        .values(ended_at=now)
    )
    return int(result.rowcount)


async def live_count(session: AsyncSession, person_id: int, now: datetime) -> int:
    """How many sessions of this person are live (the account page shows it)."""
    count = await session.exec(
        select(func.count())
        .select_from(AuthSession)
        .where(
            col(AuthSession.person_id) == person_id,
            col(AuthSession.ended_at).is_(None),
            col(AuthSession.expires_at) > now,
        )
    )
    return int(count.one())


async def purge_sessions(
    session: AsyncSession, now: datetime, *, keep: timedelta = KEEP_ENDED
) -> int:
    """Delete the sessions that ended or expired more than `keep` ago; committed; how many."""
    cutoff = now - keep
    async with session.begin():
        result = await session.exec(
            delete(AuthSession).where(
                or_(col(AuthSession.expires_at) < cutoff, col(AuthSession.ended_at) < cutoff)
            )
        )
    return int(result.rowcount)
