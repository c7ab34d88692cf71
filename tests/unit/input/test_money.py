"""Money: parsing what people type, exporting cents, multiplying, and the fair splitter."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from babel.numbers import format_currency, format_decimal
from hypothesis import given
from hypothesis import strategies as st

from governance.base import i18n
from governance.base.i18n import language as language_of
from governance.input.forms import amount_message
from governance.input.money import (
    MAX_AMOUNT_CENTS,
    AmountError,
    format_cents,
    multiply_round,
    parse_amount,
    parse_decimal_rate,
    separators,
    split,
)

LANGUAGES = ("fr", "en", "nl", "ar")
NNBSP, NBSP = "\u202f", "\u00a0"


# parse_amount: accepted ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "language", "cents"),
    [
        ("12,50", "fr", 1250),
        ("12.50", "fr", 1250),
        ("12,50", "en", 1250),
        ("12.50", "en", 1250),
        ("12", "fr", 1200),
        ("12,5", "fr", 1250),
        ("12.5", "en", 1250),
        ("1.5", "fr", 150),
        ("1,5", "en", 150),
        ("0,05", "fr", 5),
        ("0.05", "en", 5),
        ("007", "fr", 700),
        ("1.234,56", "fr", 123456),
        ("1.234,56", "en", 123456),
        ("1,234.56", "en", 123456),
        ("1,234.56", "fr", 123456),
        ("1 234,56", "fr", 123456),
        (f"1{NNBSP}234,56", "fr", 123456),
        (f"1{NBSP}234,56", "fr", 123456),
        (f"1{NNBSP}234{NBSP}567,89", "fr", 123456789),
        ("1 234", "en", 123400),
        ("1 234.5", "en", 123450),
        ("1.234", "nl", 123400),  # the Dutch grouping symbol
        ("1,234", "en", 123400),
        ("1.234", "nl-BE", 123400),
        ("1,234", "en_GB", 123400),
        ("1.234,5", "de", 123450),  # an unknown language reads like French, the default
        ("1.234.567", "fr", 123456700),
        ("1,234,567", "en", 123456700),
        ("1,234,567", "fr", 123456700),  # repeated: can only be grouping
        ("€ 12,50", "fr", 1250),
        ("€12", "en", 1200),
        ("12,50 €", "fr", 1250),
        ("12€", "fr", 1200),
        (f"12,50{NBSP}€", "fr", 1250),
        ("12.50EUR", "fr", 1250),
        ("12,50 eur", "fr", 1250),
        ("EUR 12", "nl", 1200),
        ("  12,50  ", "fr", 1250),
        ("\t12,50\n", "fr", 1250),
        ("+12,50", "fr", 1250),
        ("+ 12,50 €", "fr", 1250),
        ("١٢٫٥٠", "ar", 1250),  # Arabic-Indic digits and decimal separator
        ("١٢,٥٠", "ar", 1250),
        ("۱۲٫۵۰", "fr", 1250),  # Eastern Arabic-Indic digits
        ("١٬٢٣٤٫٥٦", "ar", 123456),
        ("١٬٢٣٤", "en", 123400),  # U+066C is grouping whatever the language
        ("١٢٣٫٤", "en", 12340),
        ("\u200f1,234.50\u00a0€", "ar", 123450),  # bidi mark copied from a right-to-left page
        ("1000000", "fr", MAX_AMOUNT_CENTS),
        ("1.000.000,00", "fr", MAX_AMOUNT_CENTS),
    ],
)
def test_a_typed_amount_is_read_as_the_right_number_of_cents(
    typed: str, language: str, cents: int
) -> None:
    assert parse_amount(typed, language, maximum=10**12) == cents


def test_a_comma_and_a_dot_both_mean_decimal_cents() -> None:
    assert parse_amount("12,50") == parse_amount("12.50") == 1250


@pytest.mark.parametrize(
    ("typed", "language", "cents"),
    [
        ("-12,50", "fr", -1250),
        ("−12,50", "fr", -1250),  # U+2212 minus sign
        ("- 1 234,56 €", "fr", -123456),
        ("-€12.50", "en", -1250),
        ("€ -12,50", "nl", -1250),
        ("-1000000", "fr", -MAX_AMOUNT_CENTS),
    ],
)
def test_a_negative_amount_is_read_only_when_allowed(typed: str, language: str, cents: int) -> None:
    assert parse_amount(typed, language, allow_negative=True) == cents
    with pytest.raises(AmountError) as refused:
        parse_amount(typed, language)
    assert refused.value.code == "negative"


@pytest.mark.parametrize("typed", ["0", "0,00", "-0", "€ 0.0", "+0"])
def test_zero_is_read_only_when_allowed(typed: str) -> None:
    assert parse_amount(typed, allow_zero=True) == 0
    with pytest.raises(AmountError) as refused:
        parse_amount(typed, allow_negative=True)
    assert refused.value.code == "zero"


def test_the_maximum_is_inclusive() -> None:
    assert parse_amount("1 000 000,00 €") == MAX_AMOUNT_CENTS == 100_000_000
    assert parse_amount("50,00", maximum=5000) == 5000
    with pytest.raises(AmountError) as refused:
        parse_amount("50,01", maximum=5000)
    assert refused.value.code == "too_large"


# parse_amount: refused -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "language", "code"),
    [
        ("", "fr", "empty"),
        ("   ", "fr", "empty"),
        (f"{NBSP}\t", "fr", "empty"),
        ("abc", "fr", "format"),
        ("12a", "fr", "format"),
        ("douze", "fr", "format"),
        ("1e5", "fr", "format"),
        ("1E5", "en", "format"),
        ("NaN", "fr", "format"),
        ("nan", "en", "format"),
        ("Infinity", "en", "format"),
        ("inf", "fr", "format"),
        ("--1", "fr", "format"),
        ("+-1", "fr", "format"),
        ("- -1", "fr", "format"),
        ("12-", "fr", "format"),
        ("-", "fr", "format"),
        ("1..2", "fr", "format"),
        ("1,,2", "fr", "format"),
        ("1. 234", "fr", "format"),
        ("12.", "en", "format"),
        ("12,", "fr", "format"),
        (",50", "fr", "format"),
        (".5", "en", "format"),
        ("12 50", "fr", "format"),  # a space only groups thousands
        ("1 23", "fr", "format"),
        ("1.23.456,00", "fr", "format"),
        ("1,23,456.00", "en", "format"),  # Indian grouping
        ("12,50,00", "fr", "format"),
        ("1.234.56", "fr", "format"),
        ("1234.567,89", "fr", "format"),  # first group longer than 3
        ("1.234 567,89", "fr", "format"),  # two kinds of grouping
        ("0.123", "fr", "precision"),  # a group never starts with 0: decimals
        ("0 123", "fr", "format"),
        ("1,5 000", "fr", "format"),  # grouping after the decimal separator
        ("1.234,5.6", "fr", "format"),
        ("1,234.5,6", "en", "format"),
        ("١٫٢٫٣", "ar", "format"),
        ("٫٥", "ar", "format"),
        ("€", "fr", "format"),
        ("EUR", "fr", "format"),
        ("€ 12 €", "fr", "format"),
        ("12 $", "fr", "format"),
        ("$12", "en", "format"),
        ("12 euros", "fr", "format"),
        ("1_000", "fr", "format"),
        ("0x10", "fr", "format"),
        ("12\n50", "fr", "format"),
        ("12'50", "fr", "format"),
        ("１２", "fr", "format"),  # full-width digits
        ("²", "fr", "format"),
        ("1" * 41, "fr", "format"),
        ("1,234", "fr", "precision"),
        ("1,234", "nl", "precision"),
        ("1.234", "ar", "precision"),  # the Arabic decimal point: three decimals
        ("1.234", "fr", "ambiguous"),  # French groups with a space: thousands or decimals?
        ("123.456", "fr", "ambiguous"),
        ("12,500", "ar", "ambiguous"),  # 12 500 or 12,5? Arabic readers here type 12,50 too
        ("١٢,٥٠٠", "ar", "ambiguous"),
        ("1.234", "fr-BE", "ambiguous"),
        ("1.234", "de", "ambiguous"),
        ("١.٢٣٤", "fr", "ambiguous"),
        ("1.234", "en", "precision"),
        ("12,345", "fr", "precision"),
        ("1,2345", "fr", "precision"),
        ("1.2345", "fr", "precision"),
        ("0,001", "fr", "precision"),
        ("12.500", "en", "precision"),  # never rounded, not even trailing zeros
        ("1 234,567", "fr", "precision"),
        ("١٢٫٣٤٥", "ar", "precision"),
        ("-12,50", "fr", "negative"),
        ("-0,01", "fr", "negative"),
        ("0", "fr", "zero"),
        ("0,00", "fr", "zero"),
        ("1000000,01", "fr", "too_large"),
        ("1 000 001", "fr", "too_large"),
        ("99999999999999999999999999", "fr", "too_large"),
    ],
)
def test_a_doubtful_amount_is_refused_with_a_reason(typed: str, language: str, code: str) -> None:
    with pytest.raises(AmountError) as refused:
        parse_amount(typed, language)
    assert refused.value.code == code


def test_a_negative_amount_beyond_the_maximum_is_too_large() -> None:
    with pytest.raises(AmountError) as refused:
        parse_amount("-1000000,01", allow_negative=True)
    assert refused.value.code == "too_large"


def test_an_amount_error_is_a_value_error_with_an_english_message() -> None:
    with pytest.raises(ValueError, match="more than 2 decimals"):
        parse_amount("1,234")


def test_the_language_only_settles_a_lone_separator_before_three_digits() -> None:
    """Its decimal symbol (Babel's) is decimal, its grouping symbol groups, the other one is
    refused: never read 1.234 as 1 234 € where the point is decimal (docs/amounts.md)."""
    read = {}
    for language in LANGUAGES:
        for typed in ("1.234", "1,234"):
            try:
                read[language, typed] = parse_amount(typed, language)
            except AmountError as error:
                read[language, typed] = error.code
    assert read == {
        ("fr", "1.234"): "ambiguous",
        ("fr", "1,234"): "precision",
        ("nl", "1.234"): 123400,
        ("nl", "1,234"): "precision",
        ("en", "1.234"): "precision",
        ("en", "1,234"): 123400,
        ("ar", "1.234"): "precision",
        ("ar", "1,234"): "ambiguous",  # Arabic readers here also type 12,50
    }
    for language in LANGUAGES:
        assert parse_amount("1.23", language) == parse_amount("1,23", language) == 123
        assert parse_amount("1.234,56", language) == parse_amount("1,234.56", language) == 123456
        assert parse_amount("1.234.567,8", language, maximum=10**9) == 123456780
        assert parse_amount("1,234,567", language, maximum=10**9) == 123456700


@pytest.mark.parametrize(
    ("language", "decimal", "group"),
    [("fr", ",", NNBSP), ("nl", ",", "."), ("en", ".", ","), ("ar", ".", ","), ("xx", ",", NNBSP)],
)
def test_each_language_types_with_babels_symbols(language: str, decimal: str, group: str) -> None:
    assert separators(language) == (decimal, group)


def test_an_ambiguous_amount_says_how_to_write_it() -> None:
    with pytest.raises(AmountError) as refused:
        parse_amount("١.٢٣٤ €", "fr")
    assert (refused.value.code, refused.value.whole) == ("ambiguous", "1234")
    with language_of("en"):
        assert amount_message(refused.value, "fr") == (
            "Thousands or decimals? For a whole amount write 1234, without a separator; "
            "for cents use two decimals, like 12,50."
        )
        format_error = AmountError("format", "not an amount")
        assert amount_message(format_error, "ar") == "Enter an amount like 12.50."
        assert amount_message(format_error, "nl") == "Enter an amount like 12,50."


NATIVE_DIGITS = {"arab": 0x0660, "persian": 0x06F0}


@pytest.mark.parametrize("digits", sorted(NATIVE_DIGITS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_native_digits_are_read_in_every_language(digits: str, language: str) -> None:
    def native(text: str) -> str:
        return "".join(chr(NATIVE_DIGITS[digits] + int(c)) if c.isdigit() else c for c in text)

    assert parse_amount(native("1234"), language) == 123400
    assert parse_amount(native("12") + "\u066b" + native("50"), language) == 1250
    assert parse_amount(native("1") + "\u066c" + native("234"), language) == 123400
    decimal = separators(language)[0]
    assert parse_amount(native(f"12{decimal}5"), language) == 1250


@given(
    cents=st.integers(-MAX_AMOUNT_CENTS, MAX_AMOUNT_CENTS),
    language=st.sampled_from(LANGUAGES),
    system=st.sampled_from(["latn", "arab", "arabext"]),
)
def test_an_amount_formatted_by_babel_in_any_digits_is_read_back(
    cents: int, language: str, system: str
) -> None:
    """Babel's own format for each language, in Latin, Arabic-Indic or Persian digits (with
    their separators U+066B, U+066C and their minus signs) reads back to the same cents."""
    locale = i18n.FORMAT_LOCALES[language]
    shown = format_currency(Decimal(cents) / 100, "EUR", locale=locale, numbering_system=system)
    assert parse_amount(shown, language, allow_zero=True, allow_negative=True) == cents


@given(
    cents=st.integers(0, MAX_AMOUNT_CENTS),
    language=st.sampled_from(LANGUAGES),
    grouped=st.booleans(),
)
def test_an_amount_typed_the_languages_way_is_read_back(
    cents: int, language: str, grouped: bool
) -> None:
    """Typed as Babel's pattern for the language, with or without grouping, no currency."""
    locale = i18n.FORMAT_LOCALES[language]
    typed = format_decimal(Decimal(cents) / 100, "#,##0.00" if grouped else "0.00", locale=locale)
    assert parse_amount(typed, language, allow_zero=True) == cents


