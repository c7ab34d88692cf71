"""Credit notes: taking back some lines of an invoice, or all of them (a cancellation).

A credit note is an invoice of kind `credit_note`, numbered in the invoices' gapless sequence,
whose own lines carry the credited prestations with negative amounts. It credits some lines
(`corrects_id`, any number of notes per invoice) or every line still billed, which cancels the
invoice (`cancels_id`, one per invoice). Its reason is printed on it. Money the client already
paid beyond what the invoice still bills is either refunded or set against another invoice
(`settlement`). A credit note of an invoice with VAT credits the VAT of its lines (the last one
takes the VAT left) and posts it back: Dr vat:payable / Cr receivable:<client>; otherwise it
posts nothing (docs/invoices.md).

One invoiced prestation taken off its invoice (`credit_line`): a prestation that is corrected
(a contest's answer) or reversed may already be billed. Its invoice is not cancelled as a
whole: a partial credit note credits just that line, in the caller's transaction
(`credit_in_transaction`), and the invoice's other lines stay billed. What replaces the line
(the corrected prestation) waits to be invoiced: it is on the client's next invoice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import lock_cooperative, record
from governance.base import clock
from governance.base.errors import Conflict, Invalid, NotFound
from governance.base.i18n import N_, _
from governance.input.forms import Form
from governance.input.text import isolate
from governance.ledger.billing.invoice_views import (
    credited_cents,
    credited_prestations,
    live_lines,
    paid_beyond,
    paid_cents,
)
from governance.ledger.billing.invoices import communication_for, next_number, post_vat
from governance.ledger.billing.models import Invoice, InvoiceKind, InvoiceLine
from governance.ledger.billing.vat_amounts import credited_vat
from governance.members.access import Actor, Permission, authorize

MAX_REASON_LENGTH = 500
REFUND = "refund"
OFFSET = "offset"
SETTLEMENTS = {
    REFUND: N_("Refunded to the client"),
    OFFSET: N_("Set against another invoice of the client"),
}


def settlement_label(code: str) -> str:
    return _(SETTLEMENTS[code]) if code in SETTLEMENTS else ""


async def live_invoice_of(session: AsyncSession, prestation_id: int) -> Invoice | None:
    """The invoice that bills this prestation: not cancelled, its line for it not credited."""
    line = (
        await session.exec(live_lines().where(InvoiceLine.prestation_id == prestation_id).limit(1))
    ).first()
    return None if line is None else await session.get(Invoice, line.invoice_id)


async def invoice_lines(session: AsyncSession, invoice_id: int) -> dict[int, int]:
    """prestation id -> amount billed, for an invoice's own lines."""
    rows = (
        await session.exec(
            select(InvoiceLine.prestation_id, InvoiceLine.amount_cents).where(
                InvoiceLine.invoice_id == invoice_id
            )
        )
    ).all()
    return {int(p): int(a) for p, a in rows}


async def _is_cancelled(session: AsyncSession, invoice_id: int) -> bool:
    found = await session.exec(select(Invoice.id).where(Invoice.cancels_id == invoice_id))
    return found.first() is not None


async def money_to_settle(session: AsyncSession, invoice: Invoice, credited_now: int) -> int:
    """What the client paid on the part credited now, beyond what the invoice still bills."""
    invoice_id = invoice.id or 0
    before = (await credited_cents(session, [invoice_id])).get(invoice_id, 0)
    paid = (await paid_cents(session, [invoice_id])).get(invoice_id, 0)
    total = invoice.total_cents
    return paid_beyond(total, before + credited_now, paid) - paid_beyond(total, before, paid)


