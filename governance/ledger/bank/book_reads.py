"""What the books hold that bank lines may settle (matching.BookState), read inside the
import's or a confirmation's transaction, and the books' bank balance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.ledger.bank.matching import (
    NEAR_DAYS,
    BookState,
    MatchKind,
    OpenInvoice,
    PayoutRef,
    TypedMoney,
)
from governance.ledger.bank.models import BankLine, BankMatch, BankUndo
from governance.ledger.billing.invoice_views import cancelled_ids, views_of
from governance.ledger.billing.models import Invoice, InvoiceKind, Payment
from governance.ledger.books.models import Account, Client, JournalEntry, LedgerLine
from governance.ledger.books.period_totals import ALL_TIME
from governance.ledger.costs.costs import categories_of
from governance.ledger.payouts.models import PayoutBatch, PayoutLine
from governance.ledger.payouts.payout_sepa import end_to_end_id
from governance.members.models import Cooperative


def live() -> Any:
    """A match not undone (a clause on BankMatch): a line has at most one."""
    return ~select(BankUndo.id).where(col(BankUndo.match_id) == BankMatch.id).exists()


async def book_state(
    session: AsyncSession,
    cooperative: Cooperative,
    first: dt.date,
    last: dt.date,
    end_to_end_ids: Iterable[str] = (),
) -> BookState:
    """The books as a statement from `first` to `last` may meet them: the payout lines are
    read for the transfers `end_to_end_ids` names only (with the rest of their batches), the
    movements typed by hand near those days only, so an import's reads do not grow with
    years of history."""
    cooperative_id = cooperative.id or 0
    return BookState(
        invoices=await invoices_by_communication(session, cooperative_id),
        client_names=dict(
            (
                await session.exec(
                    select(Client.id, Client.name).where(Client.cooperative_id == cooperative_id)
                )
            ).all()  # type: ignore[arg-type]
        ),
        client_of_iban=await _known_ibans(session, cooperative_id),
        typed=await _typed(session, cooperative_id, first, last),
        payouts=await _payouts(session, cooperative_id, end_to_end_ids),
        categories=categories_of(cooperative.settings),
    )


async def invoices_by_communication(
    session: AsyncSession, cooperative_id: int
) -> dict[str, OpenInvoice]:
    """Every invoice of the cooperative (not cancelled) with what it still waits for."""
    rows = (
        await session.exec(
            select(Invoice, Client.name)
            .join(Client, col(Client.id) == Invoice.client_id)
            .where(
                Invoice.cooperative_id == cooperative_id,
                Invoice.kind == InvoiceKind.INVOICE,
                col(Invoice.id).not_in(cancelled_ids()),
            )
        )
    ).all()
    views = await views_of(session, list(rows), set())
    return {
        v.invoice.communication: OpenInvoice(
            id=v.invoice.id or 0,
            reference=v.invoice.reference,
            communication=v.invoice.communication,
            client_id=v.invoice.client_id,
            client_name=v.client_name,
            outstanding_cents=v.outstanding_cents,
        )
        for v in views
    }


async def _known_ibans(session: AsyncSession, cooperative_id: int) -> dict[str, int]:
    rows = (
        await session.exec(
            select(BankLine.counterparty_iban, Payment.client_id)
            .join(BankMatch, col(BankMatch.line_id) == BankLine.id)
            .join(Payment, col(Payment.entry_id) == BankMatch.entry_id)
            .where(
                BankLine.cooperative_id == cooperative_id,
                BankLine.counterparty_iban != "",
                live(),
            )
        )
    ).all()
    return dict(rows)


def _window(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    near = dt.timedelta(days=NEAR_DAYS)
    return first - near, last + near


async def _typed(
    session: AsyncSession, cooperative_id: int, first: dt.date, last: dt.date
) -> list[TypedMoney]:
    """Entries that moved the bank account near these days, that no bank line has shown:
    payments and costs typed by hand, fund spendings (payouts are matched by their ids)."""
    start, end = _window(first, last)
    taken = select(BankMatch.entry_id).where(
        BankMatch.cooperative_id == cooperative_id,
        col(BankMatch.entry_id).is_not(None),
        live(),
    )
    rows = (
        await session.exec(
            select(col(JournalEntry.id), col(JournalEntry.date), func.sum(LedgerLine.amount))
            .join(LedgerLine, col(LedgerLine.entry_id) == JournalEntry.id)
            .join(Account, col(Account.id) == LedgerLine.account_id)
            .where(
                JournalEntry.cooperative_id == cooperative_id,
                col(JournalEntry.date) >= start,
                col(JournalEntry.date) <= end,
                JournalEntry.kind != "payout",
                Account.code == "bank",
                col(JournalEntry.id).not_in(taken),
            )
            .group_by(col(JournalEntry.id), col(JournalEntry.date))
        )
    ).all()
    ids = [entry_id for entry_id, _day, _amount in rows]
    clients = dict(
        (
            await session.exec(
                select(Payment.entry_id, Payment.client_id).where(
                    Payment.cooperative_id == cooperative_id, col(Payment.entry_id).in_(ids)
                )
            )
        ).all()
    )
    return [
        TypedMoney(entry_id or 0, day, int(amount), clients.get(entry_id or 0))
        for entry_id, day, amount in rows
        if amount
    ]


def _payout_line_id(end_to_end_id: str) -> int | None:
    """`B4-L9-M3` -> 9: the payout line a transfer's id names (payout_sepa.end_to_end_id)."""
    parts = end_to_end_id.split("-")
    if len(parts) == 3 and parts[1][:1] == "L" and parts[1][1:].isdigit():
        return int(parts[1][1:])
    return None


