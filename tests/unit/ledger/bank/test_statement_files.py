"""Recognising an uploaded statement file's format, and refusing what is not one: pure."""

from __future__ import annotations

import codecs
import datetime as dt
import random
from collections.abc import Iterator

import pytest

from governance.base import i18n
from governance.ledger.bank.parsed import BankLine, ParsedStatement, StatementError
from governance.ledger.bank.sample_files import camt053, coda
from governance.ledger.bank.statement_files import MAX_FILE_BYTES, read_statements

DAY = dt.date(2026, 3, 2)
NOT_A_STATEMENT = "This file is not a bank statement: upload a CAMT.053 (XML) or CODA file"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with i18n.language("en"):
        yield


def statement() -> ParsedStatement:
    bank_line = BankLine(1, 0, DAY, 42_00, "REF/0000", "", "", "Rent", "Ana", "", "")
    return ParsedStatement("", "BE68539007547034", "EUR", "3", DAY, DAY, 0, 42_00, (bank_line,))


def error(data: bytes) -> str:
    with pytest.raises(StatementError) as caught:
        read_statements(data)
    return caught.value.message


def test_a_camt_file_is_read_as_camt() -> None:
    (read,) = read_statements(camt053(statement()))
    assert read.file_format == "camt.053.001.08"
    assert read.lines[0].amount_cents == 42_00


def test_a_camt_file_with_a_byte_order_mark() -> None:
    (read,) = read_statements(codecs.BOM_UTF8 + camt053(statement(), "02"))
    assert read.file_format == "camt.053.001.02"


def test_a_camt_file_with_blank_lines_before_its_root() -> None:
    data = camt053(statement()).split(b"\n", 1)[1]  # without the XML declaration
    uploaded = codecs.BOM_UTF8 + b"\r\n \t" + data
    (read,) = read_statements(uploaded)
    rows = [row.strip() for row in uploaded.split(b"\n")]
    assert read.lines[0].file_line == rows.index(b"<Ntry>") + 1  # lines counted as uploaded


def test_a_coda_file_is_read_as_coda() -> None:
    (read,) = read_statements(coda(statement()))
    assert read.file_format == "coda.2"
    assert read.lines[0].text == "Rent"


def test_a_coda_file_whose_header_is_cut_short_says_so() -> None:
    data = coda(statement())
    assert "not a CODA file" in error(data[:100] + data[128:])


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        b"date;amount;text\n2026-03-02;12,00;Rent\n",
        b"PK\x03\x04\x14\x00\x06\x00",
        b"Bonjour",
    ],
)
def test_a_file_that_is_not_a_statement_is_refused(data: bytes) -> None:
    assert NOT_A_STATEMENT in error(data)


def test_random_bytes_are_refused() -> None:
    data = random.Random(2026).randbytes(4096)
    assert data.lstrip()[:1] not in (b"<", b"0")  # the seed gives bytes of neither format
    assert NOT_A_STATEMENT in error(data)


@pytest.mark.parametrize("data", [b"", b" \r\n\t"])
def test_an_empty_file_is_refused(data: bytes) -> None:
    assert error(data) == "This file is empty."


def test_a_file_over_the_limit_is_refused_before_it_is_read() -> None:
    data = camt053(statement())
    data += b" " * (MAX_FILE_BYTES + 1 - len(data))
    assert len(data) == MAX_FILE_BYTES + 1
    message = error(data)
    assert "20 MB" in message


def test_a_file_at_the_limit_is_read() -> None:
    data = camt053(statement())
    head, tail = data.split(b"</Document>")
    comment = b"<!-- " + b"x" * 90 + b" -->\n"  # 100 bytes
    padding = comment * ((MAX_FILE_BYTES - len(data)) // len(comment))
    data = head + padding + b" " * (MAX_FILE_BYTES - len(data) - len(padding)) + b"</Document>"
    data += tail
    assert len(data) == MAX_FILE_BYTES
    (read,) = read_statements(data)
    assert read.closing_cents == 42_00


def test_a_camt_file_without_statement_is_refused() -> None:
    data = (
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
        b"<GrpHdr><MsgId>1</MsgId></GrpHdr></BkToCstmrStmt></Document>"
    )
    assert error(data) == "This file holds no statement."
