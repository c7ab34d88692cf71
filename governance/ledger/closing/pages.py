"""The month close as pages: the months, a month's review, contests and their answers, the close."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_percent
from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from governance.base import clock, i18n
from governance.base.errors import Conflict, DomainError, Invalid, NotFound
from governance.base.http import Db, form_data, page, redirect
from governance.input.money import format_cents, separators
from governance.input.page_keys import After, Before
from governance.language import months
from governance.language.months import is_month
from governance.ledger.closing import closing, contests, draft, periods, review_steps, reviews
from governance.ledger.closing.period_views import MemberPage, WholeReview
from governance.ledger.closing.review_window import review_hours
from governance.ledger.reversals.reversal_lines import month_reversals
from governance.ledger.work.clients import clients_for
from governance.ledger.work.prestation_input import kinds_of
from governance.members.access import Permission
from governance.members.context import Coop, CoopContext, requires

# Members' shares a month's page lists at a time (a thousand members make 1 MB of HTML).
SHARES_PAGE = 50


def month_label(month: str) -> str:
    """ "2026-10" -> "octobre 2026" in the reader's language."""
    return months.month_name(month)


def percent(text: str) -> str:
    """A rule's "12.5" -> "12,5 %" in French, "12.5%" in English."""
    return _percent(text, i18n.FORMAT_LOCALES.get(i18n.current_language(), "fr_BE"))


@functools.lru_cache(maxsize=1024)
def _percent(text: str, locale: str) -> str:
    # A month's page formats the rule's few weights once per member (1 000 at a time): Babel
    # takes ~20 µs a call, so each (weight, locale) is formatted once.
    try:
        value = Decimal(text) / 100
    except InvalidOperation:
        return text
    return format_percent(value, locale=locale, decimal_quantization=False)


def amount_input(cents: int) -> str:
    """Cents as a form field holds them in the reader's language: `110,00` in French."""
    return format_cents(cents).replace(".", separators(i18n.current_language())[0])


def _checked(month: str) -> str:
    if not is_month(month):
        raise NotFound(i18n._("This period does not exist."))
    return month


def _see_other(request: Request, path: str, flash: str | None) -> Redirect:
    """303: the browser GETs the page, so a reload never sends the form again."""
    response = redirect(request, path, flash)
    response.status_code = 303
    return response


