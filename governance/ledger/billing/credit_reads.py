"""What the coordinator reads before crediting an invoice: its lines, what was paid, what was
credited already, and by which credit notes. Reads only; the writes are credit_notes.py."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.base.errors import NotFound
from governance.base.i18n import _
from governance.ledger.billing.credit_notes import credit_notes_of, money_to_settle
from governance.ledger.billing.credited import credited_prestations
from governance.ledger.billing.invoice_views import InvoiceView, views_of
from governance.ledger.billing.models import Invoice, InvoiceLine
from governance.ledger.books.reading import may_read_books
from governance.ledger.work.models import Client, Prestation
from governance.members.access import Actor


@dataclass(frozen=True)
class CreditLine:
    prestation: Prestation
    member_name: str
    amount_cents: int
    credited: bool  # taken back already by a credit note


@dataclass(frozen=True)
class Crediting:
    view: InvoiceView
    lines: list[CreditLine]
    notes: list[Invoice]  # the credit notes that credit this invoice, oldest first
    cancelled: bool
    # What the client paid beyond what the invoice would still bill if every line left were
    # credited: the money a cancellation has to refund or set against another invoice.
    to_settle_if_cancelled_cents: int

    @property
    def creditable(self) -> bool:
        return self.view.invoice.kind == "invoice" and not self.cancelled

    @property
    def open_lines(self) -> list[CreditLine]:
        return [line for line in self.lines if not line.credited]


async def crediting(session: AsyncSession, actor: Actor, invoice_id: int) -> Crediting:
    """An invoice with its lines for the crediting and cancelling pages.

    Raises PermissionDenied (who does not read the books), NotFound (not this cooperative's).
    """
    async with session.begin():
        await may_read_books(session, actor)
        invoice = await session.get(Invoice, invoice_id)
        if invoice is None or invoice.cooperative_id != actor.cooperative_id:
            raise NotFound(_("This invoice does not exist."))
        client = await session.get(Client, invoice.client_id)
        notes = await credit_notes_of(session, invoice_id)
        cancelled = any(note.cancels_id == invoice_id for note in notes)
        view = (await views_of(session, [(invoice, client.name if client else "")], set()))[0]
        if cancelled:
            view = InvoiceView(
                invoice, view.client_name, view.paid_cents, True, view.credited_cents
            )
        rows = (
            await session.exec(
                select(InvoiceLine, Prestation, Person.name)
                .join(Prestation, col(Prestation.id) == InvoiceLine.prestation_id)
                .join(Person, col(Person.id) == Prestation.member_id)
                .where(InvoiceLine.invoice_id == invoice_id)
                .order_by(col(Prestation.date), col(Prestation.id))
            )
        ).all()
        already = await credited_prestations(session, invoice_id)
        lines = [
            CreditLine(p, name, line.amount_cents, cancelled or (p.id in already))
            for line, p, name in rows
        ]
        left = sum(line.amount_cents for line in lines if not line.credited)
        to_settle = await money_to_settle(session, invoice, left) if not cancelled else 0
    return Crediting(view, lines, notes, cancelled, to_settle)
