"""How invoices read: what each still asks for once credit notes and payments are counted,
and a client's ageing (what is owed, by 30-day buckets past the due date). No writes here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from governance.ledger.billing.credited import credited_cents, left_to_pay, paid_cents
from governance.ledger.billing.models import Invoice, InvoiceKind


@dataclass(frozen=True)
class InvoiceView:
    invoice: Invoice
    client_name: str
    paid_cents: int
    cancelled: bool
    credited_cents: int = 0  # what credit notes took back from this invoice
    credits_reference: str = ""  # for a credit note: the invoice it credits

    @property
    def outstanding_cents(self) -> int:
        """Total, less what credit notes took back, less what was paid (never below zero)."""
        if self.cancelled or self.invoice.kind != InvoiceKind.INVOICE:
            return 0
        return left_to_pay(self.invoice.total_cents, self.credited_cents, self.paid_cents)

    @property
    def billed_cents(self) -> int:
        """What the invoice still bills once its credit notes are taken off."""
        if self.invoice.kind != InvoiceKind.INVOICE:
            return 0
        return max(0, self.invoice.total_cents - self.credited_cents)

    @property
    def settled_cents(self) -> int:
        """The part of the payments that this invoice still keeps (the rest is the client's
        credit, after a credit note)."""
        return min(self.paid_cents, self.billed_cents)


async def views_of(
    session: AsyncSession, rows: Sequence[tuple[Invoice, str]], cancelled: set[int]
) -> list[InvoiceView]:
    ids = [invoice.id or 0 for invoice, _name in rows]
    paid = await paid_cents(session, ids)
    credited = await credited_cents(session, ids)
    references = {invoice.id: invoice.reference for invoice, _name in rows}
    return [
        InvoiceView(
            invoice,
            name,
            paid.get(invoice.id or 0, 0),
            invoice.id in cancelled,
            credited.get(invoice.id or 0, 0),
            references.get(invoice.cancels_id or invoice.corrects_id, ""),
        )
        for invoice, name in rows
    ]


AGE_BUCKETS = (0, 30, 60, 90)  # days past the due date where each bucket starts


def age_bucket(due_on: dt.date, today: dt.date) -> int:
    """The index of the ageing bucket: -1 not yet due, 0 up to 30 days late, … 3 over 90."""
    late = (today - due_on).days
    if late <= 0:
        return -1
    return max(i for i, start in enumerate(AGE_BUCKETS) if late > start)


@dataclass(frozen=True)
class Ageing:
    open_invoices: list[InvoiceView]
    not_due_cents: int
    buckets_cents: tuple[int, int, int, int]
    unallocated_cents: int  # paid by the client but not set against any invoice

    @property
    def owed_cents(self) -> int:
        return self.not_due_cents + sum(self.buckets_cents)


def ageing_of(views: Sequence[InvoiceView], paid_total: int, today: dt.date) -> Ageing:
    """A client's ageing from its invoices' views and the sum of every payment it made."""
    open_views = [v for v in views if v.outstanding_cents > 0]
    buckets = [0, 0, 0, 0]
    not_due = 0
    for view in open_views:
        index = age_bucket(view.invoice.due_on, today)
        if index < 0:
            not_due += view.outstanding_cents
        else:
            buckets[index] += view.outstanding_cents
    # Paid beyond what an invoice still bills after a credit note is the client's credit.
    allocated = sum(v.settled_cents for v in views)
    return Ageing(
        open_views,
        not_due,
        (buckets[0], buckets[1], buckets[2], buckets[3]),
        paid_total - allocated,
    )
