"""Who is asking: the logged-in person of a request, and the language to answer in."""

from __future__ import annotations

from litestar import Request

from governance.auth.models import Person
from governance.base import i18n
from governance.base.http import LANGUAGE_COOKIE, LoginRequired, settings_of


def current_person(request: Request) -> Person | None:
    user = request.scope.get("user")
    return user if isinstance(user, Person) else None


def require_person(request: Request) -> Person:
    person = current_person(request)
    if person is None:
        raise LoginRequired()
    return person


def choose_language(request: Request) -> str:
    person = current_person(request)
    if person is not None:
        return person.language
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in i18n.LANGUAGE_NAMES:
        return cookie
    return i18n.negotiate(
        request.headers.get("accept-language"), settings_of(request).default_language
    )
