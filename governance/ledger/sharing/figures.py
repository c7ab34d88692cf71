"""A period's figures read from the ledger: what the distribution is computed from.

Every figure comes from journal entries whose `period` is the month, so adjustments (work
dated in an earlier, closed month) count where they were posted, and reversals subtract from
the member whose prestation they cancel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.ledger.books.kinds import AccountType
from governance.ledger.books.models import Account, Client, JournalEntry, LedgerLine
from governance.ledger.sharing.distribution import MemberFigures, PeriodFigures
from governance.ledger.work.models import Contest, Prestation
from governance.ledger.work.statuses import ContestStatus
from governance.members import MembershipStatus, Role
from governance.members.models import Membership

PAID_ROLES = (Role.COOPERATOR.value, Role.WORKER.value, Role.COORDINATOR.value)


@dataclass(frozen=True)
class AccountTotal:
    code: str
    type: str
    amount: int  # the sum of the period's lines: debits positive


@dataclass(frozen=True)
class Counted:
    """One prestation as a period counts it: +1 when validated in it, -1 when reversed in it."""

    prestation_id: int
    member_id: int
    date: dt.date
    client: str
    kind: str
    minutes: int
    amount_cents: int
    sign: int
    adjustment: bool  # dated in another month than the period that counts it
    # The contest a correction answers: on the reversal of the contested prestation and on
    # the corrected one; the prestation a corrected one replaces; why a reversal cancels.
    contest_id: int | None = None
    corrects_id: int | None = None
    reason: str = ""


def line_data(counted: Counted) -> dict[str, Any]:
    """A counted prestation as a statement shows it: signed minutes and amount."""
    return {
        "id": counted.prestation_id,
        "date": counted.date.isoformat(),
        "client": counted.client,
        "kind": counted.kind,
        "minutes": counted.minutes * counted.sign,
        "amount_cents": counted.amount_cents * counted.sign,
        "reversal": counted.sign < 0,
        "adjustment": counted.adjustment,
        "contest": counted.contest_id,
        "corrects": counted.corrects_id,
        "reason": counted.reason if counted.sign < 0 else "",
    }


async def income_and_expenses(
    session: AsyncSession, cooperative_id: int, month: str
) -> list[AccountTotal]:
    """The period's movement on each income and expense account (close entries excluded)."""
    accounts = {
        id_: (code, kind)
        for id_, code, kind in (
            await session.exec(
                select(Account.id, Account.code, Account.type).where(
                    Account.cooperative_id == cooperative_id,
                    col(Account.type).in_([AccountType.INCOME.value, AccountType.EXPENSE.value]),
                )
            )
        ).all()
        if id_ is not None
    }
    if not accounts:
        return []
    closing = (
        await session.exec(
            select(JournalEntry.id).where(
                JournalEntry.cooperative_id == cooperative_id,
                JournalEntry.period == month,
                JournalEntry.kind == "close",
            )
        )
    ).all()
    # Summed per account from the (cooperative, period, account, amount) index alone, accounts
    # joined after; the close entry, when the month has one, is left out.
    query = (
        select(LedgerLine.account_id, func.sum(LedgerLine.amount))
        .where(
            LedgerLine.cooperative_id == cooperative_id,
            LedgerLine.period == month,
            col(LedgerLine.account_id).in_(list(accounts)),
        )
        .group_by(col(LedgerLine.account_id))
    )
    if closing:
        query = query.where(col(LedgerLine.entry_id).not_in(list(closing)))
    rows = await session.exec(query)
    totals = [
        AccountTotal(*accounts[account_id], int(total)) for account_id, total in rows.all() if total
    ]
    return sorted(totals, key=lambda t: t.code)


async def _member_sums(
    session: AsyncSession, cooperative_id: int, month: str, *, reversals: bool
) -> dict[int, tuple[int, int, int]]:
    link = JournalEntry.reverses_id if reversals else JournalEntry.id
    query = (
        select(
            Prestation.member_id,
            func.sum(Prestation.amount_cents),
            func.sum(func.coalesce(Prestation.duration_minutes, 0)),
            func.count(),
        )
        .join(JournalEntry, col(Prestation.entry_id) == link)
        .where(JournalEntry.cooperative_id == cooperative_id, JournalEntry.period == month)
        .group_by(col(Prestation.member_id))
    )
    if reversals:  # the few reversal entries of the month, found on the (…, kind) index
        query = query.where(JournalEntry.kind == "reversal")
    # else: a prestation's entry_id is always its validation entry (kind "prestation"), so
    # no filter on the kind, which would cost a comparison on each of the month's entries.
    rows = await session.exec(query)
    return {member: (int(cents), int(minutes), int(n)) for member, cents, minutes, n in rows.all()}


async def active_members(session: AsyncSession, cooperative_id: int) -> set[int]:
    rows = await session.exec(
        select(Membership.person_id).where(
            Membership.cooperative_id == cooperative_id,
            Membership.status == MembershipStatus.ACTIVE,
            col(Membership.role).in_(PAID_ROLES),
        )
    )
    return set(rows.all())