@given(
    cents=st.integers(-MAX_AMOUNT_CENTS, MAX_AMOUNT_CENTS),
    language=st.sampled_from(LANGUAGES),
)
def test_an_amount_shown_by_the_app_is_read_back_exactly(cents: int, language: str) -> None:
    with i18n.language(language):
        shown = i18n.money(cents)
    assert parse_amount(shown, language, allow_zero=True, allow_negative=True) == cents


# format_cents ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "0.00"),
        (5, "0.05"),
        (-5, "-0.05"),
        (99, "0.99"),
        (100, "1.00"),
        (1250, "12.50"),
        (123456, "1234.56"),
        (-123456, "-1234.56"),
        (10**20 + 1, "1000000000000000000.01"),
    ],
)
def test_cents_are_exported_plainly_with_two_decimals(cents: int, text: str) -> None:
    assert format_cents(cents) == text


@pytest.mark.parametrize("value", [12.5, Decimal("12.50"), True, "1250"])
def test_only_integer_cents_can_be_exported(value: Any) -> None:
    with pytest.raises(TypeError):
        format_cents(value)


@given(
    cents=st.integers(-MAX_AMOUNT_CENTS, MAX_AMOUNT_CENTS),
    language=st.sampled_from(LANGUAGES),
)
def test_exported_cents_are_read_back_exactly_in_every_language(cents: int, language: str) -> None:
    assert parse_amount(format_cents(cents), language, allow_zero=True, allow_negative=True) == (
        cents
    )


