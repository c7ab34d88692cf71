"""People's names by id, as the pages of one cooperative show them.

A big cooperative's pages name a thousand people at once (a vote's eligible voters, a rule's
comparison). Asked as `id IN (…a thousand ids…)`, PostgreSQL spent ~17 ms on one query, most
of it on the thousand parameters; from a few dozen ids on, the cooperative's members are read
by its own id instead (one parameter, an index), then anyone else asked for by id.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.members.models import Membership

# From this many ids on, the cooperative's members are read whole.
MANY = 50


async def names_of(
    session: AsyncSession, cooperative_id: int, ids: Iterable[int | None]
) -> dict[int, str]:
    """person id -> name for `ids` (None and unknown ids left out)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    names: dict[int, str] = {}
    if len(wanted) >= MANY:
        members = await session.exec(
            select(Person.id, Person.name)
            .join(Membership, col(Membership.person_id) == col(Person.id))
            .where(Membership.cooperative_id == cooperative_id)
        )
        names = {pid: name for pid, name in members.all() if pid in wanted}
    missing = wanted - names.keys()
    if missing:
        rows = await session.exec(select(Person.id, Person.name).where(col(Person.id).in_(missing)))
        names |= {pid: name for pid, name in rows.all() if pid is not None}
    return names
