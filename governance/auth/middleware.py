"""Reads the session cookie on every request; an absent, bad or ended session means anonymous."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from governance.auth import tokens
from governance.auth.models import AuthSession, Person
from governance.auth.sessions import SESSION_COOKIE
from governance.base import clock, db

__all__ = ["READ_WITH_PERSON", "SESSION_COOKIE", "SessionAuthentication"]
log = logging.getLogger(__name__)

# A route's `opt` key: a function `(session, person, path_params) -> value` whose value a
# later dependency needs, read in the same transaction as the person (one hop on SQLite), and
# left in the request's state under this key. The auth layer knows no cooperative: the
# cooperative context (governance.members.context.read_coop_with_person) is one.
READ_WITH_PERSON = "read_with_person"
ReadWithPerson = Callable[[Session, Person, Mapping[str, Any]], Any]


class SessionAuthentication(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        token = connection.cookies.get(SESSION_COOKIE)
        if not token:
            return AuthenticationResult(user=None, auth=None)
        state = connection.app.state
        try:
            claims = tokens.read_session(token, state.settings.secret_key)
        except tokens.InvalidToken:
            return AuthenticationResult(user=None, auth=None)
        now = clock.now()
        handler = connection.scope.get("route_handler")
        also: ReadWithPerson | None = handler.opt.get(READ_WITH_PERSON) if handler else None
        params = dict(connection.scope.get("path_params") or {})

        def query(session: Session) -> tuple[Person | None, Any]:
            person = live_person(session, claims, now)
            if person is None or also is None:
                return person, None
            return person, also(session, person, params)

        # The reading engine (read-only on PostgreSQL): checking a session never writes. One
        # statement (and the route's READ_WITH_PERSON), in one hop to SQLite's thread.
        person, found = await db.read(state.read_engine, query)
        if person is None:
            return AuthenticationResult(user=None, auth=None)
        if also is not None:
            connection.state[READ_WITH_PERSON] = found
        return AuthenticationResult(user=person, auth=claims)


# Built once, at import (building a statement costs about what running it costs).
LIVE_PERSON = (
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
    still the token's (the rule of governance.auth.sessions.live_person, read without a hop per
    driver call). One query, by primary key; never writes."""
    key = hashlib.sha256(claims.session_id.encode("ascii")).hexdigest()  # as sessions._key
    found = session.exec(LIVE_PERSON, params={"key": key, "person": claims.person_id, "now": now})
    person = found.first()
    if person is None or person.token_version != claims.token_version:
        return None
    return person
