"""The review window rule, pure: the setting read within its bounds, when a month may close,
when the reminder is due, the time left in words."""

from __future__ import annotations

import datetime as dt

import pytest

from governance.base.i18n import language
from governance.ledger.closing.review_window import (
    can_close,
    duration_text,
    reminder_due,
    review_ends_at,
    review_hours,
)

START = dt.datetime(2026, 11, 5, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("settings", "hours"),
    [
        ({}, 72),
        ({"review_min_hours": 48}, 48),
        ({"review_min_hours": "96"}, 96),
        ({"review_min_hours": 1}, 24),
        ({"review_min_hours": 10_000}, 720),
        ({"review_min_hours": True}, 72),
        ({"review_min_hours": 36.5}, 72),
        ({"review_min_hours": "-5"}, 72),
        ({"review_min_hours": "٤٨"}, 72),
        ({"review_min_hours": None}, 72),
    ],
)
def test_the_setting_is_a_whole_number_of_hours_within_bounds(settings: dict, hours: int) -> None:
    assert review_hours(settings) == hours


def test_the_month_may_close_after_the_minimum_or_once_everyone_has_read() -> None:
    ends = review_ends_at(START, {})
    assert ends == START + dt.timedelta(hours=72)
    just_before = START + dt.timedelta(hours=71, minutes=59)
    assert not can_close(START, {}, just_before, members=2, read=1)
    assert can_close(START, {}, just_before, members=2, read=2)
    assert can_close(START, {}, START, members=0, read=0)  # nobody to wait for
    assert can_close(START, {}, START + dt.timedelta(hours=72), members=2, read=0)
    assert can_close(None, {}, START, members=2, read=0)  # begun before the rule


def test_the_reminder_is_due_once_within_the_last_day() -> None:
    settings = {"review_min_hours": 72}
    assert not reminder_due(START, None, settings, START + dt.timedelta(hours=47, minutes=59))
    assert reminder_due(START, None, settings, START + dt.timedelta(hours=48))
    assert reminder_due(START, None, settings, START + dt.timedelta(hours=71))
    assert not reminder_due(START, None, settings, START + dt.timedelta(hours=72))
    sent = START + dt.timedelta(hours=50)
    assert not reminder_due(START, sent, settings, START + dt.timedelta(hours=60))
    assert not reminder_due(None, None, settings, START)


def test_the_time_left_in_words() -> None:
    with language("en"):
        assert duration_text(dt.timedelta(minutes=59)) == "less than an hour"
        assert duration_text(dt.timedelta(hours=1, minutes=30)) == "1 hour"
        assert duration_text(dt.timedelta(hours=24)) == "1 day"
        assert duration_text(dt.timedelta(hours=53)) == "2 days and 5 hours"
