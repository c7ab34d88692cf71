"""The month close through the pages: review, contests and answers, the close, the refusals."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from governance.base import clock
from governance.ledger.books.kinds import ClientKind
from governance.ledger.costs import costs
from governance.ledger.sharing import rule_versions
from governance.ledger.work import prestations
from governance.ledger.work.clients import create_client

TODAY = dt.date(2026, 11, 5)
OCTOBER = "/c/alpha/periods/2026-10"


async def _work(session: Any, world: Any, who: str, client_id: int, day: str, amount: str) -> int:
    prestation, _ = await prestations.record_prestation(
        session,
        world.actor(who),
        {"client_id": str(client_id), "date": day, "fixed_amount": amount, "kind": "on_site"},
        language="fr",
        today=TODAY,
        submit=True,
    )
    await prestations.validate_prestations(session, world.actor("carla"), [prestation.id])
    assert prestation.id is not None
    return prestation.id


@pytest.fixture
def october(run: Any, world: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """DESIGN's golden example: Omar 800,00 €, Wen 400,00 €, Carla 60,01 €, a cost of 100 €."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)

    async def build(session: Any) -> dict[str, int]:
        async with session.begin():
            await rule_versions.set_initial_rule(
                session, world.alpha, "mixed_80_20", "2026-01", world.ids["carla"]
            )
        client = await create_client(
            session, world.actor("carla"), name="CHU", kind=ClientKind.HOSPITAL
        )
        ids = {
            "omar": await _work(session, world, "omar", client.id, "2026-10-03", "800"),
            "wen": await _work(session, world, "wen", client.id, "2026-10-09", "400"),
            "carla": await _work(session, world, "carla", client.id, "2026-10-20", "60,01"),
        }
        await costs.record_cost(
            session,
            world.actor("carla"),
            {"date": "2026-10-15", "category": "rent", "supplier": "Lux", "amount": "100"},
            language="fr",
            today=TODAY,
        )
        return ids

    return run(build)  # type: ignore[no-any-return]


@pytest.fixture
def people(make_visitor: Any, world: Any) -> dict[str, Any]:
    visitors = {}
    for key in ("carla", "omar", "wen", "olga"):
        visitors[key] = make_visitor()
        visitors[key].login(key)
    return visitors


def start(carla: Any) -> None:
    response = carla.post(f"{OCTOBER}/review")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == OCTOBER


def everyone_reads(people: dict[str, Any]) -> None:
    """Omar and Wen, the members concerned (Carla coordinates), mark their draft read: the
    close need not wait for the minimum review time."""
    for who in ("omar", "wen"):
        response = people[who].post(f"{OCTOBER}/read")
        assert response.status_code == 303, response.text
        assert response.headers["location"] == OCTOBER


def contest(member: Any, comment: str, prestation_id: int | None = None) -> int:
    data = {"comment": comment}
    if prestation_id is not None:
        data["prestation_id"] = str(prestation_id)
    response = member.post(f"{OCTOBER}/contests", data)
    assert response.status_code == 303, response.text
    found = re.findall(r'id="contest-(\d+)"', member.get(OCTOBER).text)
    assert found
    return max(int(i) for i in found)


def test_the_coordinator_starts_the_review_from_the_list(
    people: dict[str, Any], october: dict[str, int]
) -> None:
    carla, omar = people["carla"], people["omar"]
    months = carla.get("/c/alpha/periods")
    assert months.status_code == 200
    assert 'action="/c/alpha/periods/2026-10/review"' in months.text
    assert 'action="/c/alpha/periods/2026-10/review"' not in omar.get("/c/alpha/periods").text
    start(carla)
    page = carla.get(OCTOBER)
    assert "en révision" in page.text and 'role="status"' in page.text  # state, flash
    # Nobody has read their draft yet: the close waits for the minimum review time.
    assert 'href="/c/alpha/periods/2026-10/close"' not in page.text
    assert 'id="close-later"' in page.text
    # The whole draft: every share, DESIGN's golden example to the cent.
    for cents in ("566,56", "316,15", "103,30", "116,00", "58,00"):
        assert cents in page.text
    assert 'action="/c/alpha/periods/2026-10/review"' not in carla.get("/c/alpha/periods").text


