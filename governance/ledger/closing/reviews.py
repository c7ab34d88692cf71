"""A month's review as members live it: who is concerned, who has read their draft, who has
contested, how long it still runs; marking one's draft as read; the home page's notice.

The members concerned by a review are the active cooperators and workers (the roles that read
their own draft rather than the whole month) who have a draft statement: a share, work or
revenue in the month, as the close would issue them a statement. Coordinators read the whole
draft and answer for it by closing; observers have no draft.

The window rule itself (how long, when it may close) is pure, in `review_window`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import lock_cooperative, record
from governance.auth.models import Person
from governance.base import clock
from governance.base.errors import Conflict, Invalid
from governance.base.i18n import _
from governance.language import months
from governance.ledger.books.kinds import PeriodState
from governance.ledger.books.models import Period
from governance.ledger.books.posting import existing_period
from governance.ledger.closing.draft import _month, draft
from governance.ledger.closing.models import ReviewRead
from governance.ledger.closing.review_window import (
    MemberProgress,
    Readiness,
    ReviewFacts,
    duration_text,
    readiness,
    review_ends_at,
)
from governance.ledger.work.models import Contest
from governance.ledger.work.statuses import ContestStatus
from governance.members import MembershipStatus
from governance.members.access import Actor, Permission, allows, authorize
from governance.members.models import Cooperative, Membership


def reads_own_draft(role: str) -> bool:
    """The roles a review waits for: they contest their own draft, not the whole month."""
    return allows(role, Permission.CONTEST_STATEMENT) and not allows(
        role, Permission.READ_ALL_STATEMENTS
    )


@asynccontextmanager
async def _reading(session: AsyncSession) -> AsyncIterator[None]:
    """A transaction of its own, or the caller's when one is already open (the home page reads
    the votes' notices first)."""
    if session.in_transaction():
        yield
    else:
        async with session.begin():
            yield


async def month_in_review(session: AsyncSession, cooperative_id: int) -> Period | None:
    """The month under review (at most one: a review starts once the earlier months closed)."""
    return (
        await session.exec(
            select(Period)
            .where(Period.cooperative_id == cooperative_id, Period.state == PeriodState.REVIEW)
            .order_by(col(Period.month))
            .limit(1)
        )
    ).first()


async def concerned_members(session: AsyncSession, cooperative_id: int, month: str) -> list[int]:
    """The active cooperators and workers with a draft statement in `month`, by id."""
    try:
        result = await draft(session, cooperative_id, month)
    except Invalid:  # no valid rule: no draft to read (the close refuses on its own)
        return []
    shares = {s.member_id: s.cents for s in result.distribution.shares if s.member_id is not None}
    with_draft = {
        m.member_id
        for m in result.figures.members
        if m.member_id in shares and (shares[m.member_id] or m.prestations or m.revenue_cents)
    }
    if not with_draft:
        return []
    rows = await session.exec(
        select(Membership.person_id, Membership.role).where(
            Membership.cooperative_id == cooperative_id,
            Membership.status == MembershipStatus.ACTIVE,
            col(Membership.person_id).in_(with_draft),
        )
    )
    return sorted(person for person, role in rows.all() if reads_own_draft(role))


async def draft_changed_at(session: AsyncSession, period: Period) -> dt.datetime | None:
    """When the month's draft last changed during its review: the last contest answered by a
    correction (reversed and recorded again into the month). A mark of "read" older than this
    was given to a draft that no longer exists, and does not count."""
    return (
        await session.exec(
            select(func.max(Contest.resolved_at)).where(
                Contest.period_id == period.id, Contest.status == ContestStatus.CORRECTED
            )
        )
    ).one()


def _current(read_at: dt.datetime | None, changed: dt.datetime | None) -> dt.datetime | None:
    """`read_at` if it is not older than the draft's last change, else None."""
    if read_at is None or (changed is not None and read_at < changed):
        return None
    return read_at


async def review_facts(
    session: AsyncSession, cooperative: Cooperative, period: Period, now: dt.datetime
) -> ReviewFacts:
    """Where `period`'s review stands (read inside the caller's transaction)."""
    assert cooperative.id is not None
    concerned = await concerned_members(session, cooperative.id, period.month)
    changed = await draft_changed_at(session, period)
    reads = {
        member: _current(read_at, changed)
        for member, read_at in (
            await session.exec(
                select(ReviewRead.member_id, ReviewRead.read_at).where(
                    ReviewRead.period_id == period.id
                )
            )
        ).all()
    }
    contests: dict[int, list[str]] = {}
    for member_id, status in (
        await session.exec(
            select(Contest.member_id, Contest.status).where(Contest.period_id == period.id)
        )
    ).all():
        contests.setdefault(member_id, []).append(status)
    names = dict(
        (
            await session.exec(select(Person.id, Person.name).where(col(Person.id).in_(concerned)))
        ).all()
    )
    members = tuple(
        sorted(
            (
                MemberProgress(
                    member_id=m,
                    name=names.get(m, f"#{m}"),
                    read_at=reads.get(m),
                    open_contests=contests.get(m, []).count(ContestStatus.OPEN),
                    contests=len(contests.get(m, [])),
                )
                for m in concerned
            ),
            key=lambda m: (m.name.casefold(), m.member_id),
        )
    )
    state = readiness(
        period.review_started_at,
        cooperative.settings,
        now,
        members=len(members),
        read=sum(1 for m in members if m.read_at is not None),
    )
    return ReviewFacts(period.month, state, members)


