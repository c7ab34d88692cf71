"""The texts a payout gives the bank: the holder's name (SEPA's Latin set), and the months a
transfer pays, written within the 140 characters of a remittance."""

from __future__ import annotations

import datetime as dt

import pytest

from governance.base import i18n
from governance.base.errors import Conflict
from governance.ledger.payouts.models import PayoutBatch, PayoutLine
from governance.ledger.payouts.payout_months import Movement, months_paid
from governance.ledger.payouts.payout_sepa import build_sepa, remittance, sepa_text
from governance.members.bank import clean_holder, holder_problem, parse_bank_details
from governance.members.models import Cooperative


def share(month: str, cents: int) -> Movement:
    return Movement(month, -cents, payout=False)


def payout(month: str, cents: int) -> Movement:
    return Movement(month, cents, payout=True)


def test_a_transfer_pays_the_oldest_months_still_owed() -> None:
    ledger = [share("2026-09", 100), share("2026-10", 200), share("2026-11", 300)]
    assert months_paid(ledger, 600) == ["2026-09", "2026-10", "2026-11"]
    # Paid earlier: September and half of October.
    assert months_paid([*ledger, payout("2026-11", 150)], 450) == ["2026-10", "2026-11"]
    # A transfer of less than is owed pays the oldest first, as far as it reaches.
    assert months_paid([*ledger, payout("2026-11", 150)], 50) == ["2026-10"]
    assert months_paid([*ledger, payout("2026-11", 300)], 300) == ["2026-11"]


def test_a_month_nets_its_own_corrections() -> None:
    # October's share, then a reversal of 50 in October, travel of 20 in November.
    ledger = [share("2026-10", 200), Movement("2026-10", 50, False), share("2026-11", 20)]
    assert months_paid(ledger, 170) == ["2026-10", "2026-11"]
    # A month that nets to what the member owes back counts as paid, oldest first.
    owes_back = [share("2026-09", 100), Movement("2026-10", 100, False), share("2026-11", 40)]
    assert months_paid(owes_back, 40) == ["2026-11"]


def test_nothing_owed_names_no_month() -> None:
    assert months_paid([share("2026-10", 100), payout("2026-11", 100)], 0) == []
    assert months_paid([], 100) == []


def test_the_remittance_names_the_months_within_140_characters() -> None:
    with i18n.language("en"):
        assert remittance("Univerbal", ["2026-11"], 7) == "Univerbal share 11/2026"
        assert remittance("Univerbal", ["2026-10", "2026-11"], 7) == (
            "Univerbal shares 10/2026 11/2026"
        )
        many = [f"{year}-{month:02d}" for year in (2024, 2025, 2026) for month in range(1, 13)]
        gaps = many[::2]  # every other month: no two consecutive
        text = remittance("Univerbal", many, 7)
        assert text == "Univerbal shares 01/2024-12/2026"
        assert len(remittance("Univerbal", gaps, 7)) <= 140
        assert remittance("Univerbal", gaps, 7).endswith("01/2024-11/2026")
        ranges = remittance("Univerbal", [*many[:3], "2026-01", *many[-12:-8]], 7)
        assert ranges == "Univerbal shares 01/2024 02/2024 03/2024 01/2026 02/2026 03/2026 04/2026"
        long_name = "Coopérative des interprètes " * 4
        assert len(remittance(long_name, many, 7)) <= 140
        assert remittance("Univerbal", [], 7) == "Univerbal payout 7"


def test_the_cooperatives_name_loses_its_accents() -> None:
    assert sepa_text("Redém'arts & co", 70) == "Redem'arts co"


@pytest.mark.parametrize(
    "holder",
    ["Khaled El Masri", "O'Brien-Li (Mrs)", "DUPONT J.P. / ASBL + co, 2", "a" * 70, ""],
)
def test_names_in_sepas_latin_set_are_accepted(holder: str) -> None:
    assert holder_problem(holder) is None


def test_names_outside_it_are_refused_with_a_way_to_write_them() -> None:
    with i18n.language("en"):
        arabic = holder_problem("خالد المصري")
        assert arabic is not None and "Latin letters" in arabic and "khld" not in arabic
        accented = holder_problem("Chloé Şahin")
        assert accented is not None and accented.endswith("for example: \u2068Chloe Sahin\u2069")
        assert "At most 70 characters" in str(holder_problem("a" * 71))
        assert holder_problem("Ольга") is not None and "example" not in str(holder_problem("Ольга"))
        assert holder_problem("Amina\u200bYusufzai") is not None
        # In the set, but no name: a bank's payee check would refuse it.
        for nameless in ("////", "/", "- 1 2", "A."):
            assert "at least two letters" in str(holder_problem(nameless))


def test_what_phones_type_is_cleaned_before_it_is_checked() -> None:
    assert clean_holder("  Wen   O\u2019Brien ") == "Wen O'Brien"
    details = parse_bank_details("BE71 0961 2345 6769", "", " Wen  O\u2019Brien ")
    assert details.holder == "Wen O'Brien"


def test_a_line_whose_name_banks_refuse_stops_the_file() -> None:
    """A batch prepared before holders' names were asked copied the member's own name."""
    cooperative = Cooperative(
        id=1, slug="alpha", name="Alpha", iban="BE68539007547034", bic="GKCCBEBB"
    )
    batch = PayoutBatch(
        id=3,
        cooperative_id=1,
        state="prepared",
        total_cents=100,
        execution_date=dt.date(2026, 12, 9),
        created_by_id=1,
    )
    line = PayoutLine(
        id=5,
        batch_id=3,
        member_id=2,
        name="خالد المصري",
        iban="BE71096123456769",
        bic="",
        amount_cents=100,
    )
    with pytest.raises(Conflict):
        build_sepa(cooperative, batch, [line], {5: "Alpha share 11/2026"})
    line.name = "Khaled El Masri"
    assert b"<Nm>Khaled El Masri</Nm>" in build_sepa(
        cooperative, batch, [line], {5: "Alpha share 11/2026"}
    )