async def credit_in_transaction(
    session: AsyncSession,
    actor: Actor,
    invoice: Invoice,
    prestation_ids: Iterable[int],
    reason: str,
    today: dt.date,
    settlement: str = "",
) -> Invoice:
    """Issue the credit note for these prestations of `invoice`, inside the caller's transaction.

    The caller has begun the transaction and authorized the actor. Crediting every line the
    invoice still bills cancels it (`cancels_id`); fewer lines correct it (`corrects_id`).
    `settlement` ("refund" or "offset") is required when the client paid more than the invoice
    will still bill, and ignored otherwise. Raises NotFound (another cooperative's invoice),
    Invalid (no reason, no line, a line not on the invoice, no settlement where one is needed),
    Conflict (a credit note, a cancelled invoice, a line already credited).
    """
    if invoice.cooperative_id != actor.cooperative_id or invoice.id is None:
        raise NotFound(_("This invoice does not exist."))
    # The writer lock issuing takes: an invoice and a credit note, or two credit notes, run one
    # after the other and the second sees what the first wrote.
    await lock_cooperative(session, actor.cooperative_id)
    form = Form({"reason": reason})
    clean = form.text("reason", max_length=MAX_REASON_LENGTH, required=False)
    if "reason" not in form.errors and not clean:
        form.fail("reason", _("Say why: the reason is printed on the credit note."))
    form.done()
    if invoice.kind != InvoiceKind.INVOICE:
        raise Conflict(_("A credit note cannot be credited."))
    if await _is_cancelled(session, invoice.id):
        raise Conflict(_("This invoice is already cancelled."))
    lines = await invoice_lines(session, invoice.id)
    chosen = set(prestation_ids)
    if not chosen:
        message = _("Choose at least one line to credit.")
        raise Invalid(message, {"prestation_ids": message})
    strangers = sorted(chosen - set(lines))
    if strangers:
        message = _("Work #%(prestation)s is not on the invoice %(reference)s.") % {
            "prestation": strangers[0],
            "reference": isolate(invoice.reference),
        }
        raise Invalid(message, {"prestation_ids": message})
    already = await credited_prestations(session, invoice.id)
    twice = sorted(chosen & already)
    if twice:
        raise Conflict(
            _("Work #%(prestation)s is already credited on the invoice %(reference)s.")
            % {"prestation": twice[0], "reference": isolate(invoice.reference)}
        )
    whole = chosen == set(lines) - already
    amount = sum(lines[p] for p in chosen)
    vat_back = credited_vat(
        invoice.vat_cents,
        await vat_credited(session, invoice.id),
        amount,
        invoice.vat_rate,
        last=whole,
    )
    to_settle = await money_to_settle(session, invoice, amount + vat_back)
    if to_settle <= 0:
        settlement = ""
    elif settlement not in SETTLEMENTS:
        message = _(
            "The client already paid for what is credited: say whether that money is refunded "
            "or set against another invoice."
        )
        raise Invalid(message, {"settlement": message})
    number = await next_number(session, actor.cooperative_id, today.year)
    note = Invoice(
        cooperative_id=actor.cooperative_id,
        client_id=invoice.client_id,
        kind=InvoiceKind.CREDIT_NOTE,
        year=today.year,
        number=number,
        month=invoice.month,
        issued_on=today,
        due_on=today,
        total_cents=-(amount + vat_back),
        vat_rate=invoice.vat_rate,
        vat_cents=-vat_back,
        communication=communication_for(actor.cooperative_id, today.year, number),
        cancels_id=invoice.id if whole else None,
        corrects_id=None if whole else invoice.id,
        reason=clean,
        settlement=settlement,
        issued_by_id=actor.person_id,
        created_at=clock.now(),
    )
    session.add(note)
    await session.flush()
    assert note.id is not None
    session.add_all(
        [
            InvoiceLine(invoice_id=note.id, prestation_id=p, amount_cents=-lines[p])
            for p in sorted(chosen)
        ]
    )
    await session.flush()
    await post_vat(session, actor, note, -vat_back, "credit_note_vat", today)
    await record(
        session,
        cooperative_id=actor.cooperative_id,
        actor_id=actor.person_id,
        action="invoice.cancelled" if whole else "invoice.credited",
        subject_type="invoice",
        subject_id=invoice.id,
        data={
            "reference": invoice.reference,
            "credit_note": note.reference,
            "prestations": sorted(chosen),
            "reason": clean,
            "settlement": settlement,
            "vat_cents": -vat_back,
        },
    )
    return note


