"""The earnings chart's geometry: one horizontal bar per month. Pure module.

Horizontal bars, because on a 360 px phone twelve vertical bars leave no room for the month
names and the amounts; here each month is a row: its name, its bar, its amount. The SVG's
viewBox is CHART_WIDTH wide and scales to the page's width. For a right-to-left language the
geometry is mirrored here (the names on the right, bars growing to the left), since SVG
coordinates do not follow the page's direction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

CHART_WIDTH = 320
ROW = 32
BAR_HEIGHT = 20
FONT_SIZE = 14  # about 13 px on a 360 px phone
LABEL_WIDTH = 96  # "sept. 2026", "سبتمبر 2026" at FONT_SIZE
AMOUNT_WIDTH = 84  # "1 234,56 €" at FONT_SIZE
GAP = 6
BAR_ROOM = CHART_WIDTH - LABEL_WIDTH - AMOUNT_WIDTH - 2 * GAP
PADDING = 4


@dataclass(frozen=True)
class Bar:
    name: str  # the month as shown
    cents: int
    x: float  # the bar's left edge
    y: float  # the bar's top edge
    width: float
    height: float
    label_x: float  # where the month's name is anchored
    amount_x: float  # where the amount is anchored
    text_y: float  # the row's middle, for both texts


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    font_size: int
    bars: tuple[Bar, ...]
    axis_x: float  # where every bar starts
    label_anchor: str  # SVG text-anchor of the month names ("start" or "end")
    amount_anchor: str  # SVG text-anchor of the amounts


def chart(points: Sequence[tuple[str, int]], rtl: bool = False) -> Chart:
    """`points`: (month as shown, cents) in the order to show them; negative amounts draw as 0."""
    largest = max((max(cents, 0) for _name, cents in points), default=0)
    axis = LABEL_WIDTH + GAP
    bars = []
    for index, (name, cents) in enumerate(points):
        width = BAR_ROOM * max(cents, 0) / largest if largest else 0.0
        top = PADDING + index * ROW
        x, label_x, amount_x = float(axis), 0.0, axis + width + GAP
        if rtl:
            x, label_x, amount_x = (
                CHART_WIDTH - axis - width,
                float(CHART_WIDTH),
                CHART_WIDTH - amount_x,
            )
        bars.append(
            Bar(
                name=name,
                cents=cents,
                x=round(x, 2),
                y=top + (ROW - BAR_HEIGHT) / 2,
                width=round(width, 2),
                height=BAR_HEIGHT,
                label_x=label_x,
                amount_x=round(amount_x, 2),
                text_y=top + ROW / 2,
            )
        )
    return Chart(
        width=CHART_WIDTH,
        height=2 * PADDING + ROW * len(points),
        font_size=FONT_SIZE,
        bars=tuple(bars),
        axis_x=CHART_WIDTH - axis if rtl else axis,
        label_anchor="end" if rtl else "start",
        amount_anchor="end" if rtl else "start",
    )
