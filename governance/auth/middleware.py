"""Reads the session cookie on every request; an absent or bad token means anonymous."""

from __future__ import annotations

import logging

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from governance.auth import tokens
from governance.members.models import Person

SESSION_COOKIE = "governance_session"
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
        async with state.read_sessionmaker() as session:
            person = await session.get(Person, claims.person_id)
        if person is None or person.token_version != claims.token_version:
            return AuthenticationResult(user=None, auth=None)
        return AuthenticationResult(user=person, auth=claims)
