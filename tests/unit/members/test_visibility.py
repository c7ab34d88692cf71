"""Who reads whose money (governance.members.visibility) and the audit events as each reader
sees them (governance.audit.redaction)."""

from __future__ import annotations

from typing import Any

import pytest

from governance.audit.owners import owners_from
from governance.audit.redaction import Owners, redact
from governance.members.visibility import (
    OPERATOR,
    MoneyReader,
    books_are_open,
    money_reader,
    reads_everyones_money,
)

OPEN = {"open_books": True}
CLOSED = {"open_books": False}


@pytest.mark.parametrize(
    ("role", "settings", "everyone"),
    [
        ("coordinator", OPEN, True),
        ("coordinator", CLOSED, True),
        ("observer", OPEN, True),
        ("observer", CLOSED, True),
        ("cooperator", OPEN, True),
        ("cooperator", {}, True),  # open books are the default
        ("cooperator", CLOSED, False),
        ("cooperator", {"open_books": "true"}, False),  # only a real true opens them
        ("cooperator", {"open_books": None}, False),
        ("cooperator", {"open_books": 1}, False),
        ("worker", OPEN, False),
        ("worker", CLOSED, False),
        ("someone else", OPEN, False),
    ],
)
def test_who_reads_everyones_money(role: str, settings: dict[str, Any], everyone: bool) -> None:
    assert reads_everyones_money(role, settings) is everyone
    assert money_reader(7, role, settings) == MoneyReader(person_id=7, everyone=everyone)


def test_everyone_reads_their_own_money_and_nobody_an_unknown_members() -> None:
    worker = money_reader(7, "worker", OPEN)
    assert worker.may_read(7)
    assert not worker.may_read(8)
    assert not worker.may_read(None)
    assert OPERATOR.may_read(8) and OPERATOR.may_read(None)
    assert books_are_open({}) and not books_are_open({"open_books": "yes"})


WORKER = money_reader(7, "worker", OPEN).may_read
COORDINATOR = money_reader(1, "coordinator", CLOSED).may_read
OWNERS = Owners(prestations={10: 7, 11: 8}, entries={20: 7, 21: 8})


def seen(action: str, data: dict[str, Any], subject: str = "1", reader: Any = WORKER) -> Any:
    return redact(action, subject, data, reader, OWNERS)


def test_a_close_keeps_the_funds_and_the_readers_share() -> None:
    data = {
        "month": "2026-10",
        "distributable_cents": 100000,
        "shares": [["reserve", 10000], [7, 50000], [8, 40000]],
    }
    assert seen("period.closed", data) == (
        {
            "month": "2026-10",
            "distributable_cents": 100000,
            "shares": [["reserve", 10000], [7, 50000]],
        },
        True,
    )
    assert seen("period.closed", data, reader=COORDINATOR) == (data, False)


def test_a_payout_keeps_its_total_and_the_readers_line() -> None:
    data = {
        "total_cents": 90000,
        "count": 2,
        "lines": [[7, 50000], [8, 40000]],
        "left_out": [[9, 5]],
    }
    shown, redacted = seen("payout.prepared", data)
    assert redacted and shown == {
        "total_cents": 90000,
        "count": 2,
        "lines": [[7, 50000]],
        "left_out": [],
    }
    assert seen("payout.prepared", {"total_cents": 5, "lines": [[7, 5]]}) == (
        {"total_cents": 5, "lines": [[7, 5]]},
        False,
    )


def test_prestations_show_their_amounts_to_their_member_only() -> None:
    mine = {"member_id": 7, "amount_cents": 123457, "rate_cents": 5500, "travel_cents": 100}
    assert seen("prestation.recorded", mine) == (mine, False)
    other = {**mine, "member_id": 8, "duration_minutes": 60}
    assert seen("prestation.recorded", other) == ({"member_id": 8, "duration_minutes": 60}, True)
    assert seen("prestation.validated", {"entry_id": 20, "amount_cents": 5}, "10") == (
        {"entry_id": 20, "amount_cents": 5},
        False,
    )
    assert seen("prestation.validated", {"entry_id": 21, "amount_cents": 5}, "11") == (
        {"entry_id": 21},
        True,
    )
    # Nobody knows whose prestation 12 is: hidden from whoever does not read everyone's.
    assert seen("prestation.reversed", {"amount_cents": 5, "reason": "x"}, "12") == (
        {"reason": "x"},
        True,
    )
    assert seen("prestation.imported", {"count": 3, "amount_cents": 9}) == ({"count": 3}, True)
    corrected = {"prestation_id": 11, "amount_before": 5, "amount_after": 6, "reason": "x"}
    assert seen("contest.corrected", corrected) == ({"prestation_id": 11, "reason": "x"}, True)
    assert seen("contest.corrected", {**corrected, "prestation_id": 10})[1] is False


