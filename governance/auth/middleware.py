"""Reads the session cookie on every request; an absent, bad or ended session means anonymous."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from sqlmodel import Session

from governance.auth import tokens
from governance.auth.models import Person
from governance.auth.sessions import SESSION_COOKIE, live_person
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
