"""create_app(settings) -> Litestar: wires the database, templates, security and routes."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Litestar, Request, Response, Router, get
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.di import Provide
from litestar.exceptions import (
    HTTPException,
)
from litestar.middleware import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from litestar.types import Message, Scope
from markupsafe import Markup

from governance import error_pages, request_log, static_assets
from governance.auth.current import choose_language
from governance.auth.middleware import SessionAuthentication
from governance.auth.pages import AuthController
from governance.base import db, i18n
from governance.base.errors import DomainError, NotFound
from governance.base.i18n import _
from governance.base.settings import PACKAGE_DIR, Settings
from governance.home.pages import CoopHomeController
from governance.input import json_body
from governance.input.text import isolate
from governance.language.labels import category_label, kind_label, label
from governance.ledger.bank.pages import BankController
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
from governance.members.context import COOP_WITH_PERSON, provide_coop
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
        # The cooperative and the membership read in the session check's transaction.
        opt=COOP_WITH_PERSON,
        route_handlers=[
            CoopController,
            InvitationMailController,
            CoopHomeController,
            AuditController,
            CheckpointController,
            WorkController,
            ImportController,
            CostController,
            BankController,
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
        # The cooperative and the membership read in the session check's transaction.
        opt=COOP_WITH_PERSON,
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
        after_exception=[error_pages.person_behind_an_error],
        exception_handlers={
            HTTPException: error_pages.http_error,
            DomainError: error_pages.domain_error,
            Exception: error_pages.server_error,
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
