"""The books as JSON: trial balance, one account's lines and the journal, a page at a time.

The same readers as the pages (`books.may_read_books`): coordinators and observers always,
cooperators and workers while the cooperative's books are open. Amounts are integer cents
(debit positive), dates ISO-8601; pages are keyset pages: pass `next_after_id` as `after_id`.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get
from litestar.di import Provide
from litestar.params import Parameter, QueryParameter

from governance.ledger import books
from governance.ledger.book_routes import CODE_MAX_LENGTH, CODE_PATTERN
from governance.ledger.export import EntryRecord
from governance.web import Coop, Db, provide_coop

# Stricter than the pages' filter: an impossible month is refused rather than shown empty.
Period = Annotated[str | None, QueryParameter(name="period", pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
AfterId = Annotated[int | None, QueryParameter(name="after_id", ge=1, le=2**62)]
Limit = Annotated[int, QueryParameter(name="limit", ge=1, le=books.MAX_PAGE)]
# An account code is one path segment (`receivable:3`; `:` needs no escaping in a path), with
# the pages' rule for what a code looks like.
AccountCode = Annotated[str, Parameter(max_length=CODE_MAX_LENGTH, pattern=CODE_PATTERN)]


def _entry_json(entry: EntryRecord) -> dict[str, Any]:
    return {
        "id": entry.id,
        "date": entry.date.isoformat(),
        "period": entry.period,
        "kind": entry.kind,
        "memo": entry.memo,
        "reverses_id": entry.reverses_id,
        "lines": [
            {"account": line.account, "type": line.account_type, "amount_cents": line.amount}
            for line in entry.lines
        ],
    }


class BooksApiController(Controller):
    path = "/api/c/{slug:str}/books"
    dependencies = {"coop": Provide(provide_coop)}

    @get("/trial-balance")
    async def trial_balance(self, db: Db, coop: Coop, period: Period = None) -> dict[str, Any]:
        """Every account with lines, for one period or for all time."""
        rows = await books.trial_balance(db, coop.actor, period)
        return {
            "period": period,
            "accounts": [
                {
                    "account": r.account,
                    "type": r.type,
                    "debit_cents": r.debit_cents,
                    "credit_cents": r.credit_cents,
                    "balance_cents": r.balance_cents,
                }
                for r in rows
            ],
            "total_debit_cents": sum(r.debit_cents for r in rows),
            "total_credit_cents": sum(r.credit_cents for r in rows),
        }

    @get("/accounts/{code:str}")
    async def account(
        self,
        db: Db,
        coop: Coop,
        code: AccountCode,
        after_id: AfterId = None,
        limit: Limit = 50,
    ) -> dict[str, Any]:
        """One account's lines in posting order, with the running balance."""
        result = await books.account_lines(db, coop.actor, code, after_id=after_id, limit=limit)
        return {
            "account": result.account,
            "type": result.type,
            "opening_balance_cents": result.opening_balance,
            "lines": [
                {
                    "line_id": line.line_id,
                    "entry_id": line.entry_id,
                    "date": line.date.isoformat(),
                    "kind": line.kind,
                    "memo": line.memo,
                    "amount_cents": line.amount,
                    "balance_cents": line.balance,
                }
                for line in result.lines
            ],
            "next_after_id": result.next_after_id,
        }

    @get("/entries")
    async def entries(
        self,
        db: Db,
        coop: Coop,
        period: Period = None,
        after_id: AfterId = None,
        limit: Limit = 50,
    ) -> dict[str, Any]:
        """Journal entries with their lines, in posting order."""
        result = await books.journal_page(
            db, coop.actor, period=period, after_id=after_id, limit=limit
        )
        return {
            "entries": [_entry_json(entry) for entry in result.entries],
            "next_after_id": result.next_after_id,
        }
