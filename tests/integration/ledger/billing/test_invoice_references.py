"""Invoice numbers on the invoice pages, as an Arabic reader's browser lays them out: every
number inside a sentence or a title is isolated left to right and kept on one line
(<bdi dir="ltr" class="ident">), else "2026-00005" after Arabic words reads "00005-2026".
A credit note asks for no payment: no structured communication in the list. A refused form says
what is wrong once, in the page's flash, not again inside the card."""

from __future__ import annotations

import re
from typing import Any

from governance.auth.models import Person
from tests.billing_support import BASE, _client_with_work, _invoices, _issue

COMMUNICATION = re.compile(r"\+\+\+\d{3}/\d{4}/\d{5}\+\+\+")


def _isolated(reference: str) -> str:
    return f'<bdi dir="ltr" class="ident">{reference}</bdi>'


def _speak(run: Any, world: Any, who: str, language: str) -> None:
    async def action(session: Any) -> None:
        async with session.begin():
            person = await session.get(Person, world.ids[who])
            person.language = language
            session.add(person)

    run(action)


def _row(listing: str, invoice_id: int) -> str:
    found = re.search(rf'<tr id="invoice-{invoice_id}">(.*?)</tr>', listing, re.S)
    assert found, listing
    return found.group(1)


def test_arabic_invoice_pages_isolate_every_invoice_number(
    run: Any, world: Any, make_visitor: Any
) -> None:
    client_id, ids = _client_with_work(run, world)
    _speak(run, world, "carla", "ar")
    carla = make_visitor()
    carla.login("carla")
    _issue(carla, client_id)
    (invoice,) = _invoices(run)
    reference = _isolated(invoice.reference)
    for action in ("credit", "cancel"):
        page = carla.get(f"{BASE}/invoices/{invoice.id}/{action}").text
        assert 'dir="rtl"' in page
        h1 = re.search(r"<h1>(.*?)</h1>", page, re.S)
        assert h1 and reference in h1.group(1), action
        title = re.search(r"<title>(.*?)</title>", page, re.S)
        assert title and f"\u200e{invoice.reference}\u200e" in title.group(1), action
    credited = carla.post(
        f"{BASE}/invoices/{invoice.id}/credit",
        {"prestation_ids": [str(ids[0])], "reason": "خطأ في المدة"},
    )
    assert credited.status_code in (302, 303), credited.text
    note = _invoices(run)[-1]
    credit_page = carla.get(f"{BASE}/invoices/{invoice.id}/credit").text
    assert _isolated(note.reference) in credit_page  # the credit notes already issued
    listing = carla.get(f"{BASE}/invoices/").text
    # The credit note's row names the invoice it credits, isolated, after Arabic words.
    assert reference in _row(listing, note.id or 0)
    assert _isolated(note.reference) in _row(listing, note.id or 0)


def test_a_credit_note_shows_no_structured_communication(
    run: Any, world: Any, make_visitor: Any
) -> None:
    client_id, ids = _client_with_work(run, world)
    carla = make_visitor()
    carla.login("carla")
    _issue(carla, client_id)
    (invoice,) = _invoices(run)
    done = carla.post(
        f"{BASE}/invoices/{invoice.id}/credit",
        {"prestation_ids": [str(ids[0])], "reason": "Durée erronée"},
    )
    assert done.status_code in (302, 303), done.text
    note = _invoices(run)[-1]
    listing = carla.get(f"{BASE}/invoices/").text
    assert COMMUNICATION.search(_row(listing, invoice.id or 0))  # the invoice still asks
    assert not COMMUNICATION.search(_row(listing, note.id or 0))
    # Crediting every line left cancels the invoice: then it asks for nothing either.
    done = carla.post(
        f"{BASE}/invoices/{invoice.id}/credit",
        {"prestation_ids": [str(i) for i in ids[1:]], "reason": "Client erroné"},
    )
    assert done.status_code in (302, 303), done.text
    listing = carla.get(f"{BASE}/invoices/").text
    assert not COMMUNICATION.search(_row(listing, invoice.id or 0))


def test_a_refused_cancellation_says_what_is_wrong_once(
    run: Any, world: Any, make_visitor: Any
) -> None:
    client_id, ids = _client_with_work(run, world)
    carla = make_visitor()
    carla.login("carla")
    _issue(carla, client_id)
    (invoice,) = _invoices(run)
    for action, form in (
        ("cancel", {"reason": ""}),
        ("credit", {"prestation_ids": [str(ids[0])], "reason": ""}),
    ):
        refused = carla.post(f"{BASE}/invoices/{invoice.id}/{action}", form)
        assert refused.status_code == 400
        assert refused.text.count("flash--error") == 1, action
        assert 'id="f-reason-error"' in refused.text
