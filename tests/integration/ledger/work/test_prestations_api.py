"""The prestations API: JSON in and out, idempotent creation, the pages' permissions."""

from __future__ import annotations

from typing import Any

CHU_FIXTURE = "chu_client"  # which `chu` these tests use (tests/integration/conftest.py)


def body(chu: int, **extra: Any) -> dict[str, Any]:
    return {
        "client_id": chu,
        "date": "2026-11-20",
        "duration_minutes": 60,
        "kind": "phone",
        "languages": ["so"],
        **extra,
    }


def test_creation_is_idempotent_with_a_key(visitor: Any, world: Any, chu: int) -> None:
    visitor.login("omar")
    headers = {"idempotency-key": "api-key-000000001"}
    first = visitor.post_json("/api/c/alpha/prestations", body(chu), headers=headers)
    assert first.status_code == 201, first.text
    again = visitor.post_json("/api/c/alpha/prestations", body(chu), headers=headers)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    other = visitor.post_json(
        "/api/c/alpha/prestations", body(chu, duration_minutes=30), headers=headers
    )
    assert other.status_code == 409
    assert len(visitor.get("/api/c/alpha/prestations").json()) == 1


def test_bad_json_gets_a_json_error(visitor: Any, world: Any, chu: int) -> None:
    visitor.login("omar")
    response = visitor.request(
        "POST",
        "/api/c/alpha/prestations",
        content=b"{not json",
        headers={"x-csrftoken": visitor.csrf(), "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert "detail" in response.json()
    fields = visitor.post_json("/api/c/alpha/prestations", body(chu, duration_minutes=-1))
    assert fields.status_code == 422
    assert "duration_minutes" in fields.json()["errors"]


def test_submit_then_validate_through_the_api(make_visitor: Any, world: Any, chu: int) -> None:
    omar, carla = make_visitor(), make_visitor()
    omar.login("omar")
    created = omar.post_json("/api/c/alpha/prestations", body(chu)).json()
    assert (
        omar.post_json(f"/api/c/alpha/prestations/{created['id']}/submit", {}).json()["status"]
        == "submitted"
    )
    assert (
        omar.post_json("/api/c/alpha/prestations/validate", {"ids": [created["id"]]}).status_code
        == 403
    )
    carla.login("carla")
    done = carla.post_json("/api/c/alpha/prestations/validate", {"ids": [created["id"]]})
    assert done.status_code == 200
    assert done.json()[0]["status"] == "validated" and done.json()[0]["entry_id"]


def test_members_list_only_their_own_work(make_visitor: Any, world: Any, chu: int) -> None:
    omar, wen, olga = make_visitor(), make_visitor(), make_visitor()
    omar.login("omar")
    wen.login("wen")
    olga.login("olga")
    omar.post_json("/api/c/alpha/prestations", body(chu))
    wen.post_json("/api/c/alpha/prestations", body(chu))
    assert len(omar.get("/api/c/alpha/prestations").json()) == 1
    assert len(olga.get("/api/c/alpha/prestations").json()) == 2
    assert len(olga.get(f"/api/c/alpha/prestations?member={world.ids['wen']}").json()) == 1


def test_amounts_are_integer_cents_in_every_language(visitor: Any, world: Any, chu: int) -> None:
    visitor.login("omar")  # reads French: typed "12.345" would be 12 345 €
    url = "/api/c/alpha/prestations"
    assert visitor.post_json(url, body(chu, rate_cents=5406)).json()["amount_cents"] == 5406
    assert visitor.post_json(url, body(chu, rate_cents=5400)).json()["amount_cents"] == 5400
    fixed = visitor.post_json(url, body(chu, duration_minutes=None, fixed_amount_cents=123450))
    assert fixed.json()["amount_cents"] == 123450
    travel = visitor.post_json(url, body(chu, rate_cents=5400, travel_cents=250)).json()
    assert travel["travel_cents"] == 250
    # Never text read in the caller's language, never a fraction of a cent, never euros.
    for refused_body in (
        body(chu, rate_cents=54.06),
        body(chu, rate_cents="5406"),
        body(chu, rate_cents=["5000", "7000"]),
        body(chu, rate="54,06"),
        body(chu, rate=54.06),
    ):
        refused = visitor.post_json(url, refused_body)
        assert refused.status_code == 422, refused_body
        assert set(refused.json()["errors"]) & {"rate", "rate_cents"}, refused.json()
    # The service still decides what an amount means, on the API's field name.
    too_much = visitor.post_json(url, body(chu, rate_cents=10**300))
    assert too_much.status_code == 422
    assert "rate_cents" in too_much.json()["errors"]
