"""A cooperative subject to VAT: each invoice adds VAT (round half up of the base times the
rate, in integer cents) and posts it (Dr receivable:<client> / Cr vat:payable); credit notes
credit the VAT of their lines and the last one takes exactly the VAT left, so a fully credited
invoice nets to zero VAT; a payment of the total with VAT clears the invoice; the PDF prints the
base, the rate, the VAT, the total with VAT and the VAT number; an exempt cooperative's invoices
carry no VAT and post nothing."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from governance.base import clock
from governance.ledger.billing import credit_notes, invoices, payments
from governance.ledger.billing.invoice_pdf import FONT
from governance.ledger.billing.vat_amounts import vat_of
from governance.ledger.books.kinds import ClientKind
from governance.ledger.books.models import Account, JournalEntry, LedgerLine
from governance.ledger.work import prestations
from governance.ledger.work.clients import create_client
from governance.members.models import Cooperative
from tests.billing_support import pdf_of, speak, text_of
from tests.cooperative_support import PAGE, UNIVERBAL

# 82,50 of interpreting (90 min at 55 €) and 200,00 of translation with 12,50 of travel: each
# part's VAT ends in half a cent (17,325 and 44,625) and rounds up, the whole's does not
# (61,95 exactly): credited part by part, the VAT would drift by a cent.
WORK = 8250
TRANSLATION = 20000 + 1250
NET = WORK + TRANSLATION
VAT = 6195


def _setup(run: Any, world: Any, status: dict[str, Any]) -> dict[str, Any]:
    today = clock.today()

    async def action(session: Any) -> dict[str, Any]:
        async with session.begin():
            coop = await session.get(Cooperative, world.alpha)
            coop.settings = {**coop.settings, "vat": status}
            coop.enterprise_number = "BE0999412378"
            session.add(coop)
        client = await create_client(
            session,
            world.actor("carla"),
            name="CPAS de Liège",
            kind=ClientKind.HOSPITAL,
            default_rate_cents=5500,
        )
        works = [
            {"duration_minutes": "90", "rate": "55", "kind": "on_site", "languages": ["ar", "fr"]},
            {
                "fixed_amount": "200",
                "kind": "translation",
                "languages": ["ps", "fr"],
                "travel": "12,50",
            },
        ]
        ids = []
        for extra in works:
            work, _ = await prestations.record_prestation(
                session,
                world.actor("omar"),
                {"client_id": str(client.id), "date": today.replace(day=1).isoformat(), **extra},
                language="fr",
                today=today,
                submit=True,
            )
            ids.append(work.id)
        await prestations.validate_prestations(session, world.actor("carla"), ids)
        invoice = await invoices.issue_invoice(
            session, world.actor("carla"), client.id, today.strftime("%Y-%m"), today
        )
        return {"invoice": invoice, "prestations": ids, "client_id": client.id}

    result: dict[str, Any] = run(action)
    return result


@pytest.fixture
def subject(run: Any, world: Any) -> dict[str, Any]:
    return _setup(run, world, {"status": "subject", "rate": 21})


def balances(run: Any, world: Any) -> dict[str, int]:
    """The trial balance: each account's sum of lines, by code."""

    async def action(session: Any) -> dict[str, int]:
        async with session.begin():
            rows = await session.exec(
                select(Account.code, func.sum(LedgerLine.amount))
                .join(LedgerLine, col(LedgerLine.account_id) == Account.id)
                .where(Account.cooperative_id == world.alpha)
                .group_by(col(Account.code))
            )
            return {code: int(total or 0) for code, total in rows}

    result: dict[str, int] = run(action)
    return result


def view_of(run: Any, world: Any, invoice_id: int) -> Any:
    views = run(lambda s: invoices.invoices_of(s, world.actor("carla")))
    return next(v for v in views if v.invoice.id == invoice_id)


def credit(run: Any, world: Any, invoice_id: int, prestation_id: int) -> Any:
    return run(
        lambda s: credit_notes.credit_lines(
            s, world.actor("carla"), invoice_id, [prestation_id], clock.today(), reason="Wrong"
        )
    )


def test_rounding_half_up_in_integer_cents() -> None:
    assert vat_of(WORK, 2100) == 1733  # 17,325
    assert vat_of(TRANSLATION, 2100) == 4463  # 44,625
    assert vat_of(NET, 2100) == VAT  # 61,95: the parts would make 61,96
    assert vat_of(-50, 2100) == -11 and vat_of(49, 600) == 3 and vat_of(NET, 0) == 0


def test_an_invoice_adds_vat_and_the_books_agree(
    run: Any, world: Any, subject: dict[str, Any]
) -> None:
    invoice = subject["invoice"]
    assert (invoice.vat_rate, invoice.vat_cents, invoice.total_cents) == (2100, VAT, NET + VAT)
    books = balances(run, world)
    assert books["vat:payable"] == -VAT
    assert books[f"receivable:{subject['client_id']}"] == NET + VAT
    assert view_of(run, world, invoice.id).outstanding_cents == NET + VAT


