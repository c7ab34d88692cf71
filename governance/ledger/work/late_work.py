"""Work dated in a closed month: which month will count it, and the notice that says so.

A closed month takes nothing more: work dated in it (or in any month before the last closed
one) is posted, when it is validated, in the first open period after the last closed one, as a
late adjustment of that month (`posting.open_period_for`). A month under review takes nothing
until it is closed. `Calendar` answers the same questions without writing anything (a form
shown by GET creates no period), so that the record form, the work list and the queue can say
what will happen before it does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.base.i18n import _
from governance.language.months import month_name
from governance.ledger.books.journal import month_of
from governance.ledger.books.kinds import PeriodState, state_name
from governance.ledger.books.models import JournalEntry, Period
from governance.ledger.books.posting import next_month
from governance.ledger.work.models import Prestation
from governance.ledger.work.statuses import PrestationStatus
from governance.ledger.work.work_dates import DateWindow, MonthNotice
from governance.members.access import Actor, Permission, authorize


@dataclass(frozen=True)
class Calendar:
    """The cooperative's periods by month (`2026-10` -> `closed`); a month absent is open."""

    states: Mapping[str, str]

    def state(self, month: str) -> str:
        return self.states.get(month, PeriodState.OPEN)

    def latest_closed(self) -> str | None:
        closed = [m for m, s in self.states.items() if s == PeriodState.CLOSED]
        return max(closed) if closed else None

    def counted_in(self, day: dt.date) -> str | None:
        """The month whose figures will count work dated `day`, when it is not `day`'s own
        month (a late adjustment); None when its own month counts it (or will refuse it)."""
        latest = self.latest_closed()
        if latest is None or month_of(day) > latest:
            return None
        month = next_month(latest)
        while self.state(month) != PeriodState.OPEN:
            month = next_month(month)
        return month


async def calendar_of(session: AsyncSession, actor: Actor) -> Calendar:
    """The actor's cooperative's periods; reads only."""
    async with session.begin():
        await authorize(session, actor, Permission.READ_COOPERATIVE)
        rows = await session.exec(
            select(Period.month, Period.state).where(Period.cooperative_id == actor.cooperative_id)
        )
        return Calendar(dict(rows.all()))


def _title(month: str) -> str:
    """The month's name at the start of a sentence (`Octobre 2026`)."""
    name = month_name(month)
    return name[:1].upper() + name[1:]


def late_notice(month: str, counted_in: str) -> str:
    """`Octobre 2026 est clos : ce travail sera compté en décembre 2026 …`"""
    return _(
        "%(month)s is closed: this work will be counted in %(target)s as a late adjustment."
    ) % {"month": _title(month), "target": month_name(counted_in)}


def counted_later(counted_in: str) -> str:
    """The short note on a row of work not yet validated, dated in a closed month."""
    return _("Late adjustment: will be counted in %(month)s") % {"month": month_name(counted_in)}


def frozen_notice(month: str) -> str:
    """Work dated in a month under review is refused until the month is closed."""
    return _("The period %(month)s is %(state)s: nothing dated in it can change.") % {
        "month": month_name(month),
        "state": state_name(PeriodState.REVIEW),
    }


def notice_for(calendar: Calendar, day: dt.date) -> MonthNotice | None:
    """What the form says under a chosen date: nothing for an open month."""
    month = month_of(day)
    if calendar.state(month) == PeriodState.REVIEW:
        return MonthNotice("frozen", frozen_notice(month))
    target = calendar.counted_in(day)
    if target is not None:
        return MonthNotice("late", late_notice(month, target))
    return None


def notices_by_month(calendar: Calendar, window: DateWindow) -> dict[str, MonthNotice]:
    """The notice of every month the form accepts a date in, for the page's script to show
    as soon as a date is chosen (months without a notice are left out)."""
    found: dict[str, MonthNotice] = {}
    month, last = month_of(window.earliest), month_of(window.latest)
    while month <= last:
        notice = notice_for(calendar, dt.date(int(month[:4]), int(month[5:]), 1))
        if notice is not None:
            found[month] = notice
        month = next_month(month)
    return found


WAITING = (PrestationStatus.DRAFT, PrestationStatus.SUBMITTED)


def waiting_notes(calendar: Calendar, rows: Iterable[Prestation]) -> dict[int, str]:
    """Prestation id -> "will be counted in …", for work not yet validated dated in a closed
    month (validated work shows the month that counted it: `adjustment_periods`)."""
    notes = {}
    for row in rows:
        target = calendar.counted_in(row.date) if row.status in WAITING else None
        if target is not None and row.id is not None:
            notes[row.id] = counted_later(target)
    return notes


def late_notes(calendar: Calendar, days: Iterable[tuple[int, dt.date]]) -> dict[int, str]:
    """Key -> "October 2026 is closed: this work will be counted in December 2026 as a late
    adjustment.", for each (key, date) dated in a closed month (the import's preview)."""
    notes = {}
    for key, day in days:
        target = calendar.counted_in(day)
        if target is not None:
            notes[key] = late_notice(month_of(day), target)
    return notes


def recorded_notice(calendar: Calendar, rows: Iterable[Prestation], recorded: int) -> str | None:
    """The notice above the work list after recording work dated in a closed month."""
    for row in rows:
        if row.id == recorded and row.status in WAITING:
            target = calendar.counted_in(row.date)
            return late_notice(month_of(row.date), target) if target else None
    return None


async def adjustment_periods(session: AsyncSession, rows: Iterable[Prestation]) -> dict[int, str]:
    """For validated work counted in another month than its date's (recorded after that month
    was closed): prestation id -> the month whose figures count it."""
    entries = {p.entry_id: p for p in rows if p.entry_id is not None}
    if not entries:
        return {}
    async with session.begin():
        found = await session.exec(
            select(JournalEntry.id, JournalEntry.period).where(
                col(JournalEntry.id).in_(list(entries))
            )
        )
        periods = dict(found.all())
    return {
        p.id: periods[entry_id]
        for entry_id, p in entries.items()
        if p.id is not None and entry_id in periods and periods[entry_id] != month_of(p.date)
    }
