"""Login, logout, the account page and the language switch (the account page's bank-details
form posts to members: governance/members/pages.py, BankDetailsController)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from governance.auth import service, sessions, tokens
from governance.auth.current import current_person, require_person
from governance.auth.sessions import SESSION_COOKIE
from governance.base import clock, i18n
from governance.base.errors import Invalid, TooManyAttempts
from governance.base.http import (
    LANGUAGE_COOKIE,
    Db,
    expired_cookie,
    flash_cookie,
    form_data,
    page,
    redirect,
    safe_next,
    settings_of,
)

# Set when someone picks a language before logging in (for half an hour): the login then saves
# that language on the profile. A language cookie alone (left by an earlier visit, maybe by
# someone else on this browser) only dresses the anonymous pages: the profile wins.
CHOSEN_COOKIE = "governance_lang_chosen"
CHOSEN_MAX_AGE = 30 * 60


class AuthController(Controller):
    path = "/"

    @get("/login", name="login")
    async def login_form(
        self, request: Request, next: FromQuery[str | None] = None
    ) -> Template | Redirect:
        """The login page; a logged-in person goes straight on."""
        if current_person(request) is not None:
            return Redirect(safe_next(next))
        return page(request, "auth/login.html", next=safe_next(next), values={}, errors={})

    @post("/login")
    async def login(self, request: Request, db: Db) -> Template | Redirect:
        """Check the password, set the session cookie, go where the person was going."""
        data = await form_data(request)
        settings = settings_of(request)
        address = request.client.host if request.client else "unknown"
        target = safe_next(str(data.get("next") or "/"))
        try:
            person = await service.login(
                db,
                data,
                address,
                max_failures=settings.login_max_failures,
                window_minutes=settings.login_window_minutes,
            )
        except (Invalid, TooManyAttempts) as error:
            status = error.status_code if isinstance(error, TooManyAttempts) else 400
            return page(
                request,
                "auth/login.html",
                status_code=status,
                next=target,
                values={"email": str(data.get("email") or "")[:254]},
                errors=error.fields,
                error=error.message,
            )
        chosen = request.cookies.get(LANGUAGE_COOKIE)
        if request.cookies.get(CHOSEN_COOKIE) and chosen in i18n.LANGUAGE_NAMES:
            # Chosen on these pages before logging in: it wins over the profile, and the
            # profile keeps it (audited as any profile change).
            assert person.id is not None
            person = await service.set_language(db, person.id, chosen)
        cookie = await sessions.start(db, person, settings, clock.now())
        response = Redirect(target)
        response.set_cookie(cookie)
        response.set_cookie(flash_cookie(settings, "logged_in"))
        response.set_cookie(expired_cookie(settings, CHOSEN_COOKIE))
        return response

    @post("/logout")
    async def logout(self, request: Request, db: Db) -> Redirect:
        """End this browser's session on the server (a copy of its token dies with it)."""
        claims = request.scope.get("auth")
        if isinstance(claims, tokens.SessionClaims):
            await sessions.end(db, claims, clock.now())
        response = redirect(request, "/login", "logged_out")
        response.set_cookie(expired_cookie(settings_of(request), SESSION_COOKIE))
        return response

    @get("/account")
    async def account(self, request: Request, db: Db) -> Template:
        """The person's own profile, password and sessions."""
        person = require_person(request)
        assert person.id is not None
        return page(
            request,
            "auth/account.html",
            values={"name": person.name, "language": person.language},
            errors={},
            live_sessions=await sessions.live_count(db, person.id, clock.now()),
        )

    @post("/account/profile")
    async def save_profile(self, request: Request, db: Db) -> Template | Redirect:
        """Change name and language."""
        person = require_person(request)
        assert person.id is not None
        data = await form_data(request)
        try:
            updated = await service.update_profile(db, person.id, data)
        except Invalid as error:
            return page(
                request,
                "auth/account.html",
                status_code=400,
                values=data,
                errors=error.fields,
                error=error.message,
            )
        i18n.set_language(updated.language)
        response = redirect(request, "/account", "profile_saved")
        response.set_cookie(_language_cookie(request, updated.language))
        return response

    @post("/account/password")
    async def change_password(self, request: Request, db: Db) -> Template | Redirect:
        """New password; every other session ends, this one gets a fresh token."""
        person = require_person(request)
        assert person.id is not None
        data = await form_data(request)
        try:
            updated = await service.change_password(db, person.id, data)
        except Invalid as error:
            return page(
                request,
                "auth/account.html",
                status_code=400,
                values={"name": person.name, "language": person.language},
                errors=error.fields,
                error=error.message,
            )
        cookie = await sessions.start(db, updated, settings_of(request), clock.now())
        response = redirect(request, "/account", "password_changed")
        response.set_cookie(cookie)
        return response

    @post("/account/logout-everywhere")
    async def logout_everywhere(self, request: Request, db: Db) -> Redirect:
        """End every session of this account, this one included."""
        person = require_person(request)
        assert person.id is not None
        await service.log_out_everywhere(db, person.id)
        response = redirect(request, "/login", "logged_out_everywhere")
        response.set_cookie(expired_cookie(settings_of(request), SESSION_COOKIE))
        return response

    @post("/language")
    async def switch_language(self, request: Request, db: Db) -> Redirect:
        """Saved on the profile when logged in; in a cookie otherwise, which the next login
        saves on the profile (a choice made before logging in is kept); back to the same page."""
        data = await form_data(request)
        language = str(data.get("language") or "")
        target = safe_next(str(data.get("next") or "/"))
        if language not in i18n.LANGUAGE_NAMES:
            return Redirect(target)
        person = current_person(request)
        response = Redirect(target)
        if person is not None and person.id is not None:
            await service.set_language(db, person.id, language)
        else:
            response.set_cookie(
                CHOSEN_COOKIE,
                "1",
                # Half an hour: long enough to log in, short enough that on a shared browser
                # one person's choice is not saved on the next person's profile.
                max_age=CHOSEN_MAX_AGE,
                httponly=True,
                samesite="lax",
                secure=settings_of(request).cookie_secure,
                path="/",
            )
        response.set_cookie(_language_cookie(request, language))
        return response


def _language_cookie(request: Request, language: str) -> Cookie:
    """The language of this browser's pages while nobody is logged in (after a logout too)."""
    return Cookie(
        key=LANGUAGE_COOKIE,
        value=language,
        httponly=True,
        samesite="lax",
        secure=settings_of(request).cookie_secure,
        max_age=365 * 24 * 3600,
        path="/",
    )
