"""Reading the books: balances, an account's lines, pages of the journal (the journal for
export is read by export_reads.py).

Each public function is one read-only transaction (a consistent snapshot, also on
PostgreSQL) and checks who reads. Nothing here writes, not even an audit event.

Who reads the books (`may_read_books`): whoever reads every member's money
(governance.members.visibility): coordinators and observers always, cooperators when the
cooperative's `open_books` setting is on (the default), workers never. Readers are either a
person (`Actor`, checked against their membership) or the `Operator`: whoever runs the
`governance` command on the server, who already holds the database. An `Operator` skips the
person checks; build one only in the command line, never from a web request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.base.db import dialect_of
from governance.base.errors import NotFound, PermissionDenied
from governance.base.i18n import _
from governance.language.months import is_month
from governance.ledger.books.account_names import AccountNames
from governance.ledger.books.export import EntryRecord, LineRecord
from governance.ledger.books.memos import render
from governance.ledger.books.models import (
    Account,
    AccountPeriodTotal,
    Client,
    JournalEntry,
    LedgerLine,
)
from governance.ledger.books.period_totals import ALL_TIME
from governance.ledger.books.posting import balance_of
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative, Membership
from governance.members.visibility import reads_everyones_money

MAX_PAGE = 500


@dataclass(frozen=True)
class Operator:
    """The operator of the server (the command line): reads one cooperative without a login.

    Deliberately a type of its own rather than `None`, so that a missing web login can never
    be mistaken for it.
    """

    cooperative_id: int


Reader = Actor | Operator


@dataclass(frozen=True)
class BalanceRow:
    """One account in a trial balance; debit and credit are totals (both >= 0)."""

    account: str
    type: str
    debit_cents: int
    credit_cents: int
    balance_cents: int  # debit - credit
    account_id: int = 0


@dataclass(frozen=True)
class AccountLine:
    line_id: int
    entry_id: int
    date: dt.date
    kind: str
    memo: str  # stable English (the export's); pages show `memo_text`
    amount: int  # signed cents, debit positive
    balance: int  # running balance of the account after this line
    memo_code: str = ""
    memo_args: Mapping[str, Any] = field(default_factory=dict)

    @property
    def memo_text(self) -> str:
        """The memo in the reader's language (governance.ledger.books.memos)."""
        return render(self.memo_code, self.memo_args, self.memo)


@dataclass(frozen=True)
class AccountPage:
    account: str
    type: str
    opening_balance: int  # the account's balance before the page's first line
    lines: list[AccountLine]
    next_after_id: int | None  # pass as `after_id` for the next page; None on the last page


@dataclass(frozen=True)
class JournalPage:
    entries: list[EntryRecord]
    next_after_id: int | None  # pass as `after_id` for the next page; None on the last page


def books_open_to(role: str, settings: Mapping[str, Any]) -> bool:
    """Who reads every member's money reads the books (governance.members.visibility).

    The books hold every member's payable account and every prestation's revenue, so a
    worker, who reads only their own money, never reads them; a cooperator does while the
    cooperative's `open_books` setting is on.
    """
    return reads_everyones_money(role, settings)


async def may_read_books(session: AsyncSession, reader: Reader) -> None:
    """PermissionDenied unless `reader` may read the cooperative's books (inside a transaction)."""
    if isinstance(reader, Operator):
        return
    membership = await authorize(session, reader, Permission.READ_COOPERATIVE)
    cooperative = await session.get(Cooperative, reader.cooperative_id)
    if cooperative is None or not books_open_to(membership.role, cooperative.settings):
        raise PermissionDenied(_("Your role does not allow this."))


async def snapshot(session: AsyncSession) -> None:
    """Make this transaction's reads one snapshot; call first thing in the transaction.

    SQLite transactions already read one snapshot; PostgreSQL needs REPEATABLE READ.
    """
    dialect = dialect_of(session)
    if dialect == "postgresql":
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _int(value: Any) -> int:
    # SUM over BIGINT is NUMERIC on PostgreSQL (a Decimal here): exact, made an int again.
    return int(value or 0)


async def trial_balance(
    session: AsyncSession, reader: Reader, period: str | None = None
) -> list[BalanceRow]:
    """Every account with lines (in `period`, "YYYY-MM", if given), by code.

    Read from the accounts' totals (governance/ledger/books/period_totals.py), which the
    database keeps as lines arrive: one row per account, for the period or for all time,
    never the lines themselves. A period that is not "YYYY-MM" has no lines. Raises
    PermissionDenied.
    """
    async with session.begin():
        await snapshot(session)
        await may_read_books(session, reader)
        if period is not None and not is_month(period):
            return []
        # Plain columns, no Account objects: a thousand members have a thousand accounts.
        totals = col(AccountPeriodTotal.account_id) == col(Account.id)
        connection = await session.connection()
        rows = (
            await connection.execute(
                sa_select(
                    col(Account.code),
                    col(Account.type),
                    col(AccountPeriodTotal.debit),
                    col(AccountPeriodTotal.credit),
                    col(Account.id),
                )
                .join(AccountPeriodTotal, totals)
                .where(
                    col(AccountPeriodTotal.cooperative_id) == reader.cooperative_id,
                    col(AccountPeriodTotal.period) == (ALL_TIME if period is None else period),
                )
                .order_by(col(Account.code))
            )
        ).all()
    return [
        BalanceRow(code, kind, _int(debit), _int(credit), _int(debit) - _int(credit), ident or 0)
        for code, kind, debit, credit, ident in rows
    ]


