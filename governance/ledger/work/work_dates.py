"""Which days work may be dated: the cooperative's window around today. Pure.

Two cooperative settings (Cooperative.settings, docs/decisions.md):

- `prestation_max_age_days` (default 365): work older than this many days is refused (a typo
  in the year, 0001-01-01 from a broken spreadsheet, would otherwise land as an adjustment of
  the current month);
- `max_days_ahead` (default 31): work dated further ahead is refused.

The record form, the JSON API and the CSV import all ask `window_of(...).problem(day)`.
`MonthNotice` is what the form says under a date in a closed month (late_work.notice_for).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from governance.base.i18n import _, date_short, ngettext

MAX_AGE_SETTING = "prestation_max_age_days"
DAYS_AHEAD_SETTING = "max_days_ahead"
DEFAULT_MAX_AGE_DAYS = 365
DEFAULT_DAYS_AHEAD = 31
# What a setting may say: at least a day, at most ten years back (a month close needs
# nothing older) and a year ahead.
MAX_AGE_RANGE = (1, 3660)
DAYS_AHEAD_RANGE = (0, 366)


def _setting(settings: Mapping[str, Any], name: str, default: int, bounds: tuple[int, int]) -> int:
    """The setting as a whole number within its bounds; the default when it is not one."""
    value = settings.get(name, default)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    low, high = bounds
    return min(max(value, low), high)


@dataclass(frozen=True)
class DateWindow:
    earliest: dt.date
    latest: dt.date
    max_age_days: int

    def problem(self, day: dt.date) -> str | None:
        """The message for a day outside the window, in the reader's language, or None."""
        if day < self.earliest:
            return ngettext(
                "Dates before %(date)s are not accepted (the cooperative accepts work up to "
                "%(count)d day old).",
                "Dates before %(date)s are not accepted (the cooperative accepts work up to "
                "%(count)d days old).",
                self.max_age_days,
            ) % {"date": date_short(self.earliest), "count": self.max_age_days}
        if day > self.latest:
            return _("This date is too far in the future.")
        return None


def window_of(settings: Mapping[str, Any], today: dt.date) -> DateWindow:
    max_age = _setting(settings, MAX_AGE_SETTING, DEFAULT_MAX_AGE_DAYS, MAX_AGE_RANGE)
    ahead = _setting(settings, DAYS_AHEAD_SETTING, DEFAULT_DAYS_AHEAD, DAYS_AHEAD_RANGE)
    # Kept within the calendar: near year 1 or 9999 a plain subtraction would overflow (a 500).
    earliest = today - dt.timedelta(days=min(max_age, (today - dt.date.min).days))
    latest = today + dt.timedelta(days=min(ahead, (dt.date.max - today).days))
    return DateWindow(earliest=earliest, latest=latest, max_age_days=max_age)


@dataclass(frozen=True)
class MonthNotice:
    kind: str  # "late" (accepted, counted later) or "frozen" (refused)
    text: str
