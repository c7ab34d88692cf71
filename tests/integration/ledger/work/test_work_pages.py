"""Recording and validating prestations through the pages, as people do."""

from __future__ import annotations

import re
from typing import Any

CHU_FIXTURE = "chu_de_liege"  # which `chu` these tests use (tests/integration/conftest.py)


def record(visitor: Any, chu: int, **extra: str) -> Any:
    page = visitor.get("/c/alpha/work/new")
    assert page.status_code == 200
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    assert key
    data = {
        "idempotency_key": key.group(1),
        "client_id": str(chu),
        "date": "2026-11-20",
        "duration_minutes": "120",
        "kind": "on_site",
        "languages": "ps",
        "action": "submit",
        **extra,
    }
    return visitor.post("/c/alpha/work/", data), data


def test_a_member_records_and_a_coordinator_validates(
    make_visitor: Any, world: Any, chu: int
) -> None:
    omar, carla = make_visitor(), make_visitor()
    omar.login("omar")
    response, _ = record(omar, chu)
    assert response.status_code in (302, 303), response.text
    mine = omar.get("/c/alpha/work/").text
    assert "110,00" in mine and "soumise" in mine.lower()
    carla.login("carla")
    queue = carla.get("/c/alpha/work/queue").text
    prestation_id = re.search(r'name="ids" value="(\d+)" form="bulk"', queue)
    assert prestation_id
    done = carla.post("/c/alpha/work/validate", {"ids": prestation_id.group(1)})
    assert done.status_code in (302, 303)
    assert "validée" in omar.get("/c/alpha/work/").text.lower()
    assert "Rien à valider" in carla.get("/c/alpha/work/queue").text


def test_a_resent_form_records_once(visitor: Any, world: Any, chu: int) -> None:
    visitor.login("omar")
    first, data = record(visitor, chu)
    again = visitor.post("/c/alpha/work/", data)
    assert first.status_code in (302, 303) and again.status_code in (302, 303)
    assert visitor.get("/c/alpha/work/").text.count('id="prestation-') == 1


def test_validating_through_htmx_swaps_the_row(make_visitor: Any, world: Any, chu: int) -> None:
    omar, carla = make_visitor(), make_visitor()
    omar.login("omar")
    record(omar, chu)
    carla.login("carla")
    queue = carla.get("/c/alpha/work/queue").text
    prestation_id = re.search(r'name="ids" value="(\d+)" form="bulk"', queue)
    assert prestation_id
    row = carla.post(
        "/c/alpha/work/validate", {"ids": prestation_id.group(1)}, headers={"hx-request": "true"}
    )
    assert row.status_code == 200
    assert row.text.lstrip().startswith(f'<tr id="queue-{prestation_id.group(1)}"')


def test_bad_input_shows_the_form_again_with_messages(visitor: Any, world: Any, chu: int) -> None:
    visitor.login("omar")
    response, _ = record(visitor, chu, duration_minutes="-5", travel="abc")
    assert response.status_code == 400
    assert response.text.count('aria-invalid="true"') >= 2
    assert visitor.get("/c/alpha/work/").text.count('id="prestation-') == 0


def test_a_rejection_reason_reaches_the_member(make_visitor: Any, world: Any, chu: int) -> None:
    omar, carla = make_visitor(), make_visitor()
    omar.login("omar")
    record(omar, chu)
    carla.login("carla")
    queue = carla.get("/c/alpha/work/queue").text
    prestation_id = re.search(r'name="ids" value="(\d+)" form="bulk"', queue)
    assert prestation_id
    carla.post(
        f"/c/alpha/work/{prestation_id.group(1)}/reject", {"reason": "<b>Pas ce jour-là</b>"}
    )
    mine = omar.get("/c/alpha/work/").text
    assert "&lt;b&gt;Pas ce jour-là&lt;/b&gt;" in mine
