"""The one place that reads the wall clock, so that tests and pure code can pass time in."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")
_SHIFT: ContextVar[timedelta] = ContextVar("clock_shift", default=timedelta(0))


def _process_shift() -> timedelta:
    """GOVERNANCE_CLOCK_SHIFT_SECONDS moves this process's clock (browser tests run
    `governance votes close-due` a day ahead). Refused in production."""
    raw = os.environ.get("GOVERNANCE_CLOCK_SHIFT_SECONDS", "").strip()
    if not raw:
        return timedelta(0)
    if os.environ.get("GOVERNANCE_ENV", "development").strip() == "production":
        raise RuntimeError("GOVERNANCE_CLOCK_SHIFT_SECONDS is refused in production")
    return timedelta(seconds=int(raw))


_PROCESS_SHIFT = _process_shift()


def now() -> datetime:
    return datetime.now(UTC) + _PROCESS_SHIFT + _SHIFT.get()


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
