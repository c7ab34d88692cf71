"""create_app(settings) -> Litestar: wires the database, templates, security and routes."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Litestar, Request, Response, Router, get
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.di import Provide
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    SerializationException,
    ValidationException,
)
from litestar.middleware import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from litestar.types import Message, Scope
from markupsafe import Markup
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from governance import request_log, static_assets
from governance.auth.current import choose_language
from governance.auth.middleware import SessionAuthentication
from governance.auth.pages import AuthController
from governance.base import db, i18n
from governance.base.errors import DomainError, NotFound
from governance.base.http import LoginRequired, json_error, login_redirect, page
from governance.base.i18n import N_, _
from governance.base.settings import PACKAGE_DIR, Settings
from governance.home.pages import CoopHomeController
from governance.input import json_body
from governance.input.text import isolate
from governance.language.labels import category_label, kind_label, label
from governance.ledger.billing.api import ClientApiController
from governance.ledger.billing.client_pages import ClientController
from governance.ledger.billing.pages import InvoiceController, PaymentController
from governance.ledger.books.api import BooksApiController
from governance.ledger.books.pages import BooksController
from governance.ledger.closing.pages import PeriodController
from governance.ledger.costs.pages import CostController
from governance.ledger.imports.pages import ImportController
from governance.ledger.payouts.pages import PayoutController
from governance.ledger.reversals.reversals import reverse_prestation
from governance.ledger.statements.pages import StatementController
from governance.ledger.work.api import PrestationApiController
from governance.ledger.work.pages import WorkController
from governance.ledger.work.prestations import Reverser
from governance.mail.pages import InvitationMailController
from governance.members.context import provide_coop
from governance.members.pages import (
    BankDetailsController,
    CoopController,
    CoopMembersApiController,
    HomeController,
    InvitationController,
    MembersApiController,
)
from governance.proxies import ForwardedHeaders
from governance.trail.checkpoint_pages import CheckpointController
from governance.trail.pages import AuditApiController, AuditController
from governance.votes.api import ProposalApiController
from governance.votes.drafting import funds
from governance.votes.pages import ProposalController

log = logging.getLogger("governance")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


def template_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(PACKAGE_DIR / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship with the code; checking their files on every render costs a stat each.
        auto_reload=False,
    )
    # Installed once; each call looks the request's language up in a ContextVar.
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        money=i18n.money,
        date=i18n.date_short,
        datetime=i18n.datetime_short,
        language_name=i18n.language_name,
        label=label,  # a code's name: label("basis", "cash") (governance/language/labels.py)
        kind_label=kind_label,  # a prestation kind's name (ledger/work/_labels.html)
        category_label=category_label,  # a cost category's name (ledger/costs/_cost_labels.html)
        # why an adopted proposal's effect was not carried out (votes/_effect.html)
        effect_not_carried_out=funds.not_carried_out,
        effect_failure_text=funds.failure_text,
    )
    # A name inside the page title keeps its own direction (docs/text.md).
    env.filters["isolate_text"] = _isolate_text
    # Lists in the reader's punctuation, each item in <bdi> ("A, B et C", "A وB وC").
    env.filters["join_list"] = i18n.join_list_html
    return env


def _isolate_text(value: object) -> str:
    """`text.isolate` for a template: a block already escaped stays markup, a str is escaped."""
    if isinstance(value, Markup):
        return Markup(isolate(str(value)))  # noqa: S704 - escaped markup, two characters added
    return isolate(str(value))


HSTS = "max-age=31536000; includeSubDomains"


async def _add_security_headers(message: Message, scope: Scope) -> None:
    if message["type"] == "http.response.start":
        headers = MutableScopeHeaders.from_message(message=message)
        for name, value in SECURITY_HEADERS.items():
            headers[name] = value
        if scope["app"].state.settings.production:
            # Browsers then refuse plain HTTP to this host for a year (production is HTTPS).
            headers["strict-transport-security"] = HSTS
        if scope.get("path", "").startswith(("/c/", "/account", "/api/", "/invite/")):
            headers["cache-control"] = "no-store"


# Row ids are 32-bit integers on PostgreSQL: a larger id in a URL names nothing.
MAX_ID = 2**31 - 1


async def _before_request(request: Request) -> None:
    i18n.set_language(choose_language(request))
    for name, value in request.path_params.items():
        if name.endswith("_id") and isinstance(value, int) and not 0 < value <= MAX_ID:
            raise NotFound(_("This page does not exist."))


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith(("/api/", "/schema"))


def _error_page(request: Request[Any, Any, Any], status: int, message: str) -> Response[Any]:
    i18n.set_language(choose_language(request))
    if _wants_json(request):
        return json_error(status, message)
    return page(request, "errors/error.html", status_code=status, status=status, message=message)


_MESSAGES = {
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


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    i18n.set_language(choose_language(request))
    if isinstance(exc, LoginRequired | NotAuthorizedException):
        if _wants_json(request):
            return json_error(401, _(_MESSAGES[401]))
        return login_redirect(request)
    status = exc.status_code
    if isinstance(exc, ValidationException) and _wants_json(request):
        status, fields = json_body.refused_parameters(exc.extra)
        message = _(_MESSAGES[400]) if status == 400 else _(json_body.WRONG_FIELDS)
        response = json_error(status, message, fields)
        response.content["extra"] = exc.extra
        return response
    if isinstance(exc.__cause__, SerializationException) and _wants_json(request):
        return json_error(422, _("The request body is not valid JSON."))
    if status == 403 and "CSRF" in str(exc.detail):
        message = _("Your form has expired. Go back, reload the page and try again.")
        return _error_page(request, 403, message)
    return _error_page(request, status, _(_MESSAGES.get(status, _MESSAGES[400])))


def _domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    i18n.set_language(choose_language(request))
    if _wants_json(request):
        return json_error(exc.status_code, exc.message, exc.fields)
    return _error_page(request, exc.status_code, exc.message)


async def _person_behind_an_error(exc: Exception, scope: Scope) -> None:
    """Before the error's page: find the logged-in person when the session middleware did not
    run (no route for the address, a method it does not take, a refused CSRF token), as the
    middleware would, so that the page is in their language and shows them logged in.

    The middleware sets `user` (a person or None) whenever it runs: this reads the session only
    when it did not. Skipped when the database is the trouble; never raises (anonymous then).
    """
    if scope["type"] != "http" or "user" in scope or _database_down(exc):
        return
    try:
        found = await _SESSION_READER.authenticate_request(ASGIConnection(scope))
    except Exception as error:
        log.warning("error page without its person: %s", type(error).__name__)
        return
    scope["user"] = found.user
    scope["auth"] = found.auth


async def _no_app(_scope: Scope, _receive: Any, _send: Any) -> None:
    """Never called: `_SESSION_READER` only reads sessions, it wraps nothing."""


_SESSION_READER = SessionAuthentication(app=_no_app)


def _server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    route = request.scope.get("path_template") or "(no route)"
    if isinstance(exc, RecursionError) and json_body.too_deep(exc):
        i18n.set_language(choose_language(request))
        return json_error(422, _("The request body is not valid JSON."))
    if _database_down(exc):
        # The transaction did not commit: nothing was half-written.
        log.error("database unavailable on %s %s: %s", request.method, route, type(exc).__name__)
        return _error_page(request, 503, _(_MESSAGES[503]))
    log.exception("unhandled error on %s %s", request.method, route)
    return _error_page(request, 500, _(_MESSAGES[500]))


def _database_down(exc: BaseException) -> bool:
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


@get("/healthz", exclude_from_auth=True, include_in_schema=False)
async def healthz(request: Request) -> Response[dict[str, str]]:
    """200 once the database answered a query; 503 with a short reason when it does not."""
    try:
        # The reading engine: on SQLite the writer's would queue behind the write lock.
        await asyncio.wait_for(db.ping(request.app.state.read_engine), timeout=HEALTH_TIMEOUT)
    except Exception as error:
        log.warning("health check: database unavailable (%s)", type(error).__name__)
        return Response(
            {"status": "unavailable", "reason": "database unreachable"}, status_code=503
        )
    return Response({"status": "ok"})


HEALTH_TIMEOUT = 5.0  # seconds: a health check that hangs is as bad as one that fails


def _reverser() -> Reverser:
    """The reversal use case, for the work pages and API (which sit below it)."""
    return reverse_prestation


COOPERATIVE_DEPENDENCIES = {
    "coop": Provide(provide_coop),
    "reverse_prestation": Provide(_reverser, sync_to_thread=False),
}


def cooperative_pages() -> Router:
    """Every page of a cooperative, under /c/{slug}: each handler receives `coop`, the
    cooperative of the URL and the asking person's membership (members/context.py)."""
    return Router(
        path="/c/{slug:str}",
        dependencies=COOPERATIVE_DEPENDENCIES,
        route_handlers=[
            CoopController,
            InvitationMailController,
            CoopHomeController,
            AuditController,
            CheckpointController,
            WorkController,
            ImportController,
            CostController,
            ClientController,
            InvoiceController,
            PaymentController,
            PayoutController,
            PeriodController,
            StatementController,
            BooksController,
            ProposalController,
        ],
    )


