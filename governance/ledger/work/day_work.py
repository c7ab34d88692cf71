"""Work counted in days: kinds a cooperative pays at a day rate (a project day, a workshop day).

Two cooperative settings (Cooperative.settings), written by `set_work_kinds`:

- `prestation_kinds`: the kinds its members choose from (`prestations.kinds_of`; the defaults
  when absent);
- `day_kinds`: the kinds counted in days, each with its day: `{"project_day": {"minutes": 480,
  "rate_cents": 56000}}` is a day of 8 hours (what the `hours` key of a rule counts) paid
  560,00 €.

A prestation of a day kind recorded with neither a duration nor a fixed amount is `days` days
(1 when left empty; half days and other fractions to two decimals) at the day rate: its
duration is days × the day's minutes (rounded to the minute), its amount days × the day rate
(exact, rounded once to the cent), kept as a fixed amount (the row has no hourly rate). With a
duration or a fixed amount it is recorded as any other kind. `expand` is pure; the record form
and the JSON API reach it through `prestations.record_prestation` (the CSV import does not yet).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from governance.base.errors import Invalid
from governance.base.i18n import _
from governance.input.money import AmountError, format_cents, multiply_round, parse_decimal_rate
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative
from governance.members.service import save_settings

KINDS_SETTING = "prestation_kinds"
DAY_KINDS_SETTING = "day_kinds"
DAY_MINUTES = 24 * 60
MAX_RATE_CENTS = 100_000_000
_KIND_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass(frozen=True)
class Day:
    """What one day of a day kind counts and earns."""

    minutes: int
    rate_cents: int


def _whole(value: object, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def day_kinds(settings: Mapping[str, Any]) -> dict[str, Day]:
    """The cooperative's day kinds; an entry that is not a valid day is left out."""
    found = settings.get(DAY_KINDS_SETTING)
    if not isinstance(found, dict):
        return {}
    days = {}
    for kind, day in found.items():
        if not isinstance(day, dict):
            continue
        minutes = _whole(day.get("minutes"), 1, DAY_MINUTES)
        rate = _whole(day.get("rate_cents"), 1, MAX_RATE_CENTS)
        if isinstance(kind, str) and minutes is not None and rate is not None:
            days[kind] = Day(minutes, rate)
    return days


def _empty(data: Mapping[str, Any], name: str) -> bool:
    value = data.get(name)
    return value is None or (isinstance(value, str) and not value.strip())


def expand(
    data: Mapping[str, Any], settings: Mapping[str, Any], language: str
) -> Mapping[str, Any]:
    """The form with a day kind's days turned into a duration and a fixed amount; any other
    form as it is. Raises Invalid (field `days`) for a number of days that is not one. Pure."""
    kind = data.get("kind")
    day = day_kinds(settings).get(kind) if isinstance(kind, str) else None
    if day is None or not (_empty(data, "duration_minutes") and _empty(data, "fixed_amount")):
        return data
    typed = data.get("days")
    typed = "1" if typed is None or (isinstance(typed, str) and not typed.strip()) else typed
    most = Decimal(DAY_MINUTES) / day.minutes
    message = _("Give a number of days, like 1 or 0,5.")
    try:
        days = parse_decimal_rate(str(typed), language, maximum=most, allow_zero=False)
    except AmountError as error:
        if error.code == "too_large":
            message = _("One prestation counts at most 24 hours; record the other days apart.")
        raise Invalid(message, {"days": message}) from error
    minutes = int(days * day.minutes + Decimal("0.5"))
    amount = multiply_round(days, day.rate_cents)
    if minutes < 1 or amount < 1:
        raise Invalid(message, {"days": message})
    return {**data, "duration_minutes": str(minutes), "fixed_amount": format_cents(amount)}


def _clean_kinds(kinds: Sequence[str], days: Mapping[str, Day]) -> list[str]:
    clean = list(dict.fromkeys(kinds))
    if not clean or len(clean) > 20 or any(not k or len(k) > 30 for k in clean):
        raise Invalid(_("Give between 1 and 20 kinds of work."))
    if any(not set(k) <= _KIND_CHARACTERS for k in clean):
        raise Invalid(_("A kind of work is written in lower-case letters, digits and _."))
    if not set(days) <= set(clean):
        raise Invalid(_("A kind counted in days must be one of the cooperative's kinds."))
    return clean


async def set_work_kinds(
    session: AsyncSession, actor: Actor, kinds: Sequence[str], days: Mapping[str, Day]
) -> None:
    """A coordinator sets the cooperative's kinds of work and which are counted in days (and
    their day), in one audited transaction. Raises PermissionDenied, Invalid. No page calls it
    yet: the demo does."""
    clean = _clean_kinds(kinds, days)
    for day in days.values():
        if _whole(day.minutes, 1, DAY_MINUTES) is None:
            raise Invalid(_("A day counts between 1 minute and 24 hours."))
        if _whole(day.rate_cents, 1, MAX_RATE_CENTS) is None:
            raise Invalid(_("A day rate is more than zero and at most 1 000 000 €."))
    after = {
        KINDS_SETTING: clean,
        DAY_KINDS_SETTING: {
            kind: {"minutes": day.minutes, "rate_cents": day.rate_cents}
            for kind, day in days.items()
        },
    }
    async with session.begin():
        await authorize(session, actor, Permission.MANAGE_COOPERATIVE)
        cooperative = await session.get(Cooperative, actor.cooperative_id)
        assert cooperative is not None
        before = {name: cooperative.settings.get(name) for name in after}
        await save_settings(
            session,
            cooperative,
            after,
            actor_id=actor.person_id,
            action="cooperative.work_kinds_changed",
            data={"before": before, "after": after},
        )
