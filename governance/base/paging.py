"""A page of a list, reached by keyset: the page's rows and the keys of the pages beside it.

`KeysetPage` is what governance/base/keyset.py's `keyset_page` returns for a query; `page_in`
gives the same over a list already in memory. Pure: no database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

R = TypeVar("R")


@dataclass(frozen=True)
class KeysetPage(Generic[R]):
    rows: list[R]
    next_after: int | None  # the id of the next page's key (None: this is the last)
    previous_before: int | None  # the id of the page before's key (None: this is the first)


def page_in(
    items: Sequence[R],
    ident: Callable[[R], int],
    *,
    after: int | None = None,
    before: int | None = None,
    limit: int,
) -> KeysetPage[R]:
    """The same kind of page over a list already in memory, in its order: the first `limit`
    items, or those after (before) the item whose `ident` is `after` (`before`). An anchor no
    longer in the list gives the first page. For lists computed whole anyway (a month's
    shares), so that a page renders `limit` rows, not every member."""
    position = {ident(item): index for index, item in enumerate(items)}
    start = 0
    if after is not None and after in position:
        start = position[after] + 1
    elif before is not None and before in position:
        start = max(position[before] - limit, 0)
    end = min(start + limit, len(items))
    if before is not None and before in position:
        end = position[before]
    rows = list(items[start:end])
    return KeysetPage(
        rows=rows,
        next_after=ident(rows[-1]) if rows and end < len(items) else None,
        previous_before=ident(rows[0]) if rows and start > 0 else None,
    )
