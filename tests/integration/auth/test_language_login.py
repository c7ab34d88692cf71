"""A language chosen before logging in is kept after it, and saved on the profile (audited).

A language cookie alone (left by an earlier visit, or by someone else on a shared computer)
does not change anybody's profile: only a choice made on the pages before this login does.
A logged-in person's choice is saved on the profile at once.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlmodel import col, select

from governance.audit.models import AuditEvent
from governance.auth.models import Person
from governance.auth.pages import CHOSEN_COOKIE, CHOSEN_MAX_AGE
from governance.base.http import LANGUAGE_COOKIE


def _profile(run: Any, world: Any, key: str) -> str:
    async def action(session: Any) -> str:
        async with session.begin():
            person = await session.get(Person, world.ids[key])
        assert person is not None
        return str(person.language)

    return str(run(action))


def _language_changes(run: Any, world: Any, key: str) -> list[dict[str, Any]]:
    async def action(session: Any) -> list[dict[str, Any]]:
        async with session.begin():
            rows = (
                await session.exec(
                    select(AuditEvent)
                    .where(
                        AuditEvent.actor_id == world.ids[key],
                        AuditEvent.action == "person.profile_changed",
                    )
                    .order_by(col(AuditEvent.id))
                )
            ).all()
        return [json.loads(row.data) for row in rows]

    result: list[dict[str, Any]] = run(action)
    return result


def _page_language(visitor: Any, url: str = "/account") -> str:
    found = re.search(r'<html lang="(\w+)" dir="(\w+)"', visitor.get(url).text)
    assert found
    return f"{found.group(1)}/{found.group(2)}"


def test_a_language_chosen_on_the_login_page_is_kept_and_saved_on_the_profile(
    visitor: Any, run: Any, world: Any
) -> None:
    assert _profile(run, world, "omar") == "fr"
    # The footer's form sends the person back to the same page, query and all.
    login_page = visitor.get("/login?next=/c/alpha/").text
    assert '<input type="hidden" name="next" value="/login?next=/c/alpha/">' in login_page
    chosen = visitor.post("/language", {"language": "ar", "next": "/login?next=/c/alpha/"})
    assert chosen.headers["location"] == "/login?next=/c/alpha/"
    assert chosen.status_code in (302, 303)
    # The mark of a choice lasts half an hour, not the browser's whole life (a shared browser).
    marks = [h for h in chosen.headers.get_list("set-cookie") if h.startswith(CHOSEN_COOKIE)]
    assert len(marks) == 1 and f"Max-Age={CHOSEN_MAX_AGE}" in marks[0]
    assert _page_language(visitor, "/login") == "ar/rtl"

    visitor.login("omar")
    assert _page_language(visitor) == "ar/rtl"  # not the saved French
    assert _page_language(visitor, "/c/alpha/") == "ar/rtl"
    assert _profile(run, world, "omar") == "ar"
    changes = _language_changes(run, world, "omar")
    assert changes[-1]["before"] == {"language": "fr"}
    assert changes[-1]["after"] == {"language": "ar"}

    # The choice was this login's: logging out and in again changes nothing more.
    visitor.logout()
    visitor.login("omar")
    assert _page_language(visitor) == "ar/rtl"
    assert len(_language_changes(run, world, "omar")) == len(changes)


def test_a_language_cookie_left_on_the_browser_does_not_change_the_profile(
    visitor: Any, make_visitor: Any, run: Any, world: Any
) -> None:
    # An earlier visit left Dutch in the cookie; nobody chose it before this login.
    visitor.jar.set(LANGUAGE_COOKIE, "nl", domain="testserver.local", path="/")
    assert _page_language(visitor, "/login") == "nl/ltr"
    visitor.login("omar")
    assert _page_language(visitor) == "fr/ltr"
    assert _profile(run, world, "omar") == "fr"
    assert _language_changes(run, world, "omar") == []

    # Someone chose Arabic before logging in, then logged out; the next person to log in on
    # this browser keeps their own language.
    shared = make_visitor()
    shared.post("/language", {"language": "ar", "next": "/login"})
    shared.login("omar")
    assert _profile(run, world, "omar") == "ar"
    shared.logout()
    assert _page_language(shared, "/login") == "ar/rtl"  # the pages stay in Arabic …
    shared.login("wen")
    assert _page_language(shared) == "fr/ltr"  # … but Wen's profile wins
    assert _profile(run, world, "wen") == "fr"


def test_a_logged_in_person_changing_the_language_saves_it_on_the_profile(
    visitor: Any, run: Any, world: Any
) -> None:
    visitor.login("wen")
    switched = visitor.post("/language", {"language": "nl", "next": "/account"})
    assert switched.status_code in (302, 303)
    assert switched.headers["location"] == "/account"
    assert _page_language(visitor) == "nl/ltr"
    assert _profile(run, world, "wen") == "nl"
    assert _language_changes(run, world, "wen")[-1]["after"] == {"language": "nl"}

    # On another device, the profile's language is there from the first page.
    visitor.logout()
    visitor.jar.delete(LANGUAGE_COOKIE)
    visitor.login("wen")
    assert _page_language(visitor) == "nl/ltr"

    # The profile form says the same and keeps the browser's pages in that language.
    saved = visitor.post("/account/profile", {"name": "Wen Worker", "language": "ar"})
    assert saved.status_code in (302, 303)
    assert _profile(run, world, "wen") == "ar"
    visitor.logout()
    assert _page_language(visitor, "/login") == "ar/rtl"
