"""Costs: the list every member may read, and the coordinators' form."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from governance.base import clock, i18n
from governance.base.errors import Invalid
from governance.base.http import Db, form_data, page, redirect
from governance.ledger.costs import costs
from governance.members.access import Permission
from governance.members.context import Coop, CoopContext, requires


class CostController(Controller):
    path = "/costs"

    def _form(
        self, request: Request, coop: CoopContext, status_code: int = 200, **extra: Any
    ) -> Template:
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
        rows, reversed_ids = await costs.costs_of(db, coop.actor)
        return page(
            request,
            "ledger/costs/costs.html",
            rows=rows,
            total=sum(row.amount_cents for row in rows if row.id not in reversed_ids),
            reversed_ids=reversed_ids,
        )

    @get("/new", guards=[requires(Permission.POST_JOURNAL)])
    async def new(self, request: Request, coop: Coop) -> Template:
        """The form to record a cost (coordinators)."""
        today = clock.today()
        return self._form(request, coop, values={"date": today.isoformat()})

    @post("/", guards=[requires(Permission.POST_JOURNAL)])
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
