"""The record form: languages chosen or typed by name, the member's usual ones chosen when it
opens, and work dated in a closed month accepted with a notice saying which month counts it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlmodel import select

from governance.auth.models import Person
from governance.base import clock
from governance.language.months import month_name
from governance.ledger.books.kinds import ClientKind
from governance.ledger.closing import closing
from governance.ledger.sharing import rule_versions
from governance.ledger.work.clients import create_client
from governance.ledger.work.models import Prestation
from tests.closing_support import everyone_read

FORM = "/c/alpha/work/new"


def _month(day: dt.date, back: int) -> str:
    index = day.year * 12 + day.month - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


TODAY = clock.today()
THIS_MONTH, LAST_MONTH, CLOSED_MONTH = (_month(TODAY, back) for back in (0, 1, 2))


@pytest.fixture
def cripel(run: Any, world: Any) -> int:
    async def action(session: Any) -> int:
        client = await create_client(
            session,
            world.actor("carla"),
            name="CRIPEL",
            kind=ClientKind.INTEGRATION_OFFICE,
            default_rate_cents=4800,
        )
        assert client.id is not None
        return client.id

    return run(action)


@pytest.fixture
def usual_languages(run: Any, world: Any) -> None:
    """Omar works in Pashto and Dari, Wen in Tigrinya."""

    async def action(session: Any) -> None:
        async with session.begin():
            for key, codes in (("omar", ["ps", "prs"]), ("wen", ["ti"])):
                person = await session.get(Person, world.ids[key])
                person.languages = codes
                session.add(person)

    run(action)


@pytest.fixture
def closed_month(run: Any, world: Any) -> None:
    """Two months ago closed, last month under review, this month open."""

    async def action(session: Any) -> None:
        async with session.begin():
            await rule_versions.set_initial_rule(
                session, world.alpha, "mixed_80_20", CLOSED_MONTH, world.ids["carla"]
            )
        carla = world.actor("carla")
        await closing.start_review(session, carla, CLOSED_MONTH, today=TODAY)
        await everyone_read(session, world.alpha, CLOSED_MONTH)
        await closing.finalize(session, carla, CLOSED_MONTH)
        await closing.start_review(session, carla, LAST_MONTH, today=TODAY)

    run(action)


def _form(visitor: Any, url: str = FORM) -> tuple[str, str]:
    page = visitor.get(url)
    assert page.status_code == 200, page.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    assert key
    return page.text, key.group(1)


def _selected(page: str) -> set[str]:
    select = page[
        page.index('<select id="f-languages"') : page.index(
            "</select>", page.index('<select id="f-languages"')
        )
    ]
    return set(re.findall(r'<option value="([a-z]+)"[^>]*\bselected\b', select))


def _post(visitor: Any, client: int, key: str, languages: list[str], **extra: str) -> Any:
    """The form as a browser sends it: the chosen codes and the typed text, all `languages`."""
    data: dict[str, Any] = {
        "idempotency_key": key,
        "client_id": str(client),
        "date": TODAY.isoformat(),
        "duration_minutes": "60",
        "kind": "on_site",
        "action": "submit",
        "languages": languages,
        **extra,
    }
    return visitor.post("/c/alpha/work/", data)


def _recorded(run: Any) -> list[Prestation]:
    async def action(session: Any) -> list[Prestation]:
        async with session.begin():
            return list((await session.exec(select(Prestation))).all())

    return run(action)


def test_the_form_opens_with_the_members_usual_languages_chosen_by_name(
    visitor: Any, world: Any, usual_languages: None
) -> None:
    visitor.login("omar")
    page, _key = _form(visitor)
    assert _selected(page) == {"ps", "prs"}
    # Named in the reader's language (French), the cooperative's languages first.
    usual = page[page.index("<optgroup") : page.index("</optgroup>")]
    assert ">pachto</option>" in usual and ">dari</option>" in usual.lower()
    assert ">tigrigna</option>" in usual
    assert '<option value="fa" data-en="Persian">persan</option>' in page
    assert re.search(r'<input id="f-languages-typed" name="languages"', page)
    # The picker's script is a file of its own (the policy allows no inline script).
    assert re.search(r'<script src="/static/languages\.[0-9a-f]{8}\.js" defer></script>', page)
    assert "<script>" not in page


def test_a_coordinator_recording_for_a_member_gets_that_members_languages(
    visitor: Any, world: Any, usual_languages: None
) -> None:
    visitor.login("carla")
    page, _key = _form(visitor, f"{FORM}?member={world.ids['wen']}")
    assert _selected(page) == {"ti"}
    assert re.search(rf'<option value="{world.ids["wen"]}" data-languages="ti" selected>', page)
    assert 'data-languages="ps prs"' in page  # Omar's, for the script to swap in


def test_names_typed_in_french_or_english_and_codes_are_recorded_as_codes(
    visitor: Any, run: Any, world: Any, cripel: int
) -> None:
    visitor.login("omar")
    _page, key = _form(visitor)
    response = _post(visitor, cripel, key, ["ar", "Pachtô, PERSAN; Tigrinya"])
    assert response.status_code in (302, 303), response.text
    [prestation] = _recorded(run)
    assert prestation.languages == ["ar", "ps", "fa", "ti"]
    assert "?recorded=" not in response.headers["location"]


def test_arabic_names_are_understood_on_an_arabic_page(
    visitor: Any, run: Any, world: Any, cripel: int
) -> None:
    visitor.login("omar")
    visitor.post("/language", {"language": "ar"})
    _page, key = _form(visitor)
    response = _post(visitor, cripel, key, ["البشتو، فارسية"])
    assert response.status_code in (302, 303), response.text
    assert [p.languages for p in _recorded(run)] == [["ps", "fa"]]


def test_an_unknown_name_is_refused_naming_it_and_nothing_is_recorded(
    visitor: Any, run: Any, world: Any, cripel: int
) -> None:
    visitor.login("omar")
    _page, key = _form(visitor)
    response = _post(visitor, cripel, key, ["ps", "persan, elfique"])
    assert response.status_code == 400
    error = re.search(r'<p class="error" id="f-languages-error">([^<]+)</p>', response.text)
    assert error and "elfique" in error.group(1) and "persan" not in error.group(1).split(".")[0]
    # What was understood stays chosen, what was not stays typed.
    assert _selected(response.text) == {"ps", "fa"}
    assert re.search(r'id="f-languages-typed" name="languages" value="elfique"', response.text)
    assert _recorded(run) == []


def test_the_api_keeps_iso_codes(visitor: Any, world: Any, cripel: int) -> None:
    visitor.login("omar")
    body = {
        "client_id": cripel,
        "date": TODAY.isoformat(),
        "duration_minutes": 60,
        "kind": "on_site",
        "languages": ["pachto"],
    }
    response = visitor.post_json("/api/c/alpha/prestations/", body)
    assert response.status_code == 422, response.text
    assert "languages" in response.json().get("errors", {})


def test_work_dated_in_a_closed_month_is_recorded_with_a_notice(
    visitor: Any, run: Any, world: Any, cripel: int, closed_month: None
) -> None:
    visitor.login("omar")
    page, key = _form(visitor)
    # The page already knows what each month of its window will say, for its script.
    notices = re.search(r'data-month-notices="([^"]*)"', page)
    assert notices and CLOSED_MONTH in notices.group(1) and LAST_MONTH in notices.group(1)
    day = f"{CLOSED_MONTH}-15"
    response = _post(visitor, cripel, key, ["ps"], date=day)
    assert response.status_code in (302, 303), response.text
    [prestation] = _recorded(run)
    assert response.headers["location"] == f"/c/alpha/work/?recorded={prestation.id}"
    listed = visitor.get(response.headers["location"]).text
    notice = re.search(
        r'<p class="month-notice month-notice--late" id="late-notice" role="status">([^<]+)</p>',
        listed,
    )
    assert notice, listed
    closed, counted = month_name(CLOSED_MONTH, language="fr"), month_name(THIS_MONTH, language="fr")
    assert closed[:1].upper() + closed[1:] in notice.group(1) and counted in notice.group(1)
    row = listed[listed.index(f'id="prestation-{prestation.id}"') :]
    assert counted in row[: row.index("</tr>")]
    # The coordinator's queue says it too.
    visitor.logout()
    visitor.login("carla")
    queue = visitor.get("/c/alpha/work/queue").text
    row = queue[queue.index(f'id="queue-{prestation.id}"') :]
    assert counted in row[: row.index("</tr>")]


def test_the_notice_names_the_month_that_really_counts_it(
    make_visitor: Any, run: Any, world: Any, cripel: int, closed_month: None
) -> None:
    omar, carla = make_visitor(), make_visitor()
    omar.login("omar")
    _page, key = _form(omar)
    _post(omar, cripel, key, ["ps"], date=f"{CLOSED_MONTH}-15")
    [prestation] = _recorded(run)
    carla.login("carla")
    carla.post("/c/alpha/work/validate", {"ids": str(prestation.id)})
    listed = omar.get("/c/alpha/work/").text
    row = listed[listed.index(f'id="prestation-{prestation.id}"') :]
    assert "validée" in row[: row.index("</tr>")].lower()
    assert month_name(THIS_MONTH, language="fr") in row[: row.index("</tr>")]


def test_a_date_in_a_month_under_review_is_refused_with_its_notice(
    visitor: Any, run: Any, world: Any, cripel: int, closed_month: None
) -> None:
    visitor.login("omar")
    _page, key = _form(visitor)
    response = _post(visitor, cripel, key, ["ps"], date=f"{LAST_MONTH}-10")
    assert response.status_code == 400
    assert 'id="f-date-error"' in response.text
    assert _recorded(run) == []


def test_a_closed_months_date_sent_with_an_error_elsewhere_shows_the_notice_on_the_form(
    visitor: Any, run: Any, world: Any, cripel: int, closed_month: None
) -> None:
    visitor.login("omar")
    _page, key = _form(visitor)
    response = _post(visitor, cripel, key, ["nowhere"], date=f"{CLOSED_MONTH}-03")
    assert response.status_code == 400
    notice = re.search(
        r'<p class="month-notice month-notice--late" id="f-date-notice"[^>]*>([^<]+)</p>',
        response.text,
    )
    assert notice and month_name(THIS_MONTH, language="fr") in notice.group(1)
    assert _recorded(run) == []
