"""What the reader has to do now in their cooperative: the home page's to-do list.

Read in one transaction (GET never writes), by plain functions that the page runs through
governance.base.db.read: on SQLite all the statements go to the database thread in one hop.
Counts, sums and row tuples rather than ORM objects; the statements that do not depend on the
reader's role are built once, at import. Each item is a plain dataclass; the template says what
it means and what happens next.

- A member's items: the votes open to them that they have not cast (their own, and those of
  whoever gave them a proxy), what the cooperative owes them now and when it last paid them,
  their prestations rejected lately with the reasons. Their own money only (docs/privacy.md).
- The month under review (a member's draft and the time left to contest it; a coordinator's
  read and contested counts, the open contests, when the month may close) is
  governance.ledger.closing.reviews.review_notice, which the page shows first; the to-do
  list only says whether a month is under review, so that the page reads the notice only then.
- A coordinator's items (governance.home.coordinator), each for a role allowed to act on it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.base.errors import PermissionDenied
from governance.base.i18n import _
from governance.home.coordinator import CoordinatorTodo, coordinator_todo
from governance.ledger.books.kinds import PeriodState
from governance.ledger.books.models import Account, Client, JournalEntry, LedgerLine, Period
from governance.ledger.payouts.models import PayoutBatch, PayoutLine
from governance.ledger.payouts.states import PayoutState
from governance.ledger.reversals.reversal_lines import owed_back_by, reversals_of
from governance.ledger.work.models import Prestation
from governance.ledger.work.statuses import PrestationStatus
from governance.members import MembershipStatus
from governance.members.access import Actor, Permission, allows
from governance.members.models import Membership
from governance.votes.notices import notices_in

REJECTED_SINCE = dt.timedelta(days=30)  # a rejection stays on the list this long
REJECTED_SHOWN = 5


@dataclass(frozen=True)
class VoteToCast:
    proposal_id: int
    title: str
    closes_at: dt.datetime
    soon: bool  # closes within 24 hours
    giver: str = ""  # a proxy the reader holds: whose vote it is


@dataclass(frozen=True)
class Owed:
    """The reader's own money: what the cooperative owes them now, its last payment."""

    owed_cents: int
    last_paid_on: dt.date | None
    last_paid_cents: int
    prepared_cents: int  # in a payout batch prepared and not sent yet
    prepared_on: dt.date | None  # that batch's execution date
    owed_back: tuple[int, ...] = ()  # owed back (negative): the cancelled work that explains it

    @property
    def due(self) -> bool:
        """Something to follow: money owed either way, or a transfer on its way."""
        return self.owed_cents != 0 or self.prepared_on is not None


@dataclass(frozen=True)
class Rejected:
    prestation_id: int
    date: dt.date
    client: str
    reason: str
    amount_cents: int
    rejected_at: dt.datetime | None


@dataclass(frozen=True)
class MemberTodo:
    votes: tuple[VoteToCast, ...]
    owed: Owed | None
    rejected: tuple[Rejected, ...]

    @property
    def empty(self) -> bool:
        return not (self.votes or (self.owed and self.owed.due) or self.rejected)


@dataclass(frozen=True)
class Todo:
    member: MemberTodo
    coordinator: CoordinatorTodo | None  # None: the reader's role has none of these jobs
    review_month: str | None = None  # a month under review: reviews.review_notice says more

    @property
    def empty(self) -> bool:
        return self.member.empty and (self.coordinator is None or self.coordinator.empty)


