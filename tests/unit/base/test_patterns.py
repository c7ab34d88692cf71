"""The shapes of identifiers end at the end of the text: `$` would also accept a final newline
("alpha\n" as a slug, an idempotency key or a month with a line break after it)."""

from __future__ import annotations

import re

import pytest

from governance.input.forms import EMAIL_RE, PHONE_RE, SLUG_RE
from governance.language.months import MONTH_RE
from governance.ledger.costs.costs import CATEGORY_RE
from governance.ledger.work.prestations import KEY_RE

CASES = [
    (SLUG_RE, "alpha"),
    (EMAIL_RE, "omar@alpha.example"),
    (PHONE_RE, "+32 4 123 45 67"),
    (CATEGORY_RE, "rent"),
    (MONTH_RE, "2026-10"),
    (KEY_RE, "import:2026-10:row-7"),
]


@pytest.mark.parametrize(("pattern", "good"), CASES)
def test_a_final_newline_is_not_part_of_the_shape(pattern: re.Pattern[str], good: str) -> None:
    assert pattern.match(good)
    assert not pattern.match(good + "\n")
