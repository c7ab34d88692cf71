"""Credit notes through the pages: crediting some lines of an invoice, or cancelling it whole.

A partial credit note credits the ticked lines only; the invoice's other lines stay billed and
what it still asks for drops by the credited amount. A credited prestation can be reversed, or
invoiced again. Cancelling asks for a reason, and on a paid invoice what happens to the money.
Refusals change nothing. Numbers stay gapless across invoices and credit notes.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlmodel import select

from governance.base import clock
from governance.base.errors import Conflict
from governance.ledger.billing import invoices
from governance.ledger.billing.models import Invoice, InvoiceLine
from governance.ledger.books.kinds import ClientKind
from governance.ledger.reversals import reversals
from governance.ledger.work.clients import create_client
from tests.billing_support import BASE, _client_with_work, _invoices, _issue, _written


def _lines(run: Any, invoice_id: int) -> dict[int, int]:
    async def action(session: Any) -> dict[int, int]:
        async with session.begin():
            rows = await session.exec(
                select(InvoiceLine.prestation_id, InvoiceLine.amount_cents).where(
                    InvoiceLine.invoice_id == invoice_id
                )
            )
            return dict(rows.all())

    return run(action)  # type: ignore[no-any-return]


def _view(run: Any, world: Any, invoice_id: int) -> Any:
    views = run(lambda s: invoices.invoices_of(s, world.actor("carla")))
    return next(v for v in views if v.invoice.id == invoice_id)


def _pay(carla: Any, client_id: int, invoice_id: int, amount: str) -> None:
    paid = carla.post(
        f"{BASE}/payments/",
        {
            "client_id": str(client_id),
            "date": clock.today().isoformat(),
            "amount": amount,
            "invoice_ids": str(invoice_id),
        },
    )
    assert paid.status_code in (302, 303), paid.text


def test_a_partial_credit_note_corrects_one_line_and_leaves_the_others_billed(
    run: Any, world: Any, make_visitor: Any
) -> None:
    client_id, (first, second, third) = _client_with_work(run, world)
    carla = make_visitor()
    carla.login("carla")
    _issue(carla, client_id)
    (invoice,) = _invoices(run)
    assert invoice.total_cents == 18000

    # The list offers crediting lines; the page lists them and warns; looking writes nothing.
    assert f'href="{BASE}/invoices/{invoice.id}/credit"' in carla.get(f"{BASE}/invoices/").text
    before = _written(run)
    page = carla.get(f"{BASE}/invoices/{invoice.id}/credit")
    assert page.status_code == 200
    for prestation in (first, second, third):
        assert f'name="prestation_ids" value="{prestation}"' in page.text
    assert 'class="warning"' in page.text
    assert f'<form method="post" action="{BASE}/invoices/{invoice.id}/credit"' in page.text
    assert 'name="settlement"' not in page.text  # nothing paid: nothing to settle
    assert _written(run) == before

    done = carla.post(
        f"{BASE}/invoices/{invoice.id}/credit",
        {"prestation_ids": [str(second)], "reason": "Counted 90 minutes instead of 60"},
    )
    assert done.status_code in (302, 303), done.text
    invoice_row, note = _invoices(run)
    assert (note.kind, note.corrects_id, note.cancels_id) == ("credit_note", invoice.id, None)
    assert (note.year, note.number) == (invoice.year, invoice.number + 1)
    assert note.total_cents == -9000
    assert note.reason == "Counted 90 minutes instead of 60"
    assert note.settlement == ""
    assert _lines(run, note.id) == {second: -9000}
    assert _lines(run, invoice.id) == {first: 6000, second: 9000, third: 3000}  # unchanged

    # What the invoice still asks for: total − credited − paid, everywhere it is read.
    view = _view(run, world, invoice.id)
    assert (view.credited_cents, view.outstanding_cents, view.cancelled) == (9000, 9000, False)
    listing = carla.get(f"{BASE}/invoices/").text
    assert note.reference in listing and invoice.reference in listing
    row = re.search(rf'<tr id="invoice-{note.id}">.*?</tr>', listing, re.S)
    assert row and invoice.reference in row.group(0)  # the note names the invoice it credits
    step = carla.get(f"{BASE}/payments/new/invoices?client={client_id}").text
    assert re.search(r"90,00\s€", step)
    client_page = carla.get(f"{BASE}/clients/{client_id}").text
    assert re.search(r"90,00\s€", client_page)

    # The credited prestation is off the invoice: it can be reversed; the others cannot.
    today = clock.today()
    reversed_work = run(
        lambda s: reversals.reverse_prestation(
            s, world.actor("carla"), second, "Wrong duration", today=today
        )
    )
    assert reversed_work.status == "reversed"
    try:
        run(
            lambda s: reversals.reverse_prestation(
                s, world.actor("carla"), first, "Still billed", today=today
            )
        )
    except Conflict as error:
        assert invoice.reference in error.message
    else:
        raise AssertionError("a prestation still billed was reversed")

    # A second credit note for another line; that line is invoiced again on a new invoice.
    again = carla.post(
        f"{BASE}/invoices/{invoice.id}/credit",
        {"prestation_ids": [str(third)], "reason": "Billed to the wrong service"},
    )
    assert again.status_code in (302, 303), again.text
    twice = carla.post(
        f"{BASE}/invoices/{invoice.id}/credit",
        {"prestation_ids": [str(third)], "reason": "Once more"},
    )
    assert twice.status_code == 409
    _issue(carla, client_id)
    rows = _invoices(run)
    new_invoice = rows[-1]
    assert new_invoice.kind == "invoice"
    assert _lines(run, new_invoice.id) == {third: 3000}
    # Gapless: invoice, credit note, credit note, invoice.
    assert [r.number for r in rows] == [1, 2, 3, 4]
    assert _view(run, world, invoice.id).outstanding_cents == 6000
    assert _view(run, world, invoice_row.id).cancelled is False


def test_crediting_every_line_left_cancels_the_invoice(
    run: Any, world: Any, make_visitor: Any
) -> None:
    client_id, ids = _client_with_work(run, world)
    carla = make_visitor()
    carla.login("carla")
    _issue(carla, client_id)
    (invoice,) = _invoices(run)
    carla.post(
        f"{BASE}/invoices/{invoice.id}/credit",
        {"prestation_ids": [str(ids[0])], "reason": "One line wrong"},
    )
    done = carla.post(
        f"{BASE}/invoices/{invoice.id}/credit",
        {"prestation_ids": [str(i) for i in ids[1:]], "reason": "The rest too"},
    )
    assert done.status_code in (302, 303), done.text
    last = _invoices(run)[-1]
    assert (last.cancels_id, last.corrects_id, last.total_cents) == (invoice.id, None, -12000)
    view = _view(run, world, invoice.id)
    assert view.cancelled and view.outstanding_cents == 0
    # All three can be invoiced again.
    _issue(carla, client_id)
    assert set(_lines(run, _invoices(run)[-1].id)) == set(ids)


def test_cancelling_without_a_reason_is_refused_and_writes_nothing(
    run: Any, world: Any, make_visitor: Any
) -> None:
    client_id, _ids = _client_with_work(run, world)
    carla = make_visitor()
    carla.login("carla")
    _issue(carla, client_id)
    (invoice,) = _invoices(run)
    page = carla.get(f"{BASE}/invoices/{invoice.id}/cancel").text
    assert 'name="reason"' in page
    before = _written(run)
    for reason in ("", "   "):
        refused = carla.post(f"{BASE}/invoices/{invoice.id}/cancel", {"reason": reason})
        assert refused.status_code == 400
        assert 'aria-invalid="true"' in refused.text
        assert 'id="f-reason-error"' in refused.text
    refused = carla.post(
        f"{BASE}/invoices/{invoice.id}/credit", {"prestation_ids": [str(_ids[0])], "reason": ""}
    )
    assert refused.status_code == 400
    assert _written(run) == before
    assert not _view(run, world, invoice.id).cancelled


def test_cancelling_a_paid_invoice_asks_what_happens_to_the_money_and_records_it(
    run: Any, world: Any, make_visitor: Any
) -> None:
    client_id, _ids = _client_with_work(run, world)
    carla = make_visitor()
    carla.login("carla")
    _issue(carla, client_id)
    (invoice,) = _invoices(run)
    _pay(carla, client_id, invoice.id, "180,00")

    page = carla.get(f"{BASE}/invoices/{invoice.id}/cancel").text
    assert 'name="settlement" value="refund"' in page
    assert 'name="settlement" value="offset"' in page
    assert re.search(r"180,00\s€", page)  # what was paid, said before confirming
    before = _written(run)
    refused = carla.post(f"{BASE}/invoices/{invoice.id}/cancel", {"reason": "Wrong client"})
    assert refused.status_code == 400
    assert _written(run) == before

    done = carla.post(
        f"{BASE}/invoices/{invoice.id}/cancel",
        {"reason": "Wrong client", "settlement": "refund"},
    )
    assert done.status_code in (302, 303), done.text
    note = _invoices(run)[-1]
    assert (note.cancels_id, note.settlement, note.reason) == (invoice.id, "refund", "Wrong client")
    assert _lines(run, note.id) == {i: -a for i, a in _lines(run, invoice.id).items()}
    # The payment stays; what it paid for is credited, so it is now the client's credit.
    ageing = run(
        lambda s: invoices.client_ageing(s, world.actor("carla"), client_id, clock.today())
    )
    assert (ageing.owed_cents, ageing.unallocated_cents) == (0, 18000)


def test_a_partly_credited_paid_invoice_needs_a_settlement_only_for_what_was_overpaid(
    run: Any, world: Any, make_visitor: Any
) -> None:
    client_id, (_first, second, third) = _client_with_work(run, world)
    carla = make_visitor()
    carla.login("carla")
    _issue(carla, client_id)
    (invoice,) = _invoices(run)
    _pay(carla, client_id, invoice.id, "100,00")  # 80,00 still owed
    # Crediting 30,00: the 100,00 paid still fits in the 150,00 billed: nothing to settle.
    done = carla.post(
        f"{BASE}/invoices/{invoice.id}/credit",
        {"prestation_ids": [str(third)], "reason": "Not done", "settlement": "refund"},
    )
    assert done.status_code in (302, 303), done.text
    assert _invoices(run)[-1].settlement == ""
    assert _view(run, world, invoice.id).outstanding_cents == 5000
    # Crediting 90,00 more leaves 60,00 billed for 100,00 paid: 40,00 to settle.
    refused = carla.post(
        f"{BASE}/invoices/{invoice.id}/credit",
        {"prestation_ids": [str(second)], "reason": "Wrong duration"},
    )
    assert refused.status_code == 400
    assert 'name="settlement"' in refused.text
    done = carla.post(
        f"{BASE}/invoices/{invoice.id}/credit",
        {"prestation_ids": [str(second)], "reason": "Wrong duration", "settlement": "offset"},
    )
    assert done.status_code in (302, 303), done.text
    assert _invoices(run)[-1].settlement == "offset"
    assert _view(run, world, invoice.id).outstanding_cents == 0
    ageing = run(
        lambda s: invoices.client_ageing(s, world.actor("carla"), client_id, clock.today())
    )
    assert ageing.unallocated_cents == 4000


def test_a_line_not_on_the_invoice_is_refused(run: Any, world: Any, make_visitor: Any) -> None:
    client_id, _ids = _client_with_work(run, world)
    _other_client, other_work = _client_with_work(run, world, name="Mairie")
    carla = make_visitor()
    carla.login("carla")
    _issue(carla, client_id)
    (invoice,) = _invoices(run)
    before = _written(run)
    refused = carla.post(
        f"{BASE}/invoices/{invoice.id}/credit",
        {"prestation_ids": [str(other_work[0])], "reason": "Wrong"},
    )
    assert refused.status_code == 400
    assert f"travail n°{other_work[0]} " in refused.text and invoice.reference in refused.text
    nothing = carla.post(f"{BASE}/invoices/{invoice.id}/credit", {"reason": "Wrong"})
    assert nothing.status_code == 400
    assert _written(run) == before


def test_another_cooperatives_invoice_is_not_found_and_workers_may_not_credit(
    run: Any, world: Any, make_visitor: Any
) -> None:
    client_id, ids = _client_with_work(run, world)
    carla = make_visitor()
    carla.login("carla")
    _issue(carla, client_id)
    (invoice,) = _invoices(run)

    async def beta_invoice(session: Any) -> int:
        client = await create_client(
            session, world.actor("bea", "beta"), name="Beta client", kind=ClientKind.HOSPITAL
        )
        async with session.begin():
            row = Invoice(
                cooperative_id=world.beta,
                client_id=client.id,
                kind="invoice",
                year=2026,
                number=1,
                month="2026-11",
                issued_on=dt.date(2026, 11, 1),
                due_on=dt.date(2026, 12, 1),
                total_cents=1000,
                communication="000000000097",
                issued_by_id=world.ids["bea"],
                created_at=clock.now(),
            )
            session.add(row)
            await session.flush()
            return int(row.id)

    other = run(beta_invoice)
    before = _written(run)
    assert carla.get(f"{BASE}/invoices/{other}/credit").status_code == 404
    assert carla.get(f"{BASE}/invoices/{other}/cancel").status_code == 404
    assert (
        carla.post(
            f"{BASE}/invoices/{other}/credit", {"prestation_ids": ["1"], "reason": "x"}
        ).status_code
        == 404
    )
    assert carla.post(f"{BASE}/invoices/{other}/cancel", {"reason": "x"}).status_code == 404
    omar = make_visitor()
    omar.login("omar")
    assert omar.get(f"{BASE}/invoices/{invoice.id}/credit").status_code == 403
    assert (
        omar.post(
            f"{BASE}/invoices/{invoice.id}/credit",
            {"prestation_ids": [str(ids[0])], "reason": "x"},
        ).status_code
        == 403
    )
    assert _written(run) == before
