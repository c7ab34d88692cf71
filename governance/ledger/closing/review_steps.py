"""What the review adds to the month close's steps: members told when it starts, the close held
until the minimum review time has passed (or every member concerned has read their draft),
and the reminder a day before the end, sent once by the worker.

The review's e-mails (`mail_review_started`, `mail_review_ending`) are queued in the outbox in
the transaction of the event, each in its reader's language, only when the cooperative sends
its notices by e-mail (governance.mail.outbox).

The cooperative's minimum review time (`review_min_hours`, review_window): coordinators change
it on the months page (`set_review_hours`), audited with the value before and after. A change
applies at once, to a review under way too (the close reads it when it is asked for).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import lock_cooperative, record
from governance.auth.models import Person
from governance.base import clock
from governance.base.errors import Invalid, NotFound
from governance.base.i18n import N_, _, datetime_short
from governance.input.forms import Form
from governance.language import months
from governance.ledger.books.kinds import PeriodState
from governance.ledger.books.models import Period
from governance.ledger.closing.review_window import (
    REVIEW_HOURS_RANGE,
    REVIEW_HOURS_SETTING,
    duration_text,
    reminder_due,
    review_ends_at,
    review_hours,
)
from governance.ledger.closing.reviews import concerned_members, review_facts
from governance.mail.outbox import enqueue
from governance.mail.times import mail_time, zone_of
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative
from governance.members.service import save_settings


async def review_started(session: AsyncSession, period: Period) -> int:
    """Inside the start of the review: mail the members concerned (when mail is on)."""
    cooperative = await session.get(Cooperative, period.cooperative_id)
    assert cooperative is not None
    members = await concerned_members(session, period.cooperative_id, period.month)
    return await mail_review_started(session, cooperative, period, members)


async def review_over(
    session: AsyncSession, actor: Actor, period: Period, early_reason: str | None
) -> None:
    """Inside the close: Invalid while the minimum review time runs and some member concerned
    has not read their draft, saying when the month may close. With `early_reason` (the
    operator, from the command line) the early close is recorded in the audit trail instead."""
    cooperative = await session.get(Cooperative, actor.cooperative_id)
    assert cooperative is not None
    facts = await review_facts(session, cooperative, period, clock.now())
    state = facts.readiness
    if state.can_close:
        return
    assert state.ends_at is not None
    reason = (early_reason or "").strip()
    if not reason:
        raise Invalid(
            _(
                "The review of %(month)s runs until %(when)s (%(left)s left): the month can "
                "close then, or sooner once every member concerned has marked their draft as "
                "read (%(read)s of %(members)s so far)."
            )
            % {
                "month": period.month,
                "when": datetime_short(state.ends_at),
                "left": duration_text(state.time_left),
                "read": state.read,
                "members": state.members,
            }
        )
    await record(
        session,
        cooperative_id=actor.cooperative_id,
        actor_id=actor.person_id,
        action="period.review_shortened",
        subject_type="period",
        subject_id=period.month,
        data={
            "month": period.month,
            "reason": reason[:500],
            "ends_at": clock.iso(state.ends_at),
            "read": state.read,
            "members": state.members,
        },
    )


async def remind_due(session: AsyncSession, now: dt.datetime | None = None) -> int:
    """Remind, once, the members who have not read their draft that a review ends within a
    day (the home page's notice says it too; the e-mail goes when mail is on). Each reminder
    is stamped on the period and recorded, under the cooperative's lock and re-read there, so
    two workers at once remind once. How many reviews were reminded."""
    now = now or clock.now()
    async with session.begin():
        rows = (
            await session.exec(
                select(Period.cooperative_id, Period.month, Period.review_started_at, Cooperative)
                .join(Cooperative, col(Cooperative.id) == Period.cooperative_id)
                .where(
                    Period.state == PeriodState.REVIEW,
                    col(Period.review_started_at).is_not(None),
                    col(Period.review_reminded_at).is_(None),
                )
            )
        ).all()
    # Only the reviews within their last day are looked at again, under the lock.
    candidates = [
        (coop_id, month)
        for coop_id, month, started, cooperative in rows
        if reminder_due(started, None, cooperative.settings, now)
    ]
    reminded = 0
    for cooperative_id, month in candidates:
        async with session.begin():
            await lock_cooperative(session, cooperative_id)
            period = (
                await session.exec(
                    select(Period).where(
                        Period.cooperative_id == cooperative_id, Period.month == month
                    )
                )
            ).one()
            await session.refresh(period)
            cooperative = await session.get(Cooperative, cooperative_id)
            assert cooperative is not None
            if period.state != PeriodState.REVIEW or not reminder_due(
                period.review_started_at, period.review_reminded_at, cooperative.settings, now
            ):
                continue
            facts = await review_facts(session, cooperative, period, now)
            unread = [m.member_id for m in facts.members if m.read_at is None]
            period.review_reminded_at = now
            session.add(period)
            queued = await mail_review_ending(session, cooperative, period, unread)
            await record(
                session,
                cooperative_id=cooperative_id,
                actor_id=None,
                action="period.review_reminded",
                subject_type="period",
                subject_id=month,
                data={"month": month, "members": len(unread), "mails": queued},
            )
            reminded += 1
    return reminded


def _link(cooperative: Cooperative, period: Period) -> str:
    return f"{{base_url}}/c/{cooperative.slug}/periods/{period.month}"


def _ends(cooperative: Cooperative, period: Period) -> str:
    ends = review_ends_at(period.review_started_at, cooperative.settings)
    return mail_time(ends, zone_of(cooperative)) if ends is not None else ""


# Each e-mail's subject (with %(month)s) and body (with %(name)s, %(coop)s, %(of_month)s,
# %(ends)s and %(link)s), translated when composed, in the reader's language.
_STARTED = (
    N_("Review of the month: %(month)s. Your draft statement is ready"),
    N_(
        "Hello %(name)s,\n\nThe review of %(of_month)s has started in %(coop)s. "
        "Your draft statement is ready. Check each line and your share; if something is "
        "wrong, contest it with a comment. The month cannot close before %(ends)s, unless "
        "every member has marked their draft as read.\n\nYour draft statement: %(link)s\n"
    ),
)
_ENDING = (
    N_("Review of the month: %(month)s. Less than a day left"),
    N_(
        "Hello %(name)s,\n\nThe review of %(of_month)s in %(coop)s ends on %(ends)s: the "
        "month can be closed from then on. If a line of your draft statement is wrong, "
        "contest it before. If it is right, you can mark it as read.\n\n"
        "Your draft statement: %(link)s\n"
    ),
)


async def _send(
    session: AsyncSession,
    cooperative: Cooperative,
    period: Period,
    members: Iterable[int],
    texts: tuple[str, str],
) -> int:
    """Queue the e-mail `texts` (subject, body) about the month's review to each member."""
    subject_text, body_text = texts

    def compose(person: Person) -> tuple[str, str]:
        subject = _(subject_text) % {"month": months.month_name(period.month)}
        body = _(body_text) % {
            "name": person.name,
            "coop": cooperative.name,
            "of_month": months.month_of(period.month),
            "ends": _ends(cooperative, period),
            "link": _link(cooperative, period),
        }
        return subject, body

    return await enqueue(session, cooperative, members, compose)


async def mail_review_started(
    session: AsyncSession, cooperative: Cooperative, period: Period, members: Iterable[int]
) -> int:
    """The review has started: each member's draft statement is ready."""
    return await _send(session, cooperative, period, members, _STARTED)


async def mail_review_ending(
    session: AsyncSession, cooperative: Cooperative, period: Period, members: Iterable[int]
) -> int:
    """The review ends within a day: to the members who have not read their draft."""
    return await _send(session, cooperative, period, members, _ENDING)


def parse_hours(data: Mapping[str, Any]) -> int:
    """The form's whole number of hours within the bounds. Raises Invalid. Pure."""
    form = Form(data)
    low, high = REVIEW_HOURS_RANGE
    hours = form.integer(REVIEW_HOURS_SETTING, maximum=100_000)
    if hours is not None and not low <= hours <= high:
        form.fail(
            REVIEW_HOURS_SETTING,
            _("Give a number of hours from %(low)d to %(high)d.") % {"low": low, "high": high},
        )
    form.done()
    assert hours is not None
    return hours


async def set_review_hours(session: AsyncSession, actor: Actor, data: Mapping[str, Any]) -> int:
    """A coordinator sets the minimum review time; the same value changes and records nothing.
    Raises PermissionDenied, Invalid (nothing changed)."""
    async with session.begin():
        await authorize(session, actor, Permission.MANAGE_COOPERATIVE)
        hours = parse_hours(data)
        await lock_cooperative(session, actor.cooperative_id)
        cooperative = await session.get(Cooperative, actor.cooperative_id)
        if cooperative is None:
            raise NotFound(_("There is no cooperative at this address."))
        before = review_hours(cooperative.settings)
        if hours == before and REVIEW_HOURS_SETTING in cooperative.settings:
            return hours
        await save_settings(
            session,
            cooperative,
            {REVIEW_HOURS_SETTING: hours},
            actor_id=actor.person_id,
            action="cooperative.review_time_changed",
            data={"before": before, "after": hours},
        )
    return hours