def test_credit_notes_credit_the_vat_and_net_it_to_zero(
    run: Any, world: Any, subject: dict[str, Any]
) -> None:
    invoice = subject["invoice"]
    client = f"receivable:{subject['client_id']}"
    partial = credit(run, world, invoice.id, subject["prestations"][1])
    assert partial.vat_cents == -4463 and partial.total_cents == -(TRANSLATION + 4463)
    assert partial.corrects_id == invoice.id
    assert balances(run, world)["vat:payable"] == -(VAT - 4463)
    assert view_of(run, world, invoice.id).outstanding_cents == WORK + VAT - 4463
    rest = credit(run, world, invoice.id, subject["prestations"][0])
    # The last credit note takes the VAT left (17,32), not its own rounding (17,33).
    assert rest.cancels_id == invoice.id and rest.vat_cents == -(VAT - 4463) == -1732
    books = balances(run, world)
    assert books["vat:payable"] == 0
    assert books[client] == NET  # the work itself stays owed until reversed (docs/invoices.md)
    assert view_of(run, world, invoice.id).outstanding_cents == 0


def test_a_payment_of_the_total_clears_the_invoice(
    run: Any, world: Any, subject: dict[str, Any]
) -> None:
    invoice = subject["invoice"]
    data = {
        "client_id": str(subject["client_id"]),
        "date": clock.today().isoformat(),
        "amount": "356,95",
        "reference": "virement",
        "invoice_ids": [str(invoice.id)],
    }
    paid = run(
        lambda s: payments.record_payment(
            s, world.actor("carla"), data, language="fr", today=clock.today()
        )
    )
    assert (paid.allocated_cents, paid.unallocated_cents) == (NET + VAT, 0)
    assert view_of(run, world, invoice.id).outstanding_cents == 0
    books = balances(run, world)
    assert books[f"receivable:{subject['client_id']}"] == 0
    assert books["vat:payable"] == -VAT


@pytest.mark.skipif(
    shutil.which("pdftotext") is None or not FONT.exists(), reason="needs poppler-utils, DejaVu"
)
def test_the_pdf_prints_base_rate_vat_total_and_vat_number(
    visitor: Any, run: Any, world: Any, subject: dict[str, Any], tmp_path: Path
) -> None:
    invoice = subject["invoice"]
    speak(run, world, "carla", "en")
    visitor.login("carla")
    text = text_of(pdf_of(visitor, invoice.id), tmp_path)
    assert "VAT number: BE 0999.412.378" in text
    assert "Total without VAT €295.00" in text
    assert "VAT at 21 % €61.95" in text
    assert "Total with VAT €356.95" in text
    note = credit(run, world, invoice.id, subject["prestations"][1])
    text = text_of(pdf_of(visitor, note.id), tmp_path)
    assert "Credited without VAT -€212.50" in text
    assert "VAT credited at 21 % -€44.63" in text
    assert "Total credited with VAT -€257.13" in text


def test_an_exempt_cooperatives_invoice_has_no_vat(run: Any, world: Any) -> None:
    exempt = _setup(run, world, {"status": "exempt", "mention": "art44", "text": ""})
    invoice = exempt["invoice"]
    assert (invoice.vat_rate, invoice.vat_cents, invoice.total_cents) == (0, 0, NET)
    assert "vat:payable" not in balances(run, world)

    async def kinds(session: Any) -> list[str]:
        async with session.begin():
            return list((await session.exec(select(JournalEntry.kind))).all())

    assert "invoice" not in run(kinds)


def test_the_form_saves_subject_and_its_rate(visitor: Any, world: Any, run: Any) -> None:
    visitor.login("carla")
    saved = visitor.post(PAGE, {**UNIVERBAL, "vat_status": "subject", "vat_rate": "6"})
    assert saved.status_code in (302, 303), saved.text

    async def stored(session: Any) -> Any:
        async with session.begin():
            coop = await session.get(Cooperative, world.alpha)
            return coop.settings["vat"]

    assert run(stored) == {"status": "subject", "rate": 6}
    page = visitor.get(PAGE).text
    assert 'value="subject" id="f-vat_status-subject" checked' in page
    assert '<option value="6" selected>' in page


def visible(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", page)).split())


def test_the_invoice_pages_show_the_vat(
    visitor: Any, run: Any, world: Any, subject: dict[str, Any]
) -> None:
    invoice = subject["invoice"]
    speak(run, world, "carla", "en")
    visitor.login("carla")
    listed = visible(visitor.get("/c/alpha/invoices/").text)
    assert "€356.95" in listed and "VAT included: €61.95" in listed
    for page in ("credit", "cancel"):
        shown = visible(visitor.get(f"/c/alpha/invoices/{invoice.id}/{page}").text)
        assert "Of which VAT" in shown and "€61.95 at 21 %" in shown
    assert (
        "the credit note also credits their VAT, at 21 %"
        in visitor.get(f"/c/alpha/invoices/{invoice.id}/credit").text
    )
