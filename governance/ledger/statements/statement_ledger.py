"""What the statements read from the ledger: close lines, the payable account, its movements.

Queries only, inside the caller's transaction (`governance.ledger.statements.statements` opens it
and
checks who reads); every query is scoped to one cooperative or one of its accounts.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.models import Checkpoint
from governance.auth.models import Person
from governance.ledger.books.models import Account, JournalEntry, LedgerLine
from governance.ledger.books.posting import balance_of
from governance.ledger.closing.models import PeriodClose
from governance.ledger.payouts.models import PayoutBatch
from governance.ledger.statements.statement_reconciliation import (
    PAYOUT_KIND,
    Payment,
    Reconciliation,
    reconcile,
)
from governance.ledger.statements.statement_views import CheckpointView


class LedgerMismatch(RuntimeError):
    """A statement says one amount and the ledger another: a bug to investigate, never shown."""


# The close entries' lines: (entry id, account code) -> (account type, amount).
CloseLines = dict[tuple[int, str], tuple[str, int]]


async def close_lines(
    session: AsyncSession,
    cooperative_id: int,
    entry_ids: Iterable[int | None],
    code: str | None = None,
) -> CloseLines:
    """The close entries' lines: (entry id, account code) -> (account type, amount); only those
    of the account `code` when given (a member's statements: one line per close, read from
    the account's lines instead of every line of every close)."""
    ids = [i for i in entry_ids if i is not None]
    if not ids:
        return {}
    query = (
        select(LedgerLine.entry_id, Account.code, Account.type, func.sum(LedgerLine.amount))
        .join(Account, col(Account.id) == LedgerLine.account_id)
        .where(LedgerLine.cooperative_id == cooperative_id, col(LedgerLine.entry_id).in_(ids))
        .group_by(col(LedgerLine.entry_id), col(Account.code), col(Account.type))
    )
    if code is not None:
        query = query.where(Account.cooperative_id == cooperative_id, Account.code == code)
    rows = await session.exec(query)
    return {(entry, name): (kind, int(total)) for entry, name, kind, total in rows.all()}


def credited(lines: CloseLines, entry_id: int | None, code: str) -> int:
    """What the close credited to `code`, as a positive amount (0 without a line)."""
    if entry_id is None:
        return 0
    return -lines.get((entry_id, code), ("", 0))[1]


async def payable(session: AsyncSession, cooperative_id: int, member_id: int) -> Account | None:
    return (
        await session.exec(
            select(Account).where(
                Account.cooperative_id == cooperative_id, Account.code == f"payable:{member_id}"
            )
        )
    ).first()


async def owed_now(session: AsyncSession, account: Account | None) -> int:
    """Minus the payable account's running balance: what the cooperative owes the member today."""
    if account is None or account.id is None:
        return 0
    return -(await balance_of(session, account.id))


async def _batches(
    session: AsyncSession, cooperative_id: int, entry_ids: list[int]
) -> dict[int, int]:
    """The payout batch that posted each entry: entry id -> batch id."""
    if not entry_ids:
        return {}
    rows = await session.exec(
        select(PayoutBatch.entry_id, PayoutBatch.id).where(
            PayoutBatch.cooperative_id == cooperative_id,
            col(PayoutBatch.entry_id).in_(entry_ids),
        )
    )
    return {entry: batch for entry, batch in rows.all() if entry is not None and batch is not None}


async def reconciliation(
    session: AsyncSession, account: Account | None, month: str
) -> Reconciliation:
    """The member's payable account around `month`: sums by period and kind, and payments."""
    if account is None:
        return reconcile(month, (), ())
    sums = await session.exec(
        select(col(LedgerLine.period), col(JournalEntry.kind), func.sum(LedgerLine.amount))
        .join(JournalEntry, col(JournalEntry.id) == LedgerLine.entry_id)
        .where(LedgerLine.account_id == account.id, JournalEntry.kind != PAYOUT_KIND)
        .group_by(col(LedgerLine.period), col(JournalEntry.kind))
    )
    payouts = (
        await session.exec(
            select(
                col(JournalEntry.id),
                col(JournalEntry.date),
                col(LedgerLine.period),
                col(LedgerLine.amount),
            )
            .join(JournalEntry, col(JournalEntry.id) == LedgerLine.entry_id)
            .where(LedgerLine.account_id == account.id, JournalEntry.kind == PAYOUT_KIND)
            .order_by(col(LedgerLine.id))
        )
    ).all()
    batches = await _batches(session, account.cooperative_id, [p[0] for p in payouts if p[0]])
    return reconcile(
        month,
        ((period, kind, int(total)) for period, kind, total in sums.all()),
        (
            Payment(entry_id, day, period, int(amount), batches.get(entry_id))
            for entry_id, day, period, amount in payouts
            if entry_id is not None
        ),
    )


async def checkpoint_of(session: AsyncSession, close: PeriodClose) -> CheckpointView:
    checkpoint = await session.get(Checkpoint, close.checkpoint_id)
    if checkpoint is None or checkpoint.cooperative_id != close.cooperative_id:
        raise LedgerMismatch(f"the close of {close.month} has no checkpoint of its cooperative")
    return CheckpointView(
        cooperative_id=close.cooperative_id,
        month=checkpoint.month,
        seq=checkpoint.seq,
        head_hash=checkpoint.head_hash,
        signature=checkpoint.signature,
        public_key=checkpoint.public_key,
        previous=checkpoint.previous,
    )


async def names(session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await session.exec(select(Person.id, Person.name).where(col(Person.id).in_(wanted)))
    return {person_id: name for person_id, name in rows.all() if person_id is not None}