async def period_figures(
    session: AsyncSession,
    cooperative_id: int,
    month: str,
    totals: list[AccountTotal] | None = None,
) -> PeriodFigures:
    """Income, expenses and each member's revenue, minutes and count of prestations.
    `totals`: income_and_expenses of the month when the caller already has them."""
    if totals is None:
        totals = await income_and_expenses(session, cooperative_id, month)
    income = -sum(t.amount for t in totals if t.type == AccountType.INCOME)
    expense = sum(t.amount for t in totals if t.type == AccountType.EXPENSE)
    validated = await _member_sums(session, cooperative_id, month, reversals=False)
    reversed_ = await _member_sums(session, cooperative_id, month, reversals=True)
    active = await active_members(session, cooperative_id)
    members = []
    for member_id in sorted(set(validated) | set(reversed_) | active):
        cents, minutes, count = validated.get(member_id, (0, 0, 0))
        minus_cents, minus_minutes, _minus_count = reversed_.get(member_id, (0, 0, 0))
        members.append(
            MemberFigures(
                member_id=member_id,
                revenue_cents=cents - minus_cents,
                minutes=minutes - minus_minutes,
                # Work validated in the month makes a member eligible, even when reversals
                # of earlier months' work are counted in it too.
                prestations=count,
                active=member_id in active,
            )
        )
    return PeriodFigures(income_cents=income, expense_cents=expense, members=tuple(members))


async def counted_prestations(
    session: AsyncSession, cooperative_id: int, month: str, member_id: int | None = None
) -> list[Counted]:
    """The prestations the period counts, validations and reversals, by date."""
    found: list[Counted] = []
    for reversals in (False, True):
        link = JournalEntry.reverses_id if reversals else JournalEntry.id
        query = (
            sa_select(
                col(Prestation.id),
                col(Prestation.member_id),
                col(Prestation.date),
                col(Client.name),
                col(Prestation.kind),
                col(Prestation.duration_minutes),
                col(Prestation.amount_cents),
                col(Prestation.rejection_reason),
            )
            .join(JournalEntry, col(Prestation.entry_id) == link)
            .join(Client, col(Client.id) == Prestation.client_id)
            .where(
                col(JournalEntry.cooperative_id) == cooperative_id,
                col(JournalEntry.period) == month,
                col(JournalEntry.kind) == ("reversal" if reversals else "prestation"),
            )
        )
        if member_id is not None:
            # With the cooperative, the member's work is read by ix_prestation_member_date;
            # without it PostgreSQL read every prestation (138 ms for a million).
            query = query.where(
                col(Prestation.cooperative_id) == cooperative_id,
                col(Prestation.member_id) == member_id,
            )
        sign = -1 if reversals else 1
        connection = await session.connection()
        rows = (await connection.execute(query)).all()
        for pid, member, day, client, kind, minutes, cents, reason in rows:
            assert pid is not None
            found.append(
                Counted(
                    prestation_id=pid,
                    member_id=member,
                    date=day,
                    client=client,
                    kind=kind,
                    minutes=minutes or 0,
                    amount_cents=cents,
                    sign=sign,
                    adjustment=f"{day:%Y-%m}" != month,
                    reason=reason or "",
                )
            )
    found = await _with_contests(session, cooperative_id, found)
    found.sort(key=lambda c: (c.date, c.prestation_id, -c.sign))
    return found


async def _with_contests(
    session: AsyncSession, cooperative_id: int, found: list[Counted]
) -> list[Counted]:
    """Each line a contest's correction concerns (the contested prestation, its reversal, the
    corrected prestation) with the contest's id, and the prestation a corrected one replaces."""
    ids = {c.prestation_id for c in found}
    if not ids:
        return found
    rows = (
        await session.exec(
            select(Contest.id, Contest.prestation_id, Contest.correction_id).where(
                Contest.cooperative_id == cooperative_id,
                Contest.status == ContestStatus.CORRECTED,
                col(Contest.prestation_id).in_(ids) | col(Contest.correction_id).in_(ids),
            )
        )
    ).all()
    reversed_by = {original: cid for cid, original, _c in rows if original is not None}
    corrected_by = {fix: (cid, original) for cid, original, fix in rows if fix is not None}
    out = []
    for c in found:
        if c.prestation_id in reversed_by:  # the contested line, and its reversal
            c = replace(c, contest_id=reversed_by[c.prestation_id])
        elif c.sign > 0 and c.prestation_id in corrected_by:
            cid, original = corrected_by[c.prestation_id]
            c = replace(c, contest_id=cid, corrects_id=original)
        out.append(c)
    return out


async def counted_lines(
    session: AsyncSession, cooperative_id: int, month: str, member_id: int
) -> list[dict[str, Any]]:
    """A member's counted prestations of a month, as their statement lists them.

    Read from the journal at any time: once the month is closed its entries never change, so
    this is the list the close counted (it is not copied into each statement)."""
    return [
        line_data(c) for c in await counted_prestations(session, cooperative_id, month, member_id)
    ]
