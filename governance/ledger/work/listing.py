"""The work list a page at a time: newest first, by date then by id (a total order), by keyset.

A page is reached from a prestation of the page beside it: `after` (the last prestation of the
page before, going back in time) or `before` (the first prestation of the page after), a
prestation id. The key's date is read again from the database, among the prestations the
reader sees under the same month filter, so a key that is not one of them (gone, someone
else's, another month's, made up) gives the first page. The paging is
governance.base.keyset's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.base.keyset import keyset_page
from governance.base.paging import KeysetPage
from governance.language.months import Month, is_month
from governance.ledger.work.models import Prestation
from governance.ledger.work.statuses import PrestationStatus
from governance.members import Role
from governance.members.access import Actor, Permission, authorize
from governance.members.people_names import names_of

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
        page: KeysetPage[Prestation] = await keyset_page(
            session,
            select(Prestation),
            mine,
            (col(Prestation.date), col(Prestation.id)),
            lambda row: (row.date, row.id or 0),
            anchor=(day, anchor) if day is not None and anchor is not None else None,
            after=after is not None,
            newest_first=True,
            limit=limit,
        )
        rows = page.rows
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
        names = await names_of(session, actor.cooperative_id, {row.member_id for row in rows})
    return WorkPage(
        rows=rows,
        next_after=page.next_after,
        previous_before=page.previous_before,
        recorded=shown,
        total=total,
        names=names,
    )
