"""Recording a client's payment in two steps, the payments list, and cancelling an invoice.

After the client is chosen, only that client's unpaid invoices are offered: with JavaScript by
htmx (GET …/payments/new/invoices?client=ID, a fragment), without it by a GET form that reloads
the page with ?client=ID. A payment ticked against another client's invoice is refused with a
message naming the invoice, and nothing is written. Cancelling an invoice first shows a page
that says what cannot be undone; only its POST cancels.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from governance.audit.models import AuditEvent
from governance.base import clock
from governance.ledger.billing.models import Invoice, Payment
from governance.ledger.books.kinds import ClientKind
from governance.ledger.books.models import JournalEntry
from governance.ledger.work import prestations
from governance.ledger.work.clients import create_client

BASE = "/c/alpha"


def _client_with_work(run: Any, world: Any, name: str, coop: str = "alpha") -> int:
    """A client with one validated prestation this month (in `coop`): its id."""
    today = clock.today()
    coordinator = "carla" if coop == "alpha" else "bea"

    async def action(session: Any) -> int:
        client = await create_client(
            session,
            world.actor(coordinator, coop),
            name=name,
            kind=ClientKind.SOCIAL_SERVICES,
            default_rate_cents=6000,
        )
        assert client.id is not None
        if coop == "alpha":
            work, _ = await prestations.record_prestation(
                session,
                world.actor("omar"),
                {
                    "client_id": str(client.id),
                    "date": today.replace(day=1).isoformat(),
                    "duration_minutes": "60",
                    "kind": "on_site",
                },
                language="fr",
                today=today,
                submit=True,
            )
            await prestations.validate_prestations(session, world.actor("carla"), [work.id])
        return client.id

    return int(run(action))


@pytest.fixture
def invoiced(make_visitor: Any, run: Any, world: Any, chu: int) -> dict[str, Any]:
    """Carla logged in; CHU and CPAS each with one invoice of this month."""
    cpas = _client_with_work(run, world, "CPAS d'Alpha")
    carla = make_visitor()
    carla.login("carla")
    month = clock.today().strftime("%Y-%m")
    for client in (chu, cpas):
        done = carla.post(f"{BASE}/invoices/", {"client_id": str(client), "month": month})
        assert done.status_code in (302, 303), done.text

    async def ids(session: Any) -> dict[int, tuple[int, str]]:
        async with session.begin():
            rows = (await session.exec(select(Invoice))).all()
        return {row.client_id: (row.id, row.reference) for row in rows}

    found = run(ids)
    return {
        "carla": carla,
        "chu": chu,
        "cpas": cpas,
        "chu_invoice": found[chu],
        "cpas_invoice": found[cpas],
    }


def _offered(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'name="invoice_ids" value="(\d+)"', html)}


def _counts(run: Any) -> tuple[int, int, int]:
    async def action(session: Any) -> tuple[int, int, int]:
        async with session.begin():
            payments = (await session.exec(select(func.count()).select_from(Payment))).one()
            entries = (await session.exec(select(func.count()).select_from(JournalEntry))).one()
            events = (await session.exec(select(func.count()).select_from(AuditEvent))).one()
        return int(payments), int(entries), int(events)

    result: tuple[int, int, int] = run(action)
    return result


def test_without_javascript_the_second_step_offers_only_the_chosen_clients_invoices(
    invoiced: dict[str, Any],
) -> None:
    carla = invoiced["carla"]
    first = carla.get(f"{BASE}/payments/new")
    assert first.status_code == 200
    # Step 1 is a form that only reads: GET back to this page with ?client=ID.
    assert re.search(rf'<form method="get" action="{BASE}/payments/new"', first.text)
    assert 'name="client"' in first.text
    assert _offered(first.text) == set()  # no client yet, no invoice offered
    assert f'action="{BASE}/payments/"' not in first.text

    chu_id, _ = invoiced["chu_invoice"]
    cpas_id, _ = invoiced["cpas_invoice"]
    second = carla.get(f"{BASE}/payments/new?client={invoiced['cpas']}")
    assert second.status_code == 200
    assert _offered(second.text) == {cpas_id}
    assert f'<option value="{invoiced["cpas"]}" selected>' in second.text
    assert f'name="client_id" value="{invoiced["cpas"]}"' in second.text
    assert _offered(carla.get(f"{BASE}/payments/new?client={invoiced['chu']}").text) == {chu_id}


def test_with_javascript_htmx_fetches_the_chosen_clients_invoices_alone(
    invoiced: dict[str, Any], run: Any, world: Any, make_visitor: Any
) -> None:
    carla = invoiced["carla"]
    page = carla.get(f"{BASE}/payments/new").text
    assert f'hx-get="{BASE}/payments/new/invoices"' in page
    assert 'hx-target="#payment-step"' in page

    cpas_id, _ = invoiced["cpas_invoice"]
    fragment = carla.get(
        f"{BASE}/payments/new/invoices?client={invoiced['cpas']}", headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'id="payment-step"' in fragment.text
    assert _offered(fragment.text) == {cpas_id}
    assert f'name="client_id" value="{invoiced["cpas"]}"' in fragment.text
    assert 'name="_csrf_token"' in fragment.text

    # Another cooperative's client, or nonsense, is no client: nothing is offered.
    foreign = _client_with_work(run, world, "Beta client", coop="beta")
    for value in (str(foreign), "abc", "99999999999999"):
        empty = carla.get(f"{BASE}/payments/new/invoices?client={value}")
        assert empty.status_code == 200
        assert _offered(empty.text) == set()
        assert 'name="client_id"' not in empty.text

    omar = make_visitor()
    omar.login("omar")
    assert omar.get(f"{BASE}/payments/new/invoices?client={invoiced['cpas']}").status_code == 403


def test_a_payment_against_another_clients_invoice_is_refused_and_nothing_changes(
    invoiced: dict[str, Any], run: Any
) -> None:
    carla = invoiced["carla"]
    cpas_id, cpas_reference = invoiced["cpas_invoice"]
    before = _counts(run)
    refused = carla.post(
        f"{BASE}/payments/",
        {
            "client_id": str(invoiced["chu"]),
            "date": clock.today().isoformat(),
            "amount": "60,00",
            "invoice_ids": str(cpas_id),
        },
    )
    assert refused.status_code == 400
    message = re.search(r'<p class="error" role="alert">(.*?)</p>', refused.text, re.S)
    assert message, refused.text
    assert cpas_reference in message.group(1) and "CHU" in message.group(1)
    # The form comes back on the payer's step, with the payer's invoices only.
    chu_id, _ = invoiced["chu_invoice"]
    assert _offered(refused.text) == {chu_id}
    assert _counts(run) == before


def test_the_payments_list_shows_the_real_payments(
    invoiced: dict[str, Any], make_visitor: Any
) -> None:
    carla = invoiced["carla"]
    before = carla.get(f"{BASE}/payments/")
    assert before.status_code == 200
    assert 'id="payment-' not in before.text

    chu_id, chu_reference = invoiced["chu_invoice"]
    today = clock.today()
    paid = carla.post(
        f"{BASE}/payments/",
        {
            "client_id": str(invoiced["chu"]),
            "date": today.isoformat(),
            "amount": "125,00",
            "reference": "VIR-7788",
            "invoice_ids": str(chu_id),
        },
    )
    assert paid.status_code in (302, 303), paid.text
    assert paid.headers["location"] == f"{BASE}/payments/"

    listing = carla.get(f"{BASE}/payments/").text
    row = re.search(r'<tr id="payment-\d+">(.*?)</tr>', listing, re.S)
    assert row, listing
    cells = row.group(1)
    assert today.strftime("%d/%m/%Y") in cells
    assert "CHU" in cells and "VIR-7788" in cells
    assert re.search(r"125,00\s€", cells)
    assert chu_reference in cells  # the invoice it settled: all its 110,00 …
    assert re.search(r"110,00\s€", cells)
    assert re.search(r"15,00\s€", cells)  # … and 15,00 set against no invoice

    # The invoices page's Payments card lists it too, with a link to every payment.
    card = re.search(
        r'<section class="card" id="payments">(.*?)</section>',
        carla.get(f"{BASE}/invoices/").text,
        re.S,
    )
    assert card and re.search(r"125,00\s€", card.group(1))
    assert f'href="{BASE}/payments/"' in card.group(1)

    # A worker does not read client money (docs/privacy.md): neither the list nor the card.
    wen = make_visitor()
    wen.login("wen")
    assert wen.get(f"{BASE}/payments/").status_code == 403
    assert 'id="payments"' not in wen.get(f"{BASE}/invoices/").text


def test_cancelling_an_invoice_asks_first_on_a_page_that_says_what_cannot_be_undone(
    invoiced: dict[str, Any], make_visitor: Any
) -> None:
    carla = invoiced["carla"]
    chu_id, chu_reference = invoiced["chu_invoice"]
    listing = carla.get(f"{BASE}/invoices/").text
    # The list links to the confirmation page; it holds no form that cancels at once.
    assert f'href="{BASE}/invoices/{chu_id}/cancel"' in listing
    assert f'action="{BASE}/invoices/{chu_id}/cancel"' not in listing

    confirm = carla.get(f"{BASE}/invoices/{chu_id}/cancel")
    assert confirm.status_code == 200
    assert chu_reference in confirm.text
    assert 'class="warning"' in confirm.text
    assert f'<form method="post" action="{BASE}/invoices/{chu_id}/cancel"' in confirm.text
    assert re.search(r"110,00\s€", confirm.text)  # the credit note's amount
    # Looking is not doing: the invoice is still there to cancel.
    assert f'href="{BASE}/invoices/{chu_id}/cancel"' in carla.get(f"{BASE}/invoices/").text

    omar = make_visitor()
    omar.login("omar")
    assert omar.get(f"{BASE}/invoices/{chu_id}/cancel").status_code == 403
    assert carla.get(f"{BASE}/invoices/999999/cancel").status_code == 404

    done = carla.post(f"{BASE}/invoices/{chu_id}/cancel", {"reason": "Billed twice"})
    assert done.status_code in (302, 303)
    after = carla.get(f"{BASE}/invoices/{chu_id}/cancel")
    assert after.status_code == 200
    assert f'action="{BASE}/invoices/{chu_id}/cancel"' not in after.text
    assert 'role="alert"' in after.text
    assert f'href="{BASE}/invoices/{chu_id}/cancel"' not in carla.get(f"{BASE}/invoices/").text
