"""The bank page (coordinators): import a statement file, see the books' bank account next to
the bank's, and decide what each waiting line is. Thin: reads and use cases live beside."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from governance.auth.current import choose_language
from governance.base import i18n
from governance.base.errors import Invalid
from governance.base.http import Db, page, redirect
from governance.base.uploads import ENVELOPE_BYTES, read_limited
from governance.input.forms import MAX_ROW_ID
from governance.input.iban import format_iban
from governance.ledger.bank import (
    bank_reads,
    bank_views,
    close_rule,
    confirmations,
    statement_import,
    undo,
)
from governance.ledger.bank.statement_files import MAX_FILE_BYTES
from governance.ledger.billing.invoices import structured
from governance.members.access import Permission
from governance.members.context import Coop, CoopContext, requires

FileKey = Annotated[int | None, QueryParameter(name="file", ge=1, le=MAX_ROW_ID)]


def _limit_message() -> str:
    return i18n._("This file is too large: the limit is %(megabytes)d MB.") % {
        "megabytes": MAX_FILE_BYTES // 1_000_000
    }


def _too_large(request: Request[Any, Any, Any], exc: RequestEntityTooLarge) -> Response[Any]:
    # Refused while the body arrives, before the cooperative is resolved: the same answer
    # for every address.
    i18n.set_language(choose_language(request))
    return page(request, "errors/error.html", status_code=413, status=413, message=_limit_message())


async def _page(
    request: Request, db: Db, coop: CoopContext, status_code: int = 200, **context: Any
) -> Template:
    return page(
        request,
        "ledger/bank/bank.html",
        status_code=status_code,
        view=await bank_reads.bank_page(db, coop.actor),
        words=bank_views,
        blocks_close=close_rule.blocks_close(coop.cooperative),
        structured=structured,
        format_iban=format_iban,
        max_megabytes=MAX_FILE_BYTES // 1_000_000,
        **context,
    )


class BankController(Controller):
    """Coordinators only: the bank's lines name clients and members' accounts."""

    path = "/bank"
    guards = [requires(Permission.POST_JOURNAL)]

    @get("/")
    async def index(self, request: Request, db: Db, coop: Coop, file: FileKey = None) -> Template:
        """The reconciliation, the lines that wait, the statements imported; ?file= names
        what an import just did."""
        summary = await bank_reads.import_summary(db, coop.actor, file) if file else None
        return await _page(request, db, coop, summary=summary)

    @post(
        "/import",
        request_max_body_size=MAX_FILE_BYTES + ENVELOPE_BYTES,
        exception_handlers={RequestEntityTooLarge: _too_large},
    )
    async def upload(self, request: Request, db: Db, coop: Coop) -> Template | Redirect:
        """Import a CAMT.053 or CODA file; its lines are matched or proposed at once."""
        upload = (await request.form()).get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            message = i18n._("Choose a bank statement file (CAMT.053 or CODA).")
            return await _page(request, db, coop, 400, error=message)
        try:
            data = await read_limited(upload, MAX_FILE_BYTES)
        except RequestEntityTooLarge:
            return await _page(request, db, coop, 413, error=_limit_message())
        finally:
            await upload.close()
        try:
            result = await statement_import.import_statement(db, coop.actor, data, upload.filename)
        except Invalid as error:
            return await _page(request, db, coop, 400, error=error.message)
        base = f"/c/{coop.cooperative.slug}/bank/"
        if result.already:
            return redirect(request, base, "bank_nothing_new")
        return redirect(request, f"{base}?file={result.file_id}")

    @post("/close-rule", guards=[requires(Permission.MANAGE_COOPERATIVE)])
    async def close_rule(self, request: Request, db: Db, coop: Coop) -> Template | Redirect:
        """Whether an unreconciled bank only warns at the month close, or stops it."""
        form = await request.form()
        try:
            await close_rule.set_close_rule(db, coop.actor, {"close_rule": form.get("close_rule")})
        except Invalid as error:
            return await _page(request, db, coop, 400, error=error.message)
        return redirect(request, f"/c/{coop.cooperative.slug}/bank/", "bank_close_rule_saved")

    @post("/lines/{line_id:int}/undo")
    async def unmatch(
        self, request: Request, db: Db, coop: Coop, line_id: FromPath[int]
    ) -> Template | Redirect:
        """Undo a wrong match: what it wrote is reversed, the line waits again."""
        form = await request.form()
        try:
            await undo.undo_match(db, coop.actor, line_id, {"reason": form.get("reason")})
        except Invalid as error:
            return await _page(request, db, coop, 400, undo_errors={line_id: error.message})
        return redirect(request, f"/c/{coop.cooperative.slug}/bank/", "bank_match_undone")

    @post("/lines/{line_id:int}")
    async def confirm(
        self, request: Request, db: Db, coop: Coop, line_id: FromPath[int]
    ) -> Template | Redirect:
        """Confirm what a waiting line is: a proposal, an invoice it pays, or a cost."""
        form = await request.form()
        data = {key: form.get(key) for key in ("proposal", "invoice_id", "category")}
        try:
            await confirmations.confirm_line(db, coop.actor, line_id, data)
        except Invalid as error:
            return await _page(request, db, coop, 400, line_errors={line_id: error.message})
        return redirect(request, f"/c/{coop.cooperative.slug}/bank/", "bank_line_matched")
