"""Applying a bank line's match inside the caller's transaction: the payment, cost or payout
it means in the books, the `bank_match` row that says so, and its audit event.

The caller (an import, a coordinator's confirmation) has checked the permission and holds the
cooperative's lock. A payout batch whose every line the bank has shown is confirmed as sent
(`confirm_batches_seen`), dated the day of its last line; a returned line is owed again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import record
from governance.base import clock
from governance.base.errors import Conflict, Invalid
from governance.base.i18n import _
from governance.ledger.bank.matching import BookState, MatchKind, Proposal
from governance.ledger.bank.models import BankLine, BankMatch
from governance.ledger.billing.payments import pay_invoices
from governance.ledger.books.journal import Posting
from governance.ledger.books.memos import Memo
from governance.ledger.books.posting import post
from governance.ledger.costs.costs import CostInput, post_cost
from governance.ledger.payouts.models import PayoutBatch, PayoutLine
from governance.ledger.payouts.payout_months import PAYABLE
from governance.ledger.payouts.payouts import mark_sent
from governance.ledger.payouts.states import PayoutState
from governance.members.access import Actor


@dataclass(frozen=True)
class Target:
    """What a match wrote in the books, or already found there."""

    payment_id: int | None = None
    cost_id: int | None = None
    payout_line_id: int | None = None
    entry_id: int | None = None


def _reference(line: BankLine) -> str:
    return (line.bank_reference or line.end_to_end_id or line.text)[:140]


async def _pay_invoice(
    session: AsyncSession, actor: Actor, line: BankLine, invoice_id: int, book: BookState
) -> Target:
    invoice = book.by_id.get(invoice_id)
    if invoice is None:
        raise Invalid(_("Choose an invoice of this cooperative that waits for money."))
    paid = await pay_invoices(
        session,
        actor,
        client_id=invoice.client_id,
        day=line.booked_on,
        amount=line.amount_cents,
        reference=_reference(line),
        invoice_ids=[invoice.id],
        extra={"bank_line_id": line.id},
    )
    book.settle(invoice.id, paid.allocated_cents)
    if line.counterparty_iban:
        book.client_of_iban.setdefault(line.counterparty_iban, invoice.client_id)
    return Target(payment_id=paid.payment.id, entry_id=paid.payment.entry_id)


async def _cost(
    session: AsyncSession, actor: Actor, line: BankLine, category: str, book: BookState
) -> Target:
    if category not in book.categories:
        raise Invalid(_("Choose one of the cooperative's cost categories."))
    supplier = line.counterparty_name or line.text or _("Bank")
    cost = await post_cost(
        session,
        actor,
        CostInput(
            date=line.booked_on,
            category=category,
            supplier=supplier[:160],
            note=line.text[:500],
            amount_cents=-line.amount_cents,
        ),
        extra={"bank_line_id": line.id},
    )
    return Target(cost_id=cost.id, entry_id=cost.entry_id)


async def _payout_return(
    session: AsyncSession, actor: Actor, line: BankLine, payout_line_id: int
) -> Target:
    payout_line = await session.get(PayoutLine, payout_line_id)
    assert payout_line is not None
    entry = await post(
        session,
        cooperative_id=actor.cooperative_id,
        day=line.booked_on,
        kind="payout_return",
        memo=Memo("payout_return", {"batch": payout_line.batch_id}),
        author_id=actor.person_id,
        postings=[
            Posting("bank", line.amount_cents),
            Posting(f"{PAYABLE}{payout_line.member_id}", -line.amount_cents),
        ],
    )
    return Target(payout_line_id=payout_line_id, entry_id=entry.id)


def _typed(found: list[int], target: int | None, message: str) -> int:
    if target is None or target not in found:
        raise Invalid(message)
    return target


async def apply(
    session: AsyncSession,
    actor: Actor,
    line: BankLine,
    proposal: Proposal,
    book: BookState,
    *,
    automatic: bool,
    category: str = "",
) -> BankMatch:
    """Write what `proposal` means for `line`; raises Invalid when it no longer fits."""
    assert line.id is not None
    if proposal.kind == MatchKind.INVOICE:
        target_row = await _pay_invoice(session, actor, line, proposal.target or 0, book)
    elif proposal.kind == MatchKind.ENTRY:
        target = _typed(
            [t.id for t in book.typed_for(line.amount_cents, line.booked_on)],
            proposal.target,
            _("That movement of the books is already matched to another bank line."),
        )
        book.take(target)
        target_row = Target(entry_id=target)
    elif proposal.kind == MatchKind.COST:
        target_row = await _cost(session, actor, line, category or proposal.category, book)
    elif proposal.kind == MatchKind.PAYOUT:
        ref = next(r for r in book.payouts.values() if r.line_id == proposal.target)
        ref.paid, ref.paid_on = True, line.booked_on
        target_row = Target(payout_line_id=ref.line_id)
    else:
        ref = next(r for r in book.payouts.values() if r.line_id == proposal.target)
        ref.returned = True
        target_row = await _payout_return(session, actor, line, ref.line_id)
    match = BankMatch(
        cooperative_id=actor.cooperative_id,
        line_id=line.id,
        kind=proposal.kind,
        automatic=automatic,
        payment_id=target_row.payment_id,
        cost_id=target_row.cost_id,
        payout_line_id=target_row.payout_line_id,
        entry_id=target_row.entry_id,
        decided_by_id=actor.person_id,
        created_at=clock.now(),
    )
    session.add(match)
    await session.flush()
    await record(
        session,
        cooperative_id=actor.cooperative_id,
        actor_id=actor.person_id,
        action="bank.line_matched" if automatic else "bank.line_confirmed",
        subject_type="bank_line",
        subject_id=line.id,
        data={
            "kind": str(proposal.kind),
            "date": line.booked_on.isoformat(),
            "amount_cents": line.amount_cents,
            "bank_reference": line.bank_reference,
            "payment_id": match.payment_id,
            "cost_id": match.cost_id,
            "payout_line_id": match.payout_line_id,
            "entry_id": match.entry_id,
        },
    )
    return match


async def confirm_batches_seen(session: AsyncSession, actor: Actor, book: BookState) -> list[int]:
    """Confirm as sent each prepared batch whose every line the bank has shown paid."""
    by_batch: dict[int, list[dt.date | None]] = {}
    for ref in book.payouts.values():
        if ref.batch_state == PayoutState.PREPARED:
            by_batch.setdefault(ref.batch_id, []).append(ref.paid_on if ref.paid else None)
    confirmed = []
    for batch_id, days in sorted(by_batch.items()):
        seen = [day for day in days if day is not None]
        if len(seen) != len(days):
            continue
        batch = (await session.exec(select(PayoutBatch).where(PayoutBatch.id == batch_id))).one()
        try:
            await mark_sent(session, actor, batch, max(seen), extra={"by_bank": True})
        except Conflict:
            continue  # the books changed since the batch: it stays for a coordinator to cancel
        for ref in book.payouts.values():
            if ref.batch_id == batch_id:
                ref.batch_state = PayoutState.SENT
        confirmed.append(batch_id)
    return confirmed
