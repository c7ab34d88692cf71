"""What the coordinators read about client payments: the list, and a client's open invoices.

Recording a payment is `invoices.record_payment`; this module only reads. Payments are client
money: only who reads the books reads them (`books.may_read_books`, docs/privacy.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.ledger.billing.invoices import InvoiceView, invoices_of
from governance.ledger.billing.models import Invoice, Payment, PaymentAllocation
from governance.ledger.books.reading import may_read_books
from governance.ledger.work.models import Client
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
    settled: dict[int, list[Settled]] = {}
    for allocation, invoice in allocations:
        settled.setdefault(allocation.payment_id, []).append(
            Settled(allocation.invoice_id, invoice.reference, allocation.amount_cents)
        )
    return [
        PaymentView(payment, name, tuple(settled.get(payment.id or 0, ())))
        for payment, name in rows
    ]


async def open_invoices_of_client(
    session: AsyncSession, actor: Actor, client_id: int
) -> list[InvoiceView]:
    """The client's invoices that still wait for money, oldest first (what a payment settles)."""
    views = await invoices_of(session, actor, client_id=client_id)
    open_views = [v for v in views if v.outstanding_cents > 0]
    return sorted(open_views, key=lambda v: (v.invoice.year, v.invoice.number))