async def mark_read(session: AsyncSession, actor: Actor, month: str) -> ReviewRead:
    """The member says they have read their draft statement of the month under review.

    Once per member and month (marking again changes nothing and records nothing), unless the
    draft changed since (a contest answered by a correction): then the mark is renewed; audited.
    Raises PermissionDenied, NotFound (no such month), Conflict (the month is not under
    review).
    """
    month = _month(month)
    async with session.begin():
        await authorize(session, actor, Permission.CONTEST_STATEMENT)
        await lock_cooperative(session, actor.cooperative_id)
        period = await existing_period(session, actor.cooperative_id, month)
        assert period.id is not None
        if period.state != PeriodState.REVIEW:
            raise Conflict(_("The month %(month)s is not under review.") % {"month": month})
        done = (
            await session.exec(
                select(ReviewRead).where(
                    ReviewRead.period_id == period.id, ReviewRead.member_id == actor.person_id
                )
            )
        ).first()
        if done is not None and _current(done.read_at, await draft_changed_at(session, period)):
            return done
        # The first mark, or a new one after the draft changed (the row keeps the latest).
        read = done or ReviewRead(
            cooperative_id=actor.cooperative_id, period_id=period.id, member_id=actor.person_id
        )
        read.read_at = clock.now()
        session.add(read)
        await session.flush()
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="period.draft_read",
            subject_type="period",
            subject_id=month,
            data={"month": month},
        )
    return read


async def own_review(
    session: AsyncSession, cooperative_id: int, period: Period, person_id: int
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """For a member's own draft: when they marked it read, and when the minimum review time
    ends (None, None when the month is not under review)."""
    if period.state != PeriodState.REVIEW:
        return None, None
    cooperative = await session.get(Cooperative, cooperative_id)
    assert cooperative is not None
    ends = review_ends_at(period.review_started_at, cooperative.settings)
    return await _read_at(session, period, person_id), ends


@dataclass(frozen=True)
class ReviewNotice:
    """What the home page says of the month under review, to a member or a coordinator."""

    kind: str  # "member" (reads their draft) or "coordinator" (closes the month)
    month: str
    readiness: Readiness
    # A member's: whether they have a draft, when they marked it read, their contests.
    concerned: bool = False
    read_at: dt.datetime | None = None
    open_contests: int = 0
    answered_contests: int = 0
    # A coordinator's: how many members read and contested, and the contests to answer.
    read_count: int = 0
    member_count: int = 0
    contested_count: int = 0
    contests_to_answer: int = 0

    @property
    def ends_at(self) -> dt.datetime | None:
        return self.readiness.ends_at

    @property
    def month_name(self) -> str:
        """The month in the reader's language, at the time the page is written."""
        return months.month_name(self.month)

    @property
    def time_left(self) -> str:
        """ "2 days and 5 hours" in the reader's language."""
        return duration_text(self.readiness.time_left)

    @property
    def last_day(self) -> bool:
        """Less than a day left of the minimum review time."""
        return not self.readiness.time_over and self.readiness.time_left <= dt.timedelta(hours=24)


async def review_notice(
    session: AsyncSession, cooperative_id: int, person_id: int, now: dt.datetime | None = None
) -> ReviewNotice | None:
    """The notice of the month under review for this person, or None (no review; an observer;
    not an active member)."""
    now = now or clock.now()
    async with _reading(session):
        role = (
            await session.exec(
                select(Membership.role).where(
                    Membership.cooperative_id == cooperative_id,
                    Membership.person_id == person_id,
                    Membership.status == MembershipStatus.ACTIVE,
                )
            )
        ).first()
        if role is None:
            return None
        coordinator = allows(role, Permission.CLOSE_PERIOD)
        if not coordinator and not reads_own_draft(role):
            return None
        period = await month_in_review(session, cooperative_id)
        cooperative = await session.get(Cooperative, cooperative_id)
        if period is None or cooperative is None:
            return None
        facts = await review_facts(session, cooperative, period, now)
        if coordinator:
            return ReviewNotice(
                kind="coordinator",
                month=period.month,
                readiness=facts.readiness,
                read_count=facts.read_count,
                member_count=len(facts.members),
                contested_count=facts.contested_count,
                contests_to_answer=await _open_count(session, period),
            )
        mine = next((m for m in facts.members if m.member_id == person_id), None)
        read_at = mine.read_at if mine else await _read_at(session, period, person_id)
        statuses = (
            await session.exec(
                select(Contest.status).where(
                    Contest.period_id == period.id, Contest.member_id == person_id
                )
            )
        ).all()
        return ReviewNotice(
            kind="member",
            month=period.month,
            readiness=facts.readiness,
            concerned=mine is not None,
            read_at=read_at,
            open_contests=sum(1 for s in statuses if s == ContestStatus.OPEN),
            answered_contests=sum(1 for s in statuses if s != ContestStatus.OPEN),
        )


async def _open_count(session: AsyncSession, period: Period) -> int:
    return (
        await session.exec(
            select(func.count())
            .select_from(Contest)
            .where(Contest.period_id == period.id, Contest.status == ContestStatus.OPEN)
        )
    ).one()


async def _read_at(session: AsyncSession, period: Period, person_id: int) -> dt.datetime | None:
    read_at = (
        await session.exec(
            select(ReviewRead.read_at).where(
                ReviewRead.period_id == period.id, ReviewRead.member_id == person_id
            )
        )
    ).first()
    return _current(read_at, await draft_changed_at(session, period))
