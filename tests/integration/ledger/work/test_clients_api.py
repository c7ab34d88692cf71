"""The clients API: JSON in and out, the client form's rules, the client pages' permissions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance.base import clock
from governance.ledger.billing import invoices
from governance.ledger.work import clients
from tests.books_support import set_open_books
from tests.work_support import CHU, add, audit_of, stored

API = "/api/c/alpha/clients"
BODY = {
    "name": "CHU de Liège",
    "kind": "hospital",
    "vat_number": "BE 0403.170.701",
    "address": "Avenue de l'Hôpital 1, 4000 Liège",
    "default_rate_cents": 5500,
}


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [row["name"] for row in response.json()]


def all_clients(run: Any, world: Any) -> list[str]:
    rows = run(lambda s: clients.clients_for(s, world.actor("carla"), include_archived=True))
    return [row.name for row in rows]


def invoice_this_month(run: Any, world: Any, client_id: int) -> None:
    today = clock.today()
    run(
        lambda s: invoices.issue_invoice(
            s, world.actor("carla"), client_id, today.strftime("%Y-%m"), today
        )
    )


@pytest.mark.parametrize("persona", ["omar", "wen", "olga", "carla"])
def test_every_member_reads_the_clients_and_archived_ones_on_request(
    persona: str, visitor: Any, world: Any, run: Any
) -> None:
    add(run, world.actor("carla"))
    gone = add(run, world.actor("carla"), name="Ancien client", vat_number="")
    run(lambda s: clients.set_archived(s, world.actor("carla"), gone, True))
    visitor.login(persona)
    listed = visitor.get(API)
    assert names(listed) == ["CHU de Liège"]
    assert listed.json()[0] == {
        "id": listed.json()[0]["id"],
        "name": "CHU de Liège",
        "kind": "hospital",
        "vat_number": "BE0403170701",
        "address": CHU["address"],
        "default_rate_cents": 5500,
        "archived": False,
    }
    assert names(visitor.get(API + "?archived=true")) == ["Ancien client", "CHU de Liège"]
    assert visitor.get(f"{API}/{gone}").json()["archived"] is True


def test_a_client_shows_what_it_owes_to_those_who_read_the_books(
    make_visitor: Any,
    world: Any,
    run: Any,
    chu: int,
) -> None:
    invoice_this_month(run, world, chu)
    expected = run(lambda s: invoices.client_ageing(s, world.actor("olga"), chu, clock.today()))
    # Workers do not read the books (docs/privacy.md): the client, without what it owes.
    worker = make_visitor()
    worker.login("wen")
    assert worker.get(f"{API}/{chu}").json().get("owes") is None
    for persona in ("olga", "omar", "carla"):
        visitor = make_visitor()
        visitor.login(persona)
        found = visitor.get(f"{API}/{chu}")
        assert found.status_code == 200, found.text
        owes = found.json()["owes"]
        assert owes["owed_cents"] == expected.owed_cents == 11000
        assert owes["not_due_cents"] == expected.not_due_cents
        assert [
            owes["late_up_to_30_days_cents"],
            owes["late_31_to_60_days_cents"],
            owes["late_61_to_90_days_cents"],
            owes["late_over_90_days_cents"],
        ] == list(expected.buckets_cents)
        [invoice] = owes["open_invoices"]
        assert invoice["reference"] == f"{clock.today().year}-00001"
        assert invoice["outstanding_cents"] == invoice["total_cents"] == 11000
        assert invoice["due_on"] > invoice["issued_on"] == clock.today().isoformat()
        assert invoice["communication"].startswith("+++")


def test_closed_books_keep_what_a_client_owes_from_members(
    make_visitor: Any,
    world: Any,
    run: Any,
    chu: int,
) -> None:
    set_open_books(run, world.alpha, False)
    omar, olga = make_visitor(), make_visitor()
    omar.login("omar")
    olga.login("olga")
    # The client itself is on the list every member reads; what it owes is in the books.
    assert omar.get(f"/c/alpha/clients/{chu}").status_code == 403
    found = omar.get(f"{API}/{chu}")
    assert found.status_code == 200 and "owes" not in found.json()
    assert found.json()["name"] == "CHU"
    assert olga.get(f"{API}/{chu}").json()["owes"]["owed_cents"] == 0  # validated, not invoiced


def test_a_coordinator_adds_a_client(visitor: Any, world: Any, run: Any) -> None:
    visitor.login("carla")
    created = visitor.post_json(API, BODY)
    assert created.status_code == 201, created.text
    client = created.json()
    assert client["vat_number"] == "BE0403170701"
    assert client["default_rate_cents"] == 5500 and client["archived"] is False
    assert stored(run, client["id"]).name == "CHU de Liège"
    assert [action for action, _ in audit_of(run, client["id"])] == ["client.created"]
    assert names(visitor.get(API)) == ["CHU de Liège"]
    bare = visitor.post_json(API, {"name": "CPAS", "kind": "social_services"})
    assert bare.status_code == 201
    assert bare.json()["vat_number"] is None and bare.json()["default_rate_cents"] == 0


def test_the_form_rules_are_the_apis_rules(visitor: Any, world: Any, run: Any) -> None:
    add(run, world.actor("carla"))
    visitor.login("carla")
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({**BODY, "name": "chu DE LIÈGE", "vat_number": None}, {"name"}),
        ({**BODY, "name": "Other", "vat_number": "BE 0403.170.702"}, {"vat_number"}),
        ({**BODY, "name": "Other", "kind": "bakery"}, {"kind"}),
        ({**BODY, "name": "Other", "default_rate_cents": -1}, {"default_rate_cents"}),
        ({**BODY, "name": "Other", "default_rate_cents": 10**8 + 1}, {"default_rate_cents"}),
        ({**BODY, "name": "Other", "default_rate_cents": 10**40}, {"default_rate_cents"}),
        ({**BODY, "name": "x" * 161}, {"name"}),
        ({"kind": "other"}, {"name"}),
        ({}, {"name", "kind"}),
    ]
    for body, fields in cases:
        response = visitor.post_json(API, body)
        assert response.status_code == 422, (body, response.text)
        assert set(response.json()["errors"]) == fields, body
        assert response.json()["detail"]
    assert all_clients(run, world) == ["CHU de Liège"]


def test_a_value_of_the_wrong_type_is_refused_on_its_field(
    visitor: Any, world: Any, run: Any
) -> None:
    visitor.login("carla")
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({**BODY, "name": {"text": "CHU"}}, {"name"}),
        ({**BODY, "name": ["CHU"]}, {"name"}),
        ({**BODY, "kind": 1}, {"kind"}),
        ({**BODY, "vat_number": 403170701}, {"vat_number"}),
        ({**BODY, "address": True}, {"address"}),
        ({**BODY, "default_rate_cents": 55.5}, {"default_rate_cents"}),
        ({**BODY, "default_rate_cents": "5500"}, {"default_rate_cents"}),
        ({**BODY, "default_rate_cents": True}, {"default_rate_cents"}),
        ({**BODY, "default_rate_cents": [5500]}, {"default_rate_cents"}),
    ]
    for body, fields in cases:
        response = visitor.post_json(API, body)
        assert response.status_code == 422, (body, response.text)
        assert set(response.json()["errors"]) == fields, body
    assert all_clients(run, world) == []


def test_a_body_that_is_not_a_json_object_is_refused(visitor: Any, world: Any, run: Any) -> None:
    visitor.login("carla")
    for content in (b"{not json", b"", b"[1, 2]", b'"CHU"', b"null", b"\xff\xfe"):
        response = visitor.request(
            "POST",
            API,
            content=content,
            headers={"x-csrftoken": visitor.csrf(), "content-type": "application/json"},
        )
        assert response.status_code == 422, (content, response.text)
        assert "detail" in response.json()
    assert all_clients(run, world) == []


def test_a_coordinator_archives_and_restores(visitor: Any, world: Any, run: Any) -> None:
    client_id = add(run, world.actor("carla"))
    visitor.login("carla")
    for _ in range(2):
        archived = visitor.post_json(f"{API}/{client_id}/archive", {})
        assert archived.status_code == 200 and archived.json()["archived"] is True
    assert names(visitor.get(API)) == []
    restored = visitor.post_json(f"{API}/{client_id}/restore", None)
    assert restored.status_code == 200 and restored.json()["archived"] is False
    assert [action for action, _ in audit_of(run, client_id)] == [
        "client.created",
        "client.archived",
        "client.restored",
    ]


@pytest.mark.parametrize("persona", ["omar", "wen", "olga"])
def test_a_member_cannot_add_or_archive(persona: str, visitor: Any, world: Any, run: Any) -> None:
    client_id = add(run, world.actor("carla"))
    visitor.login(persona)
    assert visitor.post_json(API, {**BODY, "name": "Another"}).status_code == 403
    # The role is checked before the body's fields: a bad body still says "not allowed".
    assert visitor.post_json(API, {"name": {"x": 1}}).status_code == 403
    assert visitor.post_json(API, {"default_rate": 1}).status_code == 403
    # Only text that is not JSON at all is refused first, when Litestar reads it (422).
    bad = visitor.request(
        "POST",
        API,
        content=b"{not json",
        headers={"x-csrftoken": visitor.csrf(), "content-type": "application/json"},
    )
    assert bad.status_code == 422
    assert visitor.post_json(f"{API}/{client_id}/archive", {}).status_code == 403
    assert visitor.post_json(f"{API}/{client_id}/restore", {}).status_code == 403
    assert all_clients(run, world) == ["CHU de Liège"]
    assert not stored(run, client_id).archived


def test_another_cooperatives_client_is_not_found(visitor: Any, world: Any, run: Any) -> None:
    client_id = add(run, world.actor("carla"))
    visitor.login("bea")
    assert visitor.get(API).status_code == 404
    assert visitor.get(f"{API}/{client_id}").status_code == 404
    # Through her own cooperative's address, alpha's client does not exist either.
    beta = "/api/c/beta/clients"
    assert visitor.get(beta).json() == []
    assert visitor.get(f"{beta}/{client_id}").status_code == 404
    assert visitor.post_json(f"{beta}/{client_id}/archive", {}).status_code == 404
    assert visitor.post_json(f"{beta}/{client_id}/restore", {}).status_code == 404
    assert not stored(run, client_id).archived
    # The same name is free in her cooperative.
    assert visitor.post_json(beta, BODY).status_code == 201


def test_a_suspended_member_and_a_stranger_are_kept_out(
    make_visitor: Any, world: Any, run: Any
) -> None:
    client_id = add(run, world.actor("carla"))
    sam, stranger = make_visitor(), make_visitor()
    sam.login("sam")
    for response in (sam.get(API), sam.get(f"{API}/{client_id}"), sam.post_json(API, BODY)):
        assert response.status_code == 403
    for response in (stranger.get(API), stranger.get(f"{API}/{client_id}")):
        assert response.status_code == 401 and "detail" in response.json()


def test_ids_and_flags_out_of_range_are_refused(visitor: Any, world: Any) -> None:
    visitor.login("carla")
    for path in (f"{API}/0", f"{API}/{2**63}", f"{API}/{10**30}", f"{API}/-1", f"{API}?archived=x"):
        response = visitor.get(path)
        assert response.status_code in (400, 404), (path, response.text)
    assert visitor.post_json(f"{API}/{2**63}/archive", {}).status_code in (400, 404)
    assert visitor.get(f"{API}/{2**31 - 1}").status_code == 404
    assert visitor.get(f"{API}/{2**31}").status_code == 404  # no row can have that id


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=50)
    | st.sampled_from(["", "\x00", "BE" + "9" * 40, "é" * 400, "٠٤٠٣١٧٠٧٠١", "hospital"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children),
    max_leaves=8,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_no_body_gives_a_server_error(visitor: Any, world: Any, data: st.DataObject) -> None:
    if "governance_session" not in visitor.jar:
        visitor.login("carla")
    keys = st.sampled_from([*BODY, "extra"])
    body = data.draw(st.dictionaries(keys, json_values) | json_values)
    response = visitor.request(
        "POST",
        API,
        content=json.dumps(body).encode(),
        headers={"x-csrftoken": visitor.csrf(), "content-type": "application/json"},
    )
    assert response.status_code in (201, 422), (body, response.text[:500])
