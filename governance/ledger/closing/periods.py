"""Reading the month close: the list of periods and the review page of one month.

Read-only, one transaction (one snapshot) per call, scoped to the actor's cooperative.
Coordinators and observers read the whole draft of a month; cooperators and workers read their
own draft statement and their own contests. Starting the review, contesting, resolving and
closing are in `closing` and `contests`; nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.base import clock
from governance.base.errors import Invalid, NotFound
from governance.base.i18n import _
from governance.ledger.books.bank_check import bank_unreconciled
from governance.ledger.books.kinds import PeriodState
from governance.ledger.books.models import Client, Period
from governance.ledger.books.posting import existing_period
from governance.ledger.books.reading import snapshot
from governance.ledger.closing.closing import period_close_of, unvalidated
from governance.ledger.closing.contests import contests_of
from governance.ledger.closing.draft import _month, distribution_data, draft, last_day
from governance.ledger.closing.models import PeriodClose, ReviewStart, Statement
from governance.ledger.closing.period_views import (
    ContestView,
    DistributionView,
    LineView,
    MemberPage,
    MemberReview,
    PeriodRow,
    ReviewPage,
    ShareView,
    WaitingView,
    WholeReview,
    distribution_view,
    shown_shares,
    statement_distribution,
)
from governance.ledger.closing.reviews import own_review, review_facts
from governance.ledger.sharing.figures import Counted, counted_prestations
from governance.ledger.work.models import Contest, Prestation
from governance.ledger.work.statuses import ContestStatus
from governance.members.access import Actor, Permission, allows, authorize
from governance.members.models import Cooperative
from governance.members.people_names import names_of

__all__ = ["PeriodRow", "ReviewPage", "month_of_contest", "periods_overview", "review_page"]


async def _oldest_unclosed(session: AsyncSession, cooperative_id: int) -> str | None:
    return (
        await session.exec(
            select(Period.month)
            .where(Period.cooperative_id == cooperative_id, Period.state != PeriodState.CLOSED)
            .order_by(col(Period.month))
            .limit(1)
        )
    ).first()


def _over(month: str, today: dt.date) -> bool:
    return last_day(month) < today


async def periods_overview(
    session: AsyncSession, actor: Actor, *, today: dt.date | None = None
) -> list[PeriodRow]:
    """The cooperative's periods, newest first, with what the reader needs on the list.

    `startable` marks, for a coordinator only, the month to review next (the oldest month not
    closed, when it is open and over). Raises PermissionDenied.
    """
    today = today or clock.today()
    async with session.begin():
        await snapshot(session)
        membership = await authorize(session, actor, Permission.READ_COOPERATIVE)
        coop = actor.cooperative_id
        periods = (
            await session.exec(
                select(Period)
                .where(Period.cooperative_id == coop)
                .order_by(col(Period.month).desc())
            )
        ).all()
        counts = dict(
            (
                await session.exec(
                    select(Contest.period_id, func.count())
                    .where(Contest.cooperative_id == coop, Contest.status == ContestStatus.OPEN)
                    .group_by(col(Contest.period_id))
                )
            ).all()
        )
        closes = dict(
            (
                await session.exec(
                    select(PeriodClose.period_id, PeriodClose.closed_at).where(
                        PeriodClose.cooperative_id == coop
                    )
                )
            ).all()
        )
        mine = set(
            (
                await session.exec(
                    select(Statement.period_id).where(
                        Statement.cooperative_id == coop, Statement.member_id == actor.person_id
                    )
                )
            ).all()
        )
    oldest = min((p.month for p in periods if p.state != PeriodState.CLOSED), default=None)
    may_close = allows(membership.role, Permission.CLOSE_PERIOD)
    return [
        PeriodRow(
            month=p.month,
            state=p.state,
            open_contests=int(counts.get(p.id or 0, 0)),
            closed_at=closes.get(p.id or 0),
            has_statement=p.id in mine,
            startable=may_close
            and p.month == oldest
            and p.state == PeriodState.OPEN
            and _over(p.month, today),
        )
        for p in periods
    ]


async def month_of_contest(session: AsyncSession, actor: Actor, contest_id: int) -> str:
    """The month a contest of the actor's cooperative belongs to; NotFound otherwise."""
    async with session.begin():
        await authorize(session, actor, Permission.READ_COOPERATIVE)
        row = (
            await session.exec(
                select(Period.month)
                .join(Contest, col(Contest.period_id) == Period.id)
                .where(Contest.id == contest_id, Contest.cooperative_id == actor.cooperative_id)
            )
        ).first()
    if row is None:
        raise NotFound(_("This contest does not exist."))
    return row


