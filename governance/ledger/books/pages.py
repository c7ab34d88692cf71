"""The cooperative's books: trial balance by period and one account's lines.

Accounts are shown by name and memos in words, in the reader's language
(governance.ledger.books.account_names, governance.ledger.books.memos); the codes stay in links and
in the
exports (docs/books.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Template

from governance.base.http import Db, page
from governance.base.paging import page_in
from governance.input import page_keys
from governance.language.months import MONTH_PATTERN
from governance.ledger.books import reading
from governance.ledger.books.account_names import CODE_MAX_LENGTH, CODE_PATTERN
from governance.members.context import Coop

Period = Annotated[str | None, QueryParameter(name="period", pattern=MONTH_PATTERN)]
Code = Annotated[str, QueryParameter(name="code", max_length=CODE_MAX_LENGTH, pattern=CODE_PATTERN)]
After = Annotated[int | None, QueryParameter(name="after", ge=1, le=2**62)]

# Accounts the trial balance lists at a time (a thousand members have a thousand accounts);
# the totals are always every account's.
ACCOUNTS_PAGE = 50


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    debit: int
    credit: int
    balance: int
    account_id: int


class BooksController(Controller):
    path = "/books"

    @get("/")
    async def balance(
        self,
        request: Request,
        db: Db,
        coop: Coop,
        period: Period = None,
        after: page_keys.After = None,
        before: page_keys.Before = None,
    ) -> Template:
        """The trial balance, for one period or for all time: 50 accounts a page, after or
        before an account, and the totals of them all."""
        rows = await reading.trial_balance(db, coop.actor, period)
        names = await reading.account_names(db, coop.actor)
        shown = page_in(
            rows, lambda r: r.account_id, after=after, before=before, limit=ACCOUNTS_PAGE
        )
        view = [
            Row(
                r.account,
                names.name(r.account),
                r.debit_cents,
                r.credit_cents,
                r.balance_cents,
                r.account_id,
            )
            for r in shown.rows
        ]
        return page(
            request,
            "ledger/books/books.html",
            rows=view,
            accounts=shown,
            account_count=len(rows),
            paged=after is not None or before is not None,
            period=period or "",
            total_debit=sum(r.debit_cents for r in rows),
            total_credit=sum(r.credit_cents for r in rows),
        )

    @get("/account")
    async def account(
        self, request: Request, db: Db, coop: Coop, code: Code, after: After = None
    ) -> Template:
        """One account's lines with the running balance, a page at a time."""
        result = await reading.account_lines(db, coop.actor, code, after_id=after)
        names = await reading.account_names(db, coop.actor)
        return page(
            request, "ledger/books/account.html", result=result, label=names.name(code), code=code
        )
