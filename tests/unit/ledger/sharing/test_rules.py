"""Distribution rules as data: every refusal says what is wrong, and good rules round-trip."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance.base import i18n
from governance.language.labels import fund_label, key_label, template_label
from governance.ledger.sharing.rules import (
    BASES,
    ELIGIBILITY,
    FUNDS,
    KEYS,
    TEMPLATES,
    FundPart,
    KeyPart,
    Rule,
    RuleError,
    parse_rule,
    rule_to_data,
)

GOOD: dict[str, Any] = {
    "basis": "accrual",
    "funds": [{"fund": "reserve", "percent": "10"}, {"fund": "training", "percent": "5"}],
    "member_keys": [
        {"key": "revenue_generated", "weight": "80"},
        {"key": "equal", "weight": "20"},
    ],
    "eligible": "members_with_prestations",
}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    # The messages are checked in English, whatever the French catalogue says.
    with i18n.language("en"):
        yield


def good(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    data.update(changes)
    return data


def problems(data: object) -> list[str]:
    with pytest.raises(RuleError) as refused:
        parse_rule(data)
    assert refused.value.messages
    assert str(refused.value) == "; ".join(refused.value.messages)
    return refused.value.messages


def only_problem(data: object) -> str:
    messages = problems(data)
    assert len(messages) == 1, messages
    return messages[0]


# Accepted ---------------------------------------------------------------------------------------


def test_designs_example_is_accepted() -> None:
    assert parse_rule(GOOD) == Rule(
        basis="accrual",
        funds=(FundPart("reserve", Decimal("10")), FundPart("training", Decimal("5"))),
        member_keys=(
            KeyPart("revenue_generated", Decimal("80")),
            KeyPart("equal", Decimal("20")),
        ),
        eligible="members_with_prestations",
    )


def test_constants() -> None:
    assert BASES == ("accrual", "cash")
    assert KEYS == ("revenue_generated", "hours", "equal")
    assert FUNDS == ("reserve", "training", "solidarity")
    assert ELIGIBILITY == ("members_with_prestations", "all_active_members")


def test_no_fund_at_all_is_accepted() -> None:
    rule = parse_rule(good(funds=[]))
    assert rule.funds == ()


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("10", Decimal("10")),
        (10, Decimal("10")),
        ("12.5", Decimal("12.5")),
        ("12.50", Decimal("12.5")),
        (" 12.5 ", Decimal("12.5")),
        ("0.01", Decimal("0.01")),
        ("007", Decimal("7")),
        ("0", Decimal("0")),
        (0, Decimal("0")),
        ("-0", Decimal("0")),
        ("99.99", Decimal("99.99")),
    ],
)
def test_fund_percents_accepted(written: object, number: Decimal) -> None:
    rule = parse_rule(good(funds=[{"fund": "solidarity", "percent": written}]))
    assert rule.funds == (FundPart("solidarity", number),)
    assert str(rule.funds[0].percent) == str(number)  # normalised: "12.50" is kept as 12.5


def test_weights_with_decimals_that_sum_to_100_are_accepted() -> None:
    keys = [
        {"key": "revenue_generated", "weight": "33.33"},
        {"key": "hours", "weight": "33.33"},
        {"key": "equal", "weight": "33.34"},
    ]
    rule = parse_rule(good(member_keys=keys))
    assert sum(part.weight for part in rule.member_keys) == 100


def test_fund_percents_just_below_100_are_accepted() -> None:
    funds = [{"fund": "reserve", "percent": "50"}, {"fund": "training", "percent": "49.99"}]
    assert parse_rule(good(funds=funds)).funds[1].percent == Decimal("49.99")


# Refused: the rule's shape ----------------------------------------------------------------------


@pytest.mark.parametrize("data", [None, [], [GOOD], "accrual", 12, 1.5, True, ("basis",)])
def test_not_an_object(data: object) -> None:
    assert "must be an object" in only_problem(data)


def test_unknown_entries_are_named() -> None:
    message = only_problem(good(colour="red", percent="10"))
    assert message == "The rule has unknown entries: “colour”, “percent”."


def test_missing_entries_are_named() -> None:
    data = good()
    del data["funds"], data["eligible"]
    assert only_problem(data) == "The rule is missing: “funds”, “eligible”."


def test_an_empty_object_misses_everything() -> None:
    assert only_problem({}) == ("The rule is missing: “basis”, “funds”, “member_keys”, “eligible”.")


def test_a_long_unknown_entry_is_shortened_in_the_message() -> None:
    message = only_problem(good(**{"x" * 10_000: 1}))
    assert len(message) < 120
    assert "…" in message


def test_non_text_entry_names_are_shown_safely() -> None:
    data: dict[Any, object] = good()
    data[3] = "x"
    data[None] = "y"
    assert only_problem(data) == "The rule has unknown entries: “3”, “null”."


# Refused: basis and eligibility -----------------------------------------------------------------


def test_cash_basis_is_not_supported_yet() -> None:
    message = only_problem(good(basis="cash"))
    assert "not supported yet" in message
    assert "only “accrual” is supported" in message


@pytest.mark.parametrize("basis", ["weekly", "Accrual", "", None, 1, ["accrual"], {"a": 1}])
def test_unknown_basis(basis: object) -> None:
    assert "use “accrual”" in only_problem(good(basis=basis))


@pytest.mark.parametrize("eligible", ["everyone", "", None, 0, ["all_active_members"]])
def test_unknown_eligibility(eligible: object) -> None:
    message = only_problem(good(eligible=eligible))
    assert "Who is eligible" in message
    assert "“members_with_prestations”, “all_active_members”" in message


# Refused: funds ---------------------------------------------------------------------------------


@pytest.mark.parametrize("funds", [None, "reserve", {"fund": "reserve", "percent": "10"}, 10])
def test_funds_must_be_a_list(funds: object) -> None:
    assert only_problem(good(funds=funds)) == "The funds must be a list (it may be empty)."


def test_at_most_ten_funds() -> None:
    funds = [{"fund": "reserve", "percent": "1"}] * 11
    assert only_problem(good(funds=funds)) == "There can be at most 10 funds."


@pytest.mark.parametrize(
    "entry",
    [
        "reserve",
        None,
        ["reserve", "10"],
        {"fund": "reserve"},
        {"percent": "10"},
        {"fund": "reserve", "percent": "10", "note": "x"},
        {"name": "reserve", "percent": "10"},
    ],
)
def test_a_fund_must_have_exactly_fund_and_percent(entry: object) -> None:
    funds = [{"fund": "reserve", "percent": "10"}, entry]
    assert only_problem(good(funds=funds)) == (
        "Fund number 2 must have exactly two entries: fund and percent."
    )


@pytest.mark.parametrize("name", ["pension", "Reserve", "", None, 1, ["reserve"]])
def test_unknown_fund(name: object) -> None:
    message = only_problem(good(funds=[{"fund": name, "percent": "10"}]))
    assert message.startswith("Fund number 1: “")
    assert "is not a known fund; use “reserve”, “training”, “solidarity”." in message


def test_a_fund_may_appear_only_once() -> None:
    funds = [{"fund": "reserve", "percent": "10"}, {"fund": "reserve", "percent": "5"}]
    assert only_problem(good(funds=funds)) == "“Reserve fund” appears more than once in the funds."


@pytest.mark.parametrize(
    ("percent", "problem"),
    [
        (12.5, "must be written as text, like “12.5”."),
        (10.0, "must be written as text, like “12.5”."),
        (True, "must be written as text, like “12.5”."),
        (False, "must be written as text, like “12.5”."),
        (None, "must be written as text, like “12.5”."),
        (["10"], "must be written as text, like “12.5”."),
        ({"value": "10"}, "must be written as text, like “12.5”."),
        (Decimal("10"), "must be written as text, like “12.5”."),
        (float("nan"), "must be written as text, like “12.5”."),
        (float("inf"), "must be written as text, like “12.5”."),
        ("12,5", "has a comma: use a dot for decimals, like “12.5”."),
        ("-12,5", "has a comma: use a dot for decimals, like “12.5”."),
        ("NaN", "is not a number; write it like “12.5”."),
        ("nan", "is not a number; write it like “12.5”."),
        ("Infinity", "is not a number; write it like “12.5”."),
        ("-Infinity", "is not a number; write it like “12.5”."),
        ("1e1", "is not a number; write it like “12.5”."),
        ("", "is not a number; write it like “12.5”."),
        ("ten", "is not a number; write it like “12.5”."),
        ("10 %", "is not a number; write it like “12.5”."),
        ("+10", "is not a number; write it like “12.5”."),
        (".5", "is not a number; write it like “12.5”."),
        ("5.", "is not a number; write it like “12.5”."),
        ("1.000,5", "is not a number; write it like “12.5”."),
        ("1 0", "is not a number; write it like “12.5”."),
        ("١٠", "is not a number; write it like “12.5”."),  # Arabic-Indic digits
        ("0x10", "is not a number; write it like “12.5”."),
        pytest.param("1" * 10_000, "is not a number; write it like “12.5”.", id="huge-text"),
        ("12.345", "has more than 2 decimals."),
        ("0.001", "has more than 2 decimals."),
        ("-1", "must not be negative."),
        (-1, "must not be negative."),
        ("-0.01", "must not be negative."),
        ("100.01", "must be at most 100."),
        (101, "must be at most 100."),
        pytest.param(10**5000, "must be at most 100.", id="huge-int"),
    ],
)
def test_bad_fund_percent(percent: object, problem: str) -> None:
    message = only_problem(good(funds=[{"fund": "training", "percent": percent}]))
    assert message == f"The percentage of “Training fund” {problem}"


def test_trailing_zeros_beyond_two_decimals_are_still_two_decimals() -> None:
    rule = parse_rule(good(funds=[{"fund": "training", "percent": "12.500"}]))
    assert rule.funds[0].percent == Decimal("12.5")


def test_a_bad_percent_of_an_unknown_fund_is_reported_with_it() -> None:
    messages = problems(
        good(funds=[{"fund": "pension", "percent": "-5"}, {"fund": 7, "percent": 1.5}])
    )
    assert messages == [
        "Fund number 1: “pension” is not a known fund; use “reserve”, “training”, “solidarity”.",
        "The percentage of “pension” must not be negative.",
        "Fund number 2: “7” is not a known fund; use “reserve”, “training”, “solidarity”.",
        "The percentage of “#2” must be written as text, like “12.5”.",
    ]


@pytest.mark.parametrize(
    ("percents", "total"),
    [(["100"], "100"), (["60", "40"], "100"), (["50", "30", "25.5"], "105.5")],
)
def test_fund_percents_must_leave_something_for_members(percents: list[str], total: str) -> None:
    funds = [{"fund": name, "percent": p} for name, p in zip(FUNDS, percents, strict=False)]
    assert only_problem(good(funds=funds)) == (
        f"The fund percentages add up to {total}; they must add up to less than 100, so "
        "that something is left for the members."
    )


def test_the_fund_total_is_not_checked_when_an_entry_is_already_wrong() -> None:
    funds = [{"fund": "reserve", "percent": "100"}, {"fund": "training", "percent": "x"}]
    assert only_problem(good(funds=funds)).startswith("The percentage of “Training fund”")


# Refused: member keys ---------------------------------------------------------------------------


@pytest.mark.parametrize("keys", [[], None, "equal", {"key": "equal", "weight": "100"}])
def test_member_keys_must_be_a_non_empty_list(keys: object) -> None:
    assert only_problem(good(member_keys=keys)) == (
        "The member keys must be a list with at least one key."
    )


def test_at_most_ten_member_keys() -> None:
    keys = [{"key": "equal", "weight": "10"}] * 11
    assert only_problem(good(member_keys=keys)) == "There can be at most 10 member keys."


@pytest.mark.parametrize(
    "entry",
    [None, "equal", {"key": "equal"}, {"weight": "100"}, {"key": "equal", "weight": "100", "x": 1}],
)
def test_a_member_key_must_have_exactly_key_and_weight(entry: object) -> None:
    assert only_problem(good(member_keys=[entry])) == (
        "Member key number 1 must have exactly two entries: key and weight."
    )


@pytest.mark.parametrize("name", ["seniority", "Equal", None, 3, {"key": "equal"}])
def test_unknown_member_key(name: object) -> None:
    message = only_problem(good(member_keys=[{"key": name, "weight": "100"}]))
    assert message.startswith("Member key number 1: “")
    assert "is not a known key; use “revenue_generated”, “hours”, “equal”." in message


def test_a_member_key_may_appear_only_once() -> None:
    keys = [{"key": "equal", "weight": "50"}, {"key": "equal", "weight": "50"}]
    assert only_problem(good(member_keys=keys)) == (
        "“Equal share for each member” appears more than once in the member keys."
    )


@pytest.mark.parametrize(
    ("weight", "problem"),
    [
        (100.0, "must be written as text, like “12.5”."),
        (True, "must be written as text, like “12.5”."),
        (None, "must be written as text, like “12.5”."),
        ("100,0", "has a comma: use a dot for decimals, like “12.5”."),
        ("NaN", "is not a number; write it like “12.5”."),
        ("Infinity", "is not a number; write it like “12.5”."),
        ("1e2", "is not a number; write it like “12.5”."),
        ("99.999", "has more than 2 decimals."),
        ("-100", "must not be negative."),
        ("0", "must be more than 0."),
        (0, "must be more than 0."),
        ("0.00", "must be more than 0."),
        ("200", "must be at most 100."),
    ],
)
def test_bad_weight(weight: object, problem: str) -> None:
    message = only_problem(good(member_keys=[{"key": "hours", "weight": weight}]))
    assert message == f"The weight of “Hours worked” {problem}"


@pytest.mark.parametrize(
    ("weights", "total"), [(["80", "10"], "90"), (["80", "20.5"], "100.5"), (["50"], "50")]
)
def test_weights_must_sum_to_exactly_100(weights: list[str], total: str) -> None:
    keys = [{"key": k, "weight": w} for k, w in zip(KEYS, weights, strict=False)]
    assert only_problem(good(member_keys=keys)) == (
        f"The weights of the member keys add up to {total}; they must add up to 100."
    )


def test_the_brief_s_example_message() -> None:
    keys = [{"key": "revenue_generated", "weight": "70"}, {"key": "equal", "weight": 20}]
    assert only_problem(good(member_keys=keys)) == (
        "The weights of the member keys add up to 90; they must add up to 100."
    )


# Several problems at once -----------------------------------------------------------------------


def test_every_problem_is_reported_together_in_reading_order() -> None:
    data = {
        "basis": "cash",
        "funds": [{"fund": "reserve", "percent": "12,5"}, {"fund": "pension", "percent": "1"}],
        "member_keys": [{"key": "equal", "weight": "90"}],
        "eligible": "everyone",
        "colour": "red",
    }
    messages = problems(data)
    assert len(messages) == 6
    assert messages[0] == "The rule has unknown entries: “colour”."
    assert "not supported yet" in messages[1]
    assert messages[2].startswith("The percentage of “Reserve fund” has a comma")
    assert messages[3].startswith("Fund number 2: “pension”")
    assert messages[4] == "The weights of the member keys add up to 90; they must add up to 100."
    assert messages[5].startswith("Who is eligible, “everyone”")


def test_weights_and_funds_totals_are_both_reported() -> None:
    data = good(
        funds=[{"fund": "reserve", "percent": "100"}],
        member_keys=[{"key": "equal", "weight": "90"}],
    )
    assert problems(data) == [
        "The fund percentages add up to 100; they must add up to less than 100, so that "
        "something is left for the members.",
        "The weights of the member keys add up to 90; they must add up to 100.",
    ]


# Round trip, templates, labels ------------------------------------------------------------------


def test_rule_to_data_gives_designs_json_form() -> None:
    assert rule_to_data(parse_rule(GOOD)) == GOOD


def test_numbers_are_given_back_normalised() -> None:
    data = good(
        funds=[{"fund": "reserve", "percent": "10.50"}, {"fund": "solidarity", "percent": 3}],
        member_keys=[{"key": "hours", "weight": "99.990"}, {"key": "equal", "weight": "0.01"}],
    )
    back = rule_to_data(parse_rule(data))
    assert back["funds"] == [
        {"fund": "reserve", "percent": "10.5"},
        {"fund": "solidarity", "percent": "3"},
    ]
    assert back["member_keys"] == [
        {"key": "hours", "weight": "99.99"},
        {"key": "equal", "weight": "0.01"},
    ]


@st.composite
def valid_rules(draw: st.DrawFn) -> Rule:
    hundredths = st.integers(min_value=0, max_value=10_000)
    funds = draw(st.lists(st.sampled_from(FUNDS), unique=True))
    fund_cents = [
        draw(st.integers(min_value=0, max_value=9_999 // max(len(funds), 1))) for _ in funds
    ]
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, unique=True))
    cuts = sorted(
        draw(
            st.lists(
                hundredths.filter(lambda c: 0 < c < 10_000),
                min_size=len(keys) - 1,
                max_size=len(keys) - 1,
                unique=True,
            )
        )
    )
    bounds = [0, *cuts, 10_000]
    weights = [b - a for a, b in itertools.pairwise(bounds)]
    return Rule(
        basis="accrual",
        funds=tuple(FundPart(f, Decimal(c) / 100) for f, c in zip(funds, fund_cents, strict=True)),
        member_keys=tuple(KeyPart(k, Decimal(w) / 100) for k, w in zip(keys, weights, strict=True)),
        eligible=draw(st.sampled_from(ELIGIBILITY)),
    )


@settings(max_examples=120, deadline=None)
@given(valid_rules())
def test_round_trip(rule: Rule) -> None:
    data = rule_to_data(rule)
    assert parse_rule(data) == rule
    assert rule_to_data(parse_rule(data)) == data
    for part in data["funds"]:  # type: ignore[attr-defined]
        assert "E" not in part["percent"]
        assert not part["percent"].endswith(".0")


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_templates_are_valid_rules(name: str) -> None:
    template = TEMPLATES[name]
    assert parse_rule(rule_to_data(template)) == template
    assert template_label(name)


def test_the_templates() -> None:
    assert set(TEMPLATES) == {"pro_rata", "equal", "mixed_80_20"}
    assert rule_to_data(TEMPLATES["mixed_80_20"]) == GOOD
    assert rule_to_data(TEMPLATES["pro_rata"]) == {
        "basis": "accrual",
        "funds": [{"fund": "reserve", "percent": "10"}],
        "member_keys": [{"key": "revenue_generated", "weight": "100"}],
        "eligible": "members_with_prestations",
    }
    assert rule_to_data(TEMPLATES["equal"]) == {
        "basis": "accrual",
        "funds": [{"fund": "reserve", "percent": "10"}],
        "member_keys": [{"key": "equal", "weight": "100"}],
        "eligible": "all_active_members",
    }


def test_labels() -> None:
    assert template_label("pro_rata") == "Pro rata of revenue"
    assert template_label("equal") == "Equal shares"
    assert template_label("mixed_80_20") == "Mixed 80/20"
    assert [key_label(key) for key in KEYS] == [
        "Revenue generated",
        "Hours worked",
        "Equal share for each member",
    ]
    assert [fund_label(fund) for fund in FUNDS] == [
        "Reserve fund",
        "Training fund",
        "Solidarity fund",
    ]
    with pytest.raises(KeyError):
        template_label("nope")


# Hostile input ----------------------------------------------------------------------------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(
        [*BASES, *KEYS, *FUNDS, *ELIGIBILITY, "fund", "percent", "key", "weight", "10", "12,5"]
    )
)
_json = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(["fund", "percent", "key", "weight", "basis"]) | st.text(max_size=8),
            children,
            max_size=5,
        )
    ),
    max_leaves=10,
)
_fund_entries = st.fixed_dictionaries({"fund": _json, "percent": _json}) | _json
_key_entries = st.fixed_dictionaries({"key": _json, "weight": _json}) | _json
_near_rules = st.fixed_dictionaries(
    {},
    optional={
        "basis": st.sampled_from(BASES) | _json,
        "funds": st.lists(_fund_entries, max_size=4) | _json,
        "member_keys": st.lists(_key_entries, max_size=4) | _json,
        "eligible": st.sampled_from(ELIGIBILITY) | _json,
        "extra": _json,
    },
)


def _parse_or_refuse(data: object) -> None:
    try:
        rule = parse_rule(data)
    except RuleError as refused:
        assert refused.messages
        assert all(isinstance(message, str) and message for message in refused.messages)
    else:
        assert parse_rule(rule_to_data(rule)) == rule


@settings(max_examples=120, deadline=None)
@given(_json)
def test_arbitrary_json_values_only_ever_give_a_rule_error(data: object) -> None:
    _parse_or_refuse(data)


@settings(max_examples=120, deadline=None)
@given(_near_rules)
def test_almost_rules_only_ever_give_a_rule_error(data: object) -> None:
    _parse_or_refuse(data)


@pytest.mark.parametrize(
    "data",
    [
        good(funds=[{"fund": "reserve", "percent": "1"}] * 10_000),
        good(member_keys=[{"key": "equal", "weight": "1"}] * 10_000),
        good(funds=list(range(10_000))),
        good(basis="a" * 1_000_000),
        good(eligible=["x"] * 10_000),
        good(funds=[{"fund": "é" * 1_000_000, "percent": "9" * 1_000_000}]),
        good(member_keys=[{"key": {"deep": [[[[[]]]]]}, "weight": [{}]}]),
    ],
    ids=["many-funds", "many-keys", "list-of-ints", "huge-basis", "long-list", "huge-text", "deep"],
)
def test_hostile_input_gives_a_rule_error(data: object) -> None:
    messages = problems(data)
    assert all(len(message) < 300 for message in messages)


def test_deeply_nested_input_gives_a_rule_error() -> None:
    nested: list[object] = []
    for _ in range(100_000):
        nested = [nested]
    assert problems(good(funds=[nested], member_keys=nested, basis=nested, eligible=nested))
