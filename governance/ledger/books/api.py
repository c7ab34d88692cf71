"""The books as JSON: trial balance, one account's lines and the journal, a page at a time.

The same readers as the pages (`books.may_read_books`): coordinators and observers always,
cooperators while the cooperative's books are open, workers never. Amounts are integer cents
(debit positive), dates ISO-8601; pages are keyset pages: pass `next_after_id` as `after_id`.
Accounts are codes and memos stable English, as in the exports; `account_name` and `memo_text`
add them in words in the caller's language (docs/books.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.params import Parameter, QueryParameter

from governance.base.http import Db
from governance.input.json_body import API_ERRORS
from governance.language.months import MONTH_PATTERN
from governance.ledger.books import reading
from governance.ledger.books.account_names import CODE_MAX_LENGTH, CODE_PATTERN, AccountNames
from governance.ledger.books.export import EntryRecord
from governance.ledger.books.memos import render
from governance.ledger.books.reading import AccountPage, BalanceRow, JournalPage
from governance.members.context import Coop

# The books keep their codes (`account`, `memo` in stable English, as the exports): programs
# read them. `account_name` and `memo_text` add the same in words, in the caller's language
# (the profile's), for programs that show them to people (docs/books.md).


class BalanceOut(msgspec.Struct):
    account: str
    type: str
    debit_cents: int
    credit_cents: int
    balance_cents: int
    account_name: str


class TrialBalanceOut(msgspec.Struct):
    period: str | None
    accounts: list[BalanceOut]
    total_debit_cents: int
    total_credit_cents: int

    @classmethod
    def of(cls, period: str | None, rows: list[BalanceRow], names: AccountNames) -> TrialBalanceOut:
        return cls(
            period=period,
            accounts=[
                BalanceOut(
                    r.account,
                    r.type,
                    r.debit_cents,
                    r.credit_cents,
                    r.balance_cents,
                    names.name(r.account),
                )
                for r in rows
            ],
            total_debit_cents=sum(r.debit_cents for r in rows),
            total_credit_cents=sum(r.credit_cents for r in rows),
        )


class AccountLineOut(msgspec.Struct):
    line_id: int
    entry_id: int
    date: dt.date
    kind: str
    memo: str  # stable English
    amount_cents: int  # debit positive
    balance_cents: int  # the account's balance after this line
    memo_text: str  # the memo in the caller's language


class AccountOut(msgspec.Struct):
    account: str
    type: str
    opening_balance_cents: int
    lines: list[AccountLineOut]
    next_after_id: int | None
    account_name: str

    @classmethod
    def of(cls, page: AccountPage, names: AccountNames) -> AccountOut:
        return cls(
            account=page.account,
            account_name=names.name(page.account),
            type=page.type,
            opening_balance_cents=page.opening_balance,
            lines=[
                AccountLineOut(
                    line.line_id,
                    line.entry_id,
                    line.date,
                    line.kind,
                    line.memo,
                    line.amount,
                    line.balance,
                    line.memo_text,
                )
                for line in page.lines
            ],
            next_after_id=page.next_after_id,
        )


class EntryLineOut(msgspec.Struct):
    account: str
    type: str
    amount_cents: int  # debit positive
    account_name: str


class EntryOut(msgspec.Struct):
    id: int
    date: dt.date
    period: str
    kind: str
    memo: str  # stable English
    reverses_id: int | None
    lines: list[EntryLineOut]
    memo_text: str  # the memo in the caller's language

    @classmethod
    def of(cls, entry: EntryRecord, names: AccountNames) -> EntryOut:
        return cls(
            id=entry.id,
            date=entry.date,
            period=entry.period,
            kind=entry.kind,
            memo=entry.memo,
            reverses_id=entry.reverses_id,
            lines=[
                EntryLineOut(li.account, li.account_type, li.amount, names.name(li.account))
                for li in entry.lines
            ],
            memo_text=render(entry.memo_code, entry.memo_args, entry.memo),
        )


class EntriesOut(msgspec.Struct):
    entries: list[EntryOut]
    next_after_id: int | None

    @classmethod
    def of(cls, page: JournalPage, names: AccountNames) -> EntriesOut:
        return cls([EntryOut.of(e, names) for e in page.entries], page.next_after_id)


# Stricter than the pages' filter: an impossible month is refused rather than shown empty.
Period = Annotated[str | None, QueryParameter(name="period", pattern=MONTH_PATTERN)]
AfterId = Annotated[int | None, QueryParameter(name="after_id", ge=1, le=2**62)]
Limit = Annotated[int, QueryParameter(name="limit", ge=1, le=reading.MAX_PAGE)]
# An account code is one path segment (`receivable:3`; `:` needs no escaping in a path), with
# the pages' rule for what a code looks like.
AccountCode = Annotated[str, Parameter(max_length=CODE_MAX_LENGTH, pattern=CODE_PATTERN)]


class BooksApiController(Controller):
    path = "/books"
    include_in_schema = True

    @get("/trial-balance", responses=API_ERRORS)
    async def trial_balance(self, db: Db, coop: Coop, period: Period = None) -> TrialBalanceOut:
        """Every account with lines, for one period or for all time."""
        rows = await reading.trial_balance(db, coop.actor, period)
        return TrialBalanceOut.of(period, rows, await reading.account_names(db, coop.actor))

    @get("/accounts/{code:str}", responses=API_ERRORS)
    async def account(
        self,
        db: Db,
        coop: Coop,
        code: AccountCode,
        after_id: AfterId = None,
        limit: Limit = 50,
    ) -> AccountOut:
        """One account's lines in posting order, with the running balance."""
        result = await reading.account_lines(db, coop.actor, code, after_id=after_id, limit=limit)
        return AccountOut.of(result, await reading.account_names(db, coop.actor))

    @get("/entries", responses=API_ERRORS)
    async def entries(
        self,
        db: Db,
        coop: Coop,
        period: Period = None,
        after_id: AfterId = None,
        limit: Limit = 50,
    ) -> EntriesOut:
        """Journal entries with their lines, in posting order."""
        result = await reading.journal_page(
            db, coop.actor, period=period, after_id=after_id, limit=limit
        )
        return EntriesOut.of(result, await reading.account_names(db, coop.actor))
