"""The minimums' pure rules: each proposal's category, settings read back safely, the form."""

from __future__ import annotations

from fractions import Fraction

import pytest

from governance.base.errors import Invalid
from governance.input.forms import Form
from governance.votes.counting.minimums import (
    DEFAULTS,
    Minimum,
    category_of,
    minimums_from,
    parse_minimums,
    raised_quorum,
)


@pytest.mark.parametrize(
    ("kind", "effect", "category"),
    [
        ("distribution_rule", {"rule": {}, "start_month": "2027-01"}, "money"),
        ("fund_spending", {"fund": "training", "amount_cents": 5000}, "money"),
        ("membership", {"action": "admit", "person_id": 3}, "membership"),
        ("membership", {"action": "end", "person_id": 3}, "membership"),
        ("mandate", {"action": "recall", "person_id": 3}, "membership"),
        ("decision", {"voting_rules": {"proxy_limit": 1}}, "rules"),
        ("decision", {}, "none"),
    ],
)
def test_each_kind_of_effect_has_its_category(
    kind: str, effect: dict[str, object], category: str
) -> None:
    assert category_of(kind, effect) == category


def test_settings_missing_or_malformed_give_the_safe_defaults() -> None:
    assert minimums_from(None).money == DEFAULTS["money"] == Minimum(50, 7)
    read = minimums_from(
        {
            "money": {"quorum_percent": 150, "days": True},
            "membership": "half",
            "none": {"quorum_percent": 10, "days": 2},
        }
    )
    assert read.money == Minimum(50, 7) and read.membership == Minimum(50, 7)
    assert read.none == Minimum(10, 2)


def test_rules_read_back_are_never_weaker_than_money_and_membership() -> None:
    read = minimums_from(
        {
            "money": {"quorum_percent": 60, "days": 3},
            "membership": {"quorum_percent": 40, "days": 14},
            "rules": {"quorum_percent": 0, "days": 0},
        }
    )
    assert read.rules == Minimum(60, 14)


def _form(**values: str) -> dict[str, str]:
    data = {}
    for category in ("money", "membership", "rules", "none"):
        data[f"min_{category}_quorum"] = "50"
        data[f"min_{category}_days"] = "7"
    return {**data, **values}


def test_the_form_is_bounded_and_keeps_the_rules_strictest() -> None:
    form = Form(_form(min_none_quorum="0", min_none_days="0"))
    parsed = parse_minimums(form)
    form.done()
    assert parsed.none == Minimum(0, 0) and parsed.money == Minimum(50, 7)
    for bad, field in (
        ({"min_money_quorum": "101"}, "min_money_quorum"),
        ({"min_money_days": "61"}, "min_money_days"),
        ({"min_membership_days": "-1"}, "min_membership_days"),
        ({"min_money_quorum": "60"}, "min_rules_quorum"),
        ({"min_membership_days": "8"}, "min_rules_days"),
    ):
        form = Form(_form(**bad))
        parse_minimums(form)
        with pytest.raises(Invalid) as refused:
            form.done()
        assert list(refused.value.fields) == [field], bad


def test_a_quorum_is_raised_to_the_minimum_and_never_lowered() -> None:
    half = Minimum(50, 7)
    assert raised_quorum("0", half, Fraction(0)) == "1/2"
    assert raised_quorum("1/4", half, Fraction(1, 4)) == "1/2"
    assert raised_quorum("2/3", half, Fraction(2, 3)) == "2/3"
    assert raised_quorum("1/3", Minimum(60, 7), Fraction(1, 3)) == "3/5"
    assert raised_quorum("1/3", Minimum(0, 0), Fraction(1, 3)) == "1/3"
