"""The Month value: strict "YYYY-MM" reading, next and previous, first and last day, label."""

from __future__ import annotations

import datetime as dt

import pytest

from governance.language.months import MONTH_RE, Month, is_month, month_name


@pytest.mark.parametrize(
    "text", ["2026-10", "2026-01", "2026-12", "1000-01", "0999-01", "0001-01", "9999-12"]
)
def test_a_month_is_read_and_written_back(text: str) -> None:
    assert is_month(text) and MONTH_RE.match(text)
    assert str(Month.parse(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "2026-13",
        "2026-00",
        "2026-1",
        " 2026-10",
        "2026-10 ",
        "2026-10\n",
        "٢٠٢٦-١٠",
        "2026-١٠",
        "0000-01",
        "26-10",
        "2026-10-01",
        "2026/10",
        "",
        None,
        202610,
    ],
)
def test_anything_else_is_refused(text: object) -> None:
    assert not is_month(text)
    with pytest.raises(ValueError):
        Month.parse(text)


def test_a_month_value_is_checked_too() -> None:
    with pytest.raises(ValueError):
        Month(2026, 13)


def test_next_and_previous_cross_the_year() -> None:
    assert str(Month.parse("2026-12").next) == "2027-01"
    assert str(Month.parse("2027-01").previous) == "2026-12"
    assert str(Month.parse("2026-05").next) == "2026-06"
    assert str(Month.parse("2026-05").previous) == "2026-04"
    assert Month.parse("2026-05") < Month.parse("2026-10") < Month.parse("2027-01")


def test_first_and_last_day() -> None:
    assert Month.parse("2024-02").first_day == dt.date(2024, 2, 1)
    assert Month.parse("2024-02").last_day == dt.date(2024, 2, 29)
    assert Month.parse("2026-02").last_day == dt.date(2026, 2, 28)
    assert Month.parse("2026-12").last_day == dt.date(2026, 12, 31)
    assert Month.of(dt.date(2026, 10, 17)) == Month(2026, 10)
    assert str(Month.of(dt.date(1, 1, 1))) == "0001-01"


def test_the_label_is_the_month_name() -> None:
    october = Month.parse("2026-10")
    assert october.label(language="fr") == month_name("2026-10", language="fr") == "octobre 2026"
    assert october.label(language="en") == "October 2026"
    assert october.label(short=True, language="en") == month_name("2026-10", True, "en")