async def _payouts(
    session: AsyncSession, cooperative_id: int, end_to_end_ids: Iterable[str]
) -> dict[str, PayoutRef]:
    named = {i for i in (_payout_line_id(e) for e in end_to_end_ids) if i is not None}
    if not named:
        return {}
    batches = (
        select(PayoutLine.batch_id)
        .join(PayoutBatch, col(PayoutBatch.id) == PayoutLine.batch_id)
        .where(PayoutBatch.cooperative_id == cooperative_id, col(PayoutLine.id).in_(named))
    )
    rows = (
        await session.exec(
            select(PayoutLine, PayoutBatch)
            .join(PayoutBatch, col(PayoutBatch.id) == PayoutLine.batch_id)
            .where(col(PayoutBatch.id).in_(batches))
        )
    ).all()
    matched = (
        await session.exec(
            select(BankMatch.payout_line_id, BankMatch.kind).where(
                BankMatch.cooperative_id == cooperative_id,
                col(BankMatch.payout_line_id).in_([line.id for line, _batch in rows]),
                live(),
            )
        )
    ).all()
    paid = {line_id for line_id, kind in matched if kind == MatchKind.PAYOUT}
    returned = {line_id for line_id, kind in matched if kind == MatchKind.PAYOUT_RETURN}
    return {
        end_to_end_id(batch.id or 0, line.id or 0, line.member_id): PayoutRef(
            line_id=line.id or 0,
            batch_id=batch.id or 0,
            amount_cents=line.amount_cents,
            batch_state=batch.state,
            paid=line.id in paid,
            returned=line.id in returned,
        )
        for line, batch in rows
    }


_BANK_TOTAL = text(
    "SELECT t.debit - t.credit FROM account_period_total t "
    "JOIN account a ON a.id = t.account_id "
    "WHERE a.cooperative_id = :cooperative_id AND a.code = 'bank' AND t.period = :all_time"
)


async def books_bank_cents(session: AsyncSession, cooperative_id: int) -> int:
    """The balance of the books' bank account, all time (from the kept totals)."""
    connection = await session.connection()
    total = (
        await connection.execute(
            _BANK_TOTAL, {"cooperative_id": cooperative_id, "all_time": ALL_TIME}
        )
    ).scalar()
    return int(total or 0)
