"""What a prestation form or JSON body says, cleaned: the kinds a cooperative offers, the
checked input (`parse_input`, every bad field named) and its fingerprint, which tells a
retried request from a different one. Pure: no database, web or clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

from governance.audit.chain import canonical
from governance.base.i18n import _
from governance.input.forms import Form
from governance.input.languages import form_languages
from governance.input.money import multiply_round

DEFAULT_KINDS = ("on_site", "phone", "video", "translation", "project_day", "training", "other")
MAX_DURATION_MINUTES = 24 * 60


def kinds_of(settings: Mapping[str, Any]) -> tuple[str, ...]:
    kinds = settings.get("prestation_kinds")
    return tuple(kinds) if isinstance(kinds, list) and kinds else DEFAULT_KINDS


@dataclass(frozen=True)
class PrestationInput:
    member_id: int
    client_id: int
    date: dt.date
    start_time: dt.time | None
    duration_minutes: int | None
    rate_cents: int | None
    amount_cents: int
    travel_cents: int
    kind: str
    languages: tuple[str, ...]
    note: str

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of the canonical content: equal inputs, equal fingerprints."""
        body = {
            "member_id": self.member_id,
            "client_id": self.client_id,
            "date": self.date.isoformat(),
            "start_time": self.start_time.isoformat() if self.start_time else None,
            "duration_minutes": self.duration_minutes,
            "rate_cents": self.rate_cents,
            "amount_cents": self.amount_cents,
            "travel_cents": self.travel_cents,
            "kind": self.kind,
            "languages": list(self.languages),
            "note": self.note,
        }
        # Every value is an int, a str, None or a list of str (the fields' types): no float.
        return hashlib.sha256(canonical(body, check=False).encode()).hexdigest()


def parse_input(
    data: Mapping[str, Any],
    *,
    actor_person_id: int,
    language: str,
    kinds: Sequence[str],
    client_rate: int | None = None,
    language_names: bool = False,
) -> PrestationInput:
    """Clean a prestation form or JSON body; Invalid names every bad field. Pure.
    `language_names`: languages may be typed by name (the form), not only as codes."""
    form = Form(data)
    member_id = form.integer("member_id", required=False) or actor_person_id
    client_id = form.integer("client_id")
    day = form.day("date")
    start = form.time_of_day("start_time")
    kind = form.choice("kind", kinds)
    languages = form_languages(form, "languages", language, language_names)
    note = form.text("note", max_length=500, required=False)
    travel = form.money("travel", language, required=False, allow_zero=True) or 0
    fixed = form.money("fixed_amount", language, required=False)
    duration = form.integer("duration_minutes", required=False)
    rate = form.money("rate", language, required=False)
    amount = fixed
    if fixed is None:
        if duration is None:
            if "duration_minutes" not in form.errors:
                form.fail("duration_minutes", _("Give a duration in minutes, or a fixed amount."))
        elif not 0 < duration <= MAX_DURATION_MINUTES:
            form.fail("duration_minutes", _("A duration is between 1 and 1440 minutes."))
        rate = rate if rate is not None else client_rate
        if not rate and "rate" not in form.errors:
            form.fail("rate", _("Give an hourly rate."))
        if duration and rate and "duration_minutes" not in form.errors:
            amount = multiply_round(Fraction(duration, 60), rate)
            if amount > 100_000_000:
                form.fail("duration_minutes", _("The amount cannot be more than 1 000 000 €."))
            elif amount <= 0:
                form.fail("rate", _("The amount must be more than zero."))
    else:
        duration = duration if duration and 0 < duration <= MAX_DURATION_MINUTES else None
        rate = None
    form.done()
    assert client_id is not None and day is not None and amount is not None
    return PrestationInput(
        member_id=member_id,
        client_id=client_id,
        date=day,
        start_time=start,
        duration_minutes=duration,
        rate_cents=rate,
        amount_cents=amount,
        travel_cents=travel,
        kind=kind,
        languages=languages,
        note=note,
    )
