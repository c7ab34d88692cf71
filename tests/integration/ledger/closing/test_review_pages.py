"""The review through the pages: the home page's notice, marking one's draft read from it,
the coordinator's month page with who read and who contested, and the close's confirmation
page, offered only once the minimum review time has passed or every member has read."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from governance.base import clock
from tests.closing_support import TODAY, build_october

OCTOBER = "/c/alpha/periods/2026-10"
HOME = "/c/alpha/"


@pytest.fixture
def october(run: Any, world: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return run(lambda session: build_october(session, world))  # type: ignore[no-any-return]


@pytest.fixture
def people(make_visitor: Any, world: Any) -> dict[str, Any]:
    visitors = {}
    for key in ("carla", "omar", "wen", "olga"):
        visitors[key] = make_visitor()
        visitors[key].login(key)
    return visitors


def notice(page: str) -> str:
    found = re.search(r'<section[^>]*id="review-notice".*?</section>', page, re.S)
    assert found, "no review notice on the page"
    return found.group(0)


def test_a_member_reads_the_notice_on_the_home_page_and_marks_the_draft_read(
    people: dict[str, Any], world: Any, october: dict[str, int]
) -> None:
    omar, carla = people["omar"], people["carla"]
    assert 'id="review-notice"' not in omar.get(HOME).text  # nothing under review
    assert carla.post(f"{OCTOBER}/review").status_code == 303
    mine = notice(omar.get(HOME).text)
    assert "Octobre 2026 est en révision" in mine  # the month begins the sentence: a capital
    assert f'href="{OCTOBER}"' in mine and f'href="{OCTOBER}#lines"' in mine
    assert f'action="{OCTOBER}/read"' in mine and 'name="_csrf_token"' in mine
    assert 'id="lines"' in omar.get(OCTOBER).text  # where "Contest a line" leads
    done = omar.post(f"{OCTOBER}/read", {"back": "home"})
    assert done.status_code == 303 and done.headers["location"] == HOME
    after = notice(omar.get(HOME).text)
    assert f'action="{OCTOBER}/read"' not in after and f'href="{OCTOBER}#lines"' in after
    # The observer has no draft and closes nothing: no notice.
    assert 'id="review-notice"' not in people["olga"].get(HOME).text
    coordinator = notice(carla.get(HOME).text)
    assert f'href="{OCTOBER}"' in coordinator and "/read" not in coordinator


def test_the_month_page_lists_who_read_and_who_contested(
    people: dict[str, Any], world: Any, october: dict[str, int]
) -> None:
    carla, omar, wen = people["carla"], people["omar"], people["wen"]
    carla.post(f"{OCTOBER}/review")
    assert omar.post(f"{OCTOBER}/read").status_code == 303
    contested = wen.post(
        f"{OCTOBER}/contests", {"comment": "450 €", "prestation_id": str(october["wen"])}
    )
    assert contested.status_code == 303
    page = carla.get(OCTOBER).text
    progress = re.search(r'id="review-progress".*?</div>', page, re.S)
    assert progress
    rows = dict(re.findall(r'<li id="progress-(\d+)">(.*?)</li>', progress.group(0), re.S))
    assert set(rows) == {str(world.ids["omar"]), str(world.ids["wen"])}
    assert "Omar Cooperator" in rows[str(world.ids["omar"])]
    assert "review-progress__unread" not in rows[str(world.ids["omar"])]
    assert "review-progress__unread" in rows[str(world.ids["wen"])]
    assert "1" in rows[str(world.ids["wen"])]  # one comment, waiting for an answer
    # Not before the minimum time, nor before the contest is answered: no way to close.
    assert 'id="close-link"' not in page and f'action="{OCTOBER}/close"' not in page
    confirm = carla.get(f"{OCTOBER}/close")
    assert confirm.status_code == 200 and 'id="f-checked"' not in confirm.text
    refused = carla.post(f"{OCTOBER}/close", {"checked": "yes"})
    assert refused.status_code == 422 and "flash--error" in refused.text


def test_after_the_minimum_time_the_close_is_confirmed_on_its_own_page(
    people: dict[str, Any],
    world: Any,
    october: dict[str, int],
    make_visitor: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    carla = people["carla"]
    carla.post(f"{OCTOBER}/review")
    page = carla.get(OCTOBER).text
    assert 'id="close-later"' in page and 'id="close-link"' not in page
    refused = carla.post(f"{OCTOBER}/close", {"checked": "yes"})
    assert refused.status_code == 422
    moment = clock.now() + dt.timedelta(hours=73)
    monkeypatch.setattr(clock, "now", lambda: moment)
    carla = make_visitor()  # the sessions of three days ago have expired
    carla.login("carla")
    page = carla.get(OCTOBER).text
    assert f'href="{OCTOBER}/close"' in page and 'id="close-later"' not in page
    confirm = carla.get(f"{OCTOBER}/close")
    assert confirm.status_code == 200
    assert f'action="{OCTOBER}/close"' in confirm.text and 'id="undone-title"' in confirm.text
    assert carla.get(OCTOBER).text.count("en révision") >= 1  # GET changed nothing
    closed = carla.post(f"{OCTOBER}/close", {"checked": "yes"})
    assert closed.status_code == 303 and closed.headers["location"] == OCTOBER
    # Once closed, the confirmation page sends back to the month.
    again = carla.get(f"{OCTOBER}/close")
    assert again.status_code in (302, 303) and again.headers["location"] == OCTOBER


def test_only_coordinators_see_the_confirmation_page(
    people: dict[str, Any], october: dict[str, int]
) -> None:
    people["carla"].post(f"{OCTOBER}/review")
    for who in ("omar", "wen", "olga"):
        assert people[who].get(f"{OCTOBER}/close").status_code == 403


def test_the_coordinator_changes_the_minimum_review_time_on_the_months_page(
    people: dict[str, Any], world: Any, october: dict[str, int], run: Any
) -> None:
    from sqlmodel import select

    from governance.audit.models import AuditEvent
    from governance.members.models import Cooperative

    carla = people["carla"]
    months = carla.get("/c/alpha/periods").text
    assert 'id="review-time"' in months and 'action="/c/alpha/periods/review-time"' in months
    assert 'value="72"' in months
    assert (
        'action="/c/alpha/periods/review-time"' not in people["omar"].get("/c/alpha/periods").text
    )
    for wrong in ("10", "721", "deux", ""):
        refused = carla.post("/c/alpha/periods/review-time", {"review_min_hours": wrong})
        assert refused.status_code == 422, wrong
        assert 'id="f-review_min_hours-error"' in refused.text
    assert (
        people["omar"].post("/c/alpha/periods/review-time", {"review_min_hours": "24"}).status_code
        == 403
    )
    saved = carla.post("/c/alpha/periods/review-time", {"review_min_hours": "48"})
    assert saved.status_code == 303
    assert 'value="48"' in carla.get("/c/alpha/periods").text

    async def read(session: Any) -> Any:
        async with session.begin():
            coop = await session.get(Cooperative, world.alpha)
            events = (
                await session.exec(
                    select(AuditEvent.data).where(
                        AuditEvent.action == "cooperative.review_time_changed"
                    )
                )
            ).all()
            return coop.settings["review_min_hours"], list(events)

    hours, events = run(read)
    assert hours == 48 and len(events) == 1 and '"after":48' in events[0].replace(" ", "")
    assert carla.post("/c/alpha/periods/review-time", {"review_min_hours": "48"}).status_code == 303
    assert len(run(read)[1]) == 1  # the same value records nothing
