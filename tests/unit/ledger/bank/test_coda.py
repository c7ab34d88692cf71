"""Reading Febelfin CODA 2 statements and writing them back: pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance.base import i18n
from governance.ledger.bank.coda import read_coda
from governance.ledger.bank.parsed import BankLine, ParsedStatement, StatementError
from governance.ledger.bank.sample_files import coda

COOP_IBAN = "BE68539007547034"
CLIENT_IBAN = "BE71096123456769"
OGM = "010806817183"
DAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with i18n.language("en"):
        yield


def line(amount: int, position: int = 1, **fields: object) -> BankLine:
    values: dict[str, object] = {
        "position": position,
        "file_line": 0,
        "booked_on": DAY,
        "amount_cents": amount,
        "bank_reference": f"REF{position}/0000",
        "end_to_end_id": "",
        "communication": "",
        "text": "",
        "counterparty_name": "",
        "counterparty_iban": "",
        "bank_code": "",
    }
    values.update(fields)
    return BankLine(**values)  # type: ignore[arg-type]


def statement(*lines: BankLine, opening: int = 100_00, **fields: object) -> ParsedStatement:
    values: dict[str, object] = {
        "file_format": "coda.2",
        "iban": COOP_IBAN,
        "currency": "EUR",
        "number": "12",
        "from_day": dt.date(2026, 3, 1),
        "to_day": DAY,
        "opening_cents": opening,
        "closing_cents": opening + sum(bank_line.amount_cents for bank_line in lines),
        "lines": lines,
    }
    values.update(fields)
    return ParsedStatement(**values)  # type: ignore[arg-type]


def with_lines_of(written: ParsedStatement, read: ParsedStatement) -> ParsedStatement:
    """`written` with the file lines `read` found."""
    assert len(read.lines) == len(written.lines)
    lines = tuple(
        replace(mine, file_line=theirs.file_line)
        for mine, theirs in zip(written.lines, read.lines, strict=True)
    )
    return replace(written, lines=lines)


def error(data: bytes) -> StatementError:
    with pytest.raises(StatementError) as caught:
        read_coda(data)
    return caught.value


def record(fields: dict[int, str]) -> str:
    """A 128-character record with each value written from its 1-based position."""
    chars = [" "] * 128
    for start, value in fields.items():
        chars[start - 1 : start - 1 + len(value)] = value
    assert len(chars) == 128
    return "".join(chars)


def header(version: str = "2") -> str:
    return record({1: "00000", 6: "020326", 12: "000", 15: "05", 128: version})


def old(cents: int = 1000_00, structure: str = "2", account: str = COOP_IBAN) -> str:
    sign = "1" if cents < 0 else "0"
    return record(
        {1: "1", 2: structure, 3: "012", 6: account, 40: "EUR", 43: sign, 59: "010326"}
        | {44: f"{abs(cents) * 10:015d}"}
    )


def move(sequence: int, detail: int, thousandths: int, **more: str) -> str:
    fields = {1: "21", 3: f"{sequence:04d}", 7: f"{detail:04d}", 11: f"BANKREF{sequence}"}
    fields |= {32: "1" if thousandths < 0 else "0", 33: f"{abs(thousandths):015d}"}
    fields |= {48: "020326", 54: "00150000", 62: "0", 116: "020326", 122: "012", 125: "0"}
    fields |= {int(position): value for position, value in more.items()}
    return record(fields)


def new(cents: int) -> str:
    sign = "1" if cents < 0 else "0"
    return record(
        {1: "8", 2: "012", 5: COOP_IBAN, 39: "EUR", 42: sign, 58: "020326"}
        | {43: f"{abs(cents) * 10:015d}"}
    )


def trailer(debits: int, credits: int) -> str:
    return record({1: "9", 17: "000004", 23: f"{debits:015d}", 38: f"{credits:015d}", 128: "2"})


def file(*records: str) -> bytes:
    return "".join(f"{one}\r\n" for one in records).encode("latin-1")


# --- round trips ---------------------------------------------------------------------------


def test_a_statement_comes_back_as_written() -> None:
    written = statement(
        line(
            123_45,
            1,
            communication=OGM,
            text="Invoice 12",
            counterparty_name="Amina Benali",
            counterparty_iban=CLIENT_IBAN,
            end_to_end_id="E2E-0001",
            bank_code="00150000",
        ),
        line(-50_00, 2, text="word " * 25 + "end", counterparty_name="Proximus SA"),
        line(-1, 3, bank_reference="", text="x" * 200),
        line(7_00, 4, counterparty_iban="NL91ABNA0417164300"),
        opening=-250_00,
    )
    data = coda(written)
    (read,) = read_coda(data)
    assert read == with_lines_of(written, read)
    rows = data.decode("latin-1").split("\r\n")
    assert rows[-1] == ""
    assert all(len(row) == 128 for row in rows[:-1])
    assert [rows[b.file_line - 1][:2] for b in read.lines] == ["21"] * 4


def test_the_file_carries_what_the_standard_puts_where() -> None:
    written = statement(
        line(12_34, communication=OGM, counterparty_name="Ana", counterparty_iban=CLIENT_IBAN),
        number="7",
    )
    rows = coda(written, bank_id="539", holder="Coop Liège").decode("latin-1").split("\r\n")
    assert rows[0][0] == "0" and rows[0][11:14] == "539" and rows[0][127] == "2"
    assert rows[1][:5] == "12007" and rows[1][5:21] == COOP_IBAN and rows[1][39:42] == "EUR"
    assert rows[1][64:90].rstrip() == "Coop Liege"
    assert rows[2][:10] == "2100010000" and rows[2][32:47] == "000000000012340"
    assert rows[2][61:77] == "1101" + OGM
    assert rows[3][:2] == "22" and rows[4][:2] == "23"
    assert rows[4][10:26] == CLIENT_IBAN and rows[4][47:50] == "Ana"
    assert rows[5][0] == "8" and rows[6][0] == "9"


def test_a_foreign_iban_uses_account_structure_3() -> None:
    written = statement(line(1_00), iban="NL91ABNA0417164300")
    rows = coda(written).decode("latin-1").split("\r\n")
    assert rows[1][1] == "3"
    (read,) = read_coda(coda(written))
    assert read.iban == "NL91ABNA0417164300"


def test_texts_are_written_in_ascii() -> None:
    written = statement(line(1_00, text="Café à Liège مرحبا", counterparty_name="Zoë " + "N" * 40))
    (read,) = read_coda(coda(written))
    assert read.lines[0].text == "Cafe a Liege"
    assert read.lines[0].counterparty_name == ("Zoe " + "N" * 40)[:35]


def test_line_feeds_alone_are_read_too() -> None:
    written = statement(line(5_00), line(-2_00, 2))
    (crlf,) = read_coda(coda(written))
    (lf,) = read_coda(coda(written).replace(b"\r\n", b"\n"))
    assert lf == crlf


def test_several_statements_in_one_file() -> None:
    first = statement(line(10_00), number="1")
    second = statement(line(-5_00), number="2", opening=-3_00, iban=CLIENT_IBAN)
    read = read_coda(coda(first) + coda(second))
    assert [(s.number, s.iban, s.closing_cents) for s in read] == [
        ("1", COOP_IBAN, 110_00),
        ("2", CLIENT_IBAN, -8_00),
    ]
    assert read[1].lines[0].file_line == 8


# --- files written by hand -------------------------------------------------------------------


def test_the_details_of_a_globalisation_are_the_lines_when_they_add_up() -> None:
    data = file(
        header(),
        old(),
        move(1, 0, 300_000, **{"125": "1"}),
        move(1, 1, 100_000, **{"63": "Ana"}),
        move(1, 2, 200_000, **{"63": "Bob"}),
        move(2, 0, -5_000),
        new(1000_00 + 300_00 - 5_00),
        trailer(5_000, 300_000),
    )
    (read,) = read_coda(data)
    assert [(b.amount_cents, b.text) for b in read.lines] == [
        (100_00, "Ana"),
        (200_00, "Bob"),
        (-5_00, ""),
    ]
    assert [b.bank_reference for b in read.lines] == [
        "BANKREF1/0001",
        "BANKREF1/0002",
        "BANKREF2/0000",
    ]
    assert [b.file_line for b in read.lines] == [4, 5, 6]


def test_the_total_of_a_globalisation_is_the_line_when_its_details_do_not_add_up() -> None:
    data = file(
        header(),
        old(),
        move(1, 0, 300_000, **{"125": "1"}),
        move(1, 1, 100_000),
        move(1, 2, 150_000),
        new(1300_00),
        trailer(0, 300_000),
    )
    (read,) = read_coda(data)
    assert [b.amount_cents for b in read.lines] == [300_00]


def test_information_records_add_to_the_text_of_their_movement() -> None:
    data = file(
        header(),
        old(),
        move(1, 0, 10_000, **{"63": "Invoice 2026-12", "128": "1"}),
        record({1: "31", 3: "0001", 7: "0000", 40: "0", 41: "extra", 126: "1"}),
        record({1: "32", 3: "0001", 7: "0000", 11: "information"}),
        move(2, 0, 20_000, **{"128": "1"}),
        record({1: "31", 3: "0002", 7: "0000", 40: "1", 41: "001ANA STRUCTURED"}),
        new(1030_00),
        trailer(0, 30_000),
    )
    (read,) = read_coda(data)
    assert [b.text for b in read.lines] == ["Invoice 2026-12 extra information", ""]


def test_records_22_and_23_continue_the_movement() -> None:
    data = file(
        header(),
        old(),
        move(1, 0, 10_000, **{"63": "a" * 53, "126": "1"}),
        record({1: "22", 3: "0001", 7: "0000", 11: "b" * 53, 64: "E2E 42", 126: "1"}),
        record(
            {1: "23", 3: "0001", 7: "0000", 11: "be71 0961 2345 6769", 48: "Ana  Benali"}
            | {83: "c" * 43}
        ),
        new(1010_00),
        trailer(0, 10_000),
    )
    (bank_line,) = read_coda(data)[0].lines
    assert bank_line.text == "a" * 53 + "b" * 53 + "c" * 43
    assert bank_line.end_to_end_id == "E2E 42"
    assert bank_line.counterparty_iban == CLIENT_IBAN
    assert bank_line.counterparty_name == "Ana Benali"
    assert bank_line.bank_code == "00150000"


def test_a_structured_communication_of_type_101_or_102() -> None:
    records = [
        move(1, 0, 10_000, **{"62": "1", "63": "101" + OGM}),
        move(2, 0, 10_000, **{"62": "1", "63": "102" + OGM}),
        move(3, 0, 10_000, **{"62": "1", "63": "127" + "SEPA DIRECT DEBIT"}),
    ]
    (read,) = read_coda(file(header(), old(), *records, new(1030_00), trailer(0, 30_000)))
    assert [b.communication for b in read.lines] == [OGM, OGM, ""]
    assert [b.text for b in read.lines] == ["", "", ""]


# --- refused files ---------------------------------------------------------------------------


def test_a_record_of_127_characters_names_its_line() -> None:
    rows = coda(statement(line(1_00))).split(b"\r\n")
    rows[2] = rows[2][:127]
    found = error(b"\r\n".join(rows))
    assert found.line == 3 and "Line 3" in found.message and "127" in found.message


def test_a_coda_version_1_header_is_refused() -> None:
    rows = coda(statement(line(1_00))).split(b"\r\n")
    rows[0] = rows[0][:127] + b"1"
    assert "version 1" in error(b"\r\n".join(rows)).message


def test_wrong_trailer_totals_are_refused() -> None:
    data = file(header(), old(), move(1, 0, 10_000), new(1010_00), trailer(0, 20_000))
    found = error(data)
    assert found.line == 5 and "20.00" in found.message and "10.00" in found.message


def test_a_bban_account_is_refused() -> None:
    data = file(header(), old(structure="0", account="539007547034"), new(1000_00), trailer(0, 0))
    assert "IBAN" in error(data).message


def test_balances_that_do_not_add_up_are_refused_with_both_figures() -> None:
    data = file(header(), old(), move(1, 0, 10_000), new(1020_00), trailer(0, 10_000))
    message = error(data).message
    assert "1010.00" in message and "1020.00" in message


def test_a_third_decimal_is_refused() -> None:
    data = file(header(), old(), move(1, 0, 10_001), new(1010_00), trailer(0, 10_001))
    assert error(data).line == 3


@pytest.mark.parametrize(
    "data",
    [b"", b"\r\n", b"0" * 100 + b"\r\n", b"1" + b" " * 127, b"date;amount\n2026-03-02;12,00\n"],
)
def test_a_file_that_is_not_coda_is_refused(data: bytes) -> None:
    assert "not a CODA file" in error(data).message


def test_a_file_cut_before_its_trailer_is_refused() -> None:
    assert "trailer" in error(file(header(), old(), move(1, 0, 10_000), new(1010_00))).message


def test_a_bad_date_names_its_line() -> None:
    data = file(header(), old(), move(1, 0, 10_000, **{"116": "310226"}), new(1010_00))
    found = error(data)
    assert found.line == 3 and "310226" in found.message


# --- property: any statement CODA can carry comes back -------------------------------------

ASCII = st.characters(min_codepoint=32, max_codepoint=126)
CODES = st.from_regex(r"[A-Za-z0-9\-]{0,8}", fullmatch=True)
OGMS = st.integers(1, 9_999_999_999).map(lambda n: f"{n:010d}{n % 97 or 97:02d}")


def clean(text: str) -> str:
    return " ".join(text.split())


@st.composite
def statements(draw: st.DrawFn) -> ParsedStatement:
    first = draw(st.dates(dt.date(1980, 1, 1), dt.date(2079, 11, 30)))
    count = draw(st.integers(0, 5))
    lines = []
    for position in range(1, count + 1):
        reference = draw(st.from_regex(r"[A-Za-z0-9\-]{0,21}", fullmatch=True))
        lines.append(
            BankLine(
                position=position,
                file_line=0,
                booked_on=draw(st.dates(first, first + dt.timedelta(days=30))),
                amount_cents=draw(st.integers(-(10**9), 10**9).filter(bool)),
                bank_reference=f"{reference}/0000" if reference else "",
                end_to_end_id=clean(draw(st.text(ASCII, max_size=35))),
                communication=draw(st.just("") | OGMS),
                text=clean(draw(st.text(ASCII, max_size=268))),
                counterparty_name=clean(draw(st.text(ASCII, max_size=35))),
                counterparty_iban=draw(
                    st.just("") | st.from_regex(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}", fullmatch=True)
                ),
                bank_code=draw(CODES),
            )
        )
    return statement(
        *lines,
        opening=draw(st.integers(-(10**10), 10**10)),
        number=str(draw(st.integers(0, 999))),
        iban=draw(
            st.sampled_from([COOP_IBAN, "NL91ABNA0417164300", "FR1420041010050500013M02606"])
        ),
        currency=draw(st.sampled_from(["EUR", "USD"])),
        from_day=first,
        to_day=first + dt.timedelta(days=draw(st.integers(0, 31))),
    )


@settings(max_examples=150, deadline=None)
@given(statements())
def test_any_statement_coda_can_carry_comes_back(written: ParsedStatement) -> None:
    (read,) = read_coda(coda(written))
    assert read == with_lines_of(written, read)