async def account_names(session: AsyncSession, reader: Reader) -> AccountNames:
    """The names account codes point at: the cooperative's clients (archived too) and every
    person who has been its member (a payable account outlives a membership). PermissionDenied.
    """
    async with session.begin():
        await may_read_books(session, reader)
        coop = reader.cooperative_id
        clients = await session.exec(
            select(Client.id, Client.name).where(Client.cooperative_id == coop)
        )
        people = await session.exec(
            select(Person.id, Person.name)
            .join(Membership, col(Membership.person_id) == col(Person.id))
            .where(Membership.cooperative_id == coop)
        )
        named = {str(i): name for i, name in clients.all()}
        return AccountNames(clients=named, members={str(i): name for i, name in people.all()})


async def account_lines(
    session: AsyncSession,
    reader: Reader,
    account_code: str,
    after_id: int | None = None,
    limit: int = 50,
) -> AccountPage:
    """One page of an account's lines in posting order, with running balances.

    Keyset pagination on the line id: pass the previous page's `next_after_id` as `after_id`.
    Each line carries its account's running balance (kept at posting, checked by a trigger),
    so a page at any depth costs the same: no earlier line is read. `limit` is kept within 1..500.
    Raises PermissionDenied, NotFound for an account code the cooperative does not have.
    """
    limit = max(1, min(limit, MAX_PAGE))
    async with session.begin():
        await snapshot(session)
        await may_read_books(session, reader)
        account = (
            await session.exec(
                select(Account).where(
                    Account.cooperative_id == reader.cooperative_id, Account.code == account_code
                )
            )
        ).first()
        if account is None:
            raise NotFound(_("This account does not exist."))
        query = (
            select(LedgerLine, JournalEntry)
            .join(JournalEntry, col(JournalEntry.id) == col(LedgerLine.entry_id))
            .where(LedgerLine.account_id == account.id)
            .order_by(col(LedgerLine.id))
            .limit(limit + 1)
        )
        if after_id is not None:
            query = query.where(col(LedgerLine.id) > after_id)
        rows = list((await session.exec(query)).all())
        more = len(rows) > limit
        rows = rows[:limit]
        if rows:
            first = rows[0][0]
            opening = first.balance - first.amount
        else:
            # An empty page opens at the balance of the cursor's line (0 for no line at all).
            assert account.id is not None
            opening = await balance_of(session, account.id, after_id)
    lines = [
        AccountLine(
            *(line.id or 0, entry.id or 0, entry.date, entry.kind, entry.memo),
            *(line.amount, line.balance, entry.memo_code, entry.memo_args or {}),
        )
        for line, entry in rows
    ]
    return AccountPage(
        account=account.code,
        type=account.type,
        opening_balance=opening,
        lines=lines,
        next_after_id=lines[-1].line_id if more else None,
    )


async def journal_page(
    session: AsyncSession,
    reader: Reader,
    period: str | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> JournalPage:
    """One page of the journal (in `period`, "YYYY-MM", if given): entries with their lines.

    In posting order (entry id), not by date: a back-dated entry comes where it was posted, so
    the keyset cursor never skips one. Pass the previous page's `next_after_id` as `after_id`.
    `limit` is kept within 1..500. A period that is not "YYYY-MM" has no entries.
    Raises PermissionDenied.
    """
    limit = max(1, min(limit, MAX_PAGE))
    async with session.begin():
        await snapshot(session)
        await may_read_books(session, reader)
        if period is not None and not is_month(period):
            return JournalPage([], None)
        query = (
            select(JournalEntry)
            .where(JournalEntry.cooperative_id == reader.cooperative_id)
            .order_by(col(JournalEntry.id))
            .limit(limit + 1)
        )
        if period is not None:
            query = query.where(JournalEntry.period == period)
        if after_id is not None:
            query = query.where(col(JournalEntry.id) > after_id)
        found = list((await session.exec(query)).all())
        more = len(found) > limit
        found = found[:limit]
        lines: dict[int, list[LineRecord]] = {}
        if found:
            rows = await session.exec(
                select(LedgerLine.entry_id, Account.code, Account.type, LedgerLine.amount)
                .join(Account, col(Account.id) == col(LedgerLine.account_id))
                .where(col(LedgerLine.entry_id).in_([entry.id for entry in found]))
                .order_by(col(LedgerLine.id))
            )
            for entry_id, code, account_type, amount in rows:
                lines.setdefault(entry_id, []).append(LineRecord(code, account_type, amount))
    entries = []
    for entry in found:
        assert entry.id is not None
        entries.append(
            EntryRecord(
                entry.id,
                entry.date,
                entry.period,
                entry.kind,
                entry.memo,
                entry.reverses_id,
                tuple(lines.get(entry.id, ())),
                entry.memo_code,
                entry.memo_args or {},
            )
        )
    return JournalPage(entries, entries[-1].id if more and entries else None)
