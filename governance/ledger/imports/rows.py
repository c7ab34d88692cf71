"""How the CSV import's preview shows each row in the reader's words: the member's name above
the e-mail the file gave, the kind's name in the reader's language for a kind the import
recognised (the file's own word otherwise), the duration in minutes for the duration macro.

`names_of` reads the members' names (one query, inside its own read transaction); `shown` is
pure. The reading and checking of the file are in `csv_reader.py` and `checks.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.language.labels import kind_label
from governance.ledger.imports.checks import RowResult
from governance.members.access import Actor, Permission, authorize


@dataclass(frozen=True)
class ShownRow:
    member: str  # the member's name, "" when the row names no known member
    email: str  # the e-mail as the file gives it
    kind: str  # the kind's name in the reader's language, or the file's word
    minutes: int | None  # None: no duration, or one the import could not read
    raw_duration: str  # the file's cell, shown when it could not be read


async def names_of(session: AsyncSession, actor: Actor, ids: Iterable[int]) -> dict[int, str]:
    """The names of the cooperative's members among `ids`. Reads only."""
    wanted = sorted(set(ids))
    async with session.begin():
        await authorize(session, actor, Permission.READ_COOPERATIVE)
        if not wanted:
            return {}
        rows = await session.exec(select(Person.id, Person.name).where(col(Person.id).in_(wanted)))
        return {i: n for i, n in rows.all() if i is not None}


def shown(result: RowResult, names: Mapping[int, str]) -> ShownRow:
    """What the preview's cells say for one row. Pure."""
    cells = result.cells
    clean = result.clean
    return ShownRow(
        member=names.get(clean.member_id, "") if clean is not None else "",
        email=cells.get("member_email", ""),
        kind=kind_label(clean.kind) if clean is not None else cells.get("kind", ""),
        minutes=clean.duration_minutes if clean is not None else None,
        raw_duration=cells.get("duration_minutes", ""),
    )


def shown_rows(results: Iterable[RowResult], names: Mapping[int, str]) -> dict[int, ShownRow]:
    """Each row's cells by line number. Pure."""
    return {r.line: shown(r, names) for r in results}
