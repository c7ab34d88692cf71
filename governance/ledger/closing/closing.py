"""The month close: open → review → closed, each step one transaction with its audit event.

Starting the review freezes the month and lets every member see their draft statement;
members contest lines; a coordinator resolves each contest; the close then posts the
distribution entry, the statements and the signed checkpoint together, exactly once.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.checkpoints.checkpoints import sign_head
from governance.audit.service import record
from governance.base import clock, faults
from governance.base.db import bulk_insert
from governance.base.errors import Conflict, Invalid
from governance.base.i18n import _, join_list
from governance.ledger.books.bank_check import BLOCKS_CLOSE, bank_unreconciled
from governance.ledger.books.journal import Posting
from governance.ledger.books.kinds import PeriodState, state_name
from governance.ledger.books.memos import Memo
from governance.ledger.books.models import Period
from governance.ledger.books.posting import post
from governance.ledger.closing.contests import open_contests

# Read as `closing.draft` and `closing.distribution_data` by the commands and the tests.
from governance.ledger.closing.draft import Draft as Draft
from governance.ledger.closing.draft import _locked_period, _month, last_day
from governance.ledger.closing.draft import distribution_data as distribution_data
from governance.ledger.closing.draft import draft as draft
from governance.ledger.closing.models import PeriodClose, ReviewStart, Statement
from governance.ledger.closing.review_steps import review_over, review_started
from governance.ledger.sharing.distribution import Distribution
from governance.ledger.sharing.rule_versions import checked, rule_in_force
from governance.ledger.work.models import Prestation
from governance.ledger.work.statuses import PrestationStatus
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative


async def unvalidated(session: AsyncSession, cooperative_id: int, month: str) -> list[Prestation]:
    """Submitted prestations dated in the month, which a coordinator must decide first."""
    first = dt.date(int(month[:4]), int(month[5:7]), 1)
    rows = await session.exec(
        select(Prestation)
        .where(
            Prestation.cooperative_id == cooperative_id,
            Prestation.status == PrestationStatus.SUBMITTED,
            col(Prestation.date) >= first,
            col(Prestation.date) <= last_day(month),
        )
        .order_by(col(Prestation.date), col(Prestation.id))
    )
    return list(rows.all())


async def start_review(
    session: AsyncSession, actor: Actor, month: str, *, today: dt.date
) -> Period:
    """Freeze the month and show every member their draft statement.

    Raises PermissionDenied (coordinators only), Conflict (not open; an earlier period is not
    closed yet), Invalid (the month is not over; submitted prestations are waiting, listed;
    no valid rule).
    """
    month = _month(month)
    async with session.begin():
        await authorize(session, actor, Permission.CLOSE_PERIOD)
        period = await _locked_period(session, actor, month)
        if period.state != PeriodState.OPEN:
            raise Conflict(
                _("The period %(month)s is already %(state)s.")
                % {"month": month, "state": state_name(period.state)}
            )
        if last_day(month) >= today:
            raise Invalid(_("The month %(month)s is not over yet.") % {"month": month})
        earlier = (
            await session.exec(
                select(Period.month)
                .where(
                    Period.cooperative_id == actor.cooperative_id,
                    Period.month < month,
                    Period.state != PeriodState.CLOSED,
                )
                .order_by(col(Period.month))
                .limit(1)
            )
        ).first()
        if earlier is not None:
            raise Conflict(_("Close %(month)s first.") % {"month": earlier})
        waiting = await unvalidated(session, actor.cooperative_id, month)
        if waiting:
            raise Invalid(
                _(
                    "Validate or reject the prestations of %(month)s that are waiting first: "
                    "%(list)s."
                )
                % {
                    "month": month,
                    "list": join_list((f"#{p.id} ({p.date:%d/%m/%Y})" for p in waiting), "plain"),
                }
            )
        version = await rule_in_force(session, actor.cooperative_id, month)
        if version is None:
            raise Invalid(
                _("This cooperative has no distribution rule for %(month)s.") % {"month": month}
            )
        checked(version)  # the rule must still validate: Invalid with its reasons
        now = clock.now()
        period.state = PeriodState.REVIEW
        period.review_started_at = now
        session.add(period)
        started = ReviewStart(
            cooperative_id=actor.cooperative_id,
            period_id=period.id or 0,
            started_by_id=actor.person_id,
            started_at=now,
        )
        session.add(started)
        await session.flush()
        await review_started(session, period)
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="period.review_started",
            subject_type="period",
            subject_id=month,
            data={"month": month, "before": "open", "after": "review"},
        )
    return period


def close_postings(totals: list[tuple[str, int]], result: Distribution) -> list[Posting]:
    """Zero each income and expense account of the period; credit funds and members."""
    postings = [Posting(code, -amount) for code, amount in totals if amount]
    for share in result.shares:
        if share.cents == 0:
            continue
        code = f"fund:{share.fund}" if share.fund is not None else f"payable:{share.member_id}"
        postings.append(Posting(code, -share.cents))
    return postings


async def _bank_reconciled(session: AsyncSession, cooperative_id: int, month: str) -> None:
    """The cooperative's setting `bank_reconciliation_blocks_close`: a month whose bank
    account the statements do not reconcile is not closed (otherwise the page only warns)."""
    cooperative = await session.get(Cooperative, cooperative_id)
    if cooperative is None or cooperative.settings.get(BLOCKS_CLOSE) is not True:
        return
    problem = await bank_unreconciled(session, cooperative_id, last_day(month))
    if problem is not None:
        raise Invalid(problem)


async def finalize(
    session: AsyncSession, actor: Actor, month: str, *, early_reason: str | None = None
) -> PeriodClose:
    """Close the month: the distribution entry, the statements, the signed checkpoint.

    One transaction, exactly once: two closes at the same moment queue on the cooperative's
    lock, and the second finds the period closed (Conflict). Raises PermissionDenied,
    Conflict (not under review; already closed), Invalid (open contests, listed; the review's
    minimum time has not passed and not every member concerned has read their draft, with
    when it may close; the rule no longer validates, with its reasons; the bank is not
    reconciled up to the month's end and the cooperative's setting says that blocks).

    `early_reason`: the server's operator closes before the review's minimum time (the
    command line's --before-review-ends; never the pages), recorded in the audit trail.
    """

    month = _month(month)
    async with session.begin():
        await authorize(session, actor, Permission.CLOSE_PERIOD)
        period = await _locked_period(session, actor, month)
        if period.state == PeriodState.CLOSED:
            raise Conflict(_("The period %(month)s is already closed.") % {"month": month})
        if period.state != PeriodState.REVIEW:
            raise Conflict(_("Start the review of %(month)s first.") % {"month": month})
        contests = await open_contests(session, actor.cooperative_id, month)
        if contests:
            raise Invalid(
                _("Resolve the contested lines first: %(list)s.")
                % {"list": join_list((c.label for c in contests), "plain")}
            )
        await review_over(session, actor, period, early_reason)
        await _bank_reconciled(session, actor.cooperative_id, month)
        result = await draft(session, actor.cooperative_id, month)
        data = distribution_data(result.rule, result.figures, result.distribution)
        postings = close_postings([(t.code, t.amount) for t in result.totals], result.distribution)
        entry = None
        if postings:
            entry = await post(
                session,
                cooperative_id=actor.cooperative_id,
                day=last_day(month),
                kind="close",
                memo=Memo("month_close", {"month": month}),
                author_id=actor.person_id,
                postings=postings,
                into_review=month,
            )
        faults.cut("close.after_entry")
        shares = {s["member_id"]: s for s in data["shares"] if s["member_id"] is not None}
        now = clock.now()
        statements = [
            {
                "cooperative_id": actor.cooperative_id,
                "period_id": period.id,
                "month": month,
                "member_id": member.member_id,
                "share_cents": shares[member.member_id]["cents"],
                "revenue_cents": member.revenue_cents,
                "minutes": member.minutes,
                "data": {},
                "created_at": now,
            }
            for member in result.figures.members
            if member.member_id in shares
            and (shares[member.member_id]["cents"] or member.prestations or member.revenue_cents)
        ]
        await bulk_insert(session, Statement.__table__, statements)  # type: ignore[attr-defined]
        faults.cut("close.after_statements")
        period.state = PeriodState.CLOSED
        session.add(period)
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="period.closed",
            subject_type="period",
            subject_id=month,
            data={
                "month": month,
                "before": "review",
                "after": "closed",
                "entry_id": entry.id if entry else None,
                "rule_id": result.version.id,
                "distributable_cents": result.distribution.distributable,
                "shares": [[s.fund or s.member_id, s.cents] for s in result.distribution.shares],
                "statements": len(statements),
            },
        )
        faults.cut("close.after_audit")
        checkpoint = await sign_head(session, actor.cooperative_id, month)
        faults.cut("close.after_checkpoint")
        assert result.version.id is not None and checkpoint.id is not None
        closed = PeriodClose(
            cooperative_id=actor.cooperative_id,
            period_id=period.id or 0,
            month=month,
            rule_id=result.version.id,
            entry_id=entry.id if entry else None,
            checkpoint_id=checkpoint.id,
            distribution=data,
            distributable_cents=data["distributable_cents"],
            closed_by_id=actor.person_id,
            closed_at=now,
        )
        session.add(closed)
        await session.flush()
        faults.cut("close.before_commit")
    return closed


CUT_POINTS = (
    "close.after_entry",
    "close.after_statements",
    "close.after_audit",
    "close.after_checkpoint",
    "close.before_commit",
)


async def period_close_of(
    session: AsyncSession, cooperative_id: int, month: str
) -> PeriodClose | None:
    return (
        await session.exec(
            select(PeriodClose).where(
                PeriodClose.cooperative_id == cooperative_id, PeriodClose.month == month
            )
        )
    ).first()