async def review_page(
    session: AsyncSession,
    actor: Actor,
    month: str,
    *,
    today: dt.date | None = None,
    page: MemberPage | None = None,
) -> ReviewPage:
    """What a reader sees of one month: the whole draft, or their own draft statement.

    Coordinators and observers: the figures, every share explained, the funds, the rule, the
    contests with comments and answers, the submitted work still waiting. Cooperators and
    workers: their counted prestations and share (under review; the frozen statement once
    closed) and their own contests with the coordinators' answers. The whole month lists its
    members' shares one `page` at a time when a page is given. Raises NotFound (a month
    that is not YYYY-MM, or a period never created), PermissionDenied.
    """
    month = _month(month)
    today = today or clock.today()
    async with session.begin():
        await snapshot(session)
        membership = await authorize(session, actor, Permission.READ_COOPERATIVE)
        period = await existing_period(session, actor.cooperative_id, month)
        if allows(membership.role, Permission.READ_ALL_STATEMENTS):
            return await _whole(session, actor, period, today, page)
        return await _own(session, actor, period)


async def _whole(
    session: AsyncSession, actor: Actor, period: Period, today: dt.date, page: MemberPage | None
) -> WholeReview:
    coop, month = actor.cooperative_id, period.month
    closed = await period_close_of(session, coop, month)
    problem = None
    data: Mapping[str, Any] | None = None
    if closed is not None:
        data = closed.distribution
    else:
        try:
            result = await draft(session, coop, month)
        except Invalid as error:
            problem = error.message
        else:
            data = distribution_data(result.rule, result.figures, result.distribution)
    # Names are read for the page's members only (a thousand on a big cooperative).
    page_members = []
    if data is not None:
        page_members = [share["member_id"] for share in shown_shares(data, page=page)[0].rows]
    contests = await contests_of(session, actor, month, everyone=True)
    waiting = await unvalidated(session, coop, month) if period.state == PeriodState.OPEN else []
    started = (
        await session.exec(
            select(ReviewStart)
            .where(ReviewStart.period_id == period.id)
            .order_by(col(ReviewStart.id).desc())
            .limit(1)
        )
    ).first()
    statements = (
        await session.exec(
            select(Statement.member_id)
            .where(Statement.period_id == period.id)
            .order_by(col(Statement.member_id))
        )
    ).all()
    names = await names_of(
        session,
        coop,
        [
            *page_members,
            *(c.member_id for c in contests),
            *(c.resolved_by_id for c in contests),
            *(p.member_id for p in waiting),
            started.started_by_id if started else None,
            closed.closed_by_id if closed else None,
        ],
    )
    oldest = await _oldest_unclosed(session, coop)
    over = _over(month, today)
    views = await _contest_views(session, contests, names)
    review = None
    if period.state == PeriodState.REVIEW:
        cooperative = await session.get(Cooperative, coop)
        assert cooperative is not None
        review = await review_facts(session, cooperative, period, clock.now())
    return WholeReview(
        month=month,
        state=period.state,
        distribution=distribution_view(data, names, page=page) if data is not None else None,
        problem=problem,
        contests=tuple(sorted(views, key=lambda c: (not c.is_open, c.id))),
        waiting=tuple(
            WaitingView(p.id or 0, p.date, names.get(p.member_id, ""), p.amount_cents)
            for p in waiting
        ),
        startable=period.state == PeriodState.OPEN and over and oldest == month and not waiting,
        over=over,
        started_at=started.started_at if started else None,
        started_by=names.get(started.started_by_id or 0, "") if started else "",
        closed_at=closed.closed_at if closed else None,
        closed_by=names.get(closed.closed_by_id or 0, "") if closed else "",
        statements=frozenset(statements),
        review=review,
        bank_warning=(None if closed else await bank_unreconciled(session, coop, last_day(month))),
    )


