"""Reversing a prestation through the JSON API.

The prestations API (`work.api.PrestationApiController`) with the one action that needs
billing: reversing a prestation credits its invoice line when asked, so the handler lives
here, above billing, on the same URL (`/api/c/{slug}/prestations/{id}/reverse`).
"""

from __future__ import annotations

from litestar import post
from litestar.params import FromPath, JSONBody

from governance.base import clock
from governance.base.http import Db
from governance.input.json_body import API_ERRORS, Body, strict_body
from governance.ledger.reversals import reversals
from governance.ledger.work import api
from governance.ledger.work.api import Checked, PrestationOut
from governance.members.access import Permission
from governance.members.context import Coop, requires


class ReasonIn(Body):
    """Why a validated prestation is reversed."""

    reason: str


class PrestationApiController(api.PrestationApiController):
    """The prestations API, reversing included."""

    @post(
        "/{prestation_id:int}/reverse",
        status_code=200,
        responses=API_ERRORS,
        dependencies={"checked": strict_body(ReasonIn)},
        guards=[requires(Permission.VALIDATE_WORK)],
    )
    async def reverse(
        self,
        db: Db,
        coop: Coop,
        prestation_id: FromPath[int],
        data: JSONBody[ReasonIn],
        checked: Checked,
    ) -> PrestationOut:
        """Cancel a validated prestation in the books: `{"reason": "..."}` (coordinators).

        Posts the opposite of its entry, dated today; refused (409) while the prestation is on
        an invoice that no credit note cancels.
        """
        done = await reversals.reverse_prestation(
            db, coop.actor, prestation_id, data.reason, today=clock.today()
        )
        return PrestationOut.of(done)
