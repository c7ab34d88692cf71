"""The pages' duration: hours and minutes, and a reversal's negative duration as a minus sign
before the same duration (-0 h 45, not the -1 h 15 that floor division gives)."""

from __future__ import annotations

import pytest

from governance.app import template_environment
from governance.base.i18n import language


@pytest.mark.parametrize(
    ("minutes", "shown"),
    [(90, "1 h 30"), (45, "0 h 45"), (-45, "-0 h 45"), (-75, "-1 h 15"), (-120, "-2 h 00")],
)
def test_duration_macro(minutes: int, shown: str) -> None:
    macro = template_environment().from_string(
        '{% from "ledger/work/_labels.html" import duration %}{{ duration(m) }}'
    )
    with language("en"):
        assert macro.render(m=minutes) == shown
