"""Invoices, credit notes and payments: the list, issuing, cancelling, recording payments."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import Redirect, Template

from governance import clock, i18n
from governance.errors import Conflict, Invalid, PermissionDenied, Unavailable
from governance.ledger import invoice_pdf, invoices
from governance.ledger.service import list_clients
from governance.web import Coop, CoopContext, Db, form_data, page, provide_coop, redirect


class InvoiceController(Controller):
    path = "/c/{slug:str}/invoices"
    dependencies = {"coop": Provide(provide_coop)}

    async def _page(
        self, request: Request, db: Db, coop: CoopContext, status_code: int = 200, **extra: Any
    ) -> Template:
        views = await invoices.invoices_of(db, coop.actor)
        clients = await list_clients(db, coop.actor)
        today = clock.today()
        return page(
            request,
            "ledger/invoices.html",
            status_code=status_code,
            views=views,
            clients=clients,
            structured=invoices.structured,
            default_month=f"{today.year:04d}-{today.month:02d}",
            values=extra.pop("values", {}),
            errors=extra.pop("errors", {}),
            **extra,
        )

    @get("/")
    async def list_invoices(self, request: Request, db: Db, coop: Coop) -> Template:
        """Invoices and credit notes, with what is still owed on each."""
        return await self._page(request, db, coop)

    @post("/")
    async def issue(self, request: Request, db: Db, coop: Coop) -> Template | Redirect:
        """Invoice a client's validated work of one month (coordinators)."""
        data = await form_data(request)
        client_id = str(data.get("client_id") or "")
        try:
            await invoices.issue_invoice(
                db,
                coop.actor,
                int(client_id) if client_id.isdigit() and len(client_id) < 12 else 0,
                str(data.get("month") or ""),
                clock.today(),
            )
        except Invalid as error:
            return await self._page(
                request,
                db,
                coop,
                status_code=400,
                values=data,
                errors=error.fields,
                error=error.message,
            )
        return redirect(request, f"/c/{coop.cooperative.slug}/invoices/", "invoice_issued")

    @get("/{invoice_id:int}/pdf")
    async def pdf(self, db: Db, coop: Coop, invoice_id: FromPath[int]) -> Response[bytes]:
        """The invoice or credit note as a PDF."""
        document = await invoices.invoice_document(db, coop.actor, invoice_id)
        try:
            body = invoice_pdf.render(document)
        except invoice_pdf.FontMissing as error:
            raise Unavailable(
                i18n._("The PDF cannot be made on this server: its font is missing.")
            ) from error
        name = f"{document.reference}.pdf"
        return Response(
            body,
            media_type="application/pdf",
            headers={"content-disposition": f'inline; filename="{name}"'},
        )

    @post("/{invoice_id:int}/cancel")
    async def cancel(
        self, request: Request, db: Db, coop: Coop, invoice_id: FromPath[int]
    ) -> Template | Redirect:
        """Cancel an invoice by a credit note (coordinators)."""
        try:
            await invoices.cancel_invoice(db, coop.actor, invoice_id, clock.today())
        except Conflict as error:
            return await self._page(request, db, coop, status_code=409, error=error.message)
        return redirect(request, f"/c/{coop.cooperative.slug}/invoices/", "invoice_cancelled")


class PaymentController(Controller):
    path = "/c/{slug:str}/payments"
    dependencies = {"coop": Provide(provide_coop)}

    async def _form(
        self, request: Request, db: Db, coop: CoopContext, status_code: int = 200, **extra: Any
    ) -> Template:
        if not coop.can("post_journal"):
            raise PermissionDenied(i18n._("Your role does not allow this."))
        views = [v for v in await invoices.invoices_of(db, coop.actor) if v.outstanding_cents > 0]
        return page(
            request,
            "ledger/payment_form.html",
            status_code=status_code,
            views=views,
            clients=await list_clients(db, coop.actor),
            values=extra.pop("values", {}),
            errors=extra.pop("errors", {}),
            **extra,
        )

    @get("/new")
    async def new(self, request: Request, db: Db, coop: Coop) -> Template:
        """The form to record a client's payment (coordinators)."""
        return await self._form(request, db, coop, values={"date": clock.today().isoformat()})

    @post("/")
    async def create(self, request: Request, db: Db, coop: Coop) -> Template | Redirect:
        """Record the payment: Dr bank / Cr receivable, allocated to the ticked invoices."""
        form = await request.form()
        data: dict[str, Any] = {key: form.get(key) for key in form}
        data["invoice_ids"] = form.getall("invoice_ids", [])
        try:
            await invoices.record_payment(
                db, coop.actor, data, language=i18n.current_language(), today=clock.today()
            )
        except Invalid as error:
            return await self._form(
                request,
                db,
                coop,
                status_code=400,
                values=data,
                errors=error.fields,
                error=error.message,
            )
        return redirect(request, f"/c/{coop.cooperative.slug}/invoices/", "payment_recorded")
