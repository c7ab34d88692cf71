"""The work list a page at a time: newest first, by date then by id (a total order), by keyset.

A page is reached from a prestation of the page beside it: `after` (the last prestation of the
page before, going back in time) or `before` (the first prestation of the page after), a
prestation id. The key's date is read again from the database, among the prestations the
reader sees under the same month filter, so a key that is not one of them (gone, someone
else's, another month's, made up) gives the first page. Each page reads at most `limit + 1`
prestations past the key, and one more to know whether a page lies on the other side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, tuple_
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.language.months import Month, is_month
from governance.ledger.work.models import Prestation
from governance.ledger.work.statuses import PrestationStatus
from governance.members import Role
from governance.members.access import Actor, Permission, authorize

PAGE_SIZE = 50
NOT_COUNTED = (PrestationStatus.REJECTED, PrestationStatus.REVERSED)


@dataclass(frozen=True)
class WorkPage:
    rows: list[Prestation]
    next_after: int | None  # the key of the next (older) page; None: this is the last
    previous_before: int | None  # the key of the page before (newer); None: the first
    recorded: Prestation | None  # the prestation `recorded` asked for, when the reader sees it
    total: int | None  # the month's counted amount in cents (None without a month)
    names: dict[int, str]  # person id -> name, of the members whose work the page shows


def _seen(actor: Actor, sees_all: bool, month: str | None) -> list[ColumnElement[bool]]:
    mine = [col(Prestation.cooperative_id) == actor.cooperative_id]
    if not sees_all:
        mine.append(col(Prestation.member_id) == actor.person_id)
    if month and is_month(month):
        first, after = Month.parse(month).first_day, Month.parse(month).next.first_day
        mine += [col(Prestation.date) >= first, col(Prestation.date) < after]
    return mine


async def work_page(
    session: AsyncSession,
    actor: Actor,
    *,
    month: str | None = None,
    after: int | None = None,
    before: int | None = None,
    recorded: int | None = None,
    limit: int | None = None,
) -> WorkPage:
    """One page of the work the reader sees (her own; everyone's for coordinators and
    observers), of `month` when given: the newest, the one older than the prestation `after`,
    or the one newer than the prestation `before`."""
    limit = limit or PAGE_SIZE
    anchor = after if after is not None else before
    async with session.begin():
        membership = await authorize(session, actor, Permission.READ_COOPERATIVE)
        mine = _seen(actor, membership.role in (Role.COORDINATOR, Role.OBSERVER), month)
        day: dt.date | None = None
        if anchor is not None:
            day = (
                await session.exec(
                    select(col(Prestation.date)).where(*mine, col(Prestation.id) == anchor)
                )
            ).first()
        key = tuple_(col(Prestation.date), col(Prestation.id))
        newest = (col(Prestation.date).desc(), col(Prestation.id).desc())
        backwards = day is not None and after is None
        query = select(Prestation)
        if day is None:
            query = query.where(*mine).order_by(*newest)
        elif backwards:
            query = query.where(*mine, key > tuple_(day, anchor)).order_by(
                col(Prestation.date), col(Prestation.id)
            )
        else:
            query = query.where(*mine, key < tuple_(day, anchor)).order_by(*newest)
        found = list((await session.exec(query.limit(limit + 1))).all())
        more = len(found) > limit
        rows = found[:limit]
        if backwards:
            rows.reverse()
        # Is there a page on the other side of the key? Only when it is not the page's own.
        other = False
        if day is not None and rows:
            edge = rows[-1] if backwards else rows[0]
            beyond = (
                key < tuple_(edge.date, edge.id) if backwards else key > tuple_(edge.date, edge.id)
            )
            other = (
                await session.exec(select(Prestation.id).where(*mine, beyond).limit(1))
            ).first() is not None
        shown = next((row for row in rows if row.id == recorded), None)
        if recorded is not None and shown is None:
            shown = (
                await session.exec(
                    select(Prestation).where(*_seen(actor, True, None), Prestation.id == recorded)
                )
            ).first()
            if shown is not None and not (
                membership.role in (Role.COORDINATOR, Role.OBSERVER)
                or shown.member_id == actor.person_id
            ):
                shown = None
        total = None
        if month and is_month(month):
            # int(): PostgreSQL adds up big integers as a decimal.
            total = int(
                (
                    await session.exec(
                        select(func.coalesce(func.sum(Prestation.amount_cents), 0)).where(
                            *mine, col(Prestation.status).not_in(NOT_COUNTED)
                        )
                    )
                ).one()
            )
        # The names of the page's members alone, not the whole cooperative's.
        people = {row.member_id for row in rows}
        names: dict[int, str] = {}
        if people:
            found_names = await session.exec(
                select(col(Person.id), col(Person.name)).where(col(Person.id).in_(people))
            )
            names = {int(pid or 0): name for pid, name in found_names.all()}
    first, last = (rows[0].id, rows[-1].id) if rows else (None, None)
    has_next, has_previous = (other, more) if backwards else (more, other)
    return WorkPage(
        rows=rows,
        next_after=last if has_next else None,
        previous_before=first if has_previous else None,
        recorded=shown,
        total=total,
        names=names,
    )