class PeriodController(Controller):
    path = "/"

    async def _list(
        self, request: Request, db: Db, coop: CoopContext, status_code: int = 200, **extra: Any
    ) -> Template:
        rows = await periods.periods_overview(db, coop.actor, today=clock.today())
        return page(
            request,
            "ledger/closing/periods.html",
            status_code=status_code,
            rows=rows,
            month_label=month_label,
            months=months,
            review_hours=review_hours(coop.cooperative.settings),
            values=extra.pop("values", {}),
            errors=extra.pop("errors", {}),
            **extra,
        )

    async def _month(
        self,
        request: Request,
        db: Db,
        coop: CoopContext,
        month: str,
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        after, before = extra.pop("after", None), extra.pop("before", None)
        shares = MemberPage(after=after, before=before, limit=SHARES_PAGE)
        view = await periods.review_page(db, coop.actor, month, today=clock.today(), page=shares)
        clients: list[Any] = []
        if coop.can("close_period") and isinstance(view, WholeReview) and view.open_contests:
            clients = await clients_for(db, coop.actor, include_archived=False)
        cancelled = await month_reversals(db, coop.actor, month, everyone=coop.can("close_period"))
        return page(
            request,
            "ledger/closing/period.html",
            status_code=status_code,
            view=view,
            month_reversals=cancelled,
            shares_paged=after is not None or before is not None,
            correction_clients=clients,
            correction_kinds=kinds_of(coop.cooperative.settings),
            last_day=draft.last_day,
            amount_input=amount_input,
            month_label=month_label,
            months=months,
            percent=percent,
            values=extra.pop("values", {}),
            errors=extra.pop("errors", {}),
            failed=extra.pop("failed", None),
            **extra,
        )

    async def _refused(
        self,
        request: Request,
        db: Db,
        coop: CoopContext,
        month: str,
        error: DomainError,
        **extra: Any,
    ) -> Template:
        """The month's page again, with the service's message and the form as it was sent."""
        try:
            return await self._month(
                request,
                db,
                coop,
                month,
                status_code=error.status_code,
                error=error.message,
                errors=error.fields,
                **extra,
            )
        except NotFound:  # nothing was ever recorded in the month: no page to show it on
            return page(
                request,
                "errors/error.html",
                status_code=error.status_code,
                status=error.status_code,
                message=error.message,
            )

    def _back(self, request: Request, coop: CoopContext, month: str, flash: str | None) -> Redirect:
        """Back to the month's page (303)."""
        return _see_other(request, f"/c/{coop.cooperative.slug}/periods/{month}", flash)

    async def _answer(
        self,
        request: Request,
        db: Db,
        coop: CoopContext,
        contest_id: int,
        answer: Callable[[dict[str, Any]], Awaitable[object]],
        form: str,
        flash: str,
    ) -> Template | Redirect:
        """A coordinator answers a contest with the form `form` (keep, correct): back to the
        contest's month, or its page again with the service's message."""
        data = await form_data(request)
        try:
            await answer(data)
        except (Invalid, Conflict) as error:
            month = await periods.month_of_contest(db, coop.actor, contest_id)
            return await self._refused(
                request, db, coop, month, error, values=data, failed=f"{form}-{contest_id}"
            )
        month = await periods.month_of_contest(db, coop.actor, contest_id)
        return self._back(request, coop, month, flash)

    @get("/periods")
    async def list_periods(self, request: Request, db: Db, coop: Coop) -> Template:
        """Every month of the cooperative, newest first, and the next one to review."""
        return await self._list(request, db, coop)

    @post("/periods/review-time", guards=[requires(Permission.MANAGE_COOPERATIVE)])
    async def review_time(self, request: Request, db: Db, coop: Coop) -> Template | Redirect:
        """The cooperative's minimum review time, in hours (coordinators)."""
        data = await form_data(request)
        try:
            await review_steps.set_review_hours(db, coop.actor, data)
        except Invalid as error:
            return await self._list(
                request,
                db,
                coop,
                status_code=error.status_code,
                error=error.message,
                errors=error.fields,
                values=data,
            )
        return _see_other(request, f"/c/{coop.cooperative.slug}/periods", "review_time_saved")

    @get("/periods/{month:str}")
    async def show(
        self,
        request: Request,
        db: Db,
        coop: Coop,
        month: FromPath[str],
        after: After = None,
        before: Before = None,
    ) -> Template:
        """A month: the whole draft (coordinators), its members' shares 50 a page after or
        before a member, or one's own draft statement (members)."""
        return await self._month(request, db, coop, _checked(month), after=after, before=before)

    @post("/periods/{month:str}/review", guards=[requires(Permission.CLOSE_PERIOD)])
    async def start_review(
        self, request: Request, db: Db, coop: Coop, month: FromPath[str]
    ) -> Template | Redirect:
        """Freeze the month and show every member their draft statement (coordinators)."""
        month = _checked(month)
        try:
            await closing.start_review(db, coop.actor, month, today=clock.today())
        except (Invalid, Conflict) as error:
            return await self._list(
                request, db, coop, status_code=error.status_code, error=error.message
            )
        return self._back(request, coop, month, "review_started")

    @post("/periods/{month:str}/read", guards=[requires(Permission.CONTEST_STATEMENT)])
    async def mark_read(
        self, request: Request, db: Db, coop: Coop, month: FromPath[str]
    ) -> Template | Redirect:
        """A member marks their draft statement as read (from the home page or the month)."""
        month = _checked(month)
        data = await form_data(request)
        try:
            await reviews.mark_read(db, coop.actor, month)
        except Conflict as error:
            return await self._refused(request, db, coop, month, error)
        if data.get("back") == "home":
            return _see_other(request, f"/c/{coop.cooperative.slug}/", "draft_read")
        return self._back(request, coop, month, "draft_read")

    @post("/periods/{month:str}/contests", guards=[requires(Permission.CONTEST_STATEMENT)])
    async def contest(
        self, request: Request, db: Db, coop: Coop, month: FromPath[str]
    ) -> Template | Redirect:
        """A member contests a line of their draft statement, or their share, with a comment."""
        month = _checked(month)
        data = await form_data(request)
        try:
            await contests.contest_line(db, coop.actor, month, data)
        except (Invalid, Conflict) as error:
            line = str(data.get("prestation_id") or "") or "share"
            return await self._refused(request, db, coop, month, error, values=data, failed=line)
        return self._back(request, coop, month, "contest_sent")

    @post("/contests/{contest_id:int}/keep", guards=[requires(Permission.CLOSE_PERIOD)])
    async def keep(
        self, request: Request, db: Db, coop: Coop, contest_id: FromPath[int]
    ) -> Template | Redirect:
        """Keep a contested line as it is, with a reason the member reads (coordinators)."""

        async def keep_line(data: dict[str, Any]) -> object:
            return await contests.keep_line(db, coop.actor, contest_id, data)

        return await self._answer(request, db, coop, contest_id, keep_line, "keep", "contest_kept")

    @post("/contests/{contest_id:int}/correct", guards=[requires(Permission.CLOSE_PERIOD)])
    async def correct(
        self, request: Request, db: Db, coop: Coop, contest_id: FromPath[int]
    ) -> Template | Redirect:
        """Correct a contested prestation (date, duration, kind, client, amount, travel), with
        a reason (coordinators)."""

        async def correct_line(data: dict[str, Any]) -> object:
            language = i18n.current_language()
            return await contests.correct_line(db, coop.actor, contest_id, data, language=language)

        return await self._answer(
            request, db, coop, contest_id, correct_line, "correct", "contest_corrected"
        )

    async def _confirm(
        self, request: Request, db: Db, coop: CoopContext, month: str, **extra: Any
    ) -> Template | Redirect:
        view = await periods.review_page(db, coop.actor, month, today=clock.today())
        if not view.whole or view.state != "review":
            # Nothing to confirm: the month's own page says where it stands.
            return self._back(request, coop, month, None)
        return page(
            request,
            "ledger/closing/period_close.html",
            status_code=extra.pop("status_code", 200),
            view=view,
            month_label=month_label,
            months=months,
            percent=percent,
            errors=extra.pop("errors", {}),
            **extra,
        )

    @get("/periods/{month:str}/close", guards=[requires(Permission.CLOSE_PERIOD)])
    async def confirm_close(
        self, request: Request, db: Db, coop: Coop, month: FromPath[str]
    ) -> Template | Redirect:
        """What closing does and what cannot be undone, then the confirmation (coordinators)."""
        month = _checked(month)
        return await self._confirm(request, db, coop, month)

    @post("/periods/{month:str}/close", guards=[requires(Permission.CLOSE_PERIOD)])
    async def close(
        self, request: Request, db: Db, coop: Coop, month: FromPath[str]
    ) -> Template | Redirect:
        """Close the month once the coordinator confirms having checked the draft."""
        month = _checked(month)
        data = await form_data(request)
        try:
            if data.get("checked") != "yes":
                message = i18n._("Tick the box to confirm that you have checked the draft.")
                raise Invalid(message, {"checked": message})
            await closing.finalize(db, coop.actor, month)
        except Invalid as error:  # the confirmation page again, with what to do
            return await self._confirm(
                request,
                db,
                coop,
                month,
                status_code=error.status_code,
                error=error.message,
                errors=error.fields,
            )
        except Conflict as error:  # already closed, or not under review: the month's page
            return await self._refused(request, db, coop, month, error, failed="close")
        return self._back(request, coop, month, "period_closed")
