"""The coordinator's part of the home page's to-do list: what waits for them to act.

Each item is read only for a role allowed to act on it (governance.members.access), with
counts and sums rather than rows: prestations waiting for validation, the month whose review
can start, the payout batch prepared and not sent, overdue invoices, the votes ending soon.
The month under review (its open contests, whether it may close) is
governance.ledger.closing.reviews.review_notice. Votes are counted by the worker at their closing
time, nobody counts them by hand: a vote past its time waits for that count, within a minute.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from governance.ledger.billing.invoice_views import cancelled_ids, reversed_payment_ids
from governance.ledger.billing.models import Invoice, InvoiceKind, PaymentAllocation
from governance.ledger.books.kinds import PeriodState
from governance.ledger.books.models import Period
from governance.ledger.closing.draft import last_day
from governance.ledger.payouts.models import PayoutBatch, PayoutLine
from governance.ledger.payouts.states import PayoutState
from governance.ledger.work.models import Prestation
from governance.ledger.work.statuses import PrestationStatus
from governance.members.access import Actor, Permission, allows
from governance.votes.counting.kinds import ProposalState
from governance.votes.models import Ballot, EligibleVoter, Proposal

VOTES_AHEAD = dt.timedelta(days=3)  # the coordinator sees the votes closing within this
JOBS = (  # what a coordinator's items are about; a role with none of them has no items
    Permission.VALIDATE_WORK,
    Permission.CLOSE_PERIOD,
    Permission.PAY_MEMBERS,
    Permission.POST_JOURNAL,
    Permission.OPEN_PROPOSAL,
)


@dataclass(frozen=True)
class MonthToReview:
    """The oldest month not closed, once it is over and its review has not started."""

    month: str
    waiting: int  # submitted prestations dated in it, to decide before the review


@dataclass(frozen=True)
class Waiting:
    count: int
    oldest: dt.date


@dataclass(frozen=True)
class PreparedBatch:
    batch_id: int
    total_cents: int
    transfers: int
    execution_date: dt.date


@dataclass(frozen=True)
class Overdue:
    count: int
    unpaid_cents: int
    oldest_due: dt.date


@dataclass(frozen=True)
class VoteEnding:
    proposal_id: int
    title: str
    closes_at: dt.datetime
    ballots: int
    voters: int
    due: bool  # its time has passed: the worker counts it within a minute


@dataclass(frozen=True)
class CoordinatorTodo:
    waiting: Waiting | None
    month: MonthToReview | None
    batch: PreparedBatch | None
    overdue: Overdue | None
    votes: tuple[VoteEnding, ...]

    @property
    def empty(self) -> bool:
        return not (self.waiting or self.month or self.batch or self.overdue or self.votes)


def coordinator_todo(
    session: Session, actor: Actor, role: str, now: dt.datetime, today: dt.date
) -> CoordinatorTodo | None:
    may = {p: allows(role, p) for p in JOBS}
    if not any(may.values()):
        return None
    coop = actor.cooperative_id
    return CoordinatorTodo(
        waiting=_waiting(session, coop) if may[Permission.VALIDATE_WORK] else None,
        month=_month(session, coop, today) if may[Permission.CLOSE_PERIOD] else None,
        batch=_batch(session, coop) if may[Permission.PAY_MEMBERS] else None,
        overdue=_overdue(session, coop, today) if may[Permission.POST_JOURNAL] else None,
        votes=_votes_ending(session, coop, now) if may[Permission.OPEN_PROPOSAL] else (),
    )


def _waiting(session: Session, coop: int) -> Waiting | None:
    count, oldest = (
        session.exec(
            select(func.count(), func.min(Prestation.date)).where(
                Prestation.cooperative_id == coop,
                Prestation.status == PrestationStatus.SUBMITTED,
            )
        )
    ).one()
    return Waiting(int(count), oldest) if count else None


def _month(session: Session, coop: int, today: dt.date) -> MonthToReview | None:
    period = (
        session.exec(
            select(Period)
            .where(Period.cooperative_id == coop, Period.state != PeriodState.CLOSED)
            .order_by(col(Period.month))
            .limit(1)
        )
    ).first()
    if period is None or period.state != PeriodState.OPEN or not last_day(period.month) < today:
        return None  # under review (review_notice), or not over yet
    first = dt.date(int(period.month[:4]), int(period.month[5:7]), 1)
    waiting = (
        session.exec(
            select(func.count()).where(
                Prestation.cooperative_id == coop,
                Prestation.status == PrestationStatus.SUBMITTED,
                col(Prestation.date) >= first,
                col(Prestation.date) <= last_day(period.month),
            )
        )
    ).one()
    return MonthToReview(period.month, int(waiting))


def _batch(session: Session, coop: int) -> PreparedBatch | None:
    batch = (
        session.exec(
            select(PayoutBatch)
            .where(PayoutBatch.cooperative_id == coop, PayoutBatch.state == PayoutState.PREPARED)
            .order_by(col(PayoutBatch.id))
            .limit(1)
        )
    ).first()
    if batch is None or batch.id is None:
        return None
    transfers = (session.exec(select(func.count()).where(PayoutLine.batch_id == batch.id))).one()
    return PreparedBatch(batch.id, batch.total_cents, int(transfers), batch.execution_date)


def _overdue(session: Session, coop: int, today: dt.date) -> Overdue | None:
    """Invoices not cancelled, past their due date, not fully paid: how many, what is left
    (total - credited by credit notes - paid)."""
    paid = (
        select(
            col(PaymentAllocation.invoice_id).label("invoice_id"),
            func.sum(PaymentAllocation.amount_cents).label("paid"),
        )
        .where(col(PaymentAllocation.payment_id).not_in(reversed_payment_ids()))
        .group_by(col(PaymentAllocation.invoice_id))
        .subquery()
    )
    # What credit notes took back, per invoice they credit (negative totals); a whole
    # cancellation is left out below anyway. Same rule as ledger/credited.py.
    note = aliased(Invoice)
    credited_id = func.coalesce(note.cancels_id, note.corrects_id)
    notes = (
        select(credited_id.label("invoice_id"), (-func.sum(note.total_cents)).label("credited"))
        .where(note.kind == InvoiceKind.CREDIT_NOTE)
        .group_by(credited_id)
        .subquery()
    )
    left = Invoice.total_cents - func.coalesce(notes.c.credited, 0) - func.coalesce(paid.c.paid, 0)
    count, unpaid, oldest = (
        session.exec(
            select(func.count(), func.sum(left), func.min(Invoice.due_on))
            .select_from(Invoice)
            .outerjoin(paid, paid.c.invoice_id == Invoice.id)
            .outerjoin(notes, notes.c.invoice_id == Invoice.id)
            .where(
                Invoice.cooperative_id == coop,
                Invoice.kind == InvoiceKind.INVOICE,
                col(Invoice.id).not_in(cancelled_ids()),
                col(Invoice.due_on) < today,
                left > 0,
            )
        )
    ).one()
    return Overdue(int(count), int(unpaid or 0), oldest) if count else None


def _votes_ending(session: Session, coop: int, now: dt.datetime) -> tuple[VoteEnding, ...]:
    proposals = (
        session.exec(
            select(Proposal.id, Proposal.title, Proposal.closes_at)
            .where(
                Proposal.cooperative_id == coop,
                Proposal.state == ProposalState.OPEN,
                col(Proposal.closes_at) <= now + VOTES_AHEAD,
            )
            .order_by(col(Proposal.closes_at))
        )
    ).all()
    ids = [pid for pid, _t, _c in proposals]
    if not ids:
        return ()
    ballots = dict(
        (
            session.exec(
                select(Ballot.proposal_id, func.count())
                .where(col(Ballot.proposal_id).in_(ids))
                .group_by(col(Ballot.proposal_id))
            )
        ).all()
    )
    voters = dict(
        (
            session.exec(
                select(EligibleVoter.proposal_id, func.count())
                .where(col(EligibleVoter.proposal_id).in_(ids))
                .group_by(col(EligibleVoter.proposal_id))
            )
        ).all()
    )
    return tuple(
        VoteEnding(
            pid or 0,
            title,
            closes,
            int(ballots.get(pid or 0, 0)),
            int(voters.get(pid or 0, 0)),
            closes <= now,
        )
        for pid, title, closes in proposals
        if closes is not None
    )
