"""Pages in the person's language: profile first, then the switch, then the browser."""

from __future__ import annotations

from typing import Any

import pytest


def test_an_anonymous_visitor_gets_the_browsers_language(visitor: Any) -> None:
    page = visitor.get("/login", headers={"accept-language": "nl-BE,nl;q=0.9,en;q=0.5"})
    assert 'lang="nl"' in page.text


def test_an_unknown_browser_language_falls_back_to_french(visitor: Any) -> None:
    page = visitor.get("/login", headers={"accept-language": "de-DE"})
    assert 'lang="fr"' in page.text


def test_the_switch_works_for_anonymous_visitors(visitor: Any) -> None:
    response = visitor.post("/language", {"language": "ar", "next": "/login"})
    assert response.headers["location"] == "/login"
    page = visitor.get("/login")
    assert 'lang="ar" dir="rtl"' in page.text


def test_the_switch_is_saved_on_the_profile(make_visitor: Any, world: Any) -> None:
    laptop, phone = make_visitor(), make_visitor()
    laptop.login("omar")
    laptop.post("/language", {"language": "en", "next": "/c/alpha/"})
    phone.login("omar")
    assert 'lang="en"' in phone.get("/c/alpha/").text


def test_an_unknown_language_changes_nothing(visitor: Any) -> None:
    visitor.post("/language", {"language": "xx", "next": "/login"})
    assert 'lang="fr"' in visitor.get("/login").text


@pytest.mark.parametrize(("language", "words"), [("fr", "existe pas"), ("en", "does not exist")])
def test_error_pages_speak_the_persons_language(
    visitor: Any, world: Any, language: str, words: str
) -> None:
    visitor.login("omar")
    visitor.post("/language", {"language": language, "next": "/"})
    page = visitor.get("/no/such/page")
    assert page.status_code == 404
    assert words in page.text


def test_an_unexpected_error_gives_a_500_page_in_the_persons_language(
    visitor: Any, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from governance.members import service

    async def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("boom")

    visitor.login("omar")
    visitor.post("/language", {"language": "en", "next": "/"})
    monkeypatch.setattr(service, "memberships_of", broken)
    page = visitor.get("/coops")
    assert page.status_code == 500
    assert "Something went wrong on our side" in page.text
    assert "boom" not in page.text


def test_the_api_answers_bad_input_with_json(visitor: Any, world: Any) -> None:
    visitor.login("omar")
    response = visitor.get("/api/c/alpha/audit?before=abc")
    assert response.status_code == 400
    assert response.json()["status_code"] == 400
    huge = visitor.get("/api/c/alpha/audit?before=99999999999999999999999999")
    assert huge.status_code == 400


def test_money_and_dates_follow_the_belgian_french_format() -> None:
    from datetime import date

    from governance.base import i18n

    with i18n.language("fr"):
        assert i18n.money(123456).replace("\u202f", " ").replace("\xa0", " ") == "1 234,56 €"
        assert i18n.date_short(date(2026, 11, 27)) == "27/11/2026"