def test_a_member_sees_only_their_own_draft_and_contests_a_line(
    people: dict[str, Any], october: dict[str, int]
) -> None:
    omar = people["omar"]
    assert "2026-10/contests" not in omar.get(OCTOBER).text  # not under review yet
    start(people["carla"])
    draft = omar.get(OCTOBER).text
    assert f'id="line-{october["omar"]}"' in draft
    assert f'id="line-{october["wen"]}"' not in draft and "316,15" not in draft
    assert "566,56" in draft  # his share
    assert f'name="prestation_id" value="{october["omar"]}"' in draft
    contest_id = contest(omar, "Il manque une heure.", october["omar"])
    after = omar.get(OCTOBER).text
    assert "Il manque une heure." in after
    assert f'id="contest-{contest_id}"' in after
    assert f'name="prestation_id" value="{october["omar"]}"' not in after  # once is enough


def test_a_member_cannot_contest_someone_elses_line(
    people: dict[str, Any], october: dict[str, int]
) -> None:
    start(people["carla"])
    response = people["omar"].post(
        f"{OCTOBER}/contests", {"comment": "x", "prestation_id": str(october["wen"])}
    )
    assert response.status_code == 404


def test_the_coordinator_corrects_a_contested_line_and_closes(
    people: dict[str, Any], october: dict[str, int]
) -> None:
    carla, wen = people["carla"], people["wen"]
    start(carla)
    contest_id = contest(wen, "C'était 450 €, pas 400 €.", october["wen"])
    page = carla.get(OCTOBER).text
    assert "C&#39;était 450 €, pas 400 €." in page and "Wen Worker" in page
    assert f'action="/c/alpha/contests/{contest_id}/correct"' in page
    corrected = carla.post(
        f"/c/alpha/contests/{contest_id}/correct",
        {"amount": "450", "reason": "L'hôpital a confirmé 450 €."},
    )
    assert corrected.status_code == 303 and corrected.headers["location"] == OCTOBER
    mine = wen.get(OCTOBER).text
    assert "L&#39;hôpital a confirmé 450 €." in mine and "450,00" in mine
    everyone_reads(people)
    confirm = carla.get(f"{OCTOBER}/close")
    assert confirm.status_code == 200
    assert 'action="/c/alpha/periods/2026-10/close"' in confirm.text
    closed = carla.post(f"{OCTOBER}/close", {"checked": "yes"})
    assert closed.status_code == 303 and closed.headers["location"] == OCTOBER
    assert "clôturé" in carla.get("/c/alpha/periods").text.lower()
    statement = wen.get(OCTOBER).text
    assert f"/c/alpha/statements/2026-10/members/{wen_id(people)}/statement.pdf" in statement
    assert "L&#39;hôpital a confirmé 450 €." in statement  # the answer stays readable


def wen_id(people: dict[str, Any]) -> str:
    found = re.search(r"/statements/2026-10/members/(\d+)/", people["wen"].get(OCTOBER).text)
    assert found
    return found.group(1)


def test_a_kept_line_shows_the_reason_to_the_member(
    people: dict[str, Any], october: dict[str, int]
) -> None:
    carla, omar = people["carla"], people["omar"]
    start(carla)
    contest_id = contest(omar, "Ma part me semble basse.")  # the share as a whole
    assert f'action="/c/alpha/contests/{contest_id}/correct"' not in carla.get(OCTOBER).text
    kept = carla.post(
        f"/c/alpha/contests/{contest_id}/keep", {"reason": "La règle adoptée en mars."}
    )
    assert kept.status_code == 303
    mine = omar.get(OCTOBER).text
    assert "Ma part me semble basse." in mine and "La règle adoptée en mars." in mine
    assert "Carla Coordinator" in mine


def test_closing_with_an_open_contest_is_refused_and_lists_it(
    people: dict[str, Any], october: dict[str, int]
) -> None:
    carla = people["carla"]
    start(carla)
    contest_id = contest(people["omar"], "Non.", october["omar"])
    everyone_reads(people)
    refused = carla.post(f"{OCTOBER}/close", {"checked": "yes"})
    assert refused.status_code == 422  # the confirmation page again, with what to do first
    assert "flash--error" in refused.text and f"{contest_id}" in refused.text
    assert f'href="{OCTOBER}#contests"' in refused.text
    assert 'id="f-checked"' not in refused.text
    assert "en révision" in carla.get(OCTOBER).text


def test_closing_needs_the_box_ticked(people: dict[str, Any], october: dict[str, int]) -> None:
    carla = people["carla"]
    start(carla)
    everyone_reads(people)
    refused = carla.post(f"{OCTOBER}/close", {})
    assert refused.status_code == 422
    assert 'id="f-checked" name="checked" value="yes" required aria-invalid="true"' in refused.text
    assert "en révision" in carla.get(OCTOBER).text


