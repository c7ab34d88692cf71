"""What an invoice or a credit note shows on paper, read from the database.

Every prestation gives a line of work described in words (kind, languages, duration) and, when
it had travel, a line of travel of its own; the lines add up to the document's total. A credit
note names the invoice it credits; it credits its own lines (negative amounts, a partial credit
note), or, for a credit note written before credit notes had lines, the whole invoice's lines.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.base.errors import NotFound
from governance.base.i18n import _, current_language
from governance.input.iban import format_iban
from governance.input.languages import as_list, name_of
from governance.language.durations import duration_text
from governance.language.labels import kind_label
from governance.ledger.billing.credit_notes import credit_notes_of
from governance.ledger.billing.invoice_pdf import (
    Credited,
    CreditedBy,
    DocumentLine,
    InvoiceDocument,
)
from governance.ledger.billing.invoice_views import (
    credited_cents,
    left_to_pay,
    paid_cents,
    reversed_payment_ids,
)
from governance.ledger.billing.invoices import structured
from governance.ledger.billing.models import Invoice, InvoiceKind, InvoiceLine, PaymentAllocation
from governance.ledger.books.models import Client
from governance.ledger.books.reading import may_read_books
from governance.ledger.work.models import Prestation
from governance.members import vat
from governance.members.access import Actor
from governance.members.details import format_enterprise_number
from governance.members.models import Cooperative


def describe(prestation: Prestation) -> str:
    """The work in words, in the reader's language: "Phone · Arabic and French · 1 h 30"."""
    reader = current_language()
    names = [name_of(code, reader) for code in prestation.languages]
    return " · ".join(
        filter(
            None,
            (
                kind_label(prestation.kind),
                as_list(names, reader) if names else "",
                duration_text(prestation.duration_minutes) if prestation.duration_minutes else "",
            ),
        )
    )


def document_lines(rows: Sequence[tuple[int, Prestation, str]]) -> list[DocumentLine]:
    """(billed amount, prestation, member) -> the work line and, apart, its travel line; the
    lines of one prestation add up to its billed amount (negative on a credit note)."""
    lines = []
    for amount, prestation, member in rows:
        sign = -1 if amount < 0 else 1
        travel = sign * min(prestation.travel_cents, abs(amount))
        work = amount - travel
        lines.append(DocumentLine(prestation.date, member, describe(prestation), work))
        if travel:
            lines.append(
                DocumentLine(
                    prestation.date,
                    member,
                    _("Travel for this work (%(kind)s)") % {"kind": kind_label(prestation.kind)},
                    travel,
                )
            )
    return lines


async def _rows(
    session: AsyncSession, invoice_id: int, sign: int
) -> list[tuple[int, Prestation, str]]:
    found = (
        await session.exec(
            select(InvoiceLine.amount_cents, Prestation, Person.name)
            .join(Prestation, col(Prestation.id) == InvoiceLine.prestation_id)
            .join(Person, col(Person.id) == Prestation.member_id)
            .where(InvoiceLine.invoice_id == invoice_id)
            .order_by(col(Prestation.date), col(Prestation.id))
        )
    ).all()
    return [(sign * int(amount), prestation, name) for amount, prestation, name in found]


async def _credited(session: AsyncSession, note: Invoice) -> Credited | None:
    original_id = note.cancels_id or note.corrects_id
    original = await session.get(Invoice, original_id) if original_id else None
    if original is None:
        return None
    paid = (
        await session.exec(
            select(func.sum(PaymentAllocation.amount_cents)).where(
                PaymentAllocation.invoice_id == original.id,
                col(PaymentAllocation.payment_id).not_in(reversed_payment_ids()),
            )
        )
    ).one()
    return Credited(
        reference=original.reference,
        issued_on=original.issued_on,
        whole=note.cancels_id is not None,
        reason=note.reason,
        settlement=note.settlement,
        paid_cents=int(paid or 0),
    )


async def _credited_by(session: AsyncSession, invoice: Invoice) -> CreditedBy | None:
    """An invoice's credit notes since it was issued, and what it still asks for."""
    assert invoice.id is not None
    notes = await credit_notes_of(session, invoice.id)
    if not notes:
        return None
    cancelling = next((note for note in notes if note.cancels_id == invoice.id), None)
    credited = (await credited_cents(session, [invoice.id])).get(invoice.id, 0)
    paid = (await paid_cents(session, [invoice.id])).get(invoice.id, 0)
    return CreditedBy(
        references=tuple(note.reference for note in notes),
        credited_cents=credited,
        paid_cents=paid,
        left_cents=0 if cancelling else left_to_pay(invoice.total_cents, credited, paid),
        cancelled_by=cancelling.reference if cancelling else "",
        cancelled_on=cancelling.issued_on if cancelling else None,
    )


async def invoice_document(session: AsyncSession, actor: Actor, invoice_id: int) -> InvoiceDocument:
    """What the invoice PDF shows. Raises PermissionDenied (closed books), NotFound."""
    async with session.begin():
        await may_read_books(session, actor)
        invoice = await session.get(Invoice, invoice_id)
        if invoice is None or invoice.cooperative_id != actor.cooperative_id:
            raise NotFound(_("This invoice does not exist."))
        assert invoice.id is not None
        cooperative = await session.get(Cooperative, actor.cooperative_id)
        client = await session.get(Client, invoice.client_id)
        assert cooperative is not None and client is not None
        rows = await _rows(session, invoice.id, 1)
        credited = None
        credited_by = (
            await _credited_by(session, invoice) if invoice.kind == InvoiceKind.INVOICE else None
        )
        if invoice.kind == InvoiceKind.CREDIT_NOTE:
            credited = await _credited(session, invoice)
            if not rows and invoice.cancels_id:  # cancelled before credit notes had lines
                rows = await _rows(session, invoice.cancels_id, -1)
    return InvoiceDocument(
        cooperative=cooperative.legal_name or cooperative.name,
        cooperative_address=cooperative.address,
        cooperative_number=format_enterprise_number(cooperative.enterprise_number),
        cooperative_email=cooperative.email,
        cooperative_phone=cooperative.phone,
        iban=format_iban(cooperative.iban),
        bic=cooperative.bic,
        client=client.name,
        client_address=client.address,
        client_vat=format_enterprise_number(client.vat_number or "") or None,
        title=_("Credit note") if invoice.kind == InvoiceKind.CREDIT_NOTE else _("Invoice"),
        reference=invoice.reference,
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        communication=structured(invoice.communication),
        lines=document_lines(rows),
        total_cents=invoice.total_cents,
        # An invoice with VAT prints its base, rate and VAT; one without, the exempt mention.
        vat_mention="" if invoice.vat_rate else vat.mention(cooperative.settings),
        credit_note=invoice.kind == InvoiceKind.CREDIT_NOTE,
        credited=credited,
        vat_rate=invoice.vat_rate,
        vat_cents=invoice.vat_cents,
        credited_by=credited_by,
    )
