"""Error pages speak the logged-in person's language (their profile), whatever the browser
asks, also when the error comes before any route runs (an unknown address, a wrong method);
an anonymous visitor keeps the cookie and browser rule."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text

from governance.base import db
from governance.base.settings import Settings

FRENCH = {"accept-language": "fr-BE,fr;q=0.9"}
ARABIC_404 = "هذه الصفحة غير موجودة."


def set_profile_language(settings: Settings, email: str, language: str) -> None:
    engine = create_engine(db.sync_url(settings.database_url))
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE person SET language = :l WHERE email = :e"), {"l": language, "e": email}
        )
    engine.dispose()


def arabic_visitor(visitor: Any, settings: Settings) -> Any:
    set_profile_language(settings, "omar@alpha.example", "ar")
    visitor.login("omar")
    visitor.jar.delete("governance_lang")  # no language cookie: only the profile says Arabic
    return visitor


def assert_arabic(page: Any, status: int) -> None:
    assert page.status_code == status
    assert 'lang="ar" dir="rtl"' in page.text
    assert "Erreur" not in page.text and "Error" not in page.text


@pytest.mark.parametrize(
    "url",
    [
        "/no/such/page",  # no route at all: refused before any route runs
        "/c/alpha/no-such-page",
        "/c/alpha/books/account?code=fund:nothing",  # a route's own NotFound
        "/c/alpha/statements/2026-13",
    ],
)
def test_a_404_for_an_arabic_profile_is_in_arabic_whatever_the_browser_asks(
    visitor: Any, world: Any, settings: Settings, url: str
) -> None:
    page = arabic_visitor(visitor, settings).get(url, headers=FRENCH)
    assert_arabic(page, 404)


def test_an_unknown_address_says_so_in_arabic(visitor: Any, world: Any, settings: Settings) -> None:
    page = arabic_visitor(visitor, settings).get("/no/such/page", headers=FRENCH)
    assert ARABIC_404 in page.text
    # The person stays shown as logged in on the error page (their menu, not the login link).
    assert "/logout" in page.text


def test_other_errors_before_and_inside_routes_are_in_arabic(
    visitor: Any, world: Any, settings: Settings
) -> None:
    arabic_visitor(visitor, settings)
    # 405: a method the address does not take (refused before the route runs).
    assert_arabic(visitor.request("PUT", "/c/alpha/books/", headers=FRENCH), 405)
    # 400: a parameter the route refuses.
    assert_arabic(visitor.get("/c/alpha/books/account?code=<x>", headers=FRENCH), 400)
    # 404: another cooperative (not named to someone outside it).
    assert_arabic(visitor.get("/c/beta/books/", headers=FRENCH), 404)
    # 403: the books, once the cooperative closes them to cooperators.
    engine = create_engine(db.sync_url(settings.database_url))
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE cooperative SET settings = :s WHERE slug = 'alpha'"),
            {"s": '{"open_books": false}'},
        )
    engine.dispose()
    assert_arabic(visitor.get("/c/alpha/books/", headers=FRENCH), 403)
    # 403: a form without its CSRF token.
    page = visitor.request("POST", "/c/alpha/costs/", data={"x": "1"}, headers=FRENCH)
    assert_arabic(page, 403)


def test_an_anonymous_visitor_follows_the_browser(visitor: Any, world: Any) -> None:
    page = visitor.get("/no/such/page", headers={"accept-language": "nl-BE,nl;q=0.9"})
    assert page.status_code == 404
    assert 'lang="nl"' in page.text
    page = visitor.get("/no/such/page", headers=FRENCH)
    assert 'lang="fr"' in page.text and "existe pas" in page.text


def test_an_anonymous_visitors_choice_beats_the_browser(visitor: Any, world: Any) -> None:
    visitor.post("/language", {"language": "ar", "next": "/login"})
    page = visitor.get("/no/such/page", headers=FRENCH)
    assert_arabic(page, 404)


def test_a_stale_session_cookie_counts_as_anonymous(
    visitor: Any, world: Any, settings: Settings
) -> None:
    arabic_visitor(visitor, settings)
    visitor.jar.set("governance_session", "not-a-session")
    page = visitor.get("/no/such/page", headers=FRENCH)
    assert page.status_code == 404 and 'lang="fr"' in page.text
    assert "/logout" not in page.text


def test_the_apis_refusals_before_a_route_are_in_the_persons_language(
    visitor: Any, world: Any, settings: Settings
) -> None:
    response = arabic_visitor(visitor, settings).get("/api/c/alpha/no-such-thing", headers=FRENCH)
    assert response.status_code == 404
    assert response.json()["detail"] == ARABIC_404