def test_closing_twice_is_refused_clearly(people: dict[str, Any], october: dict[str, int]) -> None:
    carla = people["carla"]
    start(carla)
    everyone_reads(people)
    assert carla.post(f"{OCTOBER}/close", {"checked": "yes"}).status_code == 303
    again = carla.post(f"{OCTOBER}/close", {"checked": "yes"})
    assert again.status_code == 409
    error = re.search(r'<div class="flash flash--error" role="alert">([^<]*)</div>', again.text)
    assert error and "2026-10" in error.group(1)


def test_members_and_observers_cannot_close_or_start(
    people: dict[str, Any], october: dict[str, int]
) -> None:
    for who in ("omar", "wen", "olga"):
        assert people[who].post(f"{OCTOBER}/review").status_code == 403
    start(people["carla"])
    for who in ("omar", "wen", "olga"):
        assert people[who].post(f"{OCTOBER}/close", {"checked": "yes"}).status_code == 403
    assert "en révision" in people["carla"].get(OCTOBER).text


def test_an_observer_reads_the_whole_draft_without_acting(
    people: dict[str, Any], october: dict[str, int]
) -> None:
    carla, olga = people["carla"], people["olga"]
    start(carla)
    contest_id = contest(people["omar"], "Non.", october["omar"])
    page = olga.get(OCTOBER).text
    assert "316,15" in page and "Non." in page
    assert "/close" not in page and f"/contests/{contest_id}/keep" not in page
    assert olga.post(f"/c/alpha/contests/{contest_id}/keep", {"reason": "x"}).status_code == 403


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "garbage", "2026-1", "26-10", "2026-10x"])
def test_a_garbage_month_is_not_found(people: dict[str, Any], world: Any, month: str) -> None:
    carla = people["carla"]
    assert carla.get(f"/c/alpha/periods/{month}").status_code == 404
    assert carla.post(f"/c/alpha/periods/{month}/review").status_code == 404
    assert carla.post(f"/c/alpha/periods/{month}/close", {"checked": "yes"}).status_code == 404
    assert (
        people["omar"].post(f"/c/alpha/periods/{month}/contests", {"comment": "x"}).status_code
        == 404
    )


def test_a_month_with_nothing_recorded_is_not_found(people: dict[str, Any], world: Any) -> None:
    assert people["carla"].get("/c/alpha/periods/2026-10").status_code == 404


def test_a_hostile_comment_is_shown_as_text(
    people: dict[str, Any], october: dict[str, int]
) -> None:
    start(people["carla"])
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    contest(people["omar"], hostile, october["omar"])
    for who in ("omar", "carla"):
        page = people[who].get(OCTOBER).text
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_an_empty_comment_shows_the_form_again(
    people: dict[str, Any], october: dict[str, int]
) -> None:
    start(people["carla"])
    refused = people["omar"].post(
        f"{OCTOBER}/contests", {"comment": "  ", "prestation_id": str(october["omar"])}
    )
    assert refused.status_code == 422
    assert '<details class="fold" open>' in refused.text
    assert 'aria-invalid="true"' in refused.text


def test_a_wrong_corrected_amount_keeps_what_was_typed(
    people: dict[str, Any], october: dict[str, int]
) -> None:
    carla = people["carla"]
    start(carla)
    contest_id = contest(people["wen"], "Faux.", october["wen"])
    refused = carla.post(
        f"/c/alpha/contests/{contest_id}/correct", {"amount": "quatre", "reason": "Vu."}
    )
    assert refused.status_code == 422
    assert 'value="quatre"' in refused.text and "Vu.</textarea>" in refused.text
    assert f'id="correct-amount-error-{contest_id}"' in refused.text


def test_answering_a_resolved_contest_again_is_refused(
    people: dict[str, Any], october: dict[str, int]
) -> None:
    carla = people["carla"]
    start(carla)
    contest_id = contest(people["omar"], "Non.", october["omar"])
    assert carla.post(f"/c/alpha/contests/{contest_id}/keep", {"reason": "Si."}).status_code == 303
    again = carla.post(f"/c/alpha/contests/{contest_id}/keep", {"reason": "Si."})
    assert again.status_code == 409 and "flash--error" in again.text


def test_a_month_not_over_cannot_be_reviewed(
    people: dict[str, Any], october: dict[str, int]
) -> None:
    refused = people["carla"].post("/c/alpha/periods/2026-11/review")
    assert refused.status_code == 422
    assert "2026-11" in refused.text and "flash--error" in refused.text


