"""The member list a page at a time: by name, then by person id (a total order), by keyset.

A page is reached from a member of the page beside it: `after` (the last person of the page
before) or `before` (the first person of the page after), a person id. The key's name is read
again from the database, so the address carries no name and a key that is no member of the
cooperative (gone, or made up) gives the first page. Each page reads at most `limit + 1`
members past the key, and the count, whatever the page's depth.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, tuple_
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
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
        key = tuple_(col(Person.name), col(Person.id))
        ascending = (col(Person.name), col(Person.id))
        backwards = name is not None and after is None
        if name is None:
            query = members.where(*mine).order_by(*ascending)
        elif backwards:
            query = members.where(*mine, key < tuple_(name, anchor)).order_by(
                col(Person.name).desc(), col(Person.id).desc()
            )
        else:
            query = members.where(*mine, key > tuple_(name, anchor)).order_by(*ascending)
        found = list((await session.exec(query.limit(limit + 1))).all())
        more = len(found) > limit
        rows = [MemberRow(m, p) for m, p in found[:limit]]
        if backwards:
            rows.reverse()
        counted = select(func.count()).select_from(Membership)
        if search:
            counted = counted.join(Person, col(Person.id) == Membership.person_id)
        total = (await session.exec(counted.where(*mine))).one()
        # Is there a page on the other side of the key? Only when it is not the page's own.
        other = False
        if name is not None and rows:
            edge = rows[-1] if backwards else rows[0]
            beyond = key > tuple_(edge.person.name, edge.person.id)
            if not backwards:
                beyond = key < tuple_(edge.person.name, edge.person.id)
            other = (
                await session.exec(
                    select(Membership.id)
                    .join(Person, col(Person.id) == Membership.person_id)
                    .where(*mine, beyond)
                    .limit(1)
                )
            ).first() is not None
    first, last = (rows[0].person.id, rows[-1].person.id) if rows else (None, None)
    has_next, has_previous = (other, more) if backwards else (more, other)
    return MemberPage(
        rows=rows,
        total=total,
        next_after=last if has_next else None,
        previous_before=first if has_previous else None,
        search=search,
    )
