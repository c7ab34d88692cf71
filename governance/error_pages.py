"""Errors as the person sees them: the error page or JSON error in their language, the
person behind an error found even when no route ran, 500s logged with their traceback and 503s
when the database cannot be reached (registered by governance/app.py)."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    SerializationException,
    ValidationException,
)
from litestar.types import Scope
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from governance.auth.current import choose_language
from governance.auth.middleware import SessionAuthentication
from governance.base import i18n
from governance.base.errors import DomainError
from governance.base.http import LoginRequired, json_error, login_redirect, page
from governance.base.i18n import N_, _
from governance.input import json_body

log = logging.getLogger("governance")


def wants_json(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith(("/api/", "/schema"))


def error_page(request: Request[Any, Any, Any], status: int, message: str) -> Response[Any]:
    i18n.set_language(choose_language(request))
    if wants_json(request):
        return json_error(status, message)
    return page(request, "errors/error.html", status_code=status, status=status, message=message)


MESSAGES = {
    400: N_("The request could not be understood."),
    401: N_("Please log in."),
    403: N_("You are not allowed to see or do this."),
    404: N_("This page does not exist."),
    405: N_("This page does not accept this kind of request."),
    429: N_("Too many requests. Wait a moment and try again."),
    500: N_("Something went wrong on our side. Nothing was changed; please try again."),
    503: N_(
        "The service is unavailable for a moment. Nothing was changed; please try again in a "
        "few minutes."
    ),
}


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    i18n.set_language(choose_language(request))
    if isinstance(exc, LoginRequired | NotAuthorizedException):
        if wants_json(request):
            return json_error(401, _(MESSAGES[401]))
        return login_redirect(request)
    status = exc.status_code
    if isinstance(exc, ValidationException) and wants_json(request):
        status, fields = json_body.refused_parameters(exc.extra)
        message = _(MESSAGES[400]) if status == 400 else _(json_body.WRONG_FIELDS)
        response = json_error(status, message, fields)
        response.content["extra"] = exc.extra
        return response
    if isinstance(exc.__cause__, SerializationException) and wants_json(request):
        return json_error(422, _("The request body is not valid JSON."))
    if status == 403 and "CSRF" in str(exc.detail):
        message = _("Your form has expired. Go back, reload the page and try again.")
        return error_page(request, 403, message)
    return error_page(request, status, _(MESSAGES.get(status, MESSAGES[400])))


def domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    i18n.set_language(choose_language(request))
    if wants_json(request):
        return json_error(exc.status_code, exc.message, exc.fields)
    return error_page(request, exc.status_code, exc.message)


async def person_behind_an_error(exc: Exception, scope: Scope) -> None:
    """Before the error's page: find the logged-in person when the session middleware did not
    run (no route for the address, a method it does not take, a refused CSRF token), as the
    middleware would, so that the page is in their language and shows them logged in.

    The middleware sets `user` (a person or None) whenever it runs: this reads the session only
    when it did not. Skipped when the database is the trouble; never raises (anonymous then).
    """
    if scope["type"] != "http" or "user" in scope or database_down(exc):
        return
    try:
        found = await SESSION_READER.authenticate_request(ASGIConnection(scope))
    except Exception as error:
        log.warning("error page without its person: %s", type(error).__name__)
        return
    scope["user"] = found.user
    scope["auth"] = found.auth


async def no_app(_scope: Scope, _receive: Any, _send: Any) -> None:
    """Never called: `SESSION_READER` only reads sessions, it wraps nothing."""


SESSION_READER = SessionAuthentication(app=no_app)


def server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    route = request.scope.get("path_template") or "(no route)"
    if isinstance(exc, RecursionError) and json_body.too_deep(exc):
        i18n.set_language(choose_language(request))
        return json_error(422, _("The request body is not valid JSON."))
    if database_down(exc):
        # The transaction did not commit: nothing was half-written.
        log.error("database unavailable on %s %s: %s", request.method, route, type(exc).__name__)
        return error_page(request, 503, _(MESSAGES[503]))
    log.exception("unhandled error on %s %s", request.method, route)
    return error_page(request, 500, _(MESSAGES[500]))


def database_down(exc: BaseException) -> bool:
    """The database cannot be reached (refused, gone, pool exhausted, SQLite's file locked or
    missing), as opposed to a bug or a conflict, which stay 500s with their traceback."""
    if isinstance(exc, PoolTimeout | ConnectionError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    # psycopg: no SQLSTATE (the connection failed) or class 08 (connection exception) and
    # 57P (the server shutting down); deadlocks, cancelled queries... have their own codes.
    state = getattr(exc.orig, "sqlstate", None)
    if state is not None:
        return str(state).startswith(("08", "57P"))
    message = str(exc.orig).lower()
    if type(exc.orig).__module__.startswith("sqlite3"):
        return "unable to open" in message or "database is locked" in message
    return True
