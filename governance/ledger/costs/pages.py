"""Costs: the list every member may read, and the coordinators' form."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template

from governance.base import clock, i18n
from governance.base.errors import Invalid, PermissionDenied
from governance.base.http import Db, form_data, page, redirect
from governance.ledger.costs import costs
from governance.members.context import Coop, CoopContext, provide_coop


class CostController(Controller):
    path = "/c/{slug:str}/costs"
    dependencies = {"coop": Provide(provide_coop)}

    def _form(
        self, request: Request, coop: CoopContext, status_code: int = 200, **extra: Any
    ) -> Template:
        if not coop.can("post_journal"):
            raise PermissionDenied(i18n._("Your role does not allow this."))
        return page(
            request,
            "ledger/costs/cost_form.html",
            status_code=status_code,
            categories=costs.categories_of(coop.cooperative.settings),
            values=extra.pop("values", {}),
            errors=extra.pop("errors", {}),
            **extra,
        )

    @get("/")
    async def list_costs(self, request: Request, db: Db, coop: Coop) -> Template:
        """The latest costs, newest first."""
        rows = await costs.costs_of(db, coop.actor)
        return page(
            request,
            "ledger/costs/costs.html",
            rows=rows,
            total=sum(row.amount_cents for row in rows),
        )

    @get("/new")
    async def new(self, request: Request, coop: Coop) -> Template:
        """The form to record a cost (coordinators)."""
        today = clock.today()
        return self._form(request, coop, values={"date": today.isoformat()})

    @post("/")
    async def create(self, request: Request, db: Db, coop: Coop) -> Template | Redirect:
        """Record a cost: Dr expense:<category> / Cr bank."""
        data = await form_data(request)
        today = clock.today()
        try:
            await costs.record_cost(
                db, coop.actor, data, language=i18n.current_language(), today=today
            )
        except Invalid as error:
            return self._form(
                request,
                coop,
                status_code=400,
                values=data,
                errors=error.fields,
                error=error.message,
            )
        return redirect(request, f"/c/{coop.cooperative.slug}/costs/", "cost_recorded")
