"""The cooperative's books: trial balance by period and one account's lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Request, get
from litestar.di import Provide
from litestar.params import QueryParameter
from litestar.response import Template

from governance.i18n import _
from governance.ledger import books
from governance.ledger.service import list_clients
from governance.members import service as members
from governance.web import Coop, CoopContext, Db, page, provide_coop

Period = Annotated[str | None, QueryParameter(name="period", pattern=r"^\d{4}-\d{2}$")]
# What an account code looks like (`bank`, `receivable:3`, `expense:bank_fees`); the API too.
# A name after the ":" may be in any script (a fund named `fund:réserve`), never markup.
CODE_PATTERN = r"^[a-z]+(:[\w.\-]+)?$"
CODE_MAX_LENGTH = 80
Code = Annotated[str, QueryParameter(name="code", max_length=CODE_MAX_LENGTH, pattern=CODE_PATTERN)]
After = Annotated[int | None, QueryParameter(name="after", ge=1, le=2**62)]


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    debit: int
    credit: int
    balance: int


async def _labels(db: Db, coop: CoopContext) -> dict[str, str]:
    """Account codes told in words: clients and members by name."""
    clients = {str(c.id): c.name for c in await list_clients(db, coop.actor, include_archived=True)}
    people = {str(r.person.id): r.person.name for r in await members.list_members(db, coop.actor)}
    labels = {"bank": _("Bank"), "revenue": _("Revenue")}
    for client_id, name in clients.items():
        labels[f"receivable:{client_id}"] = _("Owed by %(name)s") % {"name": name}
    for person_id, name in people.items():
        labels[f"payable:{person_id}"] = _("Owed to %(name)s") % {"name": name}
    return labels


def label_of(code: str, labels: dict[str, str]) -> str:
    if code in labels:
        return labels[code]
    family, _sep, rest = code.partition(":")
    if family == "expense":
        return _("Costs: %(category)s") % {"category": rest}
    if family == "fund":
        return _("Fund: %(name)s") % {"name": rest}
    return code


class BooksController(Controller):
    path = "/c/{slug:str}/books"
    dependencies = {"coop": Provide(provide_coop)}

    @get("/")
    async def balance(
        self, request: Request, db: Db, coop: Coop, period: Period = None
    ) -> Template:
        """The trial balance, for one period or for all time."""
        rows = await books.trial_balance(db, coop.actor, period)
        labels = await _labels(db, coop)
        view = [
            Row(
                r.account,
                label_of(r.account, labels),
                r.debit_cents,
                r.credit_cents,
                r.balance_cents,
            )
            for r in rows
        ]
        return page(
            request,
            "ledger/books.html",
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
        result = await books.account_lines(db, coop.actor, code, after_id=after)
        labels = await _labels(db, coop)
        return page(
            request, "ledger/account.html", result=result, label=label_of(code, labels), code=code
        )