async def vat_credited(session: AsyncSession, invoice_id: int) -> int:
    """The VAT that credit notes already took back from an invoice (positive)."""
    total = (
        await session.exec(
            select(func.sum(Invoice.vat_cents)).where(
                Invoice.kind == InvoiceKind.CREDIT_NOTE,
                func.coalesce(Invoice.cancels_id, Invoice.corrects_id) == invoice_id,
            )
        )
    ).one()
    return -int(total or 0)


async def _invoice(session: AsyncSession, actor: Actor, invoice_id: int) -> Invoice:
    invoice = await session.get(Invoice, invoice_id)
    if invoice is None or invoice.cooperative_id != actor.cooperative_id:
        raise NotFound(_("This invoice does not exist."))
    return invoice


async def cancel_invoice(
    session: AsyncSession,
    actor: Actor,
    invoice_id: int,
    today: dt.date,
    *,
    reason: str,
    settlement: str = "",
) -> Invoice:
    """Issue the credit note that cancels an invoice: every line it still bills.

    Its prestations can be invoiced again. Raises PermissionDenied, NotFound, Invalid (no
    reason; no settlement on a paid invoice), Conflict (already cancelled, or a credit note).
    """
    async with session.begin():
        await authorize(session, actor, Permission.POST_JOURNAL)
        invoice = await _invoice(session, actor, invoice_id)
        await lock_cooperative(session, actor.cooperative_id)
        if invoice.kind != InvoiceKind.INVOICE:
            raise Conflict(_("A credit note cannot be cancelled."))
        if await _is_cancelled(session, invoice_id):
            raise Conflict(_("This invoice is already cancelled."))
        remaining = set(await invoice_lines(session, invoice_id)) - await credited_prestations(
            session, invoice_id
        )
        return await credit_in_transaction(
            session, actor, invoice, remaining, reason, today, settlement
        )


async def credit_lines(
    session: AsyncSession,
    actor: Actor,
    invoice_id: int,
    prestation_ids: Iterable[int],
    today: dt.date,
    *,
    reason: str,
    settlement: str = "",
) -> Invoice:
    """Issue a credit note for some lines of an invoice (all of them cancel it).

    Raises PermissionDenied, NotFound, Invalid, Conflict as `credit_in_transaction`.
    """
    async with session.begin():
        await authorize(session, actor, Permission.POST_JOURNAL)
        invoice = await _invoice(session, actor, invoice_id)
        return await credit_in_transaction(
            session, actor, invoice, prestation_ids, reason, today, settlement
        )


async def credit_notes_of(session: AsyncSession, invoice_id: int) -> list[Invoice]:
    """The credit notes that credit an invoice, oldest first."""
    return list(
        (
            await session.exec(
                select(Invoice)
                .where(
                    Invoice.kind == InvoiceKind.CREDIT_NOTE,
                    func.coalesce(Invoice.cancels_id, Invoice.corrects_id) == invoice_id,
                )
                .order_by(col(Invoice.year), col(Invoice.number))
            )
        ).all()
    )


async def credit_line(
    session: AsyncSession, actor: Actor, prestation_id: int, reason: str, settlement: str = ""
) -> Invoice | None:
    """Credit `prestation_id` on its live invoice, if it has one: the credit note, or None.

    Runs inside the caller's transaction; the caller checked who acts. `settlement` ("refund",
    "offset") says what becomes of money the client already paid on the line; Invalid (field
    `settlement`) when it is needed and missing.
    """
    invoice = await live_invoice_of(session, prestation_id)
    if invoice is None:
        return None
    return await credit_in_transaction(
        session, actor, invoice, [prestation_id], one_line(reason), clock.today(), settlement
    )


def one_line(reason: str, limit: int = 500) -> str:
    """A reason written on several lines (a contest's resolution) as the one line a credit
    note prints: lines joined by spaces, and cut at a word with "…" beyond `limit`."""
    joined = " ".join(reason.split())
    if len(joined) <= limit:
        return joined
    cut = joined[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"
