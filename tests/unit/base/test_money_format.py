"""i18n.money fills in a shape read from Babel once: it must print exactly what Babel prints."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency
from hypothesis import given
from hypothesis import strategies as st

from governance.base import i18n


def babel(cents: int, currency: str, language: str) -> str:
    locale = i18n.FORMAT_LOCALES[language]
    return format_currency(Decimal(cents) / 100, currency, locale=locale)


LANGUAGES = sorted(i18n.FORMAT_LOCALES)


@pytest.mark.parametrize("language", LANGUAGES)
@given(cents=st.integers(min_value=-(10**15), max_value=10**15))
def test_every_amount_prints_as_babel_prints_it(language: str, cents: int) -> None:
    with i18n.language(language):
        assert i18n.money(cents) == babel(cents, "EUR", language)
        assert i18n.money(cents, "USD") == babel(cents, "USD", language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_four_languages_use_the_fast_shape_for_euros(language: str) -> None:
    assert i18n._money_shape(i18n.FORMAT_LOCALES[language], "EUR") is not None


def test_a_currency_without_cents_keeps_babel() -> None:
    """Yen have no cents (Babel rounds them to units): the shape would print them wrong, so it
    is refused and Babel prints them."""
    assert i18n._money_shape("fr_BE", "JPY") is None
    with i18n.language("fr"):
        assert i18n.money(123456, "JPY") == babel(123456, "JPY", "fr") == "1\u202f235\xa0JPY"


@pytest.mark.parametrize("currency", ["BHD", "CHF", "GBP", "MAD"])
@given(cents=st.integers(min_value=-(10**12), max_value=10**12))
def test_other_currencies_print_as_babel_prints_them(currency: str, cents: int) -> None:
    for language in LANGUAGES:
        with i18n.language(language):
            assert i18n.money(cents, currency) == babel(cents, currency, language)
