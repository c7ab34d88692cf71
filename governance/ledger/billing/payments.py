"""Client payments: money received, posted Dr bank / Cr receivable:<client> and allocated to
the client's open invoices, oldest first. `record_payment` is the form's use case;
`pay_invoices` records one inside a caller's transaction (a bank statement's match)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import lock_cooperative, record
from governance.base import clock
from governance.base.errors import Invalid
from governance.base.i18n import _
from governance.input.forms import Form, row_ids
from governance.input.text import isolate
from governance.ledger.billing.invoice_views import InvoiceView, cancelled_ids, views_of
from governance.ledger.billing.invoices import client_of
from governance.ledger.billing.models import Invoice, InvoiceKind, Payment, PaymentAllocation
from governance.ledger.books.journal import Posting
from governance.ledger.books.memos import Memo
from governance.ledger.books.models import Client
from governance.ledger.books.posting import post
from governance.members.access import Actor, Permission, authorize


@dataclass(frozen=True)
class PaymentResult:
    payment: Payment
    allocated_cents: int

    @property
    def unallocated_cents(self) -> int:
        return self.payment.amount_cents - self.allocated_cents


async def record_payment(
    session: AsyncSession, actor: Actor, data: Mapping[str, Any], *, language: str, today: dt.date
) -> PaymentResult:
    """A client's payment, settling the named invoices oldest first.

    Posts Dr bank / Cr receivable:<client>. A payment larger than what the invoices still owe
    keeps the rest unallocated (an over-payment, shown as such); a smaller one leaves the last
    invoice partly paid. Raises PermissionDenied, Invalid.
    """
    async with session.begin():
        await authorize(session, actor, Permission.POST_JOURNAL)
        form = Form(data)
        client_id = form.integer("client_id")
        day = form.day("date")
        amount = form.money("amount", language, required=True)
        reference = form.text("reference", max_length=140, required=False)
        raw_ids = data.get("invoice_ids", [])
        raw_list = raw_ids if isinstance(raw_ids, list) else [raw_ids]
        invoice_ids = row_ids(raw_list)
        if day is not None and day > today:
            form.fail("date", _("A payment cannot be dated in the future."))
        form.done()
        assert client_id is not None and day is not None and amount is not None
        # Before reading what is owed: a payment and a credit note run one after the other.
        await lock_cooperative(session, actor.cooperative_id)
        return await pay_invoices(
            session,
            actor,
            client_id=client_id,
            day=day,
            amount=amount,
            reference=reference,
            invoice_ids=invoice_ids,
        )


async def pay_invoices(
    session: AsyncSession,
    actor: Actor,
    *,
    client_id: int,
    day: dt.date,
    amount: int,
    reference: str,
    invoice_ids: list[int],
    extra: Mapping[str, Any] | None = None,
) -> PaymentResult:
    """Record a payment inside the caller's transaction, which has checked the permission and
    holds the cooperative's lock (record_payment, a bank statement's match). Raises Invalid
    when an invoice is not this client's or no longer waits for money."""
    client = await client_of(session, actor, client_id)
    views = {v.invoice.id: v for v in await _open_invoices(session, actor, client_id, invoice_ids)}
    chosen = [views[i] for i in set(invoice_ids) if i in views]
    if len(chosen) != len(set(invoice_ids)):
        message = await _refusal(session, actor, client, set(invoice_ids) - set(views))
        raise Invalid(message, {"invoice_ids": message})
    entry = await post(
        session,
        cooperative_id=actor.cooperative_id,
        day=day,
        kind="payment",
        memo=Memo("payment", {"reference": reference}),
        author_id=actor.person_id,
        postings=[Posting("bank", amount), Posting(f"receivable:{client_id}", -amount)],
    )
    assert entry.id is not None
    payment = Payment(
        cooperative_id=actor.cooperative_id,
        client_id=client_id,
        date=day,
        amount_cents=amount,
        reference=reference,
        entry_id=entry.id,
        created_by_id=actor.person_id,
        created_at=clock.now(),
    )
    session.add(payment)
    await session.flush()
    assert payment.id is not None
    left = amount
    allocations = []
    for view in sorted(chosen, key=lambda v: (v.invoice.year, v.invoice.number)):
        share = min(left, view.outstanding_cents)
        if share > 0:
            allocations.append(
                PaymentAllocation(
                    payment_id=payment.id, invoice_id=view.invoice.id or 0, amount_cents=share
                )
            )
            left -= share
    session.add_all(allocations)
    await session.flush()
    await record(
        session,
        cooperative_id=actor.cooperative_id,
        actor_id=actor.person_id,
        action="payment.recorded",
        subject_type="payment",
        subject_id=payment.id,
        data={
            "client_id": client_id,
            "date": day.isoformat(),
            "amount_cents": amount,
            "entry_id": entry.id,
            "allocations": [[a.invoice_id, a.amount_cents] for a in allocations],
            **(extra or {}),
        },
    )
    return PaymentResult(payment, amount - left)


async def _refusal(session: AsyncSession, actor: Actor, client: Client, wrong: set[int]) -> str:
    """Why the ticked invoices cannot take this payment, naming the first wrong one."""
    other = (
        await session.exec(
            select(Invoice)
            .where(Invoice.cooperative_id == actor.cooperative_id, col(Invoice.id).in_(wrong))
            .order_by(col(Invoice.year), col(Invoice.number))
        )
    ).first()
    if other is not None and other.client_id != client.id:
        return _(
            "Invoice %(reference)s is not addressed to %(client)s: a payment settles only "
            "its own client's invoices."
        ) % {"reference": isolate(other.reference), "client": isolate(client.name)}
    if other is not None:
        return _("Invoice %(reference)s no longer waits for money (paid or cancelled).") % {
            "reference": isolate(other.reference)
        }
    return _("Choose unpaid invoices of this client.")


async def _open_invoices(
    session: AsyncSession, actor: Actor, client_id: int, among: list[int]
) -> list[InvoiceView]:
    """The client's invoices among `among` that still wait for money (a client of five years
    has hundreds of invoices; a payment settles a few)."""
    rows = (
        await session.exec(
            select(Invoice).where(
                Invoice.cooperative_id == actor.cooperative_id,
                Invoice.client_id == client_id,
                Invoice.kind == InvoiceKind.INVOICE,
                col(Invoice.id).in_(among),
                col(Invoice.id).not_in(cancelled_ids()),
            )
        )
    ).all()
    views = await views_of(session, [(r, "") for r in rows], set())
    return [v for v in views if v.outstanding_cents > 0]
