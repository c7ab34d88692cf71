"""Clients through the pages: coordinators add, correct, archive and restore; members read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance.base.errors import Invalid
from governance.ledger.work import clients, prestations
from tests.work_support import CHU, add, audit_of, stored

LIST = "/c/alpha/clients/"


def test_a_coordinator_adds_corrects_archives_and_restores_a_client(
    visitor: Any, world: Any, run: Any
) -> None:
    visitor.login("carla")
    assert visitor.get("/c/alpha/clients/new").status_code == 200
    created = visitor.post(LIST, CHU)
    assert created.status_code in (302, 303), created.text
    assert created.headers["location"] == LIST
    page = visitor.get(LIST)
    assert "CHU de Liège" in page.text and "BE0403170701" in page.text and "55,00" in page.text

    [client] = run(lambda s: clients.clients_for(s, world.actor("carla")))
    form = visitor.get(f"/c/alpha/clients/{client.id}/edit")
    assert form.status_code == 200
    assert 'value="55,00"' in form.text and 'value="BE0403170701"' in form.text

    changed = visitor.post(
        f"/c/alpha/clients/{client.id}", {**CHU, "default_rate": "60", "kind": "other"}
    )
    assert changed.status_code in (302, 303), changed.text
    assert stored(run, client.id).default_rate_cents == 6000

    assert visitor.post(f"/c/alpha/clients/{client.id}/archive").status_code in (302, 303)
    assert f'id="client-{client.id}"' not in visitor.get(LIST).text
    assert f'id="client-{client.id}"' in visitor.get(LIST + "?archived=1").text
    assert visitor.post(f"/c/alpha/clients/{client.id}/restore").status_code in (302, 303)
    assert f'id="client-{client.id}"' in visitor.get(LIST).text

    assert [action for action, _ in audit_of(run, client.id)] == [
        "client.created",
        "client.updated",
        "client.archived",
        "client.restored",
    ]


def test_a_correction_is_audited_with_the_changed_fields_only(run: Any, world: Any) -> None:
    client_id = add(run, world.actor("carla"))

    async def correct(session: Any) -> Any:
        data = {**CHU, "address": "Rue Neuve 2", "default_rate": "60"}
        return await clients.update_client(session, world.actor("carla"), client_id, data, "fr")

    run(correct)
    action, data = audit_of(run, client_id)[-1]
    assert action == "client.updated"
    assert data == {
        "name": "CHU de Liège",
        "before": {"address": CHU["address"], "default_rate_cents": 5500},
        "after": {"address": "Rue Neuve 2", "default_rate_cents": 6000},
    }


def test_saving_an_unchanged_client_writes_nothing(visitor: Any, world: Any, run: Any) -> None:
    client_id = add(run, world.actor("carla"))
    visitor.login("carla")
    again = visitor.post(f"/c/alpha/clients/{client_id}", {**CHU, "vat_number": "403170701"})
    assert again.status_code in (302, 303)
    assert [action for action, _ in audit_of(run, client_id)] == ["client.created"]


def test_archiving_twice_is_harmless(visitor: Any, world: Any, run: Any) -> None:
    client_id = add(run, world.actor("carla"))
    visitor.login("carla")
    for _ in range(2):
        assert visitor.post(f"/c/alpha/clients/{client_id}/archive").status_code in (302, 303)
    assert [action for action, _ in audit_of(run, client_id)] == [
        "client.created",
        "client.archived",
    ]


@pytest.mark.parametrize("persona", ["omar", "wen", "olga"])
def test_a_member_reads_the_clients_but_cannot_change_them(
    persona: str, visitor: Any, world: Any, run: Any
) -> None:
    client_id = add(run, world.actor("carla"))
    visitor.login(persona)
    page = visitor.get(LIST)
    assert page.status_code == 200 and "CHU de Liège" in page.text
    assert "/clients/new" not in page.text and "/archive" not in page.text
    assert visitor.get("/c/alpha/clients/new").status_code == 403
    assert visitor.post(LIST, {**CHU, "name": "Another"}).status_code == 403
    assert visitor.get(f"/c/alpha/clients/{client_id}/edit").status_code == 403
    assert visitor.post(f"/c/alpha/clients/{client_id}", CHU).status_code == 403
    assert visitor.post(f"/c/alpha/clients/{client_id}/archive").status_code == 403
    assert [c.name for c in run(lambda s: clients.clients_for(s, world.actor("carla")))] == [
        "CHU de Liège"
    ]


def test_a_coordinator_of_another_cooperative_finds_nothing(
    visitor: Any, world: Any, run: Any
) -> None:
    client_id = add(run, world.actor("carla"))
    visitor.login("bea")
    assert visitor.get(LIST).status_code == 404
    assert visitor.post(f"/c/alpha/clients/{client_id}/archive").status_code == 404
    # Through her own cooperative's address, alpha's client does not exist either.
    assert visitor.get(f"/c/beta/clients/{client_id}/edit").status_code == 404
    assert visitor.post(f"/c/beta/clients/{client_id}", CHU).status_code == 404
    assert visitor.post(f"/c/beta/clients/{client_id}/archive").status_code == 404
    assert visitor.post(f"/c/beta/clients/{client_id}/restore").status_code == 404
    assert "CHU" not in visitor.get("/c/beta/clients/").text
    assert not stored(run, client_id).archived


def test_a_suspended_member_and_a_stranger_are_kept_out(make_visitor: Any, world: Any) -> None:
    sam, stranger = make_visitor(), make_visitor()
    sam.login("sam")
    assert sam.get(LIST).status_code == 403
    assert sam.post(LIST, CHU).status_code == 403
    response = stranger.get(LIST)
    assert response.status_code == 302 and response.headers["location"].startswith("/login")


def test_a_duplicate_name_is_refused_on_the_name_field(visitor: Any, world: Any, run: Any) -> None:
    add(run, world.actor("carla"))
    visitor.login("carla")
    again = visitor.post(LIST, {**CHU, "name": "chu DE LIÈGE", "vat_number": ""})
    assert again.status_code == 400
    assert 'id="f-name" name="name" type="text" value="chu DE LIÈGE"' in again.text
    assert 'aria-describedby="f-name-error"' in again.text
    assert again.text.count('aria-invalid="true"') == 1


def test_renaming_onto_another_client_is_refused(visitor: Any, world: Any, run: Any) -> None:
    add(run, world.actor("carla"))
    other = add(run, world.actor("carla"), name="CPAS de Liège", kind="social_services")
    visitor.login("carla")
    response = visitor.post(f"/c/alpha/clients/{other}", {**CHU, "kind": "social_services"})
    assert response.status_code == 400
    assert 'aria-describedby="f-name-error"' in response.text
    assert stored(run, other).name == "CPAS de Liège"


def test_the_same_name_in_another_cooperative_is_fine(run: Any, world: Any) -> None:
    add(run, world.actor("carla"))
    assert add(run, world.actor("bea", "beta")) > 0


def test_a_bad_form_comes_back_with_every_message_and_what_was_typed(
    visitor: Any, world: Any
) -> None:
    visitor.login("carla")
    response = visitor.post(
        LIST, {**CHU, "vat_number": "BE 0403.170.702", "default_rate": "douze", "kind": "x"}
    )
    assert response.status_code == 400
    assert response.text.count('aria-invalid="true"') == 3
    assert 'value="BE 0403.170.702"' in response.text and 'value="CHU de Liège"' in response.text
    assert 'id="client-' not in visitor.get(LIST).text


def test_html_in_a_name_is_shown_as_text(visitor: Any, world: Any, run: Any) -> None:
    name = '<script>alert("x")</script>'
    client_id = add(run, world.actor("carla"), name=name, address="<b>Rue</b>")
    visitor.login("omar")
    page = visitor.get(LIST).text
    assert "<script>alert" not in page and "<b>Rue" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    visitor.login("carla")
    form = visitor.get(f"/c/alpha/clients/{client_id}/edit").text
    assert "<script>alert" not in form


def test_an_archived_client_is_not_offered_for_new_work(visitor: Any, world: Any, run: Any) -> None:
    client_id = add(run, world.actor("carla"))
    run(lambda s: clients.set_archived(s, world.actor("carla"), client_id, True))
    visitor.login("omar")
    assert f'value="{client_id}"' not in visitor.get("/c/alpha/work/new").text

    async def record(session: Any) -> Any:
        data = {
            "client_id": str(client_id),
            "date": "2026-11-20",
            "duration_minutes": "60",
            "kind": "on_site",
        }
        return await prestations.record_prestation(
            session, world.actor("omar"), data, language="fr", today=dt.date(2026, 11, 27)
        )

    with pytest.raises(Invalid) as refused:
        run(record)
    assert set(refused.value.fields) == {"client_id"}


def test_a_restored_client_takes_work_again(run: Any, world: Any) -> None:
    client_id = add(run, world.actor("carla"))
    run(lambda s: clients.set_archived(s, world.actor("carla"), client_id, True))
    run(lambda s: clients.set_archived(s, world.actor("carla"), client_id, False))

    async def record(session: Any) -> Any:
        data = {"client_id": str(client_id), "date": "2026-11-20", "duration_minutes": "60"}
        return await prestations.record_prestation(
            session,
            world.actor("omar"),
            {**data, "kind": "on_site"},
            language="fr",
            today=dt.date(2026, 11, 27),
        )

    prestation, created = run(record)
    assert created and prestation.amount_cents == 5500  # the client's usual rate


hostile = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["", "\x00", "BE" + "9" * 40, "é" * 5000, "-1", "1e309", "٠٤٠٣", "<b>x</b>"]),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_no_client_form_gives_a_server_error(visitor: Any, world: Any, data: st.DataObject) -> None:
    if "governance_session" not in visitor.jar:
        visitor.login("carla")
    path = data.draw(st.sampled_from([LIST, "/c/alpha/clients/1", f"{LIST}?archived=x"]))
    fields = {name: data.draw(hostile) for name in (*CHU, "extra")}
    response = visitor.post(path, fields)
    assert response.status_code < 500, (path, fields, response.text[:500])
    listed = visitor.get(LIST, params={"archived": data.draw(hostile)})
    assert listed.status_code < 500
