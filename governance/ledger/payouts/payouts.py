"""Payouts: what the cooperative owes its members, paid by one SEPA credit transfer.

A coordinator prepares a batch of every positive `payable:<member>` balance (a member's share
is credited to that account, so what is owed is minus its balance), downloads the pain.001
file for the bank, and confirms once the bank has it: then, and only then, one entry posts
`Dr payable:<member>` for each line and `Cr bank` for the total. A prepared batch can be
cancelled; a sent one cannot. One prepared batch at a time, so money is never in two batches.

Every public function here is one transaction, permission-checked (PAY_MEMBERS), and audited
in the cooperative's chain. Those that read balances and then write take the cooperative's
lock first, so two coordinators pressing the same button give one result and one refusal.
What only reads (what is owed, the batches, the SEPA file) is in `payout_reads.py`, the file's
XML in `payout_sepa.py`, the months a transfer pays in `payout_months.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import lock_cooperative, record
from governance.base import clock
from governance.base.errors import Conflict, Invalid
from governance.base.i18n import _, join_list
from governance.input.forms import Form
from governance.ledger.books.journal import Posting
from governance.ledger.books.memos import Memo
from governance.ledger.books.posting import post
from governance.ledger.payouts.models import PayoutBatch, PayoutLine
from governance.ledger.payouts.payout_months import PAYABLE
from governance.ledger.payouts.payout_reads import (
    BatchView,
    LineView,
    Owed,
    batch_of,
    cooperative_of,
    lines_of,
    list_batches,
    load_batch,
    missing_details,
    owed_members,
    owed_of,
    sepa_file,
)
from governance.ledger.payouts.states import PayoutState
from governance.members.access import Actor, Permission, authorize

# The reading services are re-exported: callers find every payout service here.
__all__ = [
    "MAX_DAYS_AHEAD",
    "BatchView",
    "LeftOut",
    "LineView",
    "Owed",
    "PreparedBatch",
    "cancel_batch",
    "check_execution_date",
    "confirm_sent",
    "list_batches",
    "load_batch",
    "owed_members",
    "parse_execution_date",
    "prepare_batch",
    "sepa_file",
]

MAX_DAYS_AHEAD = 60


@dataclass(frozen=True)
class LeftOut:
    """Owed money but left out of the batch: nothing is paid to nowhere, nor to a name the
    member did not write."""

    member_id: int
    name: str
    amount_cents: int
    reason: str


@dataclass(frozen=True)
class PreparedBatch:
    batch: PayoutBatch
    lines: list[PayoutLine]
    left_out: list[LeftOut]


def parse_execution_date(data: Mapping[str, Any]) -> dt.date:
    """The date asked of the bank, from the form (2026-11-27 or 27/11/2026). Raises Invalid."""
    form = Form(data)
    day = form.day("execution_date")
    form.done()
    assert day is not None
    return day


def check_execution_date(day: dt.date, today: dt.date) -> None:
    """Not in the past, at most MAX_DAYS_AHEAD days ahead (what banks accept). Pure."""
    if day < today:
        message = _("The execution date cannot be in the past.")
    elif day > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        message = _("The execution date can be at most %(days)d days ahead.") % {
            "days": MAX_DAYS_AHEAD
        }
    else:
        return
    raise Invalid(message, {"execution_date": message})


async def _prepared_batch_id(session: AsyncSession, cooperative_id: int) -> int | None:
    return (
        await session.exec(
            select(PayoutBatch.id).where(
                PayoutBatch.cooperative_id == cooperative_id,
                PayoutBatch.state == PayoutState.PREPARED,
            )
        )
    ).first()


async def prepare_batch(
    session: AsyncSession, actor: Actor, execution_date: dt.date, *, today: dt.date | None = None
) -> PreparedBatch:
    """A coordinator prepares a batch of everything owed to members who can be paid: a valid
    IBAN and the account holder's name on their profile.

    Raises PermissionDenied; Invalid (execution date; the cooperative's IBAN or BIC missing);
    Conflict (a prepared batch is waiting; nobody can be paid).
    """
    today = today or clock.today()
    async with session.begin():
        await authorize(session, actor, Permission.PAY_MEMBERS)
        check_execution_date(execution_date, today)
        # Balances are read, then a batch that depends on them is written.
        await lock_cooperative(session, actor.cooperative_id)
        cooperative = await cooperative_of(session, actor)
        missing = missing_details(cooperative)
        if missing:
            message = _(
                "Before preparing a payout, fill in the cooperative's %(details)s on its "
                "details page."
            ) % {"details": join_list(missing, "plain")}
            raise Invalid(message, {"cooperative_details": message})
        waiting = await _prepared_batch_id(session, actor.cooperative_id)
        if waiting is not None:
            raise Conflict(
                _(
                    "Payout batch #%(id)d is prepared and not sent yet: confirm it as sent, "
                    "or cancel it, before preparing another."
                )
                % {"id": waiting}
            )
        owed = await owed_of(session, actor.cooperative_id)
        payable = [o for o in owed if o.problem is None]
        left_out = [
            LeftOut(o.member_id, o.name, o.amount_cents, o.problem or "")
            for o in owed
            if o.problem is not None
        ]
        if not payable:
            if left_out:
                raise Conflict(
                    _(
                        "Nobody can be paid: the members who are owed money have no valid "
                        "IBAN or no account holder's name on their profile yet."
                    )
                )
            raise Conflict(_("Nobody is owed money: there is nothing to pay."))
        batch = PayoutBatch(
            cooperative_id=actor.cooperative_id,
            state=PayoutState.PREPARED,
            total_cents=sum(o.amount_cents for o in payable),
            execution_date=execution_date,
            created_by_id=actor.person_id,
            created_at=clock.now(),
        )
        session.add(batch)
        await session.flush()
        assert batch.id is not None
        lines = [
            PayoutLine(
                batch_id=batch.id,
                member_id=o.member_id,
                name=o.holder,
                iban=o.iban,
                bic=o.bic,
                amount_cents=o.amount_cents,
            )
            for o in payable
        ]
        session.add_all(lines)
        await session.flush()
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="payout.prepared",
            subject_type="payout_batch",
            subject_id=batch.id,
            data={
                "execution_date": execution_date.isoformat(),
                "total_cents": batch.total_cents,
                "count": len(lines),
                "lines": [[line.member_id, line.amount_cents] for line in lines],
                "left_out": [[m.member_id, m.amount_cents] for m in left_out],
            },
        )
    return PreparedBatch(batch=batch, lines=lines, left_out=left_out)


async def confirm_sent(
    session: AsyncSession, actor: Actor, batch_id: int, *, today: dt.date | None = None
) -> PayoutBatch:
    """The bank has the file: post Dr payable:<member> per line, Cr bank for the total.

    Exactly once: the state is read again under the cooperative's lock. Raises
    PermissionDenied, NotFound, Conflict (already sent or cancelled; a member is now owed
    less than their line), Invalid (today's period is not open).
    """
    today = today or clock.today()
    async with session.begin():
        await authorize(session, actor, Permission.PAY_MEMBERS)
        await lock_cooperative(session, actor.cooperative_id)
        batch = await batch_of(session, actor, batch_id)
        _check_prepared(batch)
        await mark_sent(session, actor, batch, today)
    return batch


async def mark_sent(
    session: AsyncSession,
    actor: Actor,
    batch: PayoutBatch,
    day: dt.date,
    *,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Post a prepared batch as sent on `day`, inside the caller's transaction, which has
    checked the permission and holds the cooperative's lock (confirm_sent, a bank statement
    that shows the batch's lines). Raises Conflict when a member is now owed less."""
    assert batch.id is not None
    lines = await lines_of(session, batch.id)
    owed = {o.member_id: o.amount_cents for o in await owed_of(session, actor.cooperative_id)}
    short = [line for line in lines if line.amount_cents > owed.get(line.member_id, 0)]
    if short:
        raise Conflict(
            _(
                "The books changed since this batch was prepared, and these members are now "
                "owed less than their line: %(names)s. Cancel this batch and prepare a new one."
            )
            % {"names": join_list((line.name for line in short), "plain")}
        )
    entry = await post(
        session,
        cooperative_id=actor.cooperative_id,
        day=day,
        kind="payout",
        memo=Memo("payout", {"batch": batch.id}),
        author_id=actor.person_id,
        postings=[
            *(Posting(f"{PAYABLE}{line.member_id}", line.amount_cents) for line in lines),
            Posting("bank", -batch.total_cents),
        ],
    )
    batch.state = PayoutState.SENT
    batch.decided_by_id = actor.person_id
    batch.decided_at = clock.now()
    batch.entry_id = entry.id
    session.add(batch)
    await session.flush()
    await record(
        session,
        cooperative_id=actor.cooperative_id,
        actor_id=actor.person_id,
        action="payout.sent",
        subject_type="payout_batch",
        subject_id=batch.id,
        data={
            "date": day.isoformat(),
            "total_cents": batch.total_cents,
            "count": len(lines),
            "entry_id": entry.id,
            **(extra or {}),
        },
    )


def _check_prepared(batch: PayoutBatch) -> None:
    if batch.state == PayoutState.SENT:
        raise Conflict(
            _("This payout batch is already confirmed as sent; it cannot change any more.")
        )
    if batch.state == PayoutState.CANCELLED:
        raise Conflict(_("This payout batch was cancelled; it cannot change any more."))


async def cancel_batch(
    session: AsyncSession, actor: Actor, batch_id: int, *, not_sent: bool
) -> PayoutBatch:
    """A prepared batch is dropped: nothing was posted, the money stays owed.

    `not_sent`: the coordinator confirms that the batch's file was not given to the bank. A
    file already at the bank pays the members once; cancelling its batch would leave them
    owed, and the next batch would pay them again.

    Raises PermissionDenied, NotFound, Conflict (sent: the money has left; or cancelled),
    Invalid (no confirmation; field `not_sent`).
    """
    async with session.begin():
        await authorize(session, actor, Permission.PAY_MEMBERS)
        await lock_cooperative(session, actor.cooperative_id)
        batch = await batch_of(session, actor, batch_id)
        _check_prepared(batch)
        if not_sent is not True:
            message = _(
                "Tick the box to confirm that this file was not sent to the bank. If the bank "
                "has it, confirm the batch as sent instead: cancelling it would let the next "
                "batch pay the same members again."
            )
            raise Invalid(message, {"not_sent": message})
        batch.state = PayoutState.CANCELLED
        batch.decided_by_id = actor.person_id
        batch.decided_at = clock.now()
        session.add(batch)
        await session.flush()
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="payout.cancelled",
            subject_type="payout_batch",
            subject_id=batch.id,
            data={"total_cents": batch.total_cents, "not_sent_confirmed": True},
        )
    return batch
