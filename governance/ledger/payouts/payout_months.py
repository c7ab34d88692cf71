"""Which months a member's transfer pays, read from their `payable:<member>` account.

A member is credited in the month the money is theirs for: the month's share at its close,
travel when the work is validated, each in its own period; a correction is a debit or a
credit in the period it is posted in. Payouts pay the oldest months first: the months a new
transfer pays are the oldest whose money is still owed after every earlier payout, as far as
the transfer's amount reaches. So a transfer of everything owed in December, after October's
close and November's travel, pays "10/2026 11/2026", not "12/2026".

`months_paid` is pure; `months_of_lines` reads the ledger inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.ledger.books.models import Account, JournalEntry, LedgerLine
from governance.ledger.payouts.models import PayoutLine

PAYABLE = "payable:"
PAYOUT_KIND = "payout"


@dataclass(frozen=True)
class Movement:
    """One line on a member's payable account, debit-positive as the ledger stores it."""

    period: str  # YYYY-MM
    amount: int
    payout: bool  # a payout paid to the member (as opposed to shares, travel, corrections)


def months_paid(movements: Iterable[Movement], amount: int) -> list[str]:
    """The months (YYYY-MM, oldest first) whose money a transfer of `amount` cents pays. Pure.

    Each month's shares, travel and corrections are netted in their own period; a month
    netting to a debit (the member owes it back) counts as paid, like the payouts; what was
    paid goes to the oldest months first.
    """
    owed_by_month: dict[str, int] = {}
    paid = 0
    for movement in movements:
        if movement.payout:
            paid += movement.amount
        else:
            owed_by_month[movement.period] = owed_by_month.get(movement.period, 0) - movement.amount
    owed: list[tuple[str, int]] = []
    for month in sorted(owed_by_month):
        value = owed_by_month[month]
        if value < 0:
            paid -= value
        elif value > 0:
            owed.append((month, value))
    months: list[str] = []
    for month, value in owed:
        settled = min(value, max(paid, 0))
        paid -= settled
        value -= settled
        if value <= 0:
            continue
        if amount <= 0:
            break
        months.append(month)
        amount -= value
    return months


async def months_of_lines(
    session: AsyncSession,
    cooperative_id: int,
    lines: Sequence[PayoutLine],
    before_entry: int | None = None,
) -> dict[int, list[str]]:
    """For each line's member (by member id), the months its amount pays.

    `before_entry`: the entry that paid the batch, once it is sent; only what was posted before
    it counts, so the file downloaded again says what it said the first time.
    """
    if not lines:
        return {}
    codes = {f"{PAYABLE}{line.member_id}": line.member_id for line in lines}
    query = (
        select(Account.code, LedgerLine.period, LedgerLine.amount, JournalEntry.kind)
        .join(Account, col(Account.id) == LedgerLine.account_id)
        .join(JournalEntry, col(JournalEntry.id) == LedgerLine.entry_id)
        .where(Account.cooperative_id == cooperative_id, col(Account.code).in_(list(codes)))
        .order_by(col(LedgerLine.id))
    )
    if before_entry is not None:
        query = query.where(col(LedgerLine.entry_id) < before_entry)
    movements: dict[int, list[Movement]] = {member: [] for member in codes.values()}
    for code, period, amount, kind in (await session.exec(query)).all():
        movements[codes[code]].append(Movement(period, amount, kind == PAYOUT_KIND))
    return {
        line.member_id: months_paid(movements[line.member_id], line.amount_cents) for line in lines
    }
