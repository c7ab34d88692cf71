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

from governance.errors import Invalid, NotFound
from governance.ledger import closing
from governance.ledger.journal import MONTH_RE
from governance.ledger.models import Period, Statement
from governance.members.access import Actor
from governance.members.models import (
    Cooperative,
    Membership,
    MembershipStatus,
    Person,
    Role,
)
from governance.money import format_cents


async def _actor(session: AsyncSession, slug: str, email: str | None) -> tuple[Actor, str]:
    async with session.begin():
        return await _find_actor(session, slug, email)


async def _find_actor(session: AsyncSession, slug: str, email: str | None) -> tuple[Actor, str]:
    coop = (await session.exec(select(Cooperative).where(Cooperative.slug == slug))).first()
    if coop is None or coop.id is None:
        raise NotFound(f"no cooperative {slug!r}")
    query = (
        select(Person)
        .join(Membership, col(Membership.person_id) == Person.id)
        .where(
            Membership.cooperative_id == coop.id,
            Membership.role == Role.COORDINATOR,
            Membership.status == MembershipStatus.ACTIVE,
        )
        .order_by(col(Person.id))
    )
    if email is not None:
        query = query.where(Person.email == email.strip().lower())
    coordinators = list((await session.exec(query)).all())
    if email is not None and not coordinators:
        raise Invalid(f"{email} is not an active coordinator of {slug}")
    if len(coordinators) != 1:
        names = ", ".join(p.email for p in coordinators) or "none"
        raise Invalid(f"say which coordinator closes with --by (active coordinators: {names})")
    person = coordinators[0]
    assert person.id is not None
    return Actor(person_id=person.id, cooperative_id=coop.id), person.email


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


async def close_month(
    session: AsyncSession,
    *,
    slug: str,
    month: str,
    by: str | None,
    step: str | None,
    today: dt.date,
) -> list[str]:
    """Do `step` ("review", "finalize" or None: only show) and say what was done."""
    if not MONTH_RE.match(month):
        raise Invalid(f"--period must be a month like 2026-10, not {month!r}")
    actor, email = await _actor(session, slug, by)
    out: list[str] = []
    if step == "review":
        await closing.start_review(session, actor, month, today=today)
        out.append(f"review of {month} started by {email}: the month is frozen")
    elif step == "finalize":
        closed = await closing.finalize(session, actor, month)
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
    out.extend(_draft_lines(result, names))
    out.append(f"periods: {states}")
    return out
