"""The corrected line that answers a contest: every field the coordinator may change, checked.

`parse_correction` is pure: it reads the coordinator's form against the contested prestation
(a field left out keeps its value, so the form is sent pre-filled and only what changed
differs) and refuses a date outside the month under review, a bad duration, kind, amount or
travel, or a line that changes nothing. `corrected_prestation` builds the new, validated
prestation from it; `contests.correct_line` posts it, in the month under review.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from governance.base import clock
from governance.base.errors import Invalid
from governance.base.i18n import _
from governance.input.forms import Form
from governance.language.months import month_name
from governance.ledger.books.journal import month_of
from governance.ledger.work.models import Prestation
from governance.ledger.work.statuses import PrestationStatus

MAX_COMMENT = 1000
MAX_DURATION_MINUTES = 1440


@dataclass(frozen=True)
class Correction:
    date: dt.date
    duration_minutes: int | None
    kind: str
    client_id: int
    amount_cents: int
    travel_cents: int
    reason: str

    def changes(self, original: Prestation) -> dict[str, tuple[Any, Any]]:
        """Field -> (before, after), for what the correction changes (the audit trail)."""
        pairs = {
            "date": (original.date.isoformat(), self.date.isoformat()),
            "duration_minutes": (original.duration_minutes, self.duration_minutes),
            "kind": (original.kind, self.kind),
            "client_id": (original.client_id, self.client_id),
            "amount_cents": (original.amount_cents, self.amount_cents),
            "travel_cents": (original.travel_cents, self.travel_cents),
        }
        return {k: v for k, v in pairs.items() if v[0] != v[1]}


def _given(data: Mapping[str, Any], name: str) -> bool:
    return name in data


def parse_correction(
    data: Mapping[str, Any],
    original: Prestation,
    *,
    month: str,
    kinds: Sequence[str],
    language: str,
) -> Correction:
    """The corrected line from the form; Invalid names every bad field. Pure."""
    form = Form(data)
    reason = form.text("reason", max_length=MAX_COMMENT, multiline=True)
    day = form.day("date") if _given(data, "date") else original.date
    if day is not None and "date" not in form.errors and month_of(day) != month:
        form.fail(
            "date",
            _("The corrected date must be in %(month)s, the month under review.")
            % {"month": month_name(month)},
        )
    duration = original.duration_minutes
    if _given(data, "duration_minutes"):
        if str(data.get("duration_minutes") or "").strip() == "":
            duration = None  # a fixed-price line: no duration
        else:
            duration = form.integer("duration_minutes", required=False)
            if duration is not None and not 0 < duration <= MAX_DURATION_MINUTES:
                form.fail("duration_minutes", _("A duration is between 1 and 1440 minutes."))
    allowed = list(dict.fromkeys([*kinds, original.kind]))
    kind = form.choice("kind", allowed) if _given(data, "kind") else original.kind
    client_id = (
        form.integer("client_id") if _given(data, "client_id") else original.client_id
    ) or original.client_id
    amount = (
        form.money("amount", language, required=True)
        if _given(data, "amount")
        else original.amount_cents
    )
    travel = (
        form.money("travel", language, required=False, allow_zero=True) or 0
        if _given(data, "travel")
        else original.travel_cents
    )
    form.done()
    assert day is not None and amount is not None and travel is not None
    correction = Correction(
        date=day,
        duration_minutes=duration,
        kind=kind,
        client_id=client_id,
        amount_cents=amount,
        travel_cents=travel,
        reason=reason,
    )
    if not correction.changes(original):
        if _given(data, "date") or _given(data, "kind") or _given(data, "duration_minutes"):
            message = _("This is the line as already recorded: change at least one field.")
        else:
            message = _("This is the amount already recorded.")
        raise Invalid(message, {"amount": message})
    return correction


def corrected_prestation(
    original: Prestation, correction: Correction, author_id: int
) -> Prestation:
    """The new prestation, validated, that replaces `original` (its entry is posted apart)."""
    now = clock.now()
    return Prestation(
        cooperative_id=original.cooperative_id,
        member_id=original.member_id,
        client_id=correction.client_id,
        date=correction.date,
        start_time=original.start_time,
        duration_minutes=correction.duration_minutes,
        rate_cents=None,
        amount_cents=correction.amount_cents,
        travel_cents=correction.travel_cents,
        kind=correction.kind,
        languages=list(original.languages),
        note=original.note,
        status=PrestationStatus.VALIDATED,
        created_by_id=author_id,
        created_at=now,
        decided_by_id=author_id,
        decided_at=now,
    )
