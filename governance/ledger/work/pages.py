"""Prestations: my work, recording, the coordinators' queue to validate, and reversing a
validated prestation (through the `reverse_prestation` dependency app.py provides, as the use
case sits above billing)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from governance.base import clock, i18n
from governance.base.errors import Conflict, Invalid
from governance.base.http import Db, form_data, page, redirect
from governance.input.forms import MAX_ROW_ID, Form, row_ids
from governance.input.page_keys import After, Before
from governance.language.months import MONTH_PATTERN, is_month, month_name
from governance.ledger.work import late_work, listing, prestations, work_form
from governance.ledger.work.clients import clients_for
from governance.ledger.work.prestation_input import kinds_of
from governance.ledger.work.prestations import Reverser
from governance.ledger.work.work_dates import window_of
from governance.members import Role
from governance.members import service as members
from governance.members.access import Permission
from governance.members.context import Coop, CoopContext, requires

Month = Annotated[str | None, QueryParameter(name="month", pattern=MONTH_PATTERN)]
MemberParam = Annotated[int | None, QueryParameter(name="member", ge=1, le=MAX_ROW_ID)]
Recorded = Annotated[int | None, QueryParameter(name="recorded", ge=1, le=MAX_ROW_ID)]
# The keys of a page of work: a prestation's id (see ledger.work.listing).
Reverse = NamedDependency[Reverser]


class WorkController(Controller):
    path = "/work"

    async def _form_page(
        self,
        request: Request,
        db: Db,
        coop: CoopContext,
        status_code: int = 200,
        chosen: Sequence[str] = (),
        **extra: Any,
    ) -> Template:
        clients = await clients_for(db, coop.actor)
        active = [
            row
            for row in await members.list_members(db, coop.actor)
            if row.membership.role != Role.OBSERVER and row.membership.status == "active"
        ]
        people = active if coop.can("record_for_anyone") else []
        values = extra.pop("values", {})
        reader = i18n.current_language()
        posted = values.get("languages")
        languages = work_form.language_field(
            reader,
            work_form.usual_codes((row.person.languages for row in active), coop.person.languages),
            chosen,
            posted if isinstance(posted, list) else None,
        )
        calendar = await late_work.calendar_of(db, coop.actor)
        window = window_of(coop.cooperative.settings, clock.today())
        day = Form(values).day("date")
        return page(
            request,
            "ledger/work/new.html",
            status_code=status_code,
            clients=clients,
            people=people,
            own_languages=coop.person.languages,
            kinds=kinds_of(coop.cooperative.settings),
            key=secrets.token_urlsafe(16),
            today=clock.today().isoformat(),
            language_field=languages,
            month_notices=work_form.notices_json(late_work.notices_by_month(calendar, window)),
            date_notice=late_work.notice_for(calendar, day) if day else None,
            values=values,
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
        recorded: int | None = None,
        after: int | None = None,
        before: int | None = None,
        **extra: Any,
    ) -> Template:
        found = await listing.work_page(
            db, coop.actor, month=month, after=after, before=before, recorded=recorded
        )
        rows = found.rows
        adjustments = await late_work.adjustment_periods(db, rows)
        calendar = await late_work.calendar_of(db, coop.actor)
        clients = {c.id: c.name for c in await clients_for(db, coop.actor, include_archived=True)}
        base = f"/c/{coop.cooperative.slug}/work/" + (f"?month={month}&" if month else "?")
        return page(
            request,
            "ledger/work/work.html",
            status_code=status_code,
            rows=rows,
            adjustments={pid: month_name(m) for pid, m in adjustments.items()},
            later=late_work.waiting_notes(calendar, rows),
            late_notice=(
                late_work.recorded_notice(calendar, [found.recorded], recorded)
                if recorded and found.recorded
                else None
            ),
            clients=clients,
            names=found.names,
            month=month or "",
            following=f"{base}after={found.next_after}" if found.next_after else None,
            previous=f"{base}before={found.previous_before}" if found.previous_before else None,
            first=base.rstrip("?&") if after or before else None,
            # Rejected and reversed work is shown with its reason but no longer counts.
            total=found.total,
            values=extra.pop("values", {}),
            errors=extra.pop("errors", {}),
            **extra,
        )

    @get("/")
    async def mine(
        self,
        request: Request,
        db: Db,
        coop: Coop,
        month: Month = None,
        recorded: Recorded = None,
        after: After = None,
        before: Before = None,
    ) -> Template:
        """My prestations a page at a time, newest first (coordinators and observers see
        everyone's; `after` or `before` a prestation, of `month`); `?recorded=` the one just
        recorded, when a closed month's: where it will count."""
        return await self._work_page(
            request, db, coop, month, recorded=recorded, after=after, before=before
        )

    @get("/new", guards=[requires(Permission.RECORD_OWN_WORK)])
    async def new(
        self, request: Request, db: Db, coop: Coop, member: MemberParam = None
    ) -> Template:
        """The form to record a prestation, with the member's usual languages chosen
        (`?member=` a coordinator records for: that member's)."""
        values: dict[str, Any] = {"date": clock.today().isoformat()}
        chosen = coop.person.languages
        if member is not None and member != coop.person.id and coop.can("record_for_anyone"):
            for row in await members.list_members(db, coop.actor):
                if row.person.id == member:
                    values["member_id"] = str(member)
                    chosen = row.person.languages
        return await self._form_page(request, db, coop, values=values, chosen=chosen)

    @post("/", guards=[requires(Permission.RECORD_OWN_WORK)])
    async def create(self, request: Request, db: Db, coop: Coop) -> Template | Redirect:
        """Record (and maybe submit) a prestation; a resent form does not record it twice.
        Work dated in a closed month is recorded, and the work list says which month counts it."""
        data = await form_data(request)
        # The list of chosen languages and the typed names share the name `languages`.
        data["languages"] = [str(v) for v in (await request.form()).getall("languages", [])]
        key = str(data.get("idempotency_key") or "") or None
        try:
            prestation, _new = await prestations.record_prestation(
                db,
                coop.actor,
                data,
                language=i18n.current_language(),
                today=clock.today(),
                submit=data.get("action") == "submit",
                idempotency_key=key,
                language_names=True,
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
        work = f"/c/{coop.cooperative.slug}/work/"
        calendar = await late_work.calendar_of(db, coop.actor)
        if calendar.counted_in(prestation.date) is not None:
            # Recorded, but counted in a later month: the list says so at its top.
            work += f"?recorded={prestation.id}"
        return redirect(request, work, "prestation_recorded")

    @post("/{prestation_id:int}/submit", guards=[requires(Permission.RECORD_OWN_WORK)])
    async def submit(
        self, request: Request, db: Db, coop: Coop, prestation_id: FromPath[int]
    ) -> Redirect:
        """Send a draft to the coordinators."""
        await prestations.submit_prestation(db, coop.actor, prestation_id)
        return redirect(request, f"/c/{coop.cooperative.slug}/work/", "prestation_submitted")

    @get("/queue", guards=[requires(Permission.VALIDATE_WORK)])
    async def queue(self, request: Request, db: Db, coop: Coop) -> Template:
        """Submitted prestations waiting for a coordinator."""
        rows = await prestations.prestations_of(db, coop.actor, status="submitted")
        clients = {c.id: c.name for c in await clients_for(db, coop.actor, include_archived=True)}
        names = {r.person.id: r.person.name for r in await members.list_members(db, coop.actor)}
        later = late_work.waiting_notes(await late_work.calendar_of(db, coop.actor), rows)
        return page(
            request, "ledger/work/queue.html", rows=rows, clients=clients, names=names, later=later
        )

    @post("/validate", guards=[requires(Permission.VALIDATE_WORK)])
    async def validate(self, request: Request, db: Db, coop: Coop) -> Template | Redirect:
        """Validate the ticked prestations (or the one of an htmx row), all or none."""
        form = await request.form()
        ids = row_ids(form.getall("ids", []))
        try:
            done = await prestations.validate_prestations(db, coop.actor, ids)
        except (Invalid, Conflict) as error:
            return page(
                request, "errors/error.html", status_code=400, status=400, message=error.message
            )
        if request.headers.get("hx-request") and len(done) == 1:
            return page(request, "ledger/work/_queue_done.html", prestation=done[0])
        return redirect(request, f"/c/{coop.cooperative.slug}/work/queue", "prestations_validated")

    @post("/{prestation_id:int}/reject", guards=[requires(Permission.VALIDATE_WORK)])
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

    @post("/{prestation_id:int}/reverse", guards=[requires(Permission.VALIDATE_WORK)])
    async def reverse(
        self,
        request: Request,
        db: Db,
        coop: Coop,
        prestation_id: FromPath[int],
        reverse_prestation: Reverse,
    ) -> Template | Redirect:
        """Cancel a validated prestation in the books, with a reason (coordinators)."""
        data = await form_data(request)
        raw_month = str(data.get("month") or "")
        month = raw_month if is_month(raw_month) else None
        try:
            await reverse_prestation(
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
