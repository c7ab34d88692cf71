"""Prestations as JSON: the list, recording (idempotent with a key), submitting and validating,
with the same rights as the pages; what the API reads and answers about them. Reversing goes
through the `reverse_prestation` dependency app.py provides (the use case sits above billing)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter

from governance.base import clock, i18n
from governance.base.errors import Invalid
from governance.base.http import Db
from governance.input.forms import MAX_ROW_ID
from governance.input.json_body import (
    API_ERRORS,
    Body,
    Checked,
    NoBody,
    OptionalBody,
    RowId,
    rename,
    strict_body,
)
from governance.input.money import format_cents
from governance.language.months import MONTH_PATTERN
from governance.ledger.work import prestations
from governance.ledger.work.models import Prestation
from governance.members.access import Permission
from governance.members.context import Coop, requires

# The form's field for each amount of the API, so that a refusal names the field sent.
PRESTATION_AMOUNTS = {
    "rate": "rate_cents",
    "travel": "travel_cents",
    "fixed_amount": "fixed_amount_cents",
}


class PrestationIn(Body):
    """A prestation to record: a duration at an hourly rate, or a fixed amount."""

    client_id: RowId
    date: dt.date
    kind: str
    member_id: RowId | None = None  # coordinators record for others; oneself otherwise
    start_time: str | None = None  # "14:30"
    duration_minutes: int | None = None
    rate_cents: int | None = None  # per hour; the client's default rate when left out
    fixed_amount_cents: int | None = None  # instead of a duration and a rate
    travel_cents: int | None = None
    languages: list[str] = msgspec.field(default_factory=list)  # ["ar", "fr"]
    note: str | None = None
    submit: bool = False  # send it for validation at once

    def as_form(self) -> dict[str, Any]:
        form: dict[str, Any] = {
            "client_id": str(self.client_id),
            "date": self.date.isoformat(),
            "kind": self.kind,
            "languages": list(self.languages),
        }
        if self.member_id is not None:
            form["member_id"] = str(self.member_id)
        if self.start_time is not None:
            form["start_time"] = self.start_time
        if self.duration_minutes is not None:
            form["duration_minutes"] = str(self.duration_minutes)
        if self.note is not None:
            form["note"] = self.note
        for name, api_name in PRESTATION_AMOUNTS.items():
            cents = getattr(self, api_name)
            if cents is not None:
                form[name] = format_cents(cents)
        return form


class ReasonIn(Body):
    """Why a validated prestation is reversed."""

    reason: str


class ValidateIn(Body):
    """The prestations to validate, all or none."""

    ids: list[RowId]


class PrestationOut(msgspec.Struct):
    id: int
    member_id: int
    client_id: int
    date: dt.date
    start_time: str | None  # "14:30:00", local time of day (no zone)
    duration_minutes: int | None
    rate_cents: int | None
    amount_cents: int
    travel_cents: int
    kind: str
    languages: list[str]
    note: str
    status: str
    rejection_reason: str
    entry_id: int | None

    @classmethod
    def of(cls, p: Prestation) -> PrestationOut:
        assert p.id is not None
        return cls(
            id=p.id,
            member_id=p.member_id,
            client_id=p.client_id,
            date=p.date,
            start_time=p.start_time.isoformat() if p.start_time else None,
            duration_minutes=p.duration_minutes,
            rate_cents=p.rate_cents,
            amount_cents=p.amount_cents,
            travel_cents=p.travel_cents,
            kind=p.kind,
            languages=list(p.languages),
            note=p.note,
            status=p.status,
            rejection_reason=p.rejection_reason,
            entry_id=p.entry_id,
        )


# A month that exists (found by Schemathesis: "0000-00" and "2026-13" were a 500).
Month = Annotated[str | None, QueryParameter(name="month", pattern=MONTH_PATTERN)]
# A person's id is 32-bit on PostgreSQL: a larger one was a 500 there (found by check-api).
Member = Annotated[int | None, QueryParameter(name="member", ge=1, le=MAX_ROW_ID)]
Reverse = NamedDependency[prestations.Reverser]


RECORDED_AGAIN = {
    **API_ERRORS,
    200: ResponseSpec(
        data_container=PrestationOut,
        description="The same request again with its Idempotency-Key: the first prestation.",
        generate_examples=False,
    ),
}


class PrestationApiController(Controller):
    path = "/prestations"
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
        dependencies={"checked": strict_body(PrestationIn)},
        guards=[requires(Permission.RECORD_OWN_WORK)],
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
        guards=[requires(Permission.RECORD_OWN_WORK)],
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
        dependencies={"checked": strict_body(ValidateIn)},
        guards=[requires(Permission.VALIDATE_WORK)],
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
        reverse_prestation: Reverse,
    ) -> PrestationOut:
        """Cancel a validated prestation in the books: `{"reason": "..."}` (coordinators).

        Posts the opposite of its entry, dated today; refused (409) while the prestation is on
        an invoice that no credit note cancels.
        """
        done = await reverse_prestation(
            db, coop.actor, prestation_id, data.reason, today=clock.today()
        )
        return PrestationOut.of(done)
