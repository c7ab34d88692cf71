"""Work counted in days: a day kind's days become a duration and a fixed amount."""

from __future__ import annotations

import pytest

from governance.base.errors import Invalid
from governance.ledger.work.day_work import Day, day_kinds, expand
from governance.ledger.work.prestation_input import parse_input

SETTINGS = {
    "prestation_kinds": ["project_day", "fixed_price"],
    "day_kinds": {"project_day": {"minutes": 480, "rate_cents": 56000}},
}
FORM = {"client_id": "1", "date": "2026-11-03", "kind": "project_day"}


def test_one_day_when_left_empty() -> None:
    data = expand(FORM, SETTINGS, "fr")
    assert data["duration_minutes"] == "480" and data["fixed_amount"] == "560.00"
    clean = parse_input(data, actor_person_id=7, language="fr", kinds=SETTINGS["prestation_kinds"])
    assert (clean.duration_minutes, clean.amount_cents, clean.rate_cents) == (480, 56000, None)


@pytest.mark.parametrize(
    ("typed", "minutes", "cents"),
    [("0,5", 240, 28000), ("0.5", 240, 28000), ("1,25", 600, 70000), ("0,33", 158, 18480)],
)
def test_fractions_of_a_day(typed: str, minutes: int, cents: int) -> None:
    data = expand({**FORM, "days": typed}, SETTINGS, "fr")
    assert (data["duration_minutes"], data["fixed_amount"]) == (str(minutes), f"{cents / 100:.2f}")


@pytest.mark.parametrize("typed", ["0", "-1", "abc", "1,234", "4"])
def test_bad_days_refused(typed: str) -> None:
    with pytest.raises(Invalid) as caught:
        expand({**FORM, "days": typed}, SETTINGS, "fr")
    assert "days" in caught.value.fields


def test_other_kinds_and_given_amounts_untouched() -> None:
    other = {**FORM, "kind": "fixed_price", "fixed_amount": "1200"}
    assert expand(other, SETTINGS, "fr") is other
    hours = {**FORM, "duration_minutes": "90", "rate": "70"}
    assert expand(hours, SETTINGS, "fr") is hours
    assert expand(FORM, {}, "fr") is FORM


def test_bad_settings_ignored() -> None:
    settings = {
        "day_kinds": {
            "a": {"minutes": 0, "rate_cents": 100},
            "b": {"minutes": 60, "rate_cents": True},
            "c": "x",
            "d": {"minutes": 60, "rate_cents": 100},
        }
    }
    assert day_kinds(settings) == {"d": Day(60, 100)}
    assert day_kinds({"day_kinds": []}) == {}
