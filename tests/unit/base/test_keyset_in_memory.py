"""Pages of a list in memory (governance.base.keyset.page_in): walked forwards and back, every
item is shown once, in order, whatever the list's length and the page size."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from governance.base.paging import page_in


@given(st.lists(st.integers(0, 10_000), unique=True, max_size=60), st.integers(1, 7))
def test_walking_the_pages_shows_every_item_once_in_order(items: list[int], limit: int) -> None:
    forwards: list[int] = []
    page = page_in(items, int, limit=limit)
    assert page.previous_before is None
    pages = [page]
    while True:
        assert len(page.rows) <= limit
        forwards += page.rows
        if page.next_after is None:
            break
        page = page_in(items, int, after=page.next_after, limit=limit)
        assert page.previous_before == page.rows[0]
        pages.append(page)
    assert forwards == items

    backwards: list[int] = []
    page = pages[-1]
    while True:
        backwards = page.rows + backwards
        if page.previous_before is None:
            break
        page = page_in(items, int, before=page.previous_before, limit=limit)
        assert page.next_after == page.rows[-1]
    assert backwards == items


def test_an_anchor_no_longer_in_the_list_gives_the_first_page() -> None:
    page = page_in([5, 3, 9, 1], int, after=42, limit=2)
    assert (page.rows, page.previous_before, page.next_after) == ([5, 3], None, 3)
    page = page_in([5, 3, 9, 1], int, before=42, limit=2)
    assert page.rows == [5, 3]
    assert page_in([], int, limit=3).rows == []