def cooperative_api() -> Router:
    """The JSON API of a cooperative, under /api/c/{slug}, with the same `coop`."""
    return Router(
        path="/api/c/{slug:str}",
        dependencies=COOPERATIVE_DEPENDENCIES,
        route_handlers=[
            CoopMembersApiController,
            AuditApiController,
            PrestationApiController,
            ClientApiController,
            BooksApiController,
            ProposalApiController,
        ],
    )


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    if settings.check_migrations:
        db.check_migrated(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = db.make_engine(settings.database_url)
        # GET and HEAD requests (and the session lookup) read through their own engine: on
        # SQLite they do not queue behind the write lock; on PostgreSQL its transactions are
        # read-only, so that a GET cannot write even by mistake.
        reader = db.make_engine(settings.database_url, read_only=True)
        app.state.engine = engine
        app.state.read_engine = reader
        app.state.sessionmaker = db.make_sessionmaker(engine)
        app.state.read_sessionmaker = db.make_sessionmaker(reader)
        # What start-up loaded (modules, routes, templates) lives as long as the process: keep
        # it out of the collector's full passes, which otherwise walk all of it (about 0.1 s
        # in the middle of a month close that allocates much).
        gc.freeze()
        try:
            yield
        finally:
            await engine.dispose()
            await reader.dispose()

    from governance.base.http import provide_db

    app = Litestar(
        route_handlers=[
            healthz,
            AuthController,
            BankDetailsController,
            HomeController,
            InvitationController,
            MembersApiController,
            cooperative_pages(),
            cooperative_api(),
            static_assets.static_file,
            static_assets.favicon,
        ],
        dependencies={"db": Provide(provide_db)},
        lifespan=[lifespan],
        # Wraps the whole app: the request log and HEAD (Litestar's middleware is per route).
        on_startup=[request_log.install],
        middleware=[
            DefineMiddleware(ForwardedHeaders, trusted=settings.trusted_proxies),
            SessionAuthentication,
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.cookie_secure,
            cookie_httponly=True,
            cookie_samesite="lax",
        ),
        template_config=TemplateConfig(
            instance=JinjaTemplateEngine.from_environment(
                static_assets.with_static_url(template_environment())
            )
        ),
        plugins=[json_body.StrictBodySchema()],
        before_request=_before_request,
        before_send=[_add_security_headers],
        after_exception=[_person_behind_an_error],
        exception_handlers={
            HTTPException: _http_error,
            DomainError: _domain_error,
            Exception: _server_error,
        },
        openapi_config=OpenAPIConfig(
            title="governance", version="0.1.0", path="/schema", render_plugins=[JsonRenderPlugin()]
        ),
        # The schema describes the JSON API (docs/api.md): its controllers opt in; the pages,
        # HTML forms with their CSRF field, stay out of it.
        include_in_schema=False,
        state=None,
        debug=False,
        compression_config=request_log.compression(),
        logging_config=request_log.logging_config(settings),
    )
    app.state.settings = settings
    return app
