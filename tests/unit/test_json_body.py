"""JSON numbers become text that every language's amount parser reads the same way."""

from __future__ import annotations

import pytest

from governance.json_body import as_text
from governance.money import AmountError, parse_amount


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (12, "12"),
        (12.5, "12.5"),
        (12.345, "12.3450"),
        (1234.0, "1234.0"),
        (1e3, "1000.0"),
        (0.1, "0.1"),
        (True, "True"),
        ("1.234", "1.234"),
    ],
)
def test_as_text(value: object, text: str) -> None:
    assert as_text(value) == text


@pytest.mark.parametrize("language", ["fr", "en", "nl", "ar"])
def test_numbers_read_alike_in_every_language(language: str) -> None:
    assert parse_amount(as_text(12.5), language) == 1250
    assert parse_amount(as_text(1234), language) == 123400
    assert parse_amount(as_text(1234.56), language) == 123456
    with pytest.raises(AmountError):
        parse_amount(as_text(12.345), language)
