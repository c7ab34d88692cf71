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
from governance.language.months import MONTH_PATTERN
from governance.ledger.books import reading
from governance.ledger.books.account_names import CODE_MAX_LENGTH, CODE_PATTERN
from governance.members.context import Coop

Period = Annotated[str | None, QueryParameter(name="period", pattern=MONTH_PATTERN)]
Code = Annotated[str, QueryParameter(name="code", max_length=CODE_MAX_LENGTH, pattern=CODE_PATTERN)]
After = Annotated[int | None, QueryParameter(name="after", ge=1, le=2**62)]


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    debit: int
    credit: int
    balance: int


class BooksController(Controller):
    path = "/books"

    @get("/")
    async def balance(
        self, request: Request, db: Db, coop: Coop, period: Period = None
    ) -> Template:
        """The trial balance, for one period or for all time."""
        rows = await reading.trial_balance(db, coop.actor, period)
        names = await reading.account_names(db, coop.actor)
        view = [
            Row(
                r.account,
                names.name(r.account),
                r.debit_cents,
                r.credit_cents,
                r.balance_cents,
            )
            for r in rows
        ]
        return page(
            request,
            "ledger/books/books.html",
            rows=view,
            period=period or "",
            total_debit=sum(r.debit for r in view),
            total_credit=sum(r.credit for r in view),
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
