"""Prestations as JSON: the list, recording (idempotent with a key), submitting, validating
and reversing, with the same rights as the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter

from governance.base import clock, i18n
from governance.base.errors import Invalid, PermissionDenied
from governance.base.http import Db
from governance.base.i18n import _
from governance.input.forms import MAX_ROW_ID
from governance.input.json_body import API_ERRORS, NoBody, OptionalBody, rename, strict_body
from governance.ledger.api_bodies import (
    PRESTATION_AMOUNTS,
    PrestationIn,
    PrestationOut,
    ReasonIn,
    ValidateIn,
)
from governance.ledger.billing import reversals
from governance.ledger.work import prestations
from governance.members.context import Coop, CoopContext, provide_coop

# A month that exists (found by Schemathesis: "0000-00" and "2026-13" were a 500).
Month = Annotated[str | None, QueryParameter(name="month", pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$")]
# A person's id is 32-bit on PostgreSQL: a larger one was a 500 there (found by check-api).
Member = Annotated[int | None, QueryParameter(name="member", ge=1, le=MAX_ROW_ID)]
Checked = NamedDependency[None]


def _allowed(permission: str) -> Callable[[CoopContext], None]:
    """A role check run before the body is read: a member learns about their role first."""

    def check(coop: CoopContext) -> None:
        if not coop.can(permission):
            raise PermissionDenied(_("Your role does not allow this."))

    return check


RECORDED_AGAIN = {
    **API_ERRORS,
    200: ResponseSpec(
        data_container=PrestationOut,
        description="The same request again with its Idempotency-Key: the first prestation.",
        generate_examples=False,
    ),
}


class PrestationApiController(Controller):
    path = "/api/c/{slug:str}/prestations"
    dependencies = {"coop": Provide(provide_coop)}
    include_in_schema = True

    @get("/", responses=API_ERRORS)
    async def list_prestations(
        self, db: Db, coop: Coop, month: Month = None, member: Member = None
    ) -> list[PrestationOut]:
        """Prestations by member and month, with the same rights as the pages."""
        rows = await prestations.prestations_of(db, coop.actor, member_id=member, month=month)
        return [PrestationOut.of(p) for p in rows]

    @post(
        "/",
        status_code=201,
        responses=RECORDED_AGAIN,
        dependencies={"checked": strict_body(PrestationIn, before=_allowed("record_own_work"))},
    )
    async def create(
        self, request: Request, db: Db, coop: Coop, data: JSONBody[PrestationIn], checked: Checked
    ) -> Response[PrestationOut]:
        """Record a prestation; send an `Idempotency-Key` header to make retries safe."""
        try:
            prestation, created = await prestations.record_prestation(
                db,
                coop.actor,
                data.as_form(),
                language=i18n.current_language(),
                today=clock.today(),
                submit=data.submit,
                idempotency_key=request.headers.get("idempotency-key"),
            )
        except Invalid as error:
            raise rename(error, PRESTATION_AMOUNTS) from error
        return Response(PrestationOut.of(prestation), status_code=201 if created else 200)

    @post(
        "/{prestation_id:int}/submit",
        status_code=200,
        responses=API_ERRORS,
        operation_class=OptionalBody,
        dependencies={"checked": strict_body(NoBody, optional=True)},
    )
    async def submit(
        self,
        db: Db,
        coop: Coop,
        prestation_id: FromPath[int],
        checked: Checked,
        data: JSONBody[NoBody | None] = None,
    ) -> PrestationOut:
        """Send one's draft for validation."""
        done = await prestations.submit_prestation(db, coop.actor, prestation_id)
        return PrestationOut.of(done)

    @post(
        "/validate",
        status_code=200,
        responses=API_ERRORS,
        dependencies={"checked": strict_body(ValidateIn, before=_allowed("validate_work"))},
    )
    async def validate(
        self, db: Db, coop: Coop, data: JSONBody[ValidateIn], checked: Checked
    ) -> list[PrestationOut]:
        """Validate `{"ids": [...]}`, all or none (coordinators)."""
        done = await prestations.validate_prestations(db, coop.actor, data.ids)
        return [PrestationOut.of(p) for p in done]

    @post(
        "/{prestation_id:int}/reverse",
        status_code=200,
        responses=API_ERRORS,
        dependencies={"checked": strict_body(ReasonIn, before=_allowed("validate_work"))},
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
