"""What the reader has to do now in their cooperative: the home page's to-do list.

Read in one transaction, with counts and sums rather than rows (GET never writes). Each item
is a plain dataclass; the template says what it means and what happens next.

- A member's items: the votes open to them that they have not cast (their own, and those of
  whoever gave them a proxy), what the cooperative owes them now and when it last paid them,
  their prestations rejected lately with the reasons. Their own money only (docs/privacy.md).
- The month under review (a member's draft and the time left to contest it; a coordinator's
  read and contested counts, the open contests, when the month may close) is
  governance.ledger.closing.reviews.review_notice, which the page shows first.
- A coordinator's items (governance.home.coordinator), each for a role allowed to act on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.base.db import dialect_of
from governance.home.coordinator import CoordinatorTodo, coordinator_todo
from governance.ledger.books.models import Account, Client, JournalEntry, LedgerLine
from governance.ledger.books.posting import balance_of
from governance.ledger.payouts.models import PayoutBatch, PayoutLine
from governance.ledger.payouts.states import PayoutState
from governance.ledger.reversals.reversal_lines import owed_back_by, reversals_of
from governance.ledger.work.models import Prestation
from governance.ledger.work.statuses import PrestationStatus
from governance.members.access import Actor, Permission, allows, authorize
from governance.votes.notices import notices_for

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

    @property
    def empty(self) -> bool:
        return self.member.empty and (self.coordinator is None or self.coordinator.empty)


async def todo_for(session: AsyncSession, actor: Actor, now: dt.datetime) -> Todo:
    """The reader's to-do list in this cooperative. Raises PermissionDenied (not active)."""
    today = now.date()
    async with session.begin():
        if dialect_of(session) == "postgresql":  # one snapshot for every read below
            await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        membership = await authorize(session, actor, Permission.READ_COOPERATIVE)
        role = membership.role
        notices = await notices_for(session, actor, now)
        votes = tuple(
            VoteToCast(n.proposal_id, n.title, n.at, n.kind == "closing_soon", n.giver)
            for n in notices
            if n.kind in ("closing_soon", "vote_open", "proxy_received")
        )
        paid = allows(role, Permission.READ_OWN_STATEMENT)
        member = MemberTodo(
            votes=votes,
            owed=await _owed(session, actor) if paid else None,
            rejected=await _rejected(session, actor, now)
            if allows(role, Permission.RECORD_OWN_WORK)
            else (),
        )
        coordinator = await coordinator_todo(session, actor, role, now, today)
    return Todo(member, coordinator)


async def _owed(session: AsyncSession, actor: Actor) -> Owed | None:
    """None while nothing was ever owed to the member, nor paid to them."""
    account_id = (
        await session.exec(
            select(Account.id).where(
                Account.cooperative_id == actor.cooperative_id,
                Account.code == f"payable:{actor.person_id}",
            )
        )
    ).first()
    if account_id is None:
        return None
    owed = -(await balance_of(session, account_id))
    last = (
        await session.exec(
            select(col(JournalEntry.date), col(LedgerLine.amount))
            .join(JournalEntry, col(JournalEntry.id) == LedgerLine.entry_id)
            .where(LedgerLine.account_id == account_id, JournalEntry.kind == "payout")
            .order_by(col(LedgerLine.id).desc())
            .limit(1)
        )
    ).first()
    prepared = (
        await session.exec(
            select(col(PayoutLine.amount_cents), col(PayoutBatch.execution_date))
            .join(PayoutBatch, col(PayoutBatch.id) == PayoutLine.batch_id)
            .where(
                PayoutBatch.cooperative_id == actor.cooperative_id,
                PayoutBatch.state == PayoutState.PREPARED,
                PayoutLine.member_id == actor.person_id,
            )
            .limit(1)
        )
    ).first()
    if owed == 0 and prepared is None and last is None:
        return None
    back: tuple[int, ...] = ()
    if owed < 0:
        notes = await reversals_of(session, actor.cooperative_id, actor.person_id)
        back = tuple(n.prestation_id for n in owed_back_by(notes, owed))
    return Owed(
        owed_cents=owed,
        owed_back=back,
        last_paid_on=last[0] if last else None,
        last_paid_cents=abs(last[1]) if last else 0,
        prepared_cents=prepared[0] if prepared else 0,
        prepared_on=prepared[1] if prepared else None,
    )


async def _rejected(session: AsyncSession, actor: Actor, now: dt.datetime) -> tuple[Rejected, ...]:
    rows = (
        await session.exec(
            select(Prestation, Client.name)
            .join(Client, col(Client.id) == Prestation.client_id)
            .where(
                Prestation.cooperative_id == actor.cooperative_id,
                Prestation.member_id == actor.person_id,
                Prestation.status == PrestationStatus.REJECTED,
                col(Prestation.decided_at) >= now - REJECTED_SINCE,
            )
            .order_by(col(Prestation.decided_at).desc(), col(Prestation.id).desc())
            .limit(REJECTED_SHOWN)
        )
    ).all()
    return tuple(
        Rejected(p.id or 0, p.date, name, p.rejection_reason, p.amount_cents, p.decided_at)
        for p, name in rows
    )
