"""How long a month's review lasts, and when it may close. Pure (times are passed in).

The cooperative's setting `review_min_hours` (Cooperative.settings, default 72, from 24 to
720 hours) is the least time members get to read their draft statement and contest a line:
the coordinator may close the month once it has passed since the review began, or earlier when
every member concerned has marked their draft as read. A review begun before this rule
(`review_started_at` is None, migration 0013) may close at once, as before.

Members are reminded once, a day before the minimum ends (`reminder_due`). `ReviewFacts` is
where a review stands, as reviews.review_facts reads it, for the month page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from governance.base.i18n import _, ngettext

REVIEW_HOURS_SETTING = "review_min_hours"
DEFAULT_REVIEW_HOURS = 72
# At least a day (members need time, and the reminder goes a day before the end), at most
# thirty days (a month's review must not hold up the next one for ever).
REVIEW_HOURS_RANGE = (24, 720)
REMIND_BEFORE = dt.timedelta(hours=24)


def review_hours(settings: Mapping[str, Any]) -> int:
    """The cooperative's minimum review time in hours, within its bounds; the default when
    the setting is missing or is not a whole number."""
    value = settings.get(REVIEW_HOURS_SETTING, DEFAULT_REVIEW_HOURS)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return DEFAULT_REVIEW_HOURS
    low, high = REVIEW_HOURS_RANGE
    return min(max(value, low), high)


def review_ends_at(
    started_at: dt.datetime | None, settings: Mapping[str, Any]
) -> dt.datetime | None:
    """When the minimum review time ends; None for a review begun before the rule."""
    if started_at is None:
        return None
    return started_at + dt.timedelta(hours=review_hours(settings))


@dataclass(frozen=True)
class Readiness:
    """Where a review stands: how long it still runs, and who has read their draft."""

    started_at: dt.datetime | None
    ends_at: dt.datetime | None  # None: begun before the rule, no minimum
    now: dt.datetime
    members: int  # active members concerned: cooperators and workers with a draft statement
    read: int  # of them, how many marked their draft as read

    @property
    def everyone_read(self) -> bool:
        return self.read >= self.members

    @property
    def time_over(self) -> bool:
        return self.ends_at is None or self.now >= self.ends_at

    @property
    def can_close(self) -> bool:
        """The minimum time has passed, or every member concerned has read their draft."""
        return self.time_over or self.everyone_read

    @property
    def time_left(self) -> dt.timedelta:
        if self.ends_at is None:
            return dt.timedelta(0)
        return max(self.ends_at - self.now, dt.timedelta(0))

    @property
    def left_text(self) -> str:
        """The time left in words, in the reader's language (when the page is written)."""
        return duration_text(self.time_left)


def readiness(
    started_at: dt.datetime | None,
    settings: Mapping[str, Any],
    now: dt.datetime,
    *,
    members: int,
    read: int,
) -> Readiness:
    return Readiness(started_at, review_ends_at(started_at, settings), now, members, read)


def can_close(
    started_at: dt.datetime | None,
    settings: Mapping[str, Any],
    now: dt.datetime,
    *,
    members: int,
    read: int,
) -> bool:
    return readiness(started_at, settings, now, members=members, read=read).can_close


def reminder_due(
    started_at: dt.datetime | None,
    reminded_at: dt.datetime | None,
    settings: Mapping[str, Any],
    now: dt.datetime,
) -> bool:
    """True once: within the last day of the minimum review time, not yet reminded."""
    ends = review_ends_at(started_at, settings)
    if ends is None or reminded_at is not None:
        return False
    return ends - REMIND_BEFORE <= now < ends


def duration_text(left: dt.timedelta) -> str:
    """ "2 days 5 hours", "5 hours", "less than an hour" in the reader's language."""
    hours = int(left.total_seconds() // 3600)
    if hours < 1:
        return _("less than an hour")
    days, hours = divmod(hours, 24)
    hours_text = ngettext("%(num)d hour", "%(num)d hours", hours) % {"num": hours}
    if not days:
        return hours_text
    days_text = ngettext("%(num)d day", "%(num)d days", days) % {"num": days}
    if not hours:
        return days_text
    return _("%(days)s and %(hours)s") % {"days": days_text, "hours": hours_text}


@dataclass(frozen=True)
class MemberProgress:
    """One member concerned, as the coordinator's month page lists them."""

    member_id: int
    name: str
    read_at: dt.datetime | None
    open_contests: int
    contests: int


@dataclass(frozen=True)
class ReviewFacts:
    month: str
    readiness: Readiness
    members: tuple[MemberProgress, ...]  # the members concerned, by name

    @property
    def read_count(self) -> int:
        return sum(1 for m in self.members if m.read_at is not None)

    @property
    def contested_count(self) -> int:
        """Members concerned who contested something this month."""
        return sum(1 for m in self.members if m.contests)

    @property
    def open_contests(self) -> int:
        return sum(m.open_contests for m in self.members)
