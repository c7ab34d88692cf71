"""How invoices read: what each still asks for once credit notes and payments are counted,
and a client's ageing (what is owed, by 30-day buckets past the due date). No writes here.

What credit notes took back, the queries every reader of invoices shares: an invoice line is
*live* while its invoice is an invoice (not a credit note), no credit note cancels that invoice
as a whole (`cancels_id`), and no credit note correcting it (`corrects_id`) has a line for the
same prestation. A credited prestation is billed by no live line, so it can be reversed,
corrected and invoiced again. What an invoice still asks for is its total, less what credit
notes took back from it, less what was paid on it (docs/invoices.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.ledger.billing.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    Payment,
    PaymentAllocation,
)
from governance.ledger.books.models import JournalEntry


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


def reversed_payment_ids() -> Any:
    """Ids of payments whose journal entry was reversed (a bank statement's match undone):
    they no longer pay anything."""
    return (
        select(Payment.id)
        .join(JournalEntry, col(JournalEntry.reverses_id) == Payment.entry_id)
        .where(col(JournalEntry.reverses_id).is_not(None))
    )


def cancelled_ids() -> Any:
    """Ids of invoices that a credit note cancels as a whole."""
    return select(Invoice.cancels_id).where(col(Invoice.cancels_id).is_not(None))


def live_lines() -> Any:
    """The live invoice lines (InvoiceLine rows joined to their Invoice), to refine with .where."""
    note = aliased(Invoice)
    note_line = aliased(InvoiceLine)
    credited = (
        select(note_line.id)
        .join(note, col(note.id) == note_line.invoice_id)
        .where(
            note.corrects_id == InvoiceLine.invoice_id,
            note_line.prestation_id == InvoiceLine.prestation_id,
        )
    )
    return (
        select(InvoiceLine)
        .join(Invoice, col(Invoice.id) == InvoiceLine.invoice_id)
        .where(
            Invoice.kind == InvoiceKind.INVOICE,
            col(Invoice.id).not_in(cancelled_ids()),
            ~credited.exists(),
        )
    )


def billed(prestation_id: Any) -> Any:
    """Whether a live line bills the prestation `prestation_id` (a column of the outer query).
    An EXISTS, looked up per prestation through the lines' index: `NOT IN` (the prestations of
    every live line) made PostgreSQL rescan every live line of every cooperative for each
    candidate once `work_mem` no longer held them (95 s an invoice after 32 months of 1 000
    members; 68 ms this way)."""
    return live_lines().where(col(InvoiceLine.prestation_id) == prestation_id).exists()


async def credited_cents(session: AsyncSession, invoice_ids: Iterable[int]) -> dict[int, int]:
    """invoice id -> what credit notes took back from it (a positive amount)."""
    ids = list(invoice_ids)
    if not ids:
        return {}
    credited = func.coalesce(Invoice.cancels_id, Invoice.corrects_id)
    rows = (
        await session.exec(
            select(credited, func.sum(Invoice.total_cents))
            .where(
                Invoice.kind == InvoiceKind.CREDIT_NOTE,
                credited.in_(ids),
            )
            .group_by(credited)
        )
    ).all()
    return {int(invoice_id): -int(total or 0) for invoice_id, total in rows}


async def paid_cents(session: AsyncSession, invoice_ids: Iterable[int]) -> dict[int, int]:
    """invoice id -> what payments set against it."""
    ids = list(invoice_ids)
    if not ids:
        return {}
    rows = (
        await session.exec(
            select(PaymentAllocation.invoice_id, func.sum(PaymentAllocation.amount_cents))
            .where(
                col(PaymentAllocation.invoice_id).in_(ids),
                col(PaymentAllocation.payment_id).not_in(reversed_payment_ids()),
            )
            .group_by(col(PaymentAllocation.invoice_id))
        )
    ).all()
    return {int(invoice_id): int(total or 0) for invoice_id, total in rows}


async def credited_prestations(session: AsyncSession, invoice_id: int) -> set[int]:
    """The prestations of an invoice that a partial credit note already credited."""
    rows = (
        await session.exec(
            select(InvoiceLine.prestation_id)
            .join(Invoice, col(Invoice.id) == InvoiceLine.invoice_id)
            .where(Invoice.corrects_id == invoice_id)
        )
    ).all()
    return set(rows)


def left_to_pay(total: int, credited: int, paid: int) -> int:
    """What an invoice still asks for: never below zero (money paid beyond what is still due
    after a credit note is the client's credit, not a negative debt of this invoice)."""
    return max(0, total - credited - paid)


def paid_beyond(total: int, credited: int, paid: int) -> int:
    """What was paid on an invoice beyond what it still bills after its credit notes."""
    return max(0, paid - max(0, total - credited))
