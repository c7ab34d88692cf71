"""The month's distribution: DESIGN's golden example to the cent, and the properties it keeps."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance.base import i18n
from governance.ledger.sharing.distribution import (
    Distribution,
    KeyQuota,
    MemberFigures,
    PeriodFigures,
    Share,
    distribute,
)
from governance.ledger.sharing.rules import (
    ELIGIBILITY,
    FUNDS,
    KEYS,
    TEMPLATES,
    FundPart,
    KeyPart,
    Rule,
    parse_rule,
)

AMINA, BASHIR, CHLOE = 1, 2, 3
MIXED = TEMPLATES["mixed_80_20"]
PRO_RATA = TEMPLATES["pro_rata"]
EQUAL = TEMPLATES["equal"]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with i18n.language("en"):
        yield


def member(
    member_id: int,
    revenue: int = 0,
    minutes: int = 0,
    prestations: int = 1,
    active: bool = True,
) -> MemberFigures:
    return MemberFigures(member_id, revenue, minutes, prestations, active)


def rule(
    keys: dict[str, str],
    funds: dict[str, str] | None = None,
    eligible: str = "members_with_prestations",
) -> Rule:
    return parse_rule(
        {
            "basis": "accrual",
            "funds": [{"fund": f, "percent": p} for f, p in (funds or {}).items()],
            "member_keys": [{"key": k, "weight": w} for k, w in keys.items()],
            "eligible": eligible,
        }
    )


def by_recipient(result: Distribution) -> dict[str | int, int]:
    shown: dict[str | int, int] = {}
    for share in result.shares:
        recipient = share.fund if share.fund is not None else share.member_id
        assert recipient is not None
        shown[recipient] = share.cents
    return shown


def member_share(result: Distribution, member_id: int) -> Share:
    return next(share for share in result.shares if share.member_id == member_id)


def fund_share(result: Distribution, fund: str) -> Share:
    return next(share for share in result.shares if share.fund == fund)


# DESIGN's golden example ------------------------------------------------------------------------

OCTOBER_2026 = PeriodFigures(
    income_cents=80_000 + 40_000 + 6_001,
    expense_cents=10_000,
    members=(
        member(AMINA, revenue=80_000, prestations=8),
        member(BASHIR, revenue=40_000, prestations=4),
        member(CHLOE, revenue=6_001, prestations=1),
    ),
)


def test_designs_golden_example_to_the_cent() -> None:
    result = distribute(OCTOBER_2026, MIXED)
    assert result.distributable == 116_001
    assert by_recipient(result) == {
        "reserve": 11_600,
        "training": 5_800,
        AMINA: 56_656,
        BASHIR: 31_615,
        CHLOE: 10_330,
    }
    assert sum(share.cents for share in result.shares) == 116_001
    assert result.loss == 0
    assert result.notes == ()
    # Funds in rule order, then members by id.
    assert [(s.fund, s.member_id) for s in result.shares] == [
        ("reserve", None),
        ("training", None),
        (None, AMINA),
        (None, BASHIR),
        (None, CHLOE),
    ]


def test_golden_example_explained() -> None:
    result = distribute(OCTOBER_2026, MIXED)
    assert result.pool == Fraction(116_001 * 85, 100)
    reserve = fund_share(result, "reserve")
    assert reserve.quota == Fraction(116_001, 10)
    assert (reserve.rounding, reserve.keys) == (0, ())
    amina = member_share(result, AMINA)
    pool = result.pool
    assert amina.keys == (
        KeyQuota(
            "revenue_generated", Decimal(80), 80_000, 126_001, pool * 80 / 100 * 80_000 / 126_001
        ),
        KeyQuota("equal", Decimal(20), 1, 3, pool * 20 / 100 / 3),
    )
    assert amina.quota == sum(key.quota for key in amina.keys)
    assert [member_share(result, m).rounding for m in (AMINA, BASHIR, CHLOE)] == [1, 1, 0]


def test_golden_example_in_any_member_order() -> None:
    shuffled = PeriodFigures(
        OCTOBER_2026.income_cents, OCTOBER_2026.expense_cents, OCTOBER_2026.members[::-1]
    )
    assert distribute(shuffled, MIXED) == distribute(OCTOBER_2026, MIXED)


# Losses and nothing to share --------------------------------------------------------------------


def test_a_loss_is_charged_to_the_reserve_and_nobody_is_paid() -> None:
    figures = PeriodFigures(5_000, 12_345, OCTOBER_2026.members)
    result = distribute(figures, MIXED)
    assert result.distributable == -7_345
    assert result.loss == 7_345
    assert result.pool == 0
    assert by_recipient(result) == {
        "reserve": -7_345,
        "training": 0,
        AMINA: 0,
        BASHIR: 0,
        CHLOE: 0,
    }
    assert fund_share(result, "reserve").quota == -7_345
    assert all(share.rounding == 0 for share in result.shares)
    # The members' figures are still shown, with nothing to share.
    amina = member_share(result, AMINA)
    assert [(k.key, k.value, k.total, k.quota) for k in amina.keys] == [
        ("revenue_generated", 80_000, 126_001, 0),
        ("equal", 1, 3, 0),
    ]
    assert len(result.notes) == 1
    assert "loss of" in result.notes[0]
    assert "charged to the reserve fund" in result.notes[0]


def test_nothing_to_share_when_income_equals_expenses() -> None:
    result = distribute(PeriodFigures(10_000, 10_000, OCTOBER_2026.members), MIXED)
    assert result.distributable == 0
    assert result.loss == 0
    assert all(share.cents == 0 for share in result.shares)
    assert result.notes == ("There is nothing to share this month: income equals expenses.",)


def test_a_loss_goes_to_the_reserve_even_when_the_rule_has_no_reserve() -> None:
    no_reserve = rule({"equal": "100"}, funds={"solidarity": "3"})
    result = distribute(PeriodFigures(0, 500, (member(7), member(4))), no_reserve)
    assert [(s.fund, s.member_id, s.cents) for s in result.shares] == [
        ("solidarity", None, 0),
        ("reserve", None, -500),
        (None, 4, 0),
        (None, 7, 0),
    ]


# Keys, eligibility, dropping --------------------------------------------------------------------


def test_negative_revenue_counts_as_zero() -> None:
    figures = PeriodFigures(
        10_000, 0, (member(1, revenue=-3_000), member(2, revenue=6_000), member(3, revenue=4_000))
    )
    result = distribute(figures, PRO_RATA)
    assert member_share(result, 1).cents == 0
    assert member_share(result, 1).keys[0].value == 0
    assert member_share(result, 2).keys[0].total == 10_000
    assert by_recipient(result) == {"reserve": 1_000, 1: 0, 2: 5_400, 3: 3_600}


def test_hours_are_counted_in_minutes_and_negative_minutes_as_zero() -> None:
    figures = PeriodFigures(
        9_000, 0, (member(1, minutes=90), member(2, minutes=180), member(3, minutes=-60))
    )
    result = distribute(figures, rule({"hours": "100"}))
    assert by_recipient(result) == {1: 3_000, 2: 6_000, 3: 0}


def test_members_without_prestations_are_not_eligible_under_members_with_prestations() -> None:
    figures = PeriodFigures(
        10_000,
        0,
        (member(1, prestations=2), member(2, prestations=0, revenue=5_000, minutes=600)),
    )
    result = distribute(figures, rule({"equal": "50", "hours": "50"}))
    idle = member_share(result, 2)
    assert idle.cents == 0
    assert idle.quota == 0
    assert [(k.value, k.quota) for k in idle.keys] == [(0, 0), (0, 0)]
    assert member_share(result, 1).cents == 10_000


def test_all_active_members_includes_the_active_and_whoever_worked() -> None:
    figures = PeriodFigures(
        9_000,
        0,
        (
            member(1, prestations=0, active=True),
            member(2, prestations=3, active=False),  # left mid-month, but worked
            member(3, prestations=0, active=False),
        ),
    )
    result = distribute(figures, rule({"equal": "100"}, eligible="all_active_members"))
    assert by_recipient(result) == {1: 4_500, 2: 4_500, 3: 0}


def test_a_key_nobody_has_is_dropped_and_its_weight_shared_in_proportion() -> None:
    keys = {"revenue_generated": "60", "hours": "25", "equal": "15"}
    figures = PeriodFigures(
        100_000, 0, (member(1, revenue=30_000), member(2, revenue=10_000))
    )  # nobody recorded minutes
    result = distribute(figures, rule(keys))
    # Hours' 25 go to revenue and equal as 60:15, i.e. 80 % and 20 % of the pool.
    one = member_share(result, 1)
    assert [k.quota for k in one.keys] == [Fraction(80_000 * 3, 4), 0, Fraction(20_000, 2)]
    assert one.keys[1] == KeyQuota("hours", Decimal(25), 0, 0, Fraction(0))
    assert by_recipient(result) == {1: 70_000, 2: 30_000}
    assert result.notes == (
        "The key “Hours worked” is zero for every eligible member this month; its weight of 25 "
        "was shared among the other keys in proportion to their weights.",
    )


def test_without_eligible_members_the_pool_goes_to_the_reserve() -> None:
    figures = PeriodFigures(10_001, 0, (member(1, prestations=0), member(2, prestations=0)))
    result = distribute(figures, MIXED)
    assert by_recipient(result) == {"reserve": 9_501, "training": 500, 1: 0, 2: 0}
    assert fund_share(result, "reserve").quota == Fraction(10_001) - Fraction(10_001, 20)
    assert result.pool == Fraction(10_001 * 85, 100)
    assert result.notes == (
        "No member is eligible this month, so the members' pool goes to the reserve fund.",
    )


def test_without_eligible_members_and_without_a_reserve_in_the_rule() -> None:
    figures = PeriodFigures(1_000, 0, ())
    result = distribute(figures, rule({"equal": "100"}, funds={"training": "5"}))
    assert [(s.fund, s.member_id, s.cents) for s in result.shares] == [
        ("training", None, 50),
        ("reserve", None, 950),
    ]


def test_when_every_key_is_zero_the_pool_goes_to_the_reserve() -> None:
    figures = PeriodFigures(1_000, 0, (member(1, revenue=0), member(2, revenue=-50)))
    result = distribute(figures, PRO_RATA)
    assert by_recipient(result) == {"reserve": 1_000, 1: 0, 2: 0}
    assert result.notes == (
        "Every member key is zero for all eligible members this month, so the members' pool "
        "goes to the reserve fund.",
    )


# Rounding ---------------------------------------------------------------------------------------


def test_ties_go_to_funds_first_then_the_lowest_member_id() -> None:
    # D = 1 cent; reserve 50 % and one member: both quotas are 1/2, the fund comes first.
    half = rule({"equal": "100"}, funds={"reserve": "50"})
    assert by_recipient(distribute(PeriodFigures(1, 0, (member(5),)), half)) == {
        "reserve": 1,
        5: 0,
    }
    # Two members, 1 cent: the lower id gets it, whatever the order given.
    figures = PeriodFigures(1, 0, (member(9), member(3)))
    assert by_recipient(distribute(figures, EQUAL)) == {"reserve": 0, 3: 1, 9: 0}


def test_a_repeated_member_id_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="twice"):
        distribute(PeriodFigures(100, 0, (member(1), member(2), member(1))), EQUAL)


def test_a_thousand_members_with_three_keys_and_three_funds() -> None:
    members = tuple(
        member(i, revenue=(i * 7_919) % 100_003, minutes=(i * 31) % 600, prestations=i % 5)
        for i in range(1, 1_001)
    )
    three_keys = rule(
        {"revenue_generated": "33.33", "hours": "33.33", "equal": "33.34"},
        funds={"reserve": "10.25", "training": "5", "solidarity": "1.5"},
        eligible="all_active_members",
    )
    result = distribute(PeriodFigures(987_654_321, 1_234_567, members), three_keys)
    assert sum(share.cents for share in result.shares) == 987_654_321 - 1_234_567
    assert len(result.shares) == 1_003


# Properties -------------------------------------------------------------------------------------


@st.composite
def rules(draw: st.DrawFn, keys: tuple[str, ...] = KEYS) -> Rule:
    funds = draw(st.lists(st.sampled_from(FUNDS), unique=True))
    limit = 9_999 // max(len(funds), 1)
    fund_cents = [draw(st.integers(min_value=0, max_value=limit)) for _ in funds]
    chosen = draw(st.lists(st.sampled_from(keys), min_size=1, unique=True))
    cuts = draw(
        st.lists(
            st.integers(min_value=1, max_value=9_999),
            min_size=len(chosen) - 1,
            max_size=len(chosen) - 1,
            unique=True,
        )
    )
    bounds = [0, *sorted(cuts), 10_000]
    weights = [b - a for a, b in itertools.pairwise(bounds)]
    return Rule(
        basis="accrual",
        funds=tuple(FundPart(f, Decimal(c) / 100) for f, c in zip(funds, fund_cents, strict=True)),
        member_keys=tuple(
            KeyPart(k, Decimal(w) / 100) for k, w in zip(chosen, weights, strict=True)
        ),
        eligible=draw(st.sampled_from(ELIGIBILITY)),
    )


_members = st.lists(
    st.builds(
        MemberFigures,
        member_id=st.integers(min_value=1, max_value=10_000),
        revenue_cents=st.integers(min_value=-50_000, max_value=1_000_000),
        minutes=st.integers(min_value=-120, max_value=20_000),
        prestations=st.integers(min_value=0, max_value=30),
        active=st.booleans(),
    ),
    max_size=12,
    unique_by=lambda figures: figures.member_id,
).map(tuple)


@st.composite
def periods(
    draw: st.DrawFn, min_distributable: int = -100_000, max_distributable: int = 2_000_000
) -> PeriodFigures:
    members = draw(_members)
    expense = draw(st.integers(min_value=0, max_value=500_000))
    distributable = draw(st.integers(min_value=min_distributable, max_value=max_distributable))
    return PeriodFigures(expense + distributable, expense, members)


def _eligible(figures: MemberFigures, eligible: str) -> bool:
    if eligible == "members_with_prestations":
        return figures.prestations > 0
    return figures.active or figures.prestations > 0


@settings(max_examples=80, deadline=None)
@given(periods(), rules())
def test_shares_add_up_to_the_distributable_amount(figures: PeriodFigures, rule: Rule) -> None:
    result = distribute(figures, rule)
    assert result.distributable == figures.income_cents - figures.expense_cents
    assert sum(share.cents for share in result.shares) == result.distributable
    assert sum(share.quota for share in result.shares) == result.distributable


@settings(max_examples=80, deadline=None)
@given(periods(), rules())
def test_each_share_is_its_quota_rounded_down_or_up(figures: PeriodFigures, rule: Rule) -> None:
    result = distribute(figures, rule)
    for share in result.shares:
        assert share.cents in (math.floor(share.quota), math.ceil(share.quota))
        assert share.rounding == share.cents - math.floor(share.quota)
        assert share.rounding in (0, 1)


@settings(max_examples=60, deadline=None)
@given(periods(), rules(), st.randoms(use_true_random=False))
def test_the_order_of_the_members_changes_nothing(
    figures: PeriodFigures, rule: Rule, random: object
) -> None:
    shuffled = list(figures.members)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    again = PeriodFigures(figures.income_cents, figures.expense_cents, tuple(shuffled))
    assert distribute(again, rule) == distribute(figures, rule)


@settings(max_examples=80, deadline=None)
@given(periods(), rules())
def test_the_explanation_adds_up(figures: PeriodFigures, rule: Rule) -> None:
    result = distribute(figures, rule)
    funds = [share for share in result.shares if share.member_id is None]
    members = [share for share in result.shares if share.member_id is not None]
    assert [share.fund for share in funds][: len(rule.funds)] == [p.fund for p in rule.funds]
    assert all(share.fund is not None and share.keys == () for share in funds)
    assert [share.member_id for share in members] == sorted(m.member_id for m in figures.members)
    for share in members:
        assert share.fund is None
        assert [key.key for key in share.keys] == [part.key for part in rule.member_keys]
        assert [key.weight for key in share.keys] == [part.weight for part in rule.member_keys]
        assert sum((key.quota for key in share.keys), Fraction(0)) == share.quota
    if result.distributable > 0:
        fund_total = sum(share.quota for share in funds[: len(rule.funds)])
        percents = sum((part.percent for part in rule.funds), Decimal(0))
        assert fund_total + result.pool >= result.distributable
        assert result.pool == result.distributable * (1 - Fraction(percents) / 100)


@settings(max_examples=80, deadline=None)
@given(periods(), rules())
def test_a_member_with_nothing_on_every_key_gets_nothing(
    figures: PeriodFigures, rule: Rule
) -> None:
    result = distribute(figures, rule)
    for figures_of_one in figures.members:
        share = member_share(result, figures_of_one.member_id)
        if not _eligible(figures_of_one, rule.eligible):
            assert share.cents == 0
            assert share.quota == 0
            assert all(key.value == 0 and key.quota == 0 for key in share.keys)
        if all(key.value == 0 for key in share.keys):
            assert share.cents == 0


@settings(max_examples=80, deadline=None)
@given(periods(min_distributable=1), rules(keys=("revenue_generated",)))
def test_more_revenue_never_means_a_smaller_share(figures: PeriodFigures, rule: Rule) -> None:
    result = distribute(figures, rule)
    eligible = [m for m in figures.members if _eligible(m, rule.eligible)]
    ranked = sorted(eligible, key=lambda m: max(m.revenue_cents, 0))
    cents = [member_share(result, m.member_id).cents for m in ranked]
    for lower, higher, a, b in zip(ranked, ranked[1:], cents, cents[1:], strict=False):
        if max(higher.revenue_cents, 0) > max(lower.revenue_cents, 0):
            assert b >= a


@settings(max_examples=60, deadline=None)
@given(periods(max_distributable=0), rules())
def test_no_profit_pays_nobody_and_charges_the_reserve(figures: PeriodFigures, rule: Rule) -> None:
    result = distribute(figures, rule)
    d = figures.income_cents - figures.expense_cents
    assert d <= 0
    assert result.distributable == d
    assert result.loss == -d
    assert fund_share(result, "reserve").cents == d
    assert all(share.cents == 0 for share in result.shares if share.fund != "reserve")
    assert all(share.cents == 0 for share in result.shares if share.member_id is not None)
    assert result.pool == 0
    assert len(result.notes) == 1


@settings(max_examples=60, deadline=None)
@given(periods(min_distributable=1), rules())
def test_dropped_keys_and_the_reserve_fallback(figures: PeriodFigures, rule: Rule) -> None:
    result = distribute(figures, rule)
    members = [share for share in result.shares if share.member_id is not None]
    kept = [
        index
        for index, _part in enumerate(rule.member_keys)
        if members and members[0].keys[index].total > 0
    ]
    paid = sum(share.quota for share in members)
    if kept:
        assert paid == result.pool
        assert len(result.notes) == len(rule.member_keys) - len(kept)
    else:
        assert paid == 0
        assert len(result.notes) == 1
        reserve = fund_share(result, "reserve")
        assert reserve.quota >= result.pool
