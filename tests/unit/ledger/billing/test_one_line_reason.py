"""A contest's resolution, written on several lines, becomes the one line a credit note prints."""

from __future__ import annotations

from governance.ledger.billing.credit_notes import one_line


def test_lines_are_joined_and_a_long_reason_is_cut_at_a_word() -> None:
    assert one_line("One hour,\r\nas the CHU\tconfirmed  ") == "One hour, as the CHU confirmed"
    long = "word " * 200
    cut = one_line(long)
    assert len(cut) <= 500 and cut.endswith("word…")
    assert one_line("x" * 600).endswith("…") and len(one_line("x" * 600)) <= 500
