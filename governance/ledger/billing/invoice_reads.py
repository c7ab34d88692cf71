"""What the coordinators read about invoices before acting: the client payments (the list, and
a client's open invoices), and, before crediting an invoice, its lines, what was paid, what
was credited already and by which credit notes.

Recording a payment is `payments.record_payment` and crediting is `credit_notes`; this module
only reads. Payments are client money: only who reads the books reads them
(`books.may_read_books`, docs/privacy.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.base.errors import NotFound
from governance.base.i18n import _
from governance.ledger.billing.credit_notes import credit_notes_of, money_to_settle
from governance.ledger.billing.invoice_views import (
    InvoiceView,
    credited_prestations,
    reversed_payment_ids,
    views_of,
)
from governance.ledger.billing.invoices import invoices_of
from governance.ledger.billing.models import Invoice, InvoiceLine, Payment, PaymentAllocation
from governance.ledger.books.models import Client
from governance.ledger.books.reading import may_read_books
from governance.ledger.work.models import Prestation
from governance.members.access import Actor


@dataclass(frozen=True)
class Settled:
    """The part of a payment set against one invoice."""

    invoice_id: int
    reference: str
    amount_cents: int


@dataclass(frozen=True)
class PaymentView:
    payment: Payment
    client_name: str
    settled: tuple[Settled, ...]
    reversed: bool = False  # its entry was reversed (a bank match undone): it pays nothing

    @property
    def date(self) -> dt.date:
        return self.payment.date

    @property
    def unallocated_cents(self) -> int:
        """Received but set against no invoice (an over-payment, or one still to allocate)."""
        return self.payment.amount_cents - sum(s.amount_cents for s in self.settled)


async def payments_of(
    session: AsyncSession, actor: Actor, *, limit: int | None = None
) -> list[PaymentView]:
    """The cooperative's client payments, newest first, with the invoices each one settles.

    Raises PermissionDenied unless the actor reads the books.
    """
    async with session.begin():
        await may_read_books(session, actor)
        query = (
            select(Payment, Client.name)
            .join(Client, col(Client.id) == Payment.client_id)
            .where(Payment.cooperative_id == actor.cooperative_id)
            .order_by(col(Payment.date).desc(), col(Payment.id).desc())
        )
        if limit is not None:
            query = query.limit(limit)
        rows = (await session.exec(query)).all()
        ids = [payment.id for payment, _name in rows]
        allocations = (
            await session.exec(
                select(PaymentAllocation, Invoice)
                .join(Invoice, col(Invoice.id) == PaymentAllocation.invoice_id)
                .where(col(PaymentAllocation.payment_id).in_(ids))
                .order_by(col(Invoice.year), col(Invoice.number))
            )
        ).all()
        reversed_ids = set(
            (
                await session.exec(
                    select(Payment.id).where(
                        col(Payment.id).in_(ids), col(Payment.id).in_(reversed_payment_ids())
                    )
                )
            ).all()
        )
    settled: dict[int, list[Settled]] = {}
    for allocation, invoice in allocations:
        settled.setdefault(allocation.payment_id, []).append(
            Settled(allocation.invoice_id, invoice.reference, allocation.amount_cents)
        )
    return [
        PaymentView(
            payment, name, tuple(settled.get(payment.id or 0, ())), payment.id in reversed_ids
        )
        for payment, name in rows
    ]


async def open_invoices_of_client(
    session: AsyncSession, actor: Actor, client_id: int
) -> list[InvoiceView]:
    """The client's invoices that still wait for money, oldest first (what a payment settles)."""
    views = await invoices_of(session, actor, client_id=client_id)
    open_views = [v for v in views if v.outstanding_cents > 0]
    return sorted(open_views, key=lambda v: (v.invoice.year, v.invoice.number))


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
