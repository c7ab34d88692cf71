"""The API reads typed bodies strictly and says so in its OpenAPI document.

A list for a single value, an unknown key, a missing field or a value of the wrong type is
refused (422) naming each field, in the caller's language, before anything is written; the
role is checked before the fields. Every operation under /api declares its body and answers.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from sqlmodel import select

from governance.auth.models import Person
from governance.ledger.books.models import Client
from governance.ledger.work.models import Prestation
from governance.votes.api_bodies import BoardOut
from tests.votes_support import later, open_vote, run_worker_once

PRESTATIONS = "/api/c/alpha/prestations"
CLIENTS = "/api/c/alpha/clients"


def prestation(chu: int) -> dict[str, Any]:
    return {"client_id": chu, "date": "2026-11-20", "kind": "phone", "duration_minutes": 60}


def stored(run: Any, model: Any) -> int:
    async def count(session: Any) -> int:
        return len((await session.exec(select(model))).all())

    return int(run(count))


def speaks(run: Any, world: Any, key: str, language: str) -> None:
    async def change(session: Any) -> None:
        async with session.begin():
            person = await session.get(Person, world.ids[key])
            person.language = language

    run(change)


def refused(response: Any, *fields: str) -> dict[str, str]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["status_code"] == 422 and body["detail"]
    assert set(fields) <= set(body.get("errors", {})), body
    return dict(body.get("errors", {}))


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"rate_cents": [5000, 7000]}, "rate_cents"),
        ({"rate": ["50,00", "70,00"]}, "rate"),
        ({"client_id": [1, 2]}, "client_id"),
        ({"languages": "fr"}, "languages"),
        ({"date": ["2026-11-20"]}, "date"),
    ],
)
def test_a_list_for_one_value_and_the_reverse_are_refused_on_their_field(
    visitor: Any, world: Any, run: Any, chu: int, extra: dict[str, Any], field: str
) -> None:
    visitor.login("omar")
    before = stored(run, Prestation)
    body = {**prestation(chu), "rate_cents": 5000, **extra}
    refused(visitor.post_json(PRESTATIONS, body), field)
    assert stored(run, Prestation) == before
    # The same body with one value each is recorded: the refusal was the list's.
    assert (
        visitor.post_json(PRESTATIONS, {**prestation(chu), "rate_cents": 5000}).status_code == 201
    )


def test_an_unknown_key_is_refused_not_dropped(visitor: Any, world: Any, run: Any) -> None:
    visitor.login("carla")
    before = stored(run, Client)
    errors = refused(
        visitor.post_json(CLIENTS, {"name": "CHU", "kind": "hospital", "default_rate": 5500}),
        "default_rate",
    )
    assert list(errors) == ["default_rate"]
    assert stored(run, Client) == before
    made = visitor.post_json(
        CLIENTS, {"name": "CHU", "kind": "hospital", "default_rate_cents": 5500}
    )
    assert made.status_code == 201 and made.json()["default_rate_cents"] == 5500


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"kind": "hospital"}, {"name"}),
        ({}, {"name", "kind"}),
        ({"name": 12, "kind": "hospital"}, {"name"}),
        ({"name": "CHU", "kind": "hospital", "default_rate_cents": "5500"}, {"default_rate_cents"}),
        ({"name": "CHU", "kind": "hospital", "default_rate_cents": 55.0}, {"default_rate_cents"}),
        ({"name": "CHU", "kind": "hospital", "default_rate_cents": True}, {"default_rate_cents"}),
        ({"name": None, "kind": 3, "extra": 1}, {"name", "kind", "extra"}),
    ],
)
def test_missing_fields_and_wrong_types_are_refused_all_at_once(
    visitor: Any, world: Any, run: Any, body: dict[str, Any], fields: set[str]
) -> None:
    visitor.login("carla")
    before = stored(run, Client)
    assert set(refused(visitor.post_json(CLIENTS, body), *fields)) == fields
    assert stored(run, Client) == before


def test_text_for_a_number_is_refused_although_litestar_would_take_it(
    visitor: Any, world: Any, run: Any, chu: int
) -> None:
    visitor.login("omar")
    before = stored(run, Prestation)
    refused(visitor.post_json(PRESTATIONS, {**prestation(chu), "client_id": str(chu)}), "client_id")
    refused(visitor.post_json(PRESTATIONS, {**prestation(chu), "duration_minutes": "60"}))
    refused(visitor.post_json(PRESTATIONS, {**prestation(chu), "submit": "true"}), "submit")
    assert stored(run, Prestation) == before


def test_the_messages_are_in_the_callers_language(visitor: Any, world: Any, run: Any) -> None:
    visitor.login("carla")  # French, the default
    french = refused(visitor.post_json(CLIENTS, {"kind": "hospital"}), "name")
    assert french["name"] == "Ce champ est obligatoire."
    speaks(run, world, "carla", "en")
    english = refused(visitor.post_json(CLIENTS, {"kind": "hospital"}), "name")
    assert english["name"] == "This field is required."
    number = refused(
        visitor.post_json(CLIENTS, {"name": "X", "kind": "h", "default_rate_cents": []})
    )
    assert number["default_rate_cents"] == "Enter a whole number."


def test_the_role_is_checked_before_the_fields(visitor: Any, world: Any, run: Any) -> None:
    visitor.login("omar")
    assert visitor.post_json(CLIENTS, {"default_rate": "50,00"}).status_code == 403
    assert visitor.post_json(f"{PRESTATIONS}/validate", {"ids": "all"}).status_code == 403
    visitor.login("olga")  # an observer records no work
    assert visitor.post_json(PRESTATIONS, {"rate": ["50,00"]}).status_code == 403


def test_bodies_that_are_not_json_objects_get_a_422(visitor: Any, world: Any) -> None:
    visitor.login("carla")
    token = {"x-csrftoken": visitor.csrf(), "content-type": "application/json"}
    for content in (b"{not json", b"[1, 2]", b'"name"', b"", b"[" * 50_000 + b"]" * 50_000):
        answer = visitor.request("POST", CLIENTS, content=content, headers=token)
        assert answer.status_code == 422, (content[:20], answer.text)
        assert answer.json()["detail"]
    # An operation without fields takes nothing, `{}` or `null`, and nothing else.
    assert visitor.post_json(f"{CLIENTS}/999/archive", {}).status_code == 404
    assert visitor.post_json(f"{CLIENTS}/999/archive", None).status_code == 404
    nothing = visitor.request("POST", f"{CLIENTS}/999/archive", headers=token, content=b"null")
    assert nothing.status_code == 404
    refused(visitor.post_json(f"{CLIENTS}/999/archive", {"why": "old"}), "why")
    refused(visitor.post_json(f"{CLIENTS}/999/archive", []))


def test_a_bad_query_parameter_is_a_400_naming_it(visitor: Any, world: Any) -> None:
    visitor.login("carla")
    for month in ("2026-13", "0000-01", "2026-1"):
        answer = visitor.get(f"{PRESTATIONS}?month={month}")
        assert answer.status_code == 400, (month, answer.text)
        assert "month" in answer.json()["errors"]
    # A person's id past 32 bits was a 500 on PostgreSQL (found by scripts/check-api).
    for address, name in (
        (f"{PRESTATIONS}?member=", "member"),
        ("/api/c/alpha/audit?actor=", "actor"),
    ):
        answer = visitor.get(f"{address}{2**31}")
        assert answer.status_code == 400 and name in answer.json()["errors"], answer.text
        assert visitor.get(f"{address}{2**31 - 1}").status_code == 200


def test_the_openapi_document_describes_every_api_operation(client: Any, app: Any) -> None:
    document = client.get("/schema/openapi.json")
    assert document.status_code == 200
    paths = document.json()["paths"]
    schemas = document.json()["components"]["schemas"]
    routes = {
        (method.lower(), route.path)
        for route in app.routes
        for method in getattr(route, "methods", ())
        if route.path.startswith("/api/") and method not in ("OPTIONS", "HEAD")
    }
    described = {(method, path) for path, operations in paths.items() for method in operations}
    documented = {(m, p.replace("{", "").replace("}", "")) for m, p in described}
    for method, path in routes:
        plain = path.replace(":str", "").replace(":int", "").replace("{", "").replace("}", "")
        assert (method, plain) in documented, f"{method.upper()} {path} is not in the schema"
    assert all(p.startswith("/api/") or p.endswith("/board.json") for p in paths), list(paths)
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method == "post" and path.startswith("/api/"):
                body = operation.get("requestBody", {}).get("content", {})
                assert "application/json" in body, f"POST {path} declares no body"
                optional = path.endswith(("/archive", "/restore", "/submit"))
                assert operation["requestBody"]["required"] is not optional, (path, optional)
            for status, answer in operation["responses"].items():
                content = answer.get("content", {})
                assert content, f"{method} {path} {status} declares no content"
                assert all("schema" in c for c in content.values()), (method, path, status)
            success = [s for s in operation["responses"] if s.startswith("2")]
            assert success, f"{method} {path} declares no success"
    client_in = schemas["ClientIn"]
    assert set(client_in["required"]) == {"name", "kind"}
    assert client_in["additionalProperties"] is False  # as it is read
    assert "additionalProperties" not in schemas["ClientOut"]
    assert client_in["properties"]["default_rate_cents"]["oneOf"][0]["type"] == "integer"
    board = paths["/c/{slug}/proposals/{proposal_id}/board.json"]["get"]["responses"]["200"]
    assert board["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BoardOut"
    }


def test_the_audit_api_declares_its_events(client: Any) -> None:
    document = client.get("/schema/openapi.json").json()
    answer = document["paths"]["/api/c/{slug}/audit"]["get"]["responses"]["200"]
    schema = answer["content"]["application/json"]["schema"]
    schemas = document["components"]["schemas"]

    def resolved(node: dict[str, Any]) -> dict[str, Any]:
        ref = node.get("$ref", "")
        return dict(schemas[ref.rsplit("/", 1)[-1]]) if ref else node

    page = resolved(schema)
    assert set(page["properties"]) == {"total", "next_before", "events"}
    assert set(page["required"]) == {"total", "next_before", "events"}
    events = page["properties"]["events"]
    assert events["type"] == "array"
    event = resolved(events["items"])
    fields = ("seq", "at", "actor_id", "action", "subject_type", "subject_id", "data")
    assert set(event["properties"]) == {*fields, "redacted", "prev_hash", "hash"}
    assert set(event["required"]) == set(event["properties"])
    assert event["properties"]["redacted"]["type"] == "boolean"
    assert event["properties"]["seq"]["type"] == "integer"
    assert event["properties"]["data"]["type"] == "object"


def test_the_board_answers_the_shape_it_declares(
    make_visitor: Any, world: Any, run: Any, settings: Any, monkeypatch: Any
) -> None:
    pid = run(lambda s: open_vote(s, world))
    omar, carla = make_visitor(), make_visitor()
    omar.login("omar")
    carla.login("carla")
    ballot = f"/api/c/alpha/proposals/{pid}/ballot"
    refused(omar.post_json(ballot, {"choice": ["yes", "no"]}), "choice")
    refused(omar.post_json(ballot, {"choice": "yes", "voter": 3}), "voter")
    cast = omar.post_json(ballot, {"choice": "yes"})
    assert cast.status_code == 200 and cast.json()["choice"] == "yes"
    assert carla.post_json(ballot, {"choice": "no"}).status_code == 200
    later(monkeypatch)
    run_worker_once(settings)
    omar = make_visitor()  # a day later: a new session
    omar.login("omar")
    api = omar.get(f"/api/c/alpha/proposals/{pid}/board")
    download = omar.get(f"/c/alpha/proposals/{pid}/board.json")
    assert api.status_code == 200 and download.status_code == 200
    assert api.json() == download.json()  # nothing the struct does not know was dropped
    board = msgspec.json.decode(download.content, type=BoardOut)
    assert cast.json()["receipt"] in {b.receipt for b in board.ballots}
    assert len(board.ballots) == 2 and board.result is not None
