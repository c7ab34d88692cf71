"""Prestations: my work, recording, and the coordinators' queue to validate."""

from __future__ import annotations

import re
import secrets
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from governance import clock, i18n
from governance.errors import Conflict, Invalid, PermissionDenied
from governance.ledger import prestations, reversals
from governance.ledger.models import PrestationStatus
from governance.ledger.service import list_clients
from governance.members import service as members
from governance.members.models import Role
from governance.web import Coop, CoopContext, Db, form_data, page, provide_coop, redirect

Month = Annotated[str | None, QueryParameter(name="month", pattern=r"^\d{4}-\d{2}$")]
MONTH_RE = re.compile(r"\d{4}-\d{2}")
NOT_COUNTED = (PrestationStatus.REJECTED, PrestationStatus.REVERSED)


class WorkController(Controller):
    path = "/c/{slug:str}/work"
    dependencies = {"coop": Provide(provide_coop)}

    async def _form_page(
        self, request: Request, db: Db, coop: CoopContext, status_code: int = 200, **extra: Any
    ) -> Template:
        if not coop.can("record_own_work"):
            raise PermissionDenied(i18n._("Your role does not allow this."))
        clients = await list_clients(db, coop.actor)
        people = (
            [
                row
                for row in await members.list_members(db, coop.actor)
                if row.membership.role != Role.OBSERVER and row.membership.status == "active"
            ]
            if coop.can("record_for_anyone")
            else []
        )
        return page(
            request,
            "ledger/new.html",
            status_code=status_code,
            clients=clients,
            people=people,
            kinds=prestations.kinds_of(coop.cooperative.settings),
            key=secrets.token_urlsafe(16),
            today=clock.today().isoformat(),
            values=extra.pop("values", {}),
            errors=extra.pop("errors", {}),
            **extra,
        )

    async def _work_page(
        self,
        request: Request,
        db: Db,
        coop: CoopContext,
        month: str | None,
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        rows = await prestations.prestations_of(db, coop.actor, month=month)
        adjustments = await prestations.adjustment_periods(db, rows)
        clients = {c.id: c.name for c in await list_clients(db, coop.actor, include_archived=True)}
        names = {r.person.id: r.person.name for r in await members.list_members(db, coop.actor)}
        return page(
            request,
            "ledger/work.html",
            status_code=status_code,
            rows=rows,
            adjustments=adjustments,
            clients=clients,
            names=names,
            month=month or "",
            # Rejected and reversed work is shown with its reason but no longer counts.
            total=sum(r.amount_cents for r in rows if r.status not in NOT_COUNTED),
            values=extra.pop("values", {}),
            errors=extra.pop("errors", {}),
            **extra,
        )

    @get("/")
    async def mine(self, request: Request, db: Db, coop: Coop, month: Month = None) -> Template:
        """My prestations, newest first (coordinators and observers see everyone's)."""
        return await self._work_page(request, db, coop, month)

    @get("/new")
    async def new(self, request: Request, db: Db, coop: Coop) -> Template:
        """The form to record a prestation."""
        return await self._form_page(request, db, coop, values={"date": clock.today().isoformat()})

    @post("/")
    async def create(self, request: Request, db: Db, coop: Coop) -> Template | Redirect:
        """Record (and maybe submit) a prestation; a resent form does not record it twice."""
        data = await form_data(request)
        key = str(data.get("idempotency_key") or "") or None
        try:
            await prestations.record_prestation(
                db,
                coop.actor,
                data,
                language=i18n.current_language(),
                today=clock.today(),
                submit=data.get("action") == "submit",
                idempotency_key=key,
            )
        except (Invalid, Conflict) as error:
            return await self._form_page(
                request,
                db,
                coop,
                status_code=400,
                values=data,
                errors=error.fields,
                error=error.message,
            )
        return redirect(request, f"/c/{coop.cooperative.slug}/work/", "prestation_recorded")

    @post("/{prestation_id:int}/submit")
    async def submit(
        self, request: Request, db: Db, coop: Coop, prestation_id: FromPath[int]
    ) -> Redirect:
        """Send a draft to the coordinators."""
        await prestations.submit_prestation(db, coop.actor, prestation_id)
        return redirect(request, f"/c/{coop.cooperative.slug}/work/", "prestation_submitted")

    @get("/queue")
    async def queue(self, request: Request, db: Db, coop: Coop) -> Template:
        """Submitted prestations waiting for a coordinator."""
        if not coop.can("validate_work"):
            raise PermissionDenied(i18n._("Your role does not allow this."))
        rows = await prestations.prestations_of(db, coop.actor, status="submitted")
        clients = {c.id: c.name for c in await list_clients(db, coop.actor, include_archived=True)}
        names = {r.person.id: r.person.name for r in await members.list_members(db, coop.actor)}
        return page(request, "ledger/queue.html", rows=rows, clients=clients, names=names)

    @post("/validate")
    async def validate(self, request: Request, db: Db, coop: Coop) -> Template | Redirect:
        """Validate the ticked prestations (or the one of an htmx row), all or none."""
        form = await request.form()
        ids = [int(v) for v in form.getall("ids", []) if str(v).isdigit() and len(str(v)) < 12]
        try:
            done = await prestations.validate_prestations(db, coop.actor, ids)
        except (Invalid, Conflict) as error:
            return page(
                request, "errors/error.html", status_code=400, status=400, message=error.message
            )
        if request.headers.get("hx-request") and len(done) == 1:
            return page(request, "ledger/_queue_done.html", prestation=done[0])
        return redirect(request, f"/c/{coop.cooperative.slug}/work/queue", "prestations_validated")

    @post("/{prestation_id:int}/reject")
    async def reject(
        self, request: Request, db: Db, coop: Coop, prestation_id: FromPath[int]
    ) -> Template | Redirect:
        """Reject with a reason the member will read."""
        data = await form_data(request)
        try:
            await prestations.reject_prestation(db, coop.actor, prestation_id, data)
        except (Invalid, Conflict) as error:
            return page(
                request, "errors/error.html", status_code=400, status=400, message=error.message
            )
        return redirect(request, f"/c/{coop.cooperative.slug}/work/queue", "prestation_rejected")

    @post("/{prestation_id:int}/reverse")
    async def reverse(
        self, request: Request, db: Db, coop: Coop, prestation_id: FromPath[int]
    ) -> Template | Redirect:
        """Cancel a validated prestation in the books, with a reason (coordinators)."""
        data = await form_data(request)
        raw_month = str(data.get("month") or "")
        month = raw_month if MONTH_RE.fullmatch(raw_month) else None
        try:
            await reversals.reverse_prestation(
                db, coop.actor, prestation_id, str(data.get("reason") or ""), today=clock.today()
            )
        except (Invalid, Conflict) as error:
            return await self._work_page(
                request,
                db,
                coop,
                month,
                status_code=error.status_code,
                values=data,
                errors=error.fields,
                error=error.message,
                reversing=prestation_id,
            )
        back = f"/c/{coop.cooperative.slug}/work/" + (f"?month={month}" if month else "")
        return redirect(request, back, "prestation_reversed")
