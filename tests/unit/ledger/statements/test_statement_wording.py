"""Month names with their grammar in each language, and amounts with exactly two decimals on
statements: key by key, the funds' bases, the reconciliation's lines."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction

import pytest

from governance.base import i18n
from governance.language.months import month_name, month_of
from governance.ledger.statements.statement_reconciliation import (
    Payment,
    adds_up,
    month_lines,
    reconcile,
    since_lines,
)
from governance.ledger.statements.statement_text import RuleView
from governance.ledger.statements.statement_views import FundShare, KeyPart, Share

# Decimals longer than two ("2 333,7600 €"); a group of thousands is followed by its decimals.
FOUR_DECIMALS = re.compile(r"\d[.,٫]\d{3,}(?![.,٫]\d)")


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        ("2026-01", "de janvier 2026"),
        ("2026-03", "de mars 2026"),
        ("2026-04", "d'avril 2026"),
        ("2026-08", "d'août 2026"),
        ("2026-10", "d'octobre 2026"),
        ("2026-12", "de décembre 2026"),
    ],
)
def test_french_elides_de_before_a_vowel(month: str, expected: str) -> None:
    assert month_of(month, "fr") == expected
    with i18n.language("fr"):
        assert month_of(month) == expected


@pytest.mark.parametrize(
    ("language", "name", "short"),
    [
        ("fr", "octobre 2026", "oct. 2026"),
        ("en", "October 2026", "Oct 2026"),
        ("nl", "oktober 2026", "okt 2026"),
        ("ar", "أكتوبر 2026", "أكتوبر 2026"),
    ],
)
def test_month_names_in_each_language(language: str, name: str, short: str) -> None:
    with i18n.language(language):
        assert month_name("2026-10") == name
        assert month_name("2026-10", short=True) == short
        # Outside French the message carries its own "of" ("of", "van") or needs none.
        assert month_of("2026-10") == (name if language != "fr" else "d'octobre 2026")


def test_a_statement_title_elides_in_french() -> None:
    with i18n.language("fr"):
        title = i18n.gettext("Statement of %(of_month)s")
        assert "%(of_month)s" in title
        # Whatever the catalogue holds today, the month brings its own preposition.
        assert (title % {"of_month": month_of("2026-10")}).endswith("d'octobre 2026")
        assert "de octobre" not in title % {"of_month": month_of("2026-10")}


def _key(quota: Fraction) -> KeyPart:
    return KeyPart("revenue_generated", Decimal(80), 12000, 343800, quota)


@pytest.mark.parametrize("language", ["fr", "en", "nl", "ar"])
def test_every_amount_of_a_share_has_two_decimals(language: str) -> None:
    key = _key(Fraction(65165577, 1_000_000))  # 65,165577 cents... in euros 0,65 €
    share = Share(cents=11703, quota=Fraction(2333760037, 20_000_000), rounding=1, keys=(key,))
    fund = FundShare("reserve", Decimal(10), Share(27456, Fraction(27456), 0), 274560)
    with i18n.language(language):
        texts = [key.sentence, fund.base_text, i18n.money(share.cents)]
        for text in texts:
            assert not FOUR_DECIMALS.search(text.replace("\u00a0", " ")), text
        assert re.search(r"2[\s\u202f.,]?745[.,]60", fund.base_text), fund.base_text
    assert key.cents == 65  # whole cents, rounded down: the rounding is its own line
    assert share.keys_rounding == 11703 - 65


def test_the_reserve_says_what_it_is_a_percentage_of() -> None:
    with i18n.language("en"):
        plain = FundShare("reserve", Decimal(10), Share(37590, Fraction(37590), 0), 375900)
        assert plain.base_text == "10\u00a0% of €3,759.00"
        loss = FundShare("reserve", Decimal(10), Share(-37590, Fraction(-37590), 0), -37590)
        assert loss.base_text == "The month's loss, charged to this fund"
        pool = FundShare("reserve", Decimal(10), Share(375900, Fraction(375900), 0), 375900)
        assert "plus the members' pool" in pool.base_text


def test_the_rule_says_since_when_it_applies_to_this_month() -> None:
    first = RuleView(
        "accrual", (), (), "members_with_prestations", "2026-12", "mixed_80_20", "2026-10"
    )
    later = RuleView("accrual", (), (), "members_with_prestations", "2026-09", "", "2026-10")
    with i18n.language("en"):
        assert "December" not in first.period_text  # October is not "since December"
        assert "first rule" in first.period_text
        assert later.period_text == "In force since September 2026"
        # One wording for "who shares", as the month page has it.
        assert first.eligible_text == "Members with work this month"


def test_the_reconciliation_adds_up_before_and_after_the_month() -> None:
    sums = [
        ("2026-09", "close", -11000),
        ("2026-09", "prestation", -2100),
        ("2026-10", "close", -11703),
        ("2026-10", "prestation", -2100),
        ("2026-10", "correction", 300),
        ("2026-11", "prestation", -1260),
    ]
    payments = [
        Payment(5, dt.date(2026, 9, 3), "2026-09", 400, None),  # before: lowers the opening
        Payment(10, dt.date(2026, 10, 5), "2026-10", 13100, 1),
        Payment(20, dt.date(2026, 12, 7), "2026-12", 15000, 2),
    ]
    owed = reconcile("2026-10", sums, payments)
    assert owed.opening_cents == 13100 - 400
    assert (owed.share_cents, owed.travel_cents, owed.other_cents) == (11703, 2100, -300)
    assert owed.closing_cents == 12700 + 11703 + 2100 - 300 - 13100
    assert owed.today_cents == -(sum(a for _p, _k, a in sums)) - 400 - 13100 - 15000
    with i18n.language("fr"):
        during, since = month_lines(owed), since_lines(owed)
    assert adds_up(during) and adds_up(since)
    assert [line.section for line in during] == [
        "opening",
        "share",
        "travel",
        "other",
        "paid",
        "owed",
    ]
    assert "05/10/2026" in during[4].label and "1" in during[4].label
    assert since[0].cents == during[-1].cents  # "since then" starts where the month ended
