"""The days work may be dated (governance/ledger/work/work_dates.py), and the CSV import's use of
it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.base.i18n import language
from governance.ledger.work.work_dates import window_of
from tests.imports_support import check

TODAY = dt.date(2026, 12, 7)


def test_the_default_window_is_a_year_back_and_a_month_ahead() -> None:
    window = window_of({}, TODAY)
    assert (window.earliest, window.latest) == (dt.date(2025, 12, 7), dt.date(2027, 1, 7))


def test_the_message_names_the_first_day_accepted_and_the_setting() -> None:
    with language("en"):
        message = window_of({}, TODAY).problem(dt.date(1, 1, 1))
    assert message == (
        "Dates before 07/12/2025 are not accepted (the cooperative accepts work up to "
        "365 days old)."
    )


def test_the_limits_themselves_are_accepted() -> None:
    window = window_of({"prestation_max_age_days": 30, "max_days_ahead": 0}, TODAY)
    assert window.problem(dt.date(2026, 11, 7)) is None
    assert window.problem(TODAY) is None
    assert window.problem(dt.date(2026, 11, 6)) is not None
    assert window.problem(dt.date(2026, 12, 8)) is not None


@pytest.mark.parametrize(
    ("value", "days"),
    [("90", 90), (90, 90), ("ninety", 365), (True, 365), (None, 365), (0, 1), (10**9, 3660)],
)
def test_a_setting_that_is_not_a_sensible_number_falls_back(value: object, days: int) -> None:
    assert window_of({"prestation_max_age_days": value}, TODAY).max_age_days == days


@given(st.dates(), st.dates())
def test_any_day_and_any_today_give_an_answer_never_an_error(day: dt.date, today: dt.date) -> None:
    window = window_of({}, today)
    inside = window.problem(day) is None
    assert inside == (window.earliest <= day <= window.latest)


def test_a_csv_row_dated_year_one_is_refused_with_the_limit() -> None:
    with language("en"):
        (result,) = check("01/01/0001;amina@coop.example;CHU de Liège;60;;;;phone;;")
    assert result.clean is None
    assert [error.message for error in result.errors] == [
        "Dates before 27/11/2025 are not accepted (the cooperative accepts work up to "
        "365 days old)."
    ]


def test_a_csv_row_follows_a_shorter_setting() -> None:
    with language("en"):
        row = "01/11/2026;amina@coop.example;CHU de Liège;60;;;;phone;;"
        (result,) = check(row, max_age_days=7)
    assert "up to 7 days old" in result.errors[0].message