# Built once, at import: the reader's membership with the month under review (at most one,
# as reviews.month_in_review reads it), and the reader's own money.
MEMBERSHIP_AND_REVIEW = select(
    col(Membership.role),
    col(Membership.status),
    select(col(Period.month))
    .where(col(Period.cooperative_id) == bindparam("coop"), col(Period.state) == PeriodState.REVIEW)
    .order_by(col(Period.month))
    .limit(1)
    .scalar_subquery(),
).where(
    col(Membership.cooperative_id) == bindparam("coop"),
    col(Membership.person_id) == bindparam("me"),
)
# The reader's money in one statement: the payable account, its balance after its latest line
# (as books.posting.balance_of reads it: the account as a range, ordered like the
# (account_id, id) index), its latest payout line, and their line in a batch prepared and not
# sent (the first one, should there be several).
_LAST_PAYOUT = (
    select(col(LedgerLine.id))
    .join(JournalEntry, col(JournalEntry.id) == col(LedgerLine.entry_id))
    .where(
        col(LedgerLine.account_id) >= col(Account.id),
        col(LedgerLine.account_id) <= col(Account.id),
        col(JournalEntry.kind) == "payout",
    )
    .order_by(col(LedgerLine.account_id).desc(), col(LedgerLine.id).desc())
    .limit(1)
    .scalar_subquery()
)
_PREPARED = (
    select(col(PayoutLine.id))
    .join(PayoutBatch, col(PayoutBatch.id) == col(PayoutLine.batch_id))
    .where(
        col(PayoutBatch.cooperative_id) == bindparam("coop"),
        col(PayoutBatch.state) == PayoutState.PREPARED,
        col(PayoutLine.member_id) == bindparam("me"),
    )
    .order_by(col(PayoutLine.id))
    .limit(1)
    .scalar_subquery()
)
_paid_line = aliased(LedgerLine)
_paid_entry = aliased(JournalEntry)
_prepared_line = aliased(PayoutLine)
_prepared_batch = aliased(PayoutBatch)
PAYABLE = (
    select(
        select(col(LedgerLine.balance))
        .where(
            col(LedgerLine.account_id) >= col(Account.id),
            col(LedgerLine.account_id) <= col(Account.id),
        )
        .order_by(col(LedgerLine.account_id).desc(), col(LedgerLine.id).desc())
        .limit(1)
        .scalar_subquery(),
        col(_paid_entry.date),
        col(_paid_line.amount),
        col(_prepared_line.amount_cents),
        col(_prepared_batch.execution_date),
    )
    .select_from(Account)
    .outerjoin(_paid_line, col(_paid_line.id) == _LAST_PAYOUT)
    .outerjoin(_paid_entry, col(_paid_entry.id) == col(_paid_line.entry_id))
    .outerjoin(_prepared_line, col(_prepared_line.id) == _PREPARED)
    .outerjoin(_prepared_batch, col(_prepared_batch.id) == col(_prepared_line.batch_id))
    .where(col(Account.cooperative_id) == bindparam("coop"), col(Account.code) == bindparam("code"))
)
REJECTED = (
    select(
        col(Prestation.id),
        col(Prestation.date),
        col(Client.name),
        col(Prestation.rejection_reason),
        col(Prestation.amount_cents),
        col(Prestation.decided_at),
    )
    .join(Client, col(Client.id) == col(Prestation.client_id))
    .where(
        col(Prestation.cooperative_id) == bindparam("coop"),
        col(Prestation.member_id) == bindparam("me"),
        col(Prestation.status) == PrestationStatus.REJECTED,
        col(Prestation.decided_at) >= bindparam("since"),
    )
    .order_by(col(Prestation.decided_at).desc(), col(Prestation.id).desc())
    .limit(REJECTED_SHOWN)
)


def todo_for(session: Session, actor: Actor, now: dt.datetime) -> Todo:
    """The reader's to-do list in this cooperative, read in the caller's transaction
    (governance.base.db.read: one snapshot on PostgreSQL too). Raises PermissionDenied (not
    active). What a member owes back is explained by `with_owed_back`, afterwards."""
    params = {"coop": actor.cooperative_id, "me": actor.person_id}
    connection = session.connection()
    found = connection.execute(MEMBERSHIP_AND_REVIEW, params).first()
    # The permission checked again, in this transaction, as members.access.authorize does.
    if found is None or found[1] != MembershipStatus.ACTIVE:
        raise PermissionDenied(_("You are not an active member of this cooperative."))
    role, _status, review_month = found
    if not allows(role, Permission.READ_COOPERATIVE):
        raise PermissionDenied(_("Your role does not allow this."))
    votes = tuple(
        VoteToCast(n.proposal_id, n.title, n.at, n.kind == "closing_soon", n.giver)
        for n in notices_in(session, actor, now, results=False)
    )
    member = MemberTodo(
        votes=votes,
        owed=_owed(session, actor) if allows(role, Permission.READ_OWN_STATEMENT) else None,
        rejected=_rejected(session, actor, now) if allows(role, Permission.RECORD_OWN_WORK) else (),
    )
    coordinator = coordinator_todo(session, actor, role, now, now.date())
    return Todo(member, coordinator, review_month)


async def with_owed_back(session: AsyncSession, actor: Actor, todo: Todo) -> Todo:
    """When the reader owes the cooperative money, the cancelled work that explains it (the
    latest reversals, read in a transaction of their own: a rare case)."""
    owed = todo.member.owed
    if owed is None or owed.owed_cents >= 0:
        return todo
    async with session.begin():
        notes = await reversals_of(session, actor.cooperative_id, actor.person_id)
    back = tuple(n.prestation_id for n in owed_back_by(notes, owed.owed_cents))
    member = dataclasses.replace(todo.member, owed=dataclasses.replace(owed, owed_back=back))
    return dataclasses.replace(todo, member=member)


def _owed(session: Session, actor: Actor) -> Owed | None:
    """None while nothing was ever owed to the member, nor paid to them."""
    params = {
        "coop": actor.cooperative_id,
        "me": actor.person_id,
        "code": f"payable:{actor.person_id}",
    }
    payable = session.connection().execute(PAYABLE, params).first()
    if payable is None:
        return None
    balance, paid_on, paid, prepared_cents, prepared_on = payable
    owed = -(balance or 0)
    if owed == 0 and prepared_on is None and paid_on is None:
        return None
    return Owed(
        owed_cents=owed,
        last_paid_on=paid_on,
        last_paid_cents=abs(paid) if paid_on is not None else 0,
        prepared_cents=prepared_cents if prepared_on is not None else 0,
        prepared_on=prepared_on,
    )


def _rejected(session: Session, actor: Actor, now: dt.datetime) -> tuple[Rejected, ...]:
    rows = session.connection().execute(
        REJECTED,
        {"coop": actor.cooperative_id, "me": actor.person_id, "since": now - REJECTED_SINCE},
    )
    return tuple(
        Rejected(pid or 0, date, client, reason, amount, decided_at)
        for pid, date, client, reason, amount, decided_at in rows
    )