# parse_decimal_rate ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "language", "options", "value"),
    [
        ("55,00", "fr", {}, Decimal("55.00")),
        ("1.5", "fr", {}, Decimal("1.5")),
        ("1,5", "en", {}, Decimal("1.5")),
        ("10", "fr", {}, Decimal(10)),
        ("0", "fr", {}, Decimal(0)),
        ("-0", "fr", {}, Decimal(0)),
        ("7,25", "nl", {}, Decimal("7.25")),
        ("1,234", "en", {}, Decimal(1234)),
        ("1,234", "fr", {"max_decimals": 3}, Decimal("1.234")),
        ("0,125", "fr", {"max_decimals": 3}, Decimal("0.125")),
        ("1 234,5", "fr", {}, Decimal("1234.5")),
        ("٥٥٫٥", "ar", {}, Decimal("55.5")),
        ("+3", "fr", {}, Decimal(3)),
        ("-2,5", "fr", {"allow_negative": True}, Decimal("-2.5")),
        ("100", "fr", {"maximum": 100}, Decimal(100)),
    ],
)
def test_a_typed_rate_is_read_as_an_exact_decimal(
    typed: str, language: str, options: dict[str, Any], value: Decimal
) -> None:
    parsed = parse_decimal_rate(typed, language, **options)
    assert parsed == value
    assert str(parsed) == str(value)  # the typed decimals are kept: 55,00 -> 55.00


