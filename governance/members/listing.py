"""The member list a page at a time: by name, then by person id (a total order), by keyset.

A page is reached from a member of the page beside it: `after` (the last person of the page
before) or `before` (the first person of the page after), a person id. The key's name is read
again from the database, so the address carries no name and a key that is no member of the
cooperative (gone, or made up) gives the first page. The paging is
governance.base.keyset's; each page also counts the members.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.base.keyset import keyset_page
from governance.base.paging import KeysetPage
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Membership
from governance.members.service import MemberRow

PAGE_SIZE = 100
MAX_SEARCH = 120  # a person's name is at most 120 characters (auth.models.Person)


@dataclass(frozen=True)
class MemberPage:
    rows: list[MemberRow]
    total: int  # the members the search finds (all of them without a search)
    next_after: int | None  # the key of the next page (None: this is the last)
    previous_before: int | None  # the key of the page before (None: this is the first)
    search: str


def _matches(search: str) -> list[ColumnElement[bool]]:
    if not search:
        return []
    return [func.lower(col(Person.name)).contains(search.lower(), autoescape=True)]


async def member_page(
    session: AsyncSession,
    actor: Actor,
    *,
    after: int | None = None,
    before: int | None = None,
    search: str = "",
    limit: int = PAGE_SIZE,
) -> MemberPage:
    """One page of the cooperative's members whose name contains `search` (any case): the
    first, the one after the person `after`, or the one before the person `before`."""
    # PostgreSQL refuses NUL bytes: what cannot be printed is no part of a name anyway.
    search = " ".join("".join(c for c in search if c.isprintable()).split())[:MAX_SEARCH]
    anchor = after if after is not None else before
    async with session.begin():
        await authorize(session, actor, Permission.READ_MEMBERS)
        members = select(Membership, Person).join(Person, col(Person.id) == Membership.person_id)
        mine: list[ColumnElement[bool]] = [
            col(Membership.cooperative_id) == actor.cooperative_id,
            *_matches(search),
        ]
        name = None
        if anchor is not None:
            name = (
                await session.exec(
                    select(Person.name)
                    .join(Membership, col(Membership.person_id) == Person.id)
                    .where(Membership.cooperative_id == actor.cooperative_id, Person.id == anchor)
                )
            ).first()
        page: KeysetPage[Any] = await keyset_page(
            session,
            members,
            mine,
            (col(Person.name), col(Person.id)),
            lambda row: (row[1].name, row[1].id),
            anchor=(name, anchor) if name is not None and anchor is not None else None,
            after=after is not None,
            newest_first=False,
            limit=limit,
        )
        rows = [MemberRow(m, p) for m, p in page.rows]
        counted = select(func.count()).select_from(Membership)
        if search:
            counted = counted.join(Person, col(Person.id) == Membership.person_id)
        total = (await session.exec(counted.where(*mine))).one()
    return MemberPage(
        rows=rows,
        total=total,
        next_after=page.next_after,
        previous_before=page.previous_before,
        search=search,
    )
