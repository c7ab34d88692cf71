"""The invoice and the credit note as a client's accountant reads them: PDFs made by the app,
read back with pdftotext. Each line says what the work was; travel is a line of its own; the
VAT mention is printed; a credit note names the invoice it credits and its date, prints its
reason, and asks for no payment (no structured communication, no account to pay into)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from governance.base import clock, i18n
from governance.base.i18n import date_short
from governance.ledger.billing import credit_notes
from governance.ledger.billing.invoice_pdf import FONT
from governance.ledger.billing.invoices import issue_invoice
from governance.ledger.billing.models import Invoice, InvoiceKind
from governance.ledger.books.kinds import ClientKind
from governance.ledger.work import prestations
from governance.ledger.work.clients import create_client
from governance.members import vat
from governance.members.models import Cooperative
from tests.billing_support import pdf_of, speak, text_of
from tests.pdf_support import lines_of, plain

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or not FONT.exists(), reason="needs poppler-utils, DejaVu"
)
MENTION = "Exonération de TVA, article 44 § 2, 2° du Code de la TVA"


@pytest.fixture
def billed(run: Any, world: Any) -> dict[str, Any]:
    """An invoice of two prestations of Omar's this month: interpreting on site with travel,
    and a fixed-price translation; the cooperative exempt with its own mention."""
    today = clock.today()

    async def action(session: Any) -> dict[str, Any]:
        client = await create_client(
            session,
            world.actor("carla"),
            name="CPAS de Liège",
            kind=ClientKind.HOSPITAL,
            default_rate_cents=5500,
        )
        works = [
            {
                "duration_minutes": "90",
                "rate": "55",
                "kind": "on_site",
                "languages": ["ar", "fr"],
                "travel": "12,50",
            },
            {"fixed_amount": "200", "kind": "translation", "languages": ["ps", "fr"]},
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
        async with session.begin():
            coop = await session.get(Cooperative, world.alpha)
            coop.settings = {
                **coop.settings,
                "vat": {"status": "exempt", "mention": "other", "text": MENTION},
            }
            session.add(coop)
        invoice = await issue_invoice(
            session, world.actor("carla"), client.id, today.strftime("%Y-%m"), today
        )
        return {"invoice": invoice, "prestations": ids}

    result: dict[str, Any] = run(action)
    return result


def credit_note_of(run: Any, invoice_id: int) -> Invoice:
    async def action(session: Any) -> Invoice:
        async with session.begin():
            return (
                await session.exec(
                    select(Invoice)
                    .where(Invoice.kind == InvoiceKind.CREDIT_NOTE)
                    .order_by(col(Invoice.id).desc())
                )
            ).first()

    note: Invoice = run(action)
    return note


def test_each_line_says_what_the_work_was_and_travel_is_its_own_line(
    visitor: Any, world: Any, run: Any, billed: dict[str, Any], tmp_path: Path
) -> None:
    speak(run, world, "carla", "en")
    visitor.login("carla")
    text = text_of(pdf_of(visitor, billed["invoice"].id), tmp_path)
    assert "On site · Arabic and French · 1 h 30" in text
    assert "Translation · Pashto and French" in text
    assert "Travel for this work (On site)" in text
    # 82,50 of work, 12,50 of travel apart, 200,00 fixed: the lines add up to the total.
    amounts = re.findall(r"€([\d,]+\.\d\d)", text)
    assert amounts == ["82.50", "12.50", "200.00", "295.00"], amounts
    assert MENTION in text
    assert re.search(r"\+\+\+\d{3}/\d{4}/\d{5}\+\+\+", text)
    assert "Due on" in text


def test_a_credit_note_names_the_invoice_and_asks_for_no_payment(
    visitor: Any, world: Any, run: Any, billed: dict[str, Any], tmp_path: Path
) -> None:
    invoice = billed["invoice"]
    run(
        lambda s: credit_notes.cancel_invoice(
            s, world.actor("carla"), invoice.id, clock.today(), reason="Billed to the wrong client"
        )
    )
    note = credit_note_of(run, invoice.id)
    speak(run, world, "carla", "en")
    visitor.login("carla")
    text = text_of(pdf_of(visitor, note.id or 0), tmp_path)
    with i18n.language("en"):
        day = date_short(invoice.issued_on)
    assert f"This credit note cancels invoice {invoice.reference} of {day}." in text
    assert "Reason: Billed to the wrong client" in text
    assert "Nothing had been paid on this invoice" in text
    assert "On site · Arabic and French · 1 h 30" in text
    assert "Travel for this work (On site)" in text
    assert re.findall(r"-€([\d,]+\.\d\d)", text) == ["82.50", "12.50", "200.00", "295.00"]
    assert MENTION in text
    assert "+++" not in text and "Structured communication" not in text
    assert "IBAN" not in text and "Due on" not in text


def test_a_partial_credit_note_credits_its_lines_only(
    visitor: Any, world: Any, run: Any, billed: dict[str, Any], tmp_path: Path
) -> None:
    invoice = billed["invoice"]
    run(
        lambda s: credit_notes.credit_lines(
            s,
            world.actor("carla"),
            invoice.id,
            [billed["prestations"][1]],
            clock.today(),
            reason="The translation was not delivered",
        )
    )
    note = credit_note_of(run, invoice.id)
    speak(run, world, "carla", "en")
    visitor.login("carla")
    text = text_of(pdf_of(visitor, note.id or 0), tmp_path)
    assert f"This credit note corrects invoice {invoice.reference} of" in text
    assert "Translation · Pashto and French" in text
    assert "On site" not in text
    assert re.findall(r"-€([\d,]+\.\d\d)", text) == ["200.00", "200.00"]
    assert "+++" not in text and "IBAN" not in text


def test_an_older_credit_note_without_lines_credits_the_whole_invoice(
    visitor: Any, world: Any, run: Any, billed: dict[str, Any], tmp_path: Path
) -> None:
    """Credit notes written before they had lines of their own cancel the whole invoice."""
    invoice = billed["invoice"]

    async def action(session: Any) -> int:
        async with session.begin():
            note = Invoice(
                cooperative_id=world.alpha,
                client_id=invoice.client_id,
                kind=InvoiceKind.CREDIT_NOTE,
                year=invoice.year,
                number=invoice.number + 50,
                month=invoice.month,
                issued_on=invoice.issued_on,
                due_on=invoice.issued_on,
                total_cents=-invoice.total_cents,
                communication="000000000097",
                cancels_id=invoice.id,
                issued_by_id=world.ids["carla"],
                created_at=clock.now(),
            )
            session.add(note)
            await session.flush()
            assert note.id is not None
            return note.id

    note_id = run(action)
    speak(run, world, "carla", "en")
    visitor.login("carla")
    text = text_of(pdf_of(visitor, note_id), tmp_path)
    assert f"cancels invoice {invoice.reference}" in text
    assert re.findall(r"-€([\d,]+\.\d\d)", text) == ["82.50", "12.50", "200.00", "295.00"]
    assert "+++" not in text and "IBAN" not in text


def test_an_arabic_credit_note_names_the_invoice_and_asks_for_no_payment(
    visitor: Any, world: Any, run: Any, billed: dict[str, Any], tmp_path: Path
) -> None:
    invoice = billed["invoice"]
    run(
        lambda s: credit_notes.cancel_invoice(
            s, world.actor("carla"), invoice.id, clock.today(), reason="فاتورة مكررة"
        )
    )
    note = credit_note_of(run, invoice.id)
    speak(run, world, "carla", "ar")
    visitor.login("carla")
    pdf = pdf_of(visitor, note.id or 0)
    lines = [plain(line.text) for line in lines_of(pdf, tmp_path)]
    joined = " ".join(lines)
    with i18n.language("ar"):
        title = plain(i18n.gettext("Credit note"))
    assert any(line.startswith(title) and note.reference in line for line in lines), lines
    assert invoice.reference in joined  # the invoice it cancels
    assert plain("فاتورة مكررة") in joined  # the reason
    # Three lines (work, its travel apart, the translation) and the total: four amounts.
    assert joined.count("€") == 4, joined
    assert MENTION in joined
    assert "+++" not in joined and "IBAN" not in joined


def test_every_mention_of_the_form_is_the_one_printed() -> None:
    """The details page lists the mentions of members/vat.py by the same msgids."""
    template = Path("governance/templates/members/details.html").read_text()
    for text in vat.MENTIONS.values():
        assert f'_("{text}")' in template


def test_a_cancelled_invoice_says_so_and_asks_for_nothing(
    visitor: Any, world: Any, run: Any, billed: dict[str, Any], tmp_path: Path
) -> None:
    """Downloaded again after its cancellation, the invoice names the credit note that cancelled
    it instead of a due date, an account and a structured communication."""
    invoice = billed["invoice"]
    run(
        lambda s: credit_notes.cancel_invoice(
            s, world.actor("carla"), invoice.id, clock.today(), reason="Billed to the wrong client"
        )
    )
    note = credit_note_of(run, invoice.id)
    speak(run, world, "carla", "en")
    visitor.login("carla")
    text = text_of(pdf_of(visitor, invoice.id), tmp_path)
    with i18n.language("en"):
        day = date_short(note.issued_on)
    assert f"Cancelled by credit note {note.reference} of {day}: nothing to pay." in text
    assert "On site · Arabic and French · 1 h 30" in text  # the invoice as issued
    assert "+++" not in text and "Structured communication" not in text
    assert "IBAN" not in text and "Due on" not in text


def test_a_partly_credited_invoice_says_what_is_still_to_pay(
    visitor: Any, world: Any, run: Any, billed: dict[str, Any], tmp_path: Path
) -> None:
    invoice = billed["invoice"]
    run(
        lambda s: credit_notes.credit_lines(
            s,
            world.actor("carla"),
            invoice.id,
            [billed["prestations"][1]],
            clock.today(),
            reason="The translation was not delivered",
        )
    )
    note = credit_note_of(run, invoice.id)
    speak(run, world, "carla", "en")
    visitor.login("carla")
    text = text_of(pdf_of(visitor, invoice.id), tmp_path)
    assert f"Partly credited by credit note {note.reference}: -€200.00." in text
    assert "Still to pay: €95.00." in text
    # Something is still asked for: the due date and the communication stay.
    assert "Due on" in text
    assert re.search(r"\+\+\+\d{3}/\d{4}/\d{5}\+\+\+", text)


def test_an_arabic_cancelled_invoice_keeps_both_numbers_whole(
    visitor: Any, world: Any, run: Any, billed: dict[str, Any], tmp_path: Path
) -> None:
    invoice = billed["invoice"]
    run(
        lambda s: credit_notes.cancel_invoice(
            s, world.actor("carla"), invoice.id, clock.today(), reason="فاتورة مكررة"
        )
    )
    note = credit_note_of(run, invoice.id)
    speak(run, world, "carla", "ar")
    visitor.login("carla")
    joined = " ".join(plain(line.text) for line in lines_of(pdf_of(visitor, invoice.id), tmp_path))
    assert note.reference in joined, joined
    assert "+++" not in joined and "IBAN" not in joined
