"""Double-entry rules: balanced entries, reversals, account types."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.ledger.books.journal import (
    Posting,
    UnbalancedEntry,
    account_type,
    check_balanced,
    month_of,
    prestation_postings,
    reversal,
)
from governance.ledger.books.kinds import AccountType


def test_a_balanced_entry_passes() -> None:
    check_balanced([Posting("receivable:1", 5500), Posting("revenue", -5500)])


@pytest.mark.parametrize(
    "postings",
    [
        [Posting("bank", 100)],
        [Posting("bank", 100), Posting("revenue", -99)],
        [Posting("bank", 0), Posting("revenue", 0)],
        [Posting("bank", 100), Posting("nowhere", -100)],
    ],
)
def test_an_unbalanced_or_odd_entry_is_refused(postings: list[Posting]) -> None:
    with pytest.raises(UnbalancedEntry):
        check_balanced(postings)


def test_floats_are_refused() -> None:
    with pytest.raises(UnbalancedEntry):
        check_balanced([Posting("bank", 1.5), Posting("revenue", -1.5)])  # type: ignore[arg-type]


@given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=8))
def test_a_reversal_cancels_the_entry_exactly(amounts: list[int]) -> None:
    postings = [Posting(f"receivable:{i}", a) for i, a in enumerate(amounts)]
    postings.append(Posting("revenue", -sum(amounts)))
    check_balanced(postings)
    back = reversal(postings)
    check_balanced(back)
    assert [p.amount + q.amount for p, q in zip(postings, back, strict=True)] == [0] * len(back)


def test_a_prestation_owes_travel_to_the_member() -> None:
    postings = prestation_postings(client_id=3, member_id=7, amount=8250, travel=1200)
    check_balanced(postings)
    assert Posting("receivable:3", 9450) in postings
    assert Posting("revenue", -8250) in postings
    assert Posting("payable:7", -1200) in postings


def test_accounts_have_types_by_family() -> None:
    assert account_type("receivable:3") == AccountType.ASSET
    assert account_type("payable:7") == AccountType.LIABILITY
    assert account_type("fund:reserve") == AccountType.EQUITY
    assert account_type("expense:rent") == AccountType.EXPENSE
    assert month_of(dt.date(2026, 3, 9)) == "2026-03"
