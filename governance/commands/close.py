"""`governance close-month`: show a month's draft, start its review, or close it, from a shell.

The command acts as a coordinator of the cooperative (`--by EMAIL`, or its only active
coordinator), through the same service functions as the pages, so the same checks and audit
events apply.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.base import clock
from governance.base.errors import Invalid
from governance.commands.common import coordinator_actor
from governance.input.money import format_cents
from governance.language.months import is_month
from governance.ledger.books.kinds import PeriodState
from governance.ledger.books.models import Period
from governance.ledger.closing import closing
from governance.ledger.closing.models import Statement
from governance.ledger.closing.reviews import review_facts
from governance.members.models import Cooperative


def _draft_lines(result: closing.Draft, names: dict[int, str]) -> list[str]:
    d = result.distribution
    lines = [
        f"period {result.month}: {result.state}",
        f"income {format_cents(result.figures.income_cents)}, "
        f"expenses {format_cents(result.figures.expense_cents)}, "
        f"to share {format_cents(d.distributable)}",
    ]
    for share in d.shares:
        if share.fund is not None:
            who = f"fund {share.fund}"
        else:
            assert share.member_id is not None
            who = names.get(share.member_id, f"member {share.member_id}")
        lines.append(f"  {who:<32} {format_cents(share.cents):>14}")
    lines.extend(f"  note: {note}" for note in d.notes)
    return lines


async def _review_line(session: AsyncSession, cooperative_id: int, month: str) -> str:
    """Under review: who has read their draft and when the minimum review time ends."""
    period = (
        await session.exec(
            select(Period).where(Period.cooperative_id == cooperative_id, Period.month == month)
        )
    ).first()
    cooperative = await session.get(Cooperative, cooperative_id)
    if period is None or period.state != PeriodState.REVIEW or cooperative is None:
        return ""
    facts = await review_facts(session, cooperative, period, clock.now())
    state = facts.readiness
    ends = f"ends {clock.iso(state.ends_at)}" if state.ends_at else "has no minimum"
    close = "may close now" if state.can_close else "may not close yet"
    return (
        f"review: {state.read} of {state.members} members read their draft; "
        f"{facts.contested_count} contested; the minimum review time {ends}; {close}"
    )


async def close_month(
    session: AsyncSession,
    *,
    slug: str,
    month: str,
    by: str | None,
    step: str | None,
    today: dt.date,
    early_reason: str | None = None,
) -> list[str]:
    """Do `step` ("review", "finalize" or None: only show) and say what was done.

    `early_reason` (--before-review-ends) lets the operator close before the review's minimum
    time; the close records it in the audit trail (period.review_shortened)."""
    if not is_month(month):
        raise Invalid(f"--period must be a month like 2026-10, not {month!r}")
    if early_reason is not None and (step != "finalize" or not early_reason.strip()):
        raise Invalid("--before-review-ends needs --finalize and a reason")
    actor, email = await coordinator_actor(session, slug, by)
    out: list[str] = []
    if step == "review":
        await closing.start_review(session, actor, month, today=today)
        out.append(f"review of {month} started by {email}: the month is frozen")
    elif step == "finalize":
        closed = await closing.finalize(session, actor, month, early_reason=early_reason)
        out.append(f"{month} closed by {email}")
        out.append(f"  distribution entry: {closed.entry_id or 'none (nothing to post)'}")
        out.append(f"  checkpoint: {closed.checkpoint_id}")
    async with session.begin():
        result = await closing.draft(session, actor.cooperative_id, month)
        people = await session.exec(
            select(Person.id, Person.name).where(
                col(Person.id).in_([m.member_id for m in result.figures.members])
            )
        )
        names = {pid: name for pid, name in people.all() if pid is not None}
        periods = await session.exec(
            select(Period.month, Period.state)
            .where(Period.cooperative_id == actor.cooperative_id)
            .order_by(col(Period.month))
        )
        states = ", ".join(f"{m} {s}" for m, s in periods.all())
        issued = await session.exec(
            select(func.count())
            .select_from(Statement)
            .where(Statement.cooperative_id == actor.cooperative_id, Statement.month == month)
        )
        if step == "finalize":
            out.insert(2, f"  statements issued: {issued.one()}")
        review = await _review_line(session, actor.cooperative_id, month)
    out.extend(_draft_lines(result, names))
    if review:
        out.append(review)
    out.append(f"periods: {states}")
    return out
