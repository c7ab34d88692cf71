"""A page of rows by keyset over a total order of two columns (a value, then an id).

A page is reached from a row of the page beside it: `after` its last row (the next page) or
`before` its first row (the page before), the row's (value, id) read again by the caller
(`anchor`; None gives the first page). The page reads at most `limit + 1` rows past the
anchor, and one more row to know whether a page lies on the other side of it, whatever the
page's depth. The member list and the work list use it (governance/members/listing.py,
governance/ledger/work/listing.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, literal, tuple_
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.base.paging import KeysetPage

R = TypeVar("R")


async def keyset_page(
    session: AsyncSession,
    query: Any,  # a select of SQLModel's (rows or scalars) or of SQLAlchemy's
    where: Sequence[ColumnElement[bool]],
    order: tuple[Any, Any],
    key_of: Callable[[R], tuple[Any, int]],
    *,
    anchor: tuple[Any, int] | None,
    after: bool,
    newest_first: bool,
    limit: int,
) -> KeysetPage[R]:
    """The page of `query` (filtered by `where`) in the order of `order`, (value, id),
    ascending or `newest_first`: the first page without `anchor`, else the one `after` it or
    before it. `key_of` gives a row's (value, id)."""
    value, ident = order
    key = tuple_(value, ident)
    shown = (value.desc(), ident.desc()) if newest_first else (value, ident)
    reverse = (value, ident) if newest_first else (value.desc(), ident.desc())

    def ahead(mark: tuple[Any, int]) -> ColumnElement[bool]:  # later in the shown order
        return key < tuple_(*mark) if newest_first else key > tuple_(*mark)

    def behind(mark: tuple[Any, int]) -> ColumnElement[bool]:
        return key > tuple_(*mark) if newest_first else key < tuple_(*mark)

    backwards = anchor is not None and not after
    if anchor is None:
        page = query.where(*where).order_by(*shown)
    elif backwards:
        page = query.where(*where, behind(anchor)).order_by(*reverse)
    else:
        page = query.where(*where, ahead(anchor)).order_by(*shown)
    found: list[R] = list((await session.exec(page.limit(limit + 1))).all())
    more = len(found) > limit
    rows = found[:limit]
    if backwards:
        rows.reverse()
    # Is there a page on the other side of the anchor? Only when it is not the page's own.
    other = False
    if anchor is not None and rows:
        edge = key_of(rows[-1]) if backwards else key_of(rows[0])
        beyond = ahead(edge) if backwards else behind(edge)
        probe = query.with_only_columns(literal(1)).where(*where, beyond).limit(1)
        other = (await session.exec(probe)).first() is not None
    first, last = (key_of(rows[0])[1], key_of(rows[-1])[1]) if rows else (None, None)
    has_next, has_previous = (other, more) if backwards else (more, other)
    return KeysetPage(
        rows=rows,
        next_after=last if has_next else None,
        previous_before=first if has_previous else None,
    )
