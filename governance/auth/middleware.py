"""Reads the session cookie on every request; an absent, bad or ended session means anonymous."""

from __future__ import annotations

import logging

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from governance.auth import sessions, tokens
from governance.auth.sessions import SESSION_COOKIE
from governance.base import clock

__all__ = ["SESSION_COOKIE", "SessionAuthentication"]
log = logging.getLogger(__name__)


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
        # The reading engine (read-only on PostgreSQL): checking a session never writes.
        async with state.read_sessionmaker() as session:
            person = await sessions.live_person(session, claims, clock.now())
        if person is None:
            return AuthenticationResult(user=None, auth=None)
        return AuthenticationResult(user=person, auth=claims)