@pytest.mark.parametrize(
    ("typed", "options", "code"),
    [
        ("", {}, "empty"),
        ("55 €", {}, "format"),
        ("10 %", {}, "format"),
        ("NaN", {}, "format"),
        ("1e2", {}, "format"),
        ("--1", {}, "format"),
        ("1..5", {}, "format"),
        ("1,234", {}, "precision"),
        ("1,5", {"max_decimals": 0}, "precision"),
        ("-1", {}, "negative"),
        ("0", {"allow_zero": False}, "zero"),
        ("100,01", {"maximum": 100}, "too_large"),
        ("1000000,01", {}, "too_large"),
    ],
)
def test_a_doubtful_rate_is_refused_with_a_reason(
    typed: str, options: dict[str, Any], code: str
) -> None:
    with pytest.raises(AmountError) as refused:
        parse_decimal_rate(typed, "fr", **options)
    assert refused.value.code == code


@given(
    value=st.decimals(min_value=0, max_value=1_000_000, places=2),
    language=st.sampled_from(LANGUAGES),
)
def test_a_plain_two_decimal_rate_is_read_back_in_every_language(
    value: Decimal, language: str
) -> None:
    assert parse_decimal_rate(format(value, "f"), language) == value


# multiply_round --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "rate_cents", "cents"),
    [
        (Decimal("1.5"), 5500, 8250),
        (Decimal("0.333"), 100, 33),
        (Decimal("0.125"), 100, 13),  # half a cent goes up
        (Decimal("0.124999"), 100, 12),
        (Decimal("2.005"), 100, 201),  # the float 2.005 * 100 would give 200.49999…
        (Decimal("1.005"), 1, 1),
        (Decimal("0.5"), 1, 1),
        (Decimal("0.4999"), 1, 0),
        (Decimal("7.25"), 4000, 29000),
        (Decimal("0"), 5500, 0),
        (Decimal("3"), 0, 0),
        (Decimal("1E+2"), 5, 500),
        # beyond Decimal's default 28 digits: still exact
        (Decimal("123456789.1234567891234567891"), 100_000_000, 12345678912345679),
    ],
)
def test_a_quantity_times_a_rate_is_rounded_once_half_up(
    quantity: Decimal, rate_cents: int, cents: int
) -> None:
    assert multiply_round(quantity, rate_cents) == cents


