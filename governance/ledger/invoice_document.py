"""What an invoice or a credit note shows on paper, read from the database."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.errors import NotFound
from governance.i18n import _
from governance.ledger.books import may_read_books
from governance.ledger.invoice_pdf import DocumentLine, InvoiceDocument
from governance.ledger.invoices import structured
from governance.ledger.models import Client, Invoice, InvoiceKind, InvoiceLine, Prestation
from governance.members.access import Actor
from governance.members.details import format_enterprise_number, format_iban
from governance.members.models import Cooperative, Person


async def invoice_document(session: AsyncSession, actor: Actor, invoice_id: int) -> InvoiceDocument:
    """What the invoice PDF shows. Raises PermissionDenied (closed books), NotFound."""
    async with session.begin():
        await may_read_books(session, actor)
        invoice = await session.get(Invoice, invoice_id)
        if invoice is None or invoice.cooperative_id != actor.cooperative_id:
            raise NotFound(_("This invoice does not exist."))
        cooperative = await session.get(Cooperative, actor.cooperative_id)
        client = await session.get(Client, invoice.client_id)
        assert cooperative is not None and client is not None
        source = invoice.cancels_id or invoice.id
        rows = (
            await session.exec(
                select(Prestation, Person.name)
                .join(InvoiceLine, col(InvoiceLine.prestation_id) == Prestation.id)
                .join(Person, col(Person.id) == Prestation.member_id)
                .where(InvoiceLine.invoice_id == source)
                .order_by(col(Prestation.date), col(Prestation.id))
            )
        ).all()
    sign = -1 if invoice.kind == InvoiceKind.CREDIT_NOTE else 1
    lines = [
        DocumentLine(
            date=p.date,
            member=name,
            description=(f"{p.duration_minutes} min" if p.duration_minutes else "")
            + (f" + {_('travel')}" if p.travel_cents else ""),
            amount_cents=sign * (p.amount_cents + p.travel_cents),
        )
        for p, name in rows
    ]
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
        client_vat=client.vat_number,
        title=_("Credit note") if invoice.kind == InvoiceKind.CREDIT_NOTE else _("Invoice"),
        reference=invoice.reference,
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        communication=structured(invoice.communication),
        lines=lines,
        total_cents=invoice.total_cents,
    )
