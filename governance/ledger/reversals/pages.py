"""Reversing a prestation from the work pages.

The work pages (`work.pages.WorkController`) with the one action that needs billing:
reversing a prestation credits its invoice line when the coordinator asks, so the handler
lives here, above billing, on the same URL (`/c/{slug}/work/{id}/reverse`); a refused
reversal shows the work page again with its messages.
"""

from __future__ import annotations

from litestar import Request, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from governance.base import clock
from governance.base.errors import Conflict, Invalid
from governance.base.http import Db, form_data, redirect
from governance.language.months import is_month
from governance.ledger.reversals import reversals
from governance.ledger.work import pages
from governance.members.access import Permission
from governance.members.context import Coop, requires


class WorkController(pages.WorkController):
    """The work pages, reversing included."""

    @post("/{prestation_id:int}/reverse", guards=[requires(Permission.VALIDATE_WORK)])
    async def reverse(
        self, request: Request, db: Db, coop: Coop, prestation_id: FromPath[int]
    ) -> Template | Redirect:
        """Cancel a validated prestation in the books, with a reason (coordinators)."""
        data = await form_data(request)
        raw_month = str(data.get("month") or "")
        month = raw_month if is_month(raw_month) else None
        try:
            await reversals.reverse_prestation(
                db,
                coop.actor,
                prestation_id,
                str(data.get("reason") or ""),
                today=clock.today(),
                credit_invoice=bool(data.get("credit_line")),
                settlement=str(data.get("settlement") or ""),
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