@pytest.mark.parametrize(
    ("quantity", "rate_cents"),
    [
        (Decimal("-1"), 100),
        (Decimal("1"), -100),
        (Decimal("NaN"), 100),
        (Decimal("Infinity"), 100),
    ],
)
def test_a_negative_or_non_finite_multiplication_is_refused(
    quantity: Decimal, rate_cents: int
) -> None:
    with pytest.raises(ValueError):
        multiply_round(quantity, rate_cents)


def test_a_float_quantity_is_refused() -> None:
    with pytest.raises(TypeError):
        multiply_round(1.5, 5500)  # type: ignore[arg-type]


@given(
    quantity=st.decimals(min_value=0, max_value=10_000, places=4),
    rate_cents=st.integers(0, 10_000_000),
)
def test_a_multiplication_is_within_half_a_cent_and_halves_go_up(
    quantity: Decimal, rate_cents: int
) -> None:
    exact = Fraction(quantity) * rate_cents
    error = multiply_round(quantity, rate_cents) - exact
    assert Fraction(-1, 2) < error <= Fraction(1, 2)


# split: examples -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "weights", "tie_order", "shares"),
    [
        (100, [1, 1, 1], None, [34, 33, 33]),
        (-100, [1, 1, 1], None, [-34, -33, -33]),
        (1, [1, 1], None, [1, 0]),
        (1, [1, 1], [1, 0], [0, 1]),
        (2, [1, 1, 1], None, [1, 1, 0]),
        (2, [1, 1, 1], [2, 1, 0], [0, 1, 1]),
        (2, [1, 1, 1], [10, 30, 20], [1, 0, 1]),  # ranks need not be 0..n-1
        (0, [1, 2], None, [0, 0]),
        (7, [1, 1, 1, 1], None, [2, 2, 2, 1]),
        (10, [1, 2, 3, 4], None, [1, 2, 3, 4]),
        (10, [0, 1], None, [0, 10]),
        (5, [0, 1, 0, 1], None, [0, 3, 0, 2]),
        (100, [Fraction(1, 3), Fraction(2, 3)], None, [33, 67]),
        (1000, [Decimal("0.1"), Decimal("0.2"), Decimal("0.7")], None, [100, 200, 700]),
        (100, [Fraction(1, 3), Decimal("0.5"), 1], None, [18, 27, 55]),
        (10, [1, 3], None, [3, 7]),  # quotas 2.5 and 7.5: tie, index 0 wins
        (10, [1, 3], [1, 0], [2, 8]),
        (1, [10**30, 10**30 + 1], None, [0, 1]),  # exact, where floats would tie
    ],
)
def test_an_amount_is_split_by_largest_remainder(
    amount: int,
    weights: list[Fraction | Decimal | int],
    tie_order: list[int] | None,
    shares: list[int],
) -> None:
    assert split(amount, weights, tie_order) == shares


