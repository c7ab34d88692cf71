"""The earnings chart's geometry: bars in proportion, inside the viewBox, mirrored for Arabic."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from governance.ledger.statements.earnings_chart import BAR_ROOM, CHART_WIDTH, chart

amounts = st.lists(st.integers(min_value=-(10**9), max_value=10**9), max_size=24)


def test_the_largest_month_fills_the_room_and_the_others_follow() -> None:
    drawn = chart([("oct.", 56656), ("nov.", 28328), ("déc.", 0)])
    assert [bar.width for bar in drawn.bars] == [BAR_ROOM, BAR_ROOM / 2, 0]
    assert drawn.bars[0].y < drawn.bars[1].y < drawn.bars[2].y


def test_nothing_earned_draws_no_bar() -> None:
    assert all(bar.width == 0 for bar in chart([("oct.", 0), ("nov.", 0)]).bars)
    assert chart([]).bars == ()


@given(amounts, st.booleans())
def test_every_bar_and_text_stays_inside_the_picture(cents: list[int], rtl: bool) -> None:
    drawn = chart([(str(i), c) for i, c in enumerate(cents)], rtl=rtl)
    for bar in drawn.bars:
        assert bar.x >= 0 and bar.x + bar.width <= CHART_WIDTH
        assert 0 <= bar.label_x <= CHART_WIDTH and 0 <= bar.amount_x <= CHART_WIDTH
        assert bar.y >= 0 and bar.y + bar.height <= drawn.height


@given(amounts)
def test_right_to_left_is_the_mirror_image(cents: list[int]) -> None:
    points = [(str(i), c) for i, c in enumerate(cents)]
    ltr, rtl = chart(points), chart(points, rtl=True)
    for left, right in zip(ltr.bars, rtl.bars, strict=True):
        assert abs((right.x + right.width) - (CHART_WIDTH - left.x)) < 0.02
        assert right.label_x == CHART_WIDTH - left.label_x
        assert abs(right.amount_x - (CHART_WIDTH - left.amount_x)) < 0.02
    assert (ltr.label_anchor, rtl.label_anchor) == ("start", "end")
