"""What the review adds to the month close's steps: members told when it starts, the close held
until the minimum review time has passed (or every member concerned has read their draft),
and the reminder a day before the end, sent once by the worker.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import lock_cooperative, record
from governance.base import clock
from governance.base.errors import Invalid
from governance.base.i18n import _, datetime_short
from governance.ledger.books.models import Period, PeriodState
from governance.ledger.closing import review_mails
from governance.ledger.closing.review_window import duration_text, reminder_due
from governance.ledger.closing.reviews import concerned_members, review_facts
from governance.members.access import Actor
from governance.members.models import Cooperative


async def review_started(session: AsyncSession, period: Period) -> int:
    """Inside the start of the review: mail the members concerned (when mail is on)."""
    cooperative = await session.get(Cooperative, period.cooperative_id)
    assert cooperative is not None
    members = await concerned_members(session, period.cooperative_id, period.month)
    return await review_mails.review_started(session, cooperative, period, members)


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
            queued = await review_mails.review_ending(session, cooperative, period, unread)
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