@pytest.mark.parametrize(
    ("weights", "tie_order"),
    [
        ([], None),
        ([0, 0], None),
        ([1, -1, 1], None),
        ([Decimal("NaN"), 1], None),
        ([Decimal("Infinity"), 1], None),
        ([1, 1], [0]),
        ([1, 1], [0, 1, 2]),
        ([1, 1], [0, 0]),
    ],
)
def test_a_split_with_bad_weights_or_ranks_is_refused(
    weights: list[Any], tie_order: list[int] | None
) -> None:
    with pytest.raises(ValueError):
        split(100, weights, tie_order)


@pytest.mark.parametrize(("amount", "weights"), [(100, [0.5, 0.5]), (100.0, [1, 1])])
def test_floats_are_refused_by_the_splitter(amount: Any, weights: list[Any]) -> None:
    with pytest.raises(TypeError):
        split(amount, weights)


# split: properties -----------------------------------------------------------------------------

weight_values = st.one_of(
    st.integers(0, 10**6),
    st.fractions(min_value=0, max_value=1000, max_denominator=1000),
    st.decimals(min_value=0, max_value=10**6, places=3),
)
weight_lists = st.lists(weight_values, min_size=1, max_size=25).filter(
    lambda weights: sum(Fraction(w) for w in weights) > 0
)
amounts = st.integers(-(10**12), 10**12)


