"""Statements of closed months (page, PDF, CSV), the cooperative's statement, my earnings."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from governance.base import i18n
from governance.base.errors import Unavailable
from governance.base.http import Db, page
from governance.ledger.statements import statement_files, statements
from governance.ledger.statements.earnings_chart import chart
from governance.ledger.statements.statement_reconciliation import month_lines, since_lines
from governance.members.context import Coop


def _file_name(month: str, member_id: int, extension: str) -> str:
    return f"statement-{month}-{member_id}.{extension}"


class StatementController(Controller):
    path = "/"

    @get("/statements")
    async def index(self, request: Request, db: Db, coop: Coop) -> Template:
        """My statements, and the cooperative's closed months for those who read them."""
        found = await statements.statement_index(db, coop.actor)
        return page(request, "ledger/statements/statements.html", index=found)

    @get("/statements/{month:str}")
    async def cooperative(
        self, request: Request, db: Db, coop: Coop, month: FromPath[str]
    ) -> Template:
        """The cooperative's statement of a closed month: totals, funds, every member's share."""
        view = await statements.cooperative_statement(db, coop.actor, month)
        return page(request, "ledger/statements/coop_statement.html", view=view)

    @get("/statements/{month:str}/members/{member_id:int}")
    async def member(
        self, request: Request, db: Db, coop: Coop, month: FromPath[str], member_id: FromPath[int]
    ) -> Template:
        """A member's statement: work, share and its explanation, owed, paid, checkpoint."""
        view = await statements.member_statement(db, coop.actor, month, member_id)
        return page(
            request,
            "ledger/statements/statement.html",
            view=view,
            month_lines=month_lines,
            since_lines=since_lines,
            payments_hint=statement_files.payments_hint,
        )

    @get("/statements/{month:str}/members/{member_id:int}/statement.pdf")
    async def pdf(
        self, db: Db, coop: Coop, month: FromPath[str], member_id: FromPath[int]
    ) -> Response[bytes]:
        """The member's statement as a PDF, with the signed checkpoint."""
        view = await statements.member_statement(db, coop.actor, month, member_id)
        try:
            body = statement_files.to_pdf(view)
        except statement_files.FontMissing as error:
            raise Unavailable(
                i18n._("The PDF cannot be made on this server: its font is missing.")
            ) from error
        return Response(
            body,
            media_type="application/pdf",
            headers={
                "content-disposition": f'inline; filename="{_file_name(month, member_id, "pdf")}"'
            },
        )

    @get("/statements/{month:str}/members/{member_id:int}/statement.csv")
    async def csv(
        self, db: Db, coop: Coop, month: FromPath[str], member_id: FromPath[int]
    ) -> Response[str]:
        """The member's statement as CSV: one row per line, amounts in euros and in cents."""
        view = await statements.member_statement(db, coop.actor, month, member_id)
        name = _file_name(month, member_id, "csv")
        return Response(
            statement_files.to_csv(view),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )

    @get("/me/earnings")
    async def earnings(self, request: Request, db: Db, coop: Coop) -> Template:
        """What I am owed now, my last statements, my earnings month by month."""
        view = await statements.my_earnings(db, coop.actor)
        points = [(m.short_month_text, m.cents) for m in view.months]
        return page(
            request,
            "ledger/statements/earnings.html",
            view=view,
            chart=chart(points, rtl=i18n.direction() == "rtl"),
        )