def test_journal_lines_of_other_members_are_taken_out() -> None:
    close = {"kind": "close", "lines": [["revenue", 900], ["payable:7", -500], ["payable:8", -400]]}
    assert seen("journal.posted", close, "30") == (
        {"kind": "close", "lines": [["revenue", 900], ["payable:7", -500]]},
        True,
    )
    work = {"kind": "prestation", "lines": [["receivable:1", 600], ["revenue", -600]]}
    assert seen("journal.posted", work, "20") == (work, False)  # the reader's own work
    assert seen("journal.posted", work, "21") == ({"kind": "prestation", "lines": []}, True)
    cost = {"kind": "cost", "lines": [["expense:rent", 100], ["bank", -100]]}
    assert seen("journal.posted", cost, "22") == (cost, False)


def test_events_without_money_and_odd_data_pass_unchanged() -> None:
    assert seen("member.added", {"name": "Omar"}) == ({"name": "Omar"}, False)
    assert seen("period.closed", {"month": "2026-10"}) == ({"month": "2026-10"}, False)
    assert seen("period.closed", {"shares": "nonsense"}) == ({"shares": "nonsense"}, False)
    assert seen("journal.posted", {"kind": "close", "lines": [["payable:8", 1], "x"]}) == (
        {"kind": "close", "lines": []},
        True,
    )


def test_owners_are_read_from_the_trail() -> None:
    owners = owners_from(
        [
            ("prestation.recorded", "10", '{"member_id": 7, "amount_cents": 5}'),
            ("prestation.validated", "10", '{"entry_id": 20, "amount_cents": 5}'),
            ("prestation.reversed", "10", '{"entry_id": 23, "reverses_id": 20}'),
            ("prestation.validated", "12", '{"entry_id": 24}'),  # imported: no member known
            ("prestation.recorded", "13", "not json"),
        ]
    )
    assert owners.prestations == {10: 7}
    assert owners.entries == {20: 7, 23: 7}


def test_a_rule_comparison_keeps_the_funds_and_the_readers_row() -> None:
    from fractions import Fraction

    from governance.votes.drafting.preview import Column, Comparison, Recipient, Row, seen_by

    fund, me, other = (
        Recipient("reserve", None, ""),
        Recipient(None, 7, "Wen"),
        Recipient(None, 8, "Omar"),
    )
    cents = {fund: 100, me: 300, other: 600}
    column = Column("", cents, Fraction(2))
    comparison = Comparison(
        months=("2026-10",),
        current=column,
        options=(column,),
        rows=tuple(Row(r, c, (c,)) for r, c in cents.items()),
        reader=7,
    )
    shown = seen_by(money_reader(7, "worker", OPEN), comparison)
    assert [row.recipient for row in shown.rows] == [fund, me]
    assert other not in shown.current.cents and other not in shown.options[0].cents
    assert shown.current.spread == Fraction(2)  # a ratio, no amount
    assert seen_by(money_reader(7, "cooperator", OPEN), comparison) == comparison


def test_an_invoice_total_shows_only_when_all_its_work_is_the_readers() -> None:
    mine = {"reference": "2026-0001", "total_cents": 5000, "prestations": [10]}
    theirs = {"reference": "2026-0002", "total_cents": 9000, "prestations": [10, 11]}
    assert seen("invoice.issued", mine) == (mine, False)
    assert seen("invoice.issued", theirs) == (
        {"reference": "2026-0002", "prestations": [10, 11]},
        True,
    )
    assert seen("invoice.issued", theirs, reader=COORDINATOR) == (theirs, False)


def test_a_client_payment_hides_its_amounts_from_who_does_not_read_everyones() -> None:
    data = {"client_id": 3, "date": "2026-11-02", "amount_cents": 9000, "allocations": [[2, 9000]]}
    assert seen("payment.recorded", data) == ({"client_id": 3, "date": "2026-11-02"}, True)
    assert seen("payment.recorded", data, reader=COORDINATOR) == (data, False)


def test_the_salt_goes_with_the_hidden_amounts_and_stays_otherwise() -> None:
    salted = {"member_id": 8, "amount_cents": 6001, "salt": "ab" * 16}
    assert seen("prestation.recorded", salted) == ({"member_id": 8}, True)
    own = {"member_id": 7, "amount_cents": 6001, "salt": "ab" * 16}
    assert seen("prestation.recorded", own) == (own, False)
    assert seen("prestation.recorded", salted, reader=COORDINATOR) == (salted, False)
