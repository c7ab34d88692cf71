"""The ledger as an hledger journal and as CSV: pure formatting."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from governance.ledger.books.export import (
    LINE_COLUMNS,
    PRESTATION_COLUMNS,
    EntryRecord,
    LineRecord,
    PrestationRecord,
    hledger_account,
    neutralise,
    to_csv_lines,
    to_csv_prestations,
    to_hledger,
)

DAY = dt.date(2026, 11, 20)


def entry(
    entry_id: int = 1,
    memo: str = "prestation 4",
    kind: str = "prestation",
    reverses_id: int | None = None,
    lines: tuple[tuple[str, str, int], ...] = (
        ("receivable:7", "asset", 9450),
        ("revenue", "income", -8250),
        ("payable:3", "liability", -1200),
    ),
) -> EntryRecord:
    return EntryRecord(
        id=entry_id,
        date=DAY,
        period="2026-11",
        kind=kind,
        memo=memo,
        reverses_id=reverses_id,
        lines=tuple(LineRecord(code, kind_, amount) for code, kind_, amount in lines),
    )


@pytest.mark.parametrize(
    ("code", "kind", "name"),
    [
        ("bank", "asset", "assets:bank"),
        ("receivable:7", "asset", "assets:receivable:7"),
        ("payable:3", "liability", "liabilities:payable:3"),
        ("fund:reserve", "equity", "equity:fund:reserve"),
        ("revenue", "income", "income:revenue"),
        ("expense:rent", "expense", "expenses:rent"),
        ("expense:rent", None, "expenses:rent"),
        ("fund:réserve", "equity", "equity:fund:réserve"),
        ("expense:office supplies", "expense", "expenses:office%20supplies"),
        ("expense:a:b", "expense", "expenses:a%3Ab"),
        ("fund:x;  y", "equity", "equity:fund:x%3B%20%20y"),
        ("fund:100%", "equity", "equity:fund:100%25"),
        ("fund:", "equity", "equity:fund:%"),
        ("fund:line\nbreak", "equity", "equity:fund:line%0Abreak"),
    ],
)
def test_account_names(code: str, kind: str | None, name: str) -> None:
    assert hledger_account(code, kind) == name


def test_an_unknown_account_family_is_refused() -> None:
    with pytest.raises(ValueError, match="no account type"):
        hledger_account("mystery")


def test_the_journal_declares_the_commodity_and_every_account() -> None:
    journal = to_hledger([entry()])
    lines = journal.splitlines()
    assert "commodity 1,000.00 EUR" in lines
    for name in ("assets:receivable:7", "income:revenue", "liabilities:payable:3"):
        assert f"account {name}" in lines
    assert "account assets  ; type: A" in lines
    assert "account expenses  ; type: X" in lines


def test_a_transaction_has_its_date_description_tags_and_exact_amounts() -> None:
    journal = to_hledger([entry(), entry(2, "oops", "reversal", 1)], currency="EUR")
    assert "2026-11-20 prestation prestation 4  ; entry:1, period:2026-11\n" in journal
    assert "2026-11-20 reversal oops  ; entry:2, period:2026-11, reverses:1\n" in journal
    assert "    assets:receivable:7  94.50 EUR\n" in journal
    assert "    income:revenue  -82.50 EUR\n" in journal
    assert "    liabilities:payable:3  -12.00 EUR\n" in journal


def test_large_and_tiny_amounts_are_exact() -> None:
    journal = to_hledger(
        [entry(lines=(("bank", "asset", 9_007_199_254_740_993), ("revenue", "income", -1)))]
    )
    assert "    assets:bank  90071992547409.93 EUR\n" in journal
    assert "    income:revenue  -0.01 EUR\n" in journal


def test_a_memo_cannot_break_the_journal() -> None:
    journal = to_hledger([entry(memo="line one\r\nline two; comment\t  tab\x00 ", kind="*(x)")])
    header = [line for line in journal.splitlines() if line.startswith("2026-11-20")]
    assert header == ["2026-11-20 x) line one line two comment tab  ; entry:1, period:2026-11"]


def test_an_empty_description_is_still_a_description() -> None:
    assert "2026-11-20 entry  ; entry:1" in to_hledger([entry(memo="", kind="")])


def test_another_currency_is_declared_and_used() -> None:
    journal = to_hledger([entry()], currency="CHF")
    assert "commodity 1,000.00 CHF" in journal
    assert "94.50 CHF" in journal


def test_two_codes_with_one_name_are_refused() -> None:
    # Only with a stored type that contradicts the code: "bank" typed as an expense.
    clash = entry(lines=(("expense:bank", "expense", 5), ("bank", "expense", -5)))
    with pytest.raises(ValueError, match="share the name"):
        to_hledger([clash])


def test_no_entries_is_still_a_journal() -> None:
    assert to_hledger([]).startswith("; Exported by governance")


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+32 470", "'+32 470"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("plain", "plain"),
        ("a=1", "a=1"),
        ("", ""),
    ],
)
def test_neutralise(text: str, safe: str) -> None:
    assert neutralise(text) == safe


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_csv_lines_neutralise_text_but_not_amounts() -> None:
    rows = parse(
        to_csv_lines(
            [
                entry(
                    memo='=HYPERLINK("http://x")',
                    kind="@kind",
                    lines=(("fund:-x", "equity", -1250), ("bank", "asset", 1250)),
                )
            ]
        )
    )
    assert rows[0] == list(LINE_COLUMNS)
    assert rows[1] == [
        "1",
        "2026-11-20",
        "2026-11",
        "'@kind",
        '\'=HYPERLINK("http://x")',
        "fund:-x",  # starts with a letter: nothing to neutralise
        "-12.50",
    ]
    assert rows[2][-2:] == ["bank", "12.50"]


def test_csv_keeps_newlines_inside_one_quoted_cell() -> None:
    rows = parse(to_csv_lines([entry(memo="two\nlines, and a comma")]))
    assert len(rows) == 4
    assert rows[1][4] == "two\nlines, and a comma"


def test_csv_prestations() -> None:
    row = PrestationRecord(
        id=5,
        date=DAY,
        member="-Omar",
        client="=cmd|' /C calc'!A0",
        kind="on_site",
        duration_minutes=90,
        amount_cents=8250,
        travel_cents=0,
        status="validated",
        languages=("ps", "fa"),
        note="+note",
        entry_id=None,
    )
    rows = parse(to_csv_prestations([row]))
    assert rows[0] == list(PRESTATION_COLUMNS)
    assert rows[1] == [
        "5",
        "2026-11-20",
        "'-Omar",
        "'=cmd|' /C calc'!A0",
        "on_site",
        "90",
        "82.50",
        "0.00",
        "validated",
        "ps fa",
        "'+note",
        "",
    ]
