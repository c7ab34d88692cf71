"""The books as JSON: trial balance, one account's lines and the journal, a page at a time.

The same readers as the pages (`books.may_read_books`): coordinators and observers always,
cooperators while the cooperative's books are open, workers never. Amounts are integer cents
(debit positive), dates ISO-8601; pages are keyset pages: pass `next_after_id` as `after_id`.
Accounts are codes and memos stable English, as in the exports; `account_name` and `memo_text`
add them in words in the caller's language (docs/books.md).
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import Provide
from litestar.params import Parameter, QueryParameter

from governance.base.http import Db
from governance.input.json_body import API_ERRORS
from governance.ledger.api_bodies import AccountOut, EntriesOut, TrialBalanceOut
from governance.ledger.books import reading
from governance.ledger.books.pages import CODE_MAX_LENGTH, CODE_PATTERN
from governance.members.context import Coop, provide_coop

# Stricter than the pages' filter: an impossible month is refused rather than shown empty.
Period = Annotated[str | None, QueryParameter(name="period", pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
AfterId = Annotated[int | None, QueryParameter(name="after_id", ge=1, le=2**62)]
Limit = Annotated[int, QueryParameter(name="limit", ge=1, le=reading.MAX_PAGE)]
# An account code is one path segment (`receivable:3`; `:` needs no escaping in a path), with
# the pages' rule for what a code looks like.
AccountCode = Annotated[str, Parameter(max_length=CODE_MAX_LENGTH, pattern=CODE_PATTERN)]


class BooksApiController(Controller):
    path = "/api/c/{slug:str}/books"
    dependencies = {"coop": Provide(provide_coop)}
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