async def _own(session: AsyncSession, actor: Actor, period: Period) -> MemberReview:
    coop, month, me = actor.cooperative_id, period.month, actor.person_id
    contests = await contests_of(session, actor, month, everyone=False)
    read_at, ends_at = await own_review(session, coop, period, me)
    names = await names_of(session, coop, [me, *(c.resolved_by_id for c in contests)])
    views = await _contest_views(session, contests, names)
    lines: list[LineView] = []
    share: ShareView | None = None
    distribution: DistributionView | None = None
    statement = None
    counted: list[Counted] = []
    if period.state == PeriodState.REVIEW:
        result = await draft(session, coop, month)
        data = distribution_data(result.rule, result.figures, result.distribution)
        # A member's own draft: the month's income and expenses are the books', which not
        # every member may read; the amount to share is what their share is explained by.
        data["income_cents"] = data["expense_cents"] = None
        distribution = distribution_view(data, names)
        counted = await counted_prestations(session, coop, month, me)
    elif period.state == PeriodState.CLOSED:
        statement = (
            await session.exec(
                select(Statement).where(Statement.period_id == period.id, Statement.member_id == me)
            )
        ).first()
        close = await period_close_of(session, coop, month)
        if statement is not None and close is not None:
            # The closed month's entries never change: its lines are read from the journal.
            counted = await counted_prestations(session, coop, month, me)
            how_many = sum(1 for c in counted if c.sign > 0)
            distribution = statement_distribution(statement, close.distribution, names, how_many)
    raw_lines = [
        (c.prestation_id, c.date, c.client, c.kind, c.minutes * c.sign, c.amount_cents * c.sign)
        for c in counted
    ]
    if distribution is not None:
        share = next((s for s in distribution.members if s.member_id == me), None)
    reversed_ids = {pid for pid, *_rest, amount in raw_lines if amount < 0}
    # Contest, corrected prestation and reason of each line (figures.Counted), by line.
    extra = {(c.prestation_id, c.sign): c for c in counted}
    open_lines = {c.prestation_id for c in views if c.is_open}
    for pid, day, client, kind, minutes, amount in raw_lines:
        lines.append(
            LineView(
                prestation_id=pid,
                date=day,
                client=client,
                kind=kind,
                minutes=minutes,
                amount_cents=amount,
                reversal=amount < 0,
                adjustment=f"{day:%Y-%m}" != month,
                # A line shows its contests once: on the counted line, not on its reversal.
                contests=tuple(c for c in views if c.prestation_id == pid) if amount >= 0 else (),
                contestable=period.state == PeriodState.REVIEW
                and amount >= 0
                and pid not in reversed_ids
                and pid not in open_lines,
                contest_id=extra[(pid, -1 if amount < 0 else 1)].contest_id,
                corrects_id=extra[(pid, -1 if amount < 0 else 1)].corrects_id,
                reason=extra[(pid, -1 if amount < 0 else 1)].reason if amount < 0 else "",
            )
        )
    return MemberReview(
        month=month,
        state=period.state,
        lines=tuple(lines),
        share=share,
        distribution=distribution,
        share_contests=tuple(c for c in views if c.prestation_id is None),
        can_contest=period.state == PeriodState.REVIEW,
        has_statement=statement is not None,
        closed_at=statement.created_at if statement is not None else None,
        read_at=read_at,
        review_ends_at=ends_at,
    )


async def _contest_views(
    session: AsyncSession, contests: list[Contest], names: Mapping[int, str]
) -> list[ContestView]:
    ids = {c.prestation_id for c in contests} | {c.correction_id for c in contests}
    ids.discard(None)
    found: dict[int, tuple[Prestation, str]] = {}
    if ids:
        rows = await session.exec(
            select(Prestation, Client.name)
            .join(Client, col(Client.id) == Prestation.client_id)
            .where(col(Prestation.id).in_(ids))
        )
        found = {p.id: (p, name) for p, name in rows.all() if p.id is not None}
    views = []
    for c in contests:
        line = found.get(c.prestation_id) if c.prestation_id is not None else None
        correction = found.get(c.correction_id) if c.correction_id is not None else None
        views.append(
            ContestView(
                id=c.id or 0,
                member_id=c.member_id,
                member=names.get(c.member_id, ""),
                prestation_id=c.prestation_id,
                line_date=line[0].date if line else None,
                line_client=line[1] if line else "",
                line_amount_cents=line[0].amount_cents if line else None,
                line_kind=line[0].kind if line else "",
                line_minutes=line[0].duration_minutes if line else None,
                line_travel_cents=line[0].travel_cents if line else 0,
                line_client_id=line[0].client_id if line else None,
                corrected_id=c.correction_id,
                corrected_date=correction[0].date if correction else None,
                corrected_kind=correction[0].kind if correction else "",
                corrected_minutes=correction[0].duration_minutes if correction else None,
                comment=c.comment,
                status=c.status,
                resolution=c.resolution,
                resolved_by=names.get(c.resolved_by_id or 0, ""),
                resolved_at=c.resolved_at,
                created_at=c.created_at,
                corrected_cents=correction[0].amount_cents if correction else None,
            )
        )
    return views
