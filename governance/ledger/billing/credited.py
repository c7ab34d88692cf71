"""What credit notes took back from invoices: the queries every reader of invoices shares.

An invoice line is *live* while its invoice is an invoice (not a credit note), no credit note
cancels that invoice as a whole (`cancels_id`), and no credit note correcting it
(`corrects_id`) has a line for the same prestation. A credited prestation is billed by no
live line, so it can be reversed, corrected and invoiced again.

What an invoice still asks for is its total, less what credit notes took back from it, less
what was paid on it (docs/invoices.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.ledger.billing.models import Invoice, InvoiceKind, InvoiceLine, PaymentAllocation


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


def live_prestation_ids() -> Any:
    """Ids of the prestations that a live line bills (not to be invoiced again)."""
    return live_lines().with_only_columns(col(InvoiceLine.prestation_id))


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
            .where(col(PaymentAllocation.invoice_id).in_(ids))
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
