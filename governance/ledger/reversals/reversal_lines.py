"""A member's cancelled work, as their earnings page lists it: what, when, why, where it counts.

A reversal lowers what a member is owed (their travel is owed back, their revenue drops in the
month that counts it): the page says which work, the reason the coordinator gave, the month
whose figures count the reversal, and the contest it answers when a correction wrote it.
Queries only, inside the caller's transaction.
"""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.ledger.books.models import Client, JournalEntry
from governance.ledger.reversals.reversal_notes import ReversalNote
from governance.ledger.work.models import Contest, Prestation
from governance.ledger.work.statuses import ContestStatus, PrestationStatus
from governance.members.access import Actor, Permission, authorize

LATEST = 10
MONTH_LIMIT = 200


async def reversals_of(
    session: AsyncSession,
    cooperative_id: int,
    member_id: int | None,
    limit: int = LATEST,
    *,
    period: str | None = None,
) -> tuple[ReversalNote, ...]:
    """The latest reversed prestations, newest reversal first: one member's (or everyone's,
    `member_id` None), those counted in `period` only when it is given."""
    query = (
        select(Prestation, col(Client.name), col(JournalEntry.date), col(JournalEntry.period))
        .join(Client, col(Client.id) == Prestation.client_id)
        .join(JournalEntry, col(JournalEntry.reverses_id) == Prestation.entry_id)
        .where(
            Prestation.cooperative_id == cooperative_id,
            Prestation.status == PrestationStatus.REVERSED,
            JournalEntry.cooperative_id == cooperative_id,
        )
        .order_by(col(JournalEntry.id).desc())
        .limit(limit)
    )
    if member_id is not None:
        query = query.where(Prestation.member_id == member_id)
    if period is not None:
        query = query.where(JournalEntry.period == period)
    rows = (await session.exec(query)).all()
    ids = [row[0].id for row in rows if row[0].id is not None]
    contests = {}
    if ids:
        found = await session.exec(
            select(Contest.prestation_id, Contest.id).where(
                Contest.cooperative_id == cooperative_id,
                Contest.status == ContestStatus.CORRECTED,
                col(Contest.prestation_id).in_(ids),
            )
        )
        contests = {pid: cid for pid, cid in found.all() if pid is not None}
    members = {row[0].member_id for row in rows}
    names: dict[int, str] = {}
    if members:
        found_names = await session.exec(
            select(Person.id, Person.name).where(col(Person.id).in_(members))
        )
        names = {i: n for i, n in found_names.all() if i is not None}
    return tuple(
        ReversalNote(
            prestation_id=p.id or 0,
            date=p.date,
            client=client,
            kind=p.kind,
            amount_cents=p.amount_cents,
            travel_cents=p.travel_cents,
            reversed_on=day,
            period=period,
            reason=p.rejection_reason,
            contest_id=contests.get(p.id or 0),
            member_id=p.member_id,
            member=names.get(p.member_id, ""),
        )
        for p, client, day, period in rows
    )


async def month_reversals(
    session: AsyncSession, actor: Actor, month: str, *, everyone: bool
) -> tuple[ReversalNote, ...]:
    """The reversals a month counts, for its page: the reader's own, or everyone's (a
    reader of everyone's money). One read transaction; raises PermissionDenied."""
    async with session.begin():
        await authorize(session, actor, Permission.READ_COOPERATIVE)
        return await reversals_of(
            session,
            actor.cooperative_id,
            None if everyone else actor.person_id,
            MONTH_LIMIT,
            period=month,
        )


def owed_back_by(notes: tuple[ReversalNote, ...], owed_cents: int) -> tuple[ReversalNote, ...]:
    """The reversals that explain a negative `owed_cents` (the member owes the cooperative):
    the newest ones whose travel, taken back after it was paid, makes up the debt (`notes`
    newest first, as `reversals_of` gives them). Empty when nothing is owed back. Pure; the
    earnings page applies the same rule in its template."""
    left = -owed_cents
    found: list[ReversalNote] = []
    for note in notes:
        if left <= 0:
            break
        if note.travel_cents > 0:
            found.append(note)
            left -= note.travel_cents
    return tuple(found)
