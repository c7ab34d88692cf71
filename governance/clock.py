"""The one place that reads the wall clock, so that tests and pure code can pass time in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")
_SHIFT: ContextVar[timedelta] = ContextVar("clock_shift", default=timedelta(0))


def now() -> datetime:
    return datetime.now(UTC) + _SHIFT.get()


@contextmanager
def shifted(by: timedelta) -> Iterator[None]:
    """Inside, `now()` (and `today()`) run `by` ahead (or behind): the demo back-dates votes
    that were opened and cast days ago. Never used when serving requests."""
    token = _SHIFT.set(_SHIFT.get() + by)
    try:
        yield
    finally:
        _SHIFT.reset(token)


def iso(moment: datetime) -> str:
    """UTC ISO-8601 with microseconds and a Z, the form hashed into the audit chain."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def today() -> date:
    """Today's date in Liège, where our cooperatives work (months close on Belgian time)."""
    return now().astimezone(BRUSSELS).date()


def from_local(moment: datetime) -> datetime:
    """A wall-clock time typed in Liège (naive) as an aware UTC time."""
    return moment.replace(tzinfo=BRUSSELS).astimezone(UTC)
