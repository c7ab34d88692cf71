"""What every page and API handler shares: the database session, settings, cookies and flashes,
redirects, page rendering and JSON errors. Nothing here knows who is logged in or in which
cooperative: governance/auth/current.py and governance/members/context.py add that."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.response import Redirect, Template
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.base import db, i18n
from governance.base.i18n import N_, _
from governance.base.settings import Settings

LANGUAGE_COOKIE = "governance_lang"
FLASH_COOKIE = "governance_flash"

# Flash messages travel as keys, never as text, so a cookie cannot inject words into a page.
FLASHES = {
    "logged_in": N_("Welcome back."),
    "invoice_credited": N_("The credit note has been issued."),
    "logged_out": N_("You are logged out."),
    "logged_out_everywhere": N_("Every session of your account has been ended."),
    "password_changed": N_("Your password has been changed."),
    "profile_saved": N_("Your profile has been saved."),
    "language_saved": N_("Language changed."),
    "member_invited": N_("The invitation has been created."),
    "role_changed": N_("The role has been changed."),
    "details_saved": N_("The cooperative's details have been saved."),
    "member_suspended": N_("The membership has been suspended."),
    "member_reinstated": N_("The membership has been reinstated."),
    "joined": N_("Welcome to the cooperative."),
    "prestation_recorded": N_("The prestation has been recorded."),
    "prestation_submitted": N_("The prestation has been sent for validation."),
    "prestations_validated": N_("Validated, and written in the books."),
    "prestation_rejected": N_("The prestation has been rejected."),
    "prestation_reversed": N_(
        "The prestation has been reversed: it no longer counts in the books."
    ),
    "cost_recorded": N_("The cost has been recorded."),
    "client_added": N_("The client has been added."),
    "client_saved": N_("The client has been saved."),
    "client_archived": N_("The client has been archived."),
    "client_restored": N_("The client has been restored."),
    "invoice_issued": N_("The invoice has been issued."),
    "invoice_cancelled": N_("The invoice has been cancelled by a credit note."),
    "payment_recorded": N_("The payment has been recorded."),
    "bank_nothing_new": N_(
        "Every line of this file was imported before: nothing new was recorded."
    ),
    "bank_line_matched": N_("The bank line is matched, and the books say so."),
    "bank_match_undone": N_(
        "The match is undone: what it wrote is reversed, the line waits again."
    ),
    "bank_close_rule_saved": N_("The rule for closing a month with the bank is saved."),
    "prestations_imported": N_("The prestations have been imported. They wait for validation."),
    "review_started": N_("The review has started: every member can now read their draft."),
    "review_time_saved": N_("The minimum review time has been changed."),
    "draft_read": N_("Thank you: your draft is marked as read. You can still contest a line."),
    "contest_sent": N_("Your comment has been sent. A coordinator will answer on this page."),
    "contest_kept": N_("The line is kept; the member can read your reason."),
    "contest_corrected": N_("The line has been corrected; the member can read your reason."),
    "period_closed": N_("The month is closed. The statements have been issued."),
    "proposal_drafted": N_("The draft has been saved. It can change until it is opened."),
    "proposal_saved": N_("The draft has been saved."),
    "proposal_opened": N_("The vote is open."),
    "ballot_cast": N_("Your vote has been recorded. Keep your receipt."),
    "proxy_given": N_("Your proxy has been given."),
    "proxy_revoked": N_("Your proxy has been taken back."),
    "comment_added": N_("Your message has been added to the discussion."),
    "rules_saved": N_("The voting rules have been changed."),
    "email_saved": N_("Whether notices are sent by e-mail is saved."),
}


Db = NamedDependency[AsyncSession]


class LoginRequired(HTTPException):
    status_code = 401
    detail = "Login required"


SAFE_METHODS = frozenset({"GET", "HEAD"})


async def provide_db(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for this request; GET and HEAD never write, so they read without locking."""
    state = request.app.state
    maker = state.read_sessionmaker if request.method in SAFE_METHODS else state.sessionmaker
    async with maker() as session:
        yield session


T = TypeVar("T")


async def read(request: Request, query: Callable[[Session], T]) -> T:
    """`query(session)` in one read transaction of the reading engine, whatever the method:
    on SQLite all its statements in one hop to a thread (governance.base.db.read)."""
    return await db.read(request.app.state.read_engine, query)


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def safe_next(target: str | None) -> str:
    """Only local paths, so that a crafted link cannot send someone elsewhere after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def login_redirect(request: Request) -> Redirect:
    path = request.url.path
    if request.url.query:
        path += "?" + request.url.query
    return Redirect(f"/login?next={quote(path)}")


def expired_cookie(settings: Settings, key: str) -> Cookie:
    return Cookie(
        key=key,
        value="",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=0,
        path="/",
    )


def flash_cookie(settings: Settings, key: str) -> Cookie:
    return Cookie(
        key=FLASH_COOKIE,
        value=key,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=60,
        path="/",
    )


def redirect(request: Request, to: str, flash: str | None = None) -> Redirect:
    response = Redirect(to)
    if flash:
        response.set_cookie(flash_cookie(settings_of(request), flash))
    return response


async def form_data(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {key: form.get(key) for key in form}


def base_context(request: Request) -> dict[str, Any]:
    person = request.scope.get("user")  # the logged-in Person, or None
    flash_key = request.cookies.get(FLASH_COOKIE)
    return {
        "person": person,
        "coop": getattr(request.state, "coop", None),
        "flash": _(FLASHES[flash_key]) if flash_key in FLASHES else None,
        "lang": i18n.current_language(),
        "direction": i18n.direction(),
        "languages": i18n.LANGUAGE_NAMES,
        "path": request.url.path,
    }


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> Template:
    response = Template(
        template_name=template,
        context={**base_context(request), **context},
        status_code=status_code,
        # Every page template is HTML: named, Litestar need not guess it from the file name.
        media_type=MediaType.HTML,
    )
    if request.cookies.get(FLASH_COOKIE):
        response.set_cookie(expired_cookie(settings_of(request), FLASH_COOKIE))
    return response


def json_error(
    status_code: int, message: str, fields: Mapping[str, str] | None = None
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {"status_code": status_code, "detail": message}
    if fields:
        body["errors"] = dict(fields)
    return Response(body, status_code=status_code)
