"""Invoices, credit notes and payments: the list, issuing, crediting and cancelling, payments."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from governance.base import clock, i18n
from governance.base.errors import Conflict, Invalid, Unavailable
from governance.base.http import Db, form_data, page, redirect
from governance.input.forms import row_ids
from governance.ledger.billing import credit_notes, invoice_pdf, invoice_reads, invoices, payments
from governance.ledger.billing.invoice_document import invoice_document
from governance.ledger.books.models import Client
from governance.ledger.work.clients import clients_for
from governance.members.access import Permission
from governance.members.context import Coop, CoopContext, requires

RECENT_PAYMENTS = 5  # on the invoices page; the payments page lists them all


class InvoiceController(Controller):
    path = "/invoices"

    async def _page(
        self, request: Request, db: Db, coop: CoopContext, status_code: int = 200, **extra: Any
    ) -> Template:
        views = await invoices.invoices_of(db, coop.actor)
        clients = await clients_for(db, coop.actor)
        today = clock.today()
        # Client payments are the books' (docs/privacy.md): None hides the card.
        recent = (
            await invoice_reads.payments_of(db, coop.actor, limit=RECENT_PAYMENTS)
            if coop.reads_everyones_money
            else None
        )
        return page(
            request,
            "ledger/billing/invoices.html",
            status_code=status_code,
            views=views,
            clients=clients,
            recent_payments=recent,
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

    @post("/", guards=[requires(Permission.POST_JOURNAL)])
    async def issue(self, request: Request, db: Db, coop: Coop) -> Template | Redirect:
        """Invoice a client's validated work of one month (coordinators)."""
        data = await form_data(request)
        client_id = str(data.get("client_id") or "")
        try:
            await invoices.issue_invoice(
                db,
                coop.actor,
                next(iter(row_ids([client_id])), 0),
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
        document = await invoice_document(db, coop.actor, invoice_id)
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

    async def _crediting(
        self,
        request: Request,
        db: Db,
        coop: CoopContext,
        invoice_id: int,
        template: str,
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        """The cancelling or crediting page: the invoice, its lines, what happens to money paid."""
        found = await invoice_reads.crediting(db, coop.actor, invoice_id)
        return page(
            request,
            template,
            status_code=status_code,
            crediting=found,
            view=found.view,
            cancellable=found.creditable,
            settlements=credit_notes.SETTLEMENTS,
            structured=invoices.structured,
            values=extra.pop("values", {}),
            errors=extra.pop("errors", {}),
            ticked=set(extra.pop("ticked", [])),
            **extra,
        )

    @get("/{invoice_id:int}/cancel", guards=[requires(Permission.POST_JOURNAL)])
    async def confirm_cancel(
        self, request: Request, db: Db, coop: Coop, invoice_id: FromPath[int]
    ) -> Template:
        """What cancelling this invoice does and what cannot be undone; the reason, and on a paid
        invoice what happens to the money; the button that does it."""
        return await self._crediting(
            request, db, coop, invoice_id, "ledger/billing/invoice_cancel.html"
        )

    @post("/{invoice_id:int}/cancel", guards=[requires(Permission.POST_JOURNAL)])
    async def cancel(
        self, request: Request, db: Db, coop: Coop, invoice_id: FromPath[int]
    ) -> Template | Redirect:
        """Cancel an invoice by a credit note (coordinators), once confirmed on the page above."""
        data = await form_data(request)
        try:
            await credit_notes.cancel_invoice(
                db,
                coop.actor,
                invoice_id,
                clock.today(),
                reason=str(data.get("reason") or ""),
                settlement=str(data.get("settlement") or ""),
            )
        except Invalid as error:
            return await self._crediting(
                request,
                db,
                coop,
                invoice_id,
                "ledger/billing/invoice_cancel.html",
                status_code=400,
                values=data,
                errors=error.fields,
                error=error.message,
            )
        except Conflict as error:
            return await self._page(request, db, coop, status_code=409, error=error.message)
        return redirect(request, f"/c/{coop.cooperative.slug}/invoices/", "invoice_cancelled")

    @get("/{invoice_id:int}/credit", guards=[requires(Permission.POST_JOURNAL)])
    async def confirm_credit(
        self, request: Request, db: Db, coop: Coop, invoice_id: FromPath[int]
    ) -> Template:
        """Choose the lines to credit, say why and, if paid, what happens to the money; what
        cannot be undone; the button that issues the credit note."""
        return await self._crediting(
            request, db, coop, invoice_id, "ledger/billing/invoice_credit.html"
        )

    @post("/{invoice_id:int}/credit", guards=[requires(Permission.POST_JOURNAL)])
    async def credit(
        self, request: Request, db: Db, coop: Coop, invoice_id: FromPath[int]
    ) -> Template | Redirect:
        """Issue a credit note for the ticked lines (coordinators)."""
        form = await request.form()
        data: dict[str, Any] = {key: form.get(key) for key in form}
        raw = [str(v) for v in form.getall("prestation_ids", [])]
        ids = row_ids(raw)
        try:
            await credit_notes.credit_lines(
                db,
                coop.actor,
                invoice_id,
                ids,
                clock.today(),
                reason=str(data.get("reason") or ""),
                settlement=str(data.get("settlement") or ""),
            )
        except (Invalid, Conflict) as error:
            return await self._crediting(
                request,
                db,
                coop,
                invoice_id,
                "ledger/billing/invoice_credit.html",
                status_code=400 if isinstance(error, Invalid) else 409,
                values=data,
                ticked=raw,
                errors=getattr(error, "fields", {}) or {},
                error=error.message,
            )
        return redirect(request, f"/c/{coop.cooperative.slug}/invoices/", "invoice_credited")


class PaymentController(Controller):
    path = "/payments"

    async def _client(
        self, db: Db, coop: CoopContext, raw: str | None
    ) -> tuple[list[Client], Client | None]:
        """The cooperative's clients and the one chosen in `raw` (None if none or not ours)."""
        clients = await clients_for(db, coop.actor)
        chosen = next((c for c in clients if str(c.id) == (raw or "").strip()), None)
        return clients, chosen

    async def _form(
        self,
        request: Request,
        db: Db,
        coop: CoopContext,
        client: str | None,
        template: str = "ledger/billing/payment_form.html",
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        """The form in two steps: the client, then that client's open invoices only."""
        clients, chosen = await self._client(db, coop, client)
        views = (
            await invoice_reads.open_invoices_of_client(db, coop.actor, chosen.id or 0)
            if chosen is not None
            else []
        )
        values = extra.pop("values", {})
        values.setdefault("date", clock.today().isoformat())
        return page(
            request,
            template,
            status_code=status_code,
            views=views,
            clients=clients,
            chosen=chosen,
            ticked=set(extra.pop("ticked", [])),
            values=values,
            errors=extra.pop("errors", {}),
            **extra,
        )

    @get("/")
    async def index(self, request: Request, db: Db, coop: Coop) -> Template:
        """Every payment received from clients, newest first, with what each one settled."""
        return page(
            request,
            "ledger/billing/payments.html",
            rows=await invoice_reads.payments_of(db, coop.actor),
        )

    @get("/new", guards=[requires(Permission.POST_JOURNAL)])
    async def new(
        self, request: Request, db: Db, coop: Coop, client: FromQuery[str | None] = None
    ) -> Template:
        """The form to record a client's payment (coordinators); ?client= is its second step."""
        return await self._form(request, db, coop, client)

    @get("/new/invoices", guards=[requires(Permission.POST_JOURNAL)])
    async def step(
        self, request: Request, db: Db, coop: Coop, client: FromQuery[str | None] = None
    ) -> Template:
        """The second step alone, for htmx when the client changes (reads only)."""
        return await self._form(request, db, coop, client, "ledger/billing/_payment_step.html")

    @post("/", guards=[requires(Permission.POST_JOURNAL)])
    async def create(self, request: Request, db: Db, coop: Coop) -> Template | Redirect:
        """Record the payment: Dr bank / Cr receivable, allocated to the ticked invoices."""
        form = await request.form()
        data: dict[str, Any] = {key: form.get(key) for key in form}
        data["invoice_ids"] = form.getall("invoice_ids", [])
        try:
            await payments.record_payment(
                db, coop.actor, data, language=i18n.current_language(), today=clock.today()
            )
        except Invalid as error:
            return await self._form(
                request,
                db,
                coop,
                str(data.get("client_id") or ""),
                status_code=400,
                values=data,
                ticked=[str(i) for i in data["invoice_ids"]],
                errors=error.fields,
                error=error.message,
            )
        return redirect(request, f"/c/{coop.cooperative.slug}/payments/", "payment_recorded")