def quotas(amount: int, weights: list[Any]) -> list[Fraction]:
    total = sum(Fraction(w) for w in weights)
    return [amount * Fraction(w) / total for w in weights]


@given(amount=amounts, weights=weight_lists)
def test_the_shares_always_add_up_to_the_amount(amount: int, weights: list[Any]) -> None:
    assert sum(split(amount, weights)) == amount


@given(amount=amounts, weights=weight_lists)
def test_every_share_is_the_floor_or_ceiling_of_its_exact_quota(
    amount: int, weights: list[Any]
) -> None:
    for share, quota in zip(split(amount, weights), quotas(amount, weights), strict=True):
        assert share in (math.floor(quota), math.ceil(quota))


@given(amount=amounts, weights=weight_lists, data=st.data())
def test_the_extra_cents_go_to_the_largest_remainders_then_the_lower_rank(
    amount: int, weights: list[Any], data: st.DataObject
) -> None:
    ranks = data.draw(st.permutations(range(len(weights))))
    shares = split(abs(amount), weights, ranks)
    exact = quotas(abs(amount), weights)
    got = [i for i in range(len(weights)) if shares[i] > exact[i]]
    missed = [i for i in range(len(weights)) if shares[i] < exact[i]]
    for winner in got:
        for loser in missed:
            winner_key = (exact[winner] - math.floor(exact[winner]), -ranks[winner])
            assert winner_key > (exact[loser] - shares[loser], -ranks[loser])


@given(amount=amounts, weights=weight_lists, data=st.data())
def test_permuting_the_recipients_permutes_their_shares(
    amount: int, weights: list[Any], data: st.DataObject
) -> None:
    ranks = data.draw(st.permutations(range(len(weights))))
    order = data.draw(st.permutations(range(len(weights))))
    shares = split(amount, weights, ranks)
    permuted = split(amount, [weights[i] for i in order], [ranks[i] for i in order])
    assert permuted == [shares[i] for i in order]


@given(amount=amounts, weights=weight_lists, data=st.data())
def test_a_zero_weight_always_gets_zero(
    amount: int, weights: list[Any], data: st.DataObject
) -> None:
    with_zeros = list(weights)
    for _ in range(data.draw(st.integers(1, 5))):
        with_zeros.insert(data.draw(st.integers(0, len(with_zeros))), 0)
    shares = split(amount, with_zeros)
    assert all(share == 0 for share, w in zip(shares, with_zeros, strict=True) if w == 0)
    assert [s for s, w in zip(shares, with_zeros, strict=True) if w != 0] == split(
        amount, [w for w in with_zeros if w != 0]
    )


@given(amount=amounts, weights=weight_lists)
def test_a_larger_weight_never_gets_a_smaller_share(amount: int, weights: list[Any]) -> None:
    shares = [abs(share) for share in split(amount, weights)]
    exact = [Fraction(w) for w in weights]
    for i, (share_i, weight_i) in enumerate(zip(shares, exact, strict=True)):
        for j, (share_j, weight_j) in enumerate(zip(shares, exact, strict=True)):
            if weight_i > weight_j:
                assert share_i >= share_j
            elif weight_i == weight_j and i < j:  # default tie order: by index
                assert share_j <= share_i <= share_j + 1


@given(amount=amounts, weights=weight_lists, data=st.data())
def test_a_negative_amount_is_the_negated_split_of_its_absolute_value(
    amount: int, weights: list[Any], data: st.DataObject
) -> None:
    ranks = data.draw(st.permutations(range(len(weights))))
    assert split(-amount, weights, ranks) == [-share for share in split(amount, weights, ranks)]


@given(amount=amounts, weights=weight_lists, factor=st.integers(1, 10**6))
def test_only_the_proportions_of_the_weights_matter(
    amount: int, weights: list[Any], factor: int
) -> None:
    assert split(amount, [Fraction(w) * factor for w in weights]) == split(amount, weights)