def test_waiting_work_is_listed_instead_of_the_start_button(
    people: dict[str, Any], world: Any, october: dict[str, int], run: Any
) -> None:
    async def waiting(session: Any) -> int:
        client = await create_client(
            session, world.actor("carla"), name="CPAS", kind=ClientKind.OTHER
        )
        prestation, _ = await prestations.record_prestation(
            session,
            world.actor("omar"),
            {
                "client_id": str(client.id),
                "date": "2026-10-30",
                "fixed_amount": "10",
                "kind": "on_site",
            },
            language="fr",
            today=TODAY,
            submit=True,
        )
        assert prestation.id is not None
        return prestation.id

    pid = run(waiting)
    carla = people["carla"]
    page = carla.get(OCTOBER).text
    assert 'action="/c/alpha/periods/2026-10/review"' not in page
    assert 'href="/c/alpha/work/queue"' in page and "10,00" in page
    refused = carla.post(f"{OCTOBER}/review")
    assert refused.status_code == 422 and f"#{pid}" in refused.text


def test_a_closed_month_shows_what_the_close_stored(
    people: dict[str, Any], world: Any, october: dict[str, int]
) -> None:
    carla, omar = people["carla"], people["omar"]
    start(carla)
    everyone_reads(people)
    assert carla.post(f"{OCTOBER}/close", {"checked": "yes"}).status_code == 303
    page = carla.get(OCTOBER).text
    for key, cents in (("omar", "566,56"), ("wen", "316,15"), ("carla", "103,30")):
        member = world.ids[key]
        assert f'id="share-{member}"' in page and cents in page
        assert f"/c/alpha/statements/2026-10/members/{member}/statement.pdf" in page
    assert 'action="/c/alpha/periods/2026-10/close"' not in page
    mine = omar.get(OCTOBER).text
    assert "566,56" in mine and f'id="line-{october["omar"]}"' in mine
    assert f"/c/alpha/statements/2026-10/members/{world.ids['omar']}/statement.pdf" in mine
    assert "/contests" not in mine  # nothing to contest any more
    months = omar.get("/c/alpha/periods").text
    assert f"/c/alpha/statements/2026-10/members/{world.ids['omar']}" in months


def test_the_role_is_checked_before_the_form(
    people: dict[str, Any], october: dict[str, int]
) -> None:
    start(people["carla"])
    contest_id = contest(people["wen"], "Faux.", october["wen"])
    omar, olga = people["omar"], people["olga"]
    assert omar.post(f"/c/alpha/contests/{contest_id}/correct", {"amount": "x"}).status_code == 403
    assert omar.post(f"/c/alpha/contests/{contest_id}/keep", {}).status_code == 403
    assert olga.post(f"{OCTOBER}/contests", {}).status_code == 403


def test_coordinators_find_the_payouts_from_the_months_page(make_visitor: Any, world: Any) -> None:
    carla, omar = make_visitor(), make_visitor()
    carla.login("carla")
    omar.login("omar")
    assert 'href="/c/alpha/payouts/"' in carla.get("/c/alpha/periods").text
    assert 'href="/c/alpha/payouts/"' not in omar.get("/c/alpha/periods").text


def test_the_members_shares_are_listed_a_page_at_a_time(
    people: dict[str, Any], october: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from governance.ledger.closing import pages

    monkeypatch.setattr(pages, "SHARES_PAGE", 2)
    carla = people["carla"]
    first = carla.get(OCTOBER).text
    shown = re.findall(r'<tr id="share-(\d+)"', first)
    assert len(shown) == 2 and "3 membres au total, 2 sur cette page." in first
    assert f'href="{OCTOBER}?after={shown[-1]}#shares"' in first and 'rel="prev"' not in first
    second = carla.get(f"{OCTOBER}?after={shown[-1]}").text
    rest = re.findall(r'<tr id="share-(\d+)"', second)
    assert len(rest) == 1 and rest[0] not in shown
    assert f'href="{OCTOBER}?before={rest[0]}#shares"' in second and 'rel="next"' not in second
    # The funds and the figures stay on every page: only the member rows are paged.
    assert "58,00" in second
    back = carla.get(f"{OCTOBER}?before={rest[0]}").text
    assert re.findall(r'<tr id="share-(\d+)"', back) == shown
    # A key that names nobody gives the first page; one that is not a number, a 400.
    assert re.findall(r'<tr id="share-(\d+)"', carla.get(f"{OCTOBER}?after=999999").text) == shown
    for wrong in ("abc", "-1", "0", "99999999999999"):
        assert carla.get(f"{OCTOBER}?after={wrong}").status_code == 400
