"""Reading ISO 20022 camt.053 statements (versions 02 and 08) and writing them back: pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from governance.base import i18n
from governance.ledger.bank.camt import read_camt
from governance.ledger.bank.parsed import BankLine, ParsedStatement, StatementError
from governance.ledger.bank.sample_files import camt053

COOP_IBAN = "BE68539007547034"
CLIENT_IBAN = "BE71096123456769"
OGM = "010806817183"  # +++010/8068/17183+++
DAY = dt.date(2026, 3, 2)
NS8 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"
NS2 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


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
        "bank_reference": f"REF{position}",
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
        "file_format": "",
        "iban": COOP_IBAN,
        "currency": "EUR",
        "number": "2026-012",
        "from_day": DAY,
        "to_day": DAY,
        "opening_cents": opening,
        "closing_cents": opening + sum(bank_line.amount_cents for bank_line in lines),
        "lines": lines,
    }
    values.update(fields)
    return ParsedStatement(**values)  # type: ignore[arg-type]


def clean(text: str) -> str:
    return " ".join(text.split())


def as_read(written: ParsedStatement, read: ParsedStatement, version: str) -> ParsedStatement:
    """What reading `written` back must give: its lines where the file put them, texts clean."""
    assert len(read.lines) == len(written.lines)
    lines = tuple(
        replace(
            mine,
            file_line=theirs.file_line,
            text=clean(mine.text),
            counterparty_name=clean(mine.counterparty_name),
            bank_reference=clean(mine.bank_reference),
            end_to_end_id=clean(mine.end_to_end_id),
        )
        for mine, theirs in zip(written.lines, read.lines, strict=True)
    )
    return replace(
        written, file_format=f"camt.053.001.{version}", number=clean(written.number), lines=lines
    )


def round_trip(written: ParsedStatement, version: str) -> ParsedStatement:
    (read,) = read_camt(camt053(written, version))
    assert read == as_read(written, read, version)
    return read


def error(data: bytes) -> StatementError:
    with pytest.raises(StatementError) as caught:
        read_camt(data)
    return caught.value


def document(statement_xml: str, namespace: str = NS8) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="{namespace}"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>1</MsgId><CreDtTm>2026-03-02T10:00:00</CreDtTm></GrpHdr>\n"
        f"{statement_xml}\n</BkToCstmrStmt></Document>\n"
    ).encode()


def stmt(entries: str, opening: str = "100.00", closing: str = "100.00") -> str:
    return f"""<Stmt><Id>STMT-7</Id>
<Acct><Id><IBAN>be68 5390 0754 7034</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{opening}</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-01</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{closing}</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-02</Dt></Dt></Bal>
{entries}
</Stmt>"""


def ntry(body: str, amount: str = "10.00", indicator: str = "CRDT", status: str = "BOOK") -> str:
    return f"""<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>
<Sts><Cd>{status}</Cd></Sts><BookgDt><Dt>2026-03-02</Dt></BookgDt>
<AcctSvcrRef>BANKREF</AcctSvcrRef>{body}</Ntry>"""


# --- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["02", "08"])
def test_a_statement_comes_back_as_written(version: str) -> None:
    written = statement(
        line(
            123_45,
            1,
            communication=OGM,
            text="Facture 12 <Liège> & co",
            counterparty_name="Amina Benali",
            counterparty_iban=CLIENT_IBAN,
            end_to_end_id="E2E-0001",
            bank_code="PMNT/RCDT/ESCT",
        ),
        line(-50_00, 2, text="Proximus  mars", counterparty_name="Proximus SA", bank_code="X1"),
        line(-1, 3, bank_reference="", text="مرحبا بكم"),
        opening=-250_00,
        from_day=dt.date(2026, 3, 1),
    )
    read = round_trip(written, version)
    assert read.opening_cents == -250_00
    assert read.lines[1].text == "Proximus mars"
    assert read.lines[2].text == "مرحبا بكم"


def test_version_02_and_08_write_their_own_shapes() -> None:
    written = statement(line(10_00, counterparty_name="Amina", counterparty_iban=CLIENT_IBAN))
    old = etree.fromstring(camt053(written, "02"))
    new = etree.fromstring(camt053(written, "08"))
    assert old.tag == f"{{{NS2}}}Document"
    assert new.tag == f"{{{NS8}}}Document"
    assert old.findtext(".//{*}Ntry/{*}Sts") == "BOOK"
    assert new.findtext(".//{*}Ntry/{*}Sts/{*}Cd") == "BOOK"
    assert old.findtext(".//{*}RltdPties/{*}Dbtr/{*}Nm") == "Amina"
    assert new.findtext(".//{*}RltdPties/{*}Dbtr/{*}Pty/{*}Nm") == "Amina"
    assert old.findtext(".//{*}TxDtls/{*}AmtDtls/{*}TxAmt/{*}Amt") == "10.00"
    assert new.findtext(".//{*}TxDtls/{*}Amt") == "10.00"
    assert new.findtext(".//{*}TxDtls/{*}Refs/{*}EndToEndId") == "NOTPROVIDED"


def test_a_debit_names_the_creditor_and_a_credit_the_debtor() -> None:
    written = statement(
        line(-20_00, 1, counterparty_name="Shop", counterparty_iban=CLIENT_IBAN),
        line(30_00, 2, counterparty_name="Client", counterparty_iban=CLIENT_IBAN),
    )
    xml = etree.fromstring(camt053(written))
    first, second = xml.iterfind(".//{*}Ntry")
    assert first.findtext("{*}CdtDbtInd") == "DBIT"
    assert first.findtext(".//{*}Cdtr/{*}Pty/{*}Nm") == "Shop"
    assert first.find(".//{*}Dbtr") is None
    assert second.findtext(".//{*}DbtrAcct/{*}Id/{*}IBAN") == CLIENT_IBAN
    (read,) = read_camt(camt053(written))
    assert [bank_line.amount_cents for bank_line in read.lines] == [-20_00, 30_00]
    assert [bank_line.counterparty_name for bank_line in read.lines] == ["Shop", "Client"]


def test_each_entry_is_found_at_its_line() -> None:
    data = camt053(statement(line(10_00, 1), line(20_00, 2)))
    (read,) = read_camt(data)
    rows = data.decode().splitlines()
    for bank_line in read.lines:
        assert rows[bank_line.file_line - 1].strip() == "<Ntry>"
    assert read.lines[0].file_line < read.lines[1].file_line


def test_several_statements_in_one_file() -> None:
    first = statement(line(10_00), number="1")
    second = statement(line(-5_00), number="2", iban="BE71096123456769", opening=-3_00)
    xml = etree.fromstring(camt053(first))
    report = xml.find("{*}BkToCstmrStmt")
    report.append(etree.fromstring(camt053(second)).find(".//{*}Stmt"))
    read = read_camt(etree.tostring(xml))
    assert [(s.number, s.iban, s.closing_cents) for s in read] == [
        ("1", COOP_IBAN, 110_00),
        ("2", "BE71096123456769", -8_00),
    ]


# --- entries written by hand -----------------------------------------------------------------


def test_a_batch_booking_gives_one_line_per_transaction() -> None:
    details = "".join(
        f"""
<TxDtls><Refs>{ref}<EndToEndId>{e2e}</EndToEndId></Refs><Amt Ccy="EUR">{amount}</Amt>
<CdtDbtInd>CRDT</CdtDbtInd>
<RltdPties><Dbtr><Pty><Nm>{name}</Nm></Pty></Dbtr></RltdPties></TxDtls>"""
        for ref, e2e, amount, name in (
            ("<AcctSvcrRef>OWN-1</AcctSvcrRef>", "A-1", "1.50", "Ana"),
            ("", "NOTPROVIDED", "2.25", "Bob"),
            ("", "C-3", "6.25", "Cleo"),
        )
    )
    data = document(stmt(ntry(f"<NtryDtls>{details}</NtryDtls>"), closing="110.00"))
    (read,) = read_camt(data)
    assert [bank_line.amount_cents for bank_line in read.lines] == [150, 225, 625]
    assert [bank_line.bank_reference for bank_line in read.lines] == [
        "OWN-1",
        "BANKREF/2",
        "BANKREF/3",
    ]
    assert [bank_line.end_to_end_id for bank_line in read.lines] == ["A-1", "", "C-3"]
    assert [bank_line.counterparty_name for bank_line in read.lines] == ["Ana", "Bob", "Cleo"]
    assert [bank_line.position for bank_line in read.lines] == [1, 2, 3]
    rows = data.decode().splitlines()
    assert all(rows[b.file_line - 1].startswith("<TxDtls>") for b in read.lines)
    assert read.iban == COOP_IBAN  # written with spaces and in lower case


def test_a_version_02_batch_reads_the_transaction_amounts() -> None:
    details = "".join(
        f'<TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">{amount}</Amt></TxAmt></AmtDtls></TxDtls>'
        for amount in ("4.00", "6.00")
    )
    entries = ntry(f"<NtryDtls>{details}</NtryDtls>", indicator="DBIT").replace(
        "<Sts><Cd>BOOK</Cd></Sts>", "<Sts>BOOK</Sts>"
    )
    (read,) = read_camt(document(stmt(entries, closing="90.00"), NS2))
    assert read.file_format == "camt.053.001.02"
    assert [bank_line.amount_cents for bank_line in read.lines] == [-400, -600]


def test_a_batch_whose_transactions_do_not_make_the_entry_is_refused() -> None:
    details = "".join(
        f'<TxDtls><Amt Ccy="EUR">{amount}</Amt></TxDtls>' for amount in ("4.00", "5.00")
    )
    found = error(document(stmt(ntry(f"<NtryDtls>{details}</NtryDtls>"), closing="110.00")))
    assert "9.00" in found.message and "10.00" in found.message
    assert found.line == 9  # the <Ntry>


def test_a_batch_without_each_amount_is_refused() -> None:
    details = '<TxDtls><Amt Ccy="EUR">4.00</Amt></TxDtls><TxDtls></TxDtls>'
    found = error(document(stmt(ntry(f"<NtryDtls>{details}</NtryDtls>"), closing="110.00")))
    assert "each one's amount" in found.message


def test_a_reversal_turns_the_sign_round() -> None:
    entry = ntry(
        "<NtryDtls><TxDtls><RltdPties><Cdtr><Nm>Shop</Nm></Cdtr></RltdPties></TxDtls></NtryDtls>",
        amount="25.00",
        indicator="DBIT",
    )
    entry = entry.replace("<Sts>", "<RvslInd>true</RvslInd><Sts>")
    (read,) = read_camt(document(stmt(entry, closing="125.00")))
    assert read.lines[0].amount_cents == 25_00
    assert read.lines[0].counterparty_name == "Shop"


def test_pending_and_information_entries_are_skipped() -> None:
    entries = ntry("", status="PDNG") + ntry("", status="INFO") + ntry("", amount="1.00")
    (read,) = read_camt(document(stmt(entries, closing="101.00")))
    assert [bank_line.amount_cents for bank_line in read.lines] == [100]


@pytest.mark.parametrize(
    ("unstructured", "communication", "text"),
    [
        ("+++010/8068/17183+++", OGM, ""),
        ("***010/8068/17183***", OGM, ""),
        ("010806817183", OGM, ""),
        ("Invoice +++010/8068/17183+++ March", OGM, "Invoice +++010/8068/17183+++ March"),
        ("+++010/8068/17180+++", "", "+++010/8068/17180+++"),  # wrong check digits
        ("Invoice 12", "", "Invoice 12"),
    ],
)
def test_a_structured_communication_in_the_free_text(
    unstructured: str, communication: str, text: str
) -> None:
    body = f"<NtryDtls><TxDtls><RmtInf><Ustrd>{unstructured}</Ustrd></RmtInf></TxDtls></NtryDtls>"
    (read,) = read_camt(document(stmt(ntry(body), closing="110.00")))
    assert (read.lines[0].communication, read.lines[0].text) == (communication, text)


@pytest.mark.parametrize(
    ("reference", "communication", "text"),
    [
        ("+++010/8068/17183+++", OGM, "x"),
        ("010/8068/17183", OGM, "x"),
        ("RF18539007547034", "", "RF18539007547034 x"),
        ("010806817180", "", "010806817180 x"),
    ],
)
def test_a_creditor_reference(reference: str, communication: str, text: str) -> None:
    body = (
        "<NtryDtls><TxDtls><RmtInf><Ustrd>x</Ustrd><Strd><CdtrRefInf>"
        f"<Ref>{reference}</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls>"
        "<AddtlNtryInf>  </AddtlNtryInf>"
    )
    (read,) = read_camt(document(stmt(ntry(body), closing="110.00")))
    assert (read.lines[0].communication, read.lines[0].text) == (communication, text)


def test_the_bank_additional_information_is_appended_to_the_text() -> None:
    body = (
        "<NtryDtls><TxDtls><RmtInf><Ustrd>Rent</Ustrd><Ustrd>March</Ustrd></RmtInf>"
        "<AddtlTxInf>SEPA transfer</AddtlTxInf></TxDtls></NtryDtls>"
        "<AddtlNtryInf>Booked\n online</AddtlNtryInf>"
    )
    (read,) = read_camt(document(stmt(ntry(body), closing="110.00")))
    assert read.lines[0].text == "Rent March SEPA transfer Booked online"


def test_the_currency_comes_from_the_balances_when_the_account_has_none() -> None:
    data = document(stmt(ntry(""), closing="110.00").replace("<Ccy>EUR</Ccy>", ""))
    (read,) = read_camt(data)
    assert read.currency == "EUR"


# --- refused files ---------------------------------------------------------------------------


def test_broken_xml_names_its_line() -> None:
    data = document(stmt(ntry("<NtryDtls><TxDtls></NtryDtls>"), closing="110.00"))
    found = error(data)
    assert found.line == 11
    assert "line 11" in found.message


def test_a_doctype_is_refused() -> None:
    laughs = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
        b"<Document>&lol2;</Document>"
    )
    assert "DOCTYPE" in error(laughs).message
    external = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<Document xmlns="' + NS8.encode() + b'">&x;</Document>'
    )
    assert "DOCTYPE" in error(external).message


def test_a_utf16_doctype_is_refused_too() -> None:
    text = f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d><Document xmlns="{NS8}"/>'
    assert "DOCTYPE" in error(text.encode("utf-16")).message


def test_a_camt054_notification_is_refused_by_name() -> None:
    data = document("", "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08")
    message = error(data).message
    assert "camt.054" in message and "notification" in message and "camt.053.001.02" in message


def test_an_unknown_version_is_refused() -> None:
    message = error(document("", "urn:iso:std:iso:20022:tech:xsd:camt.053.001.99")).message
    assert "camt.053.001.99" in message and "camt.053.001.13" in message


def test_an_xml_file_that_is_not_camt_is_refused() -> None:
    message = error(b"<html><body>Hello</body></html>").message
    assert "<html>" in message and "camt.053" in message


def test_an_entry_in_another_currency_is_refused() -> None:
    data = document(stmt(ntry("").replace('Ccy="EUR"', 'Ccy="USD"'), closing="110.00"))
    found = error(data)
    assert found.line == 9 and "USD" in found.message and "EUR" in found.message


def test_a_statement_without_closing_balance_is_refused() -> None:
    data = document(stmt("", closing="100.00").replace("<Cd>CLBD</Cd>", "<Cd>ITBD</Cd>"))
    assert "closing balance" in error(data).message


def test_balances_that_do_not_add_up_are_refused_with_both_figures() -> None:
    message = error(document(stmt(ntry(""), opening="100.00", closing="120.00"))).message
    assert "STMT-7" in message and "110.00" in message and "120.00" in message


@pytest.mark.parametrize("amount", ["10.005", "ten", "-10.00", "0.00", "1e3"])
def test_a_bad_amount_names_its_line(amount: str) -> None:
    found = error(document(stmt(ntry("", amount=amount), closing="110.00")))
    assert found.line == 9 and "Line 9" in found.message


def test_a_bad_date_names_its_line() -> None:
    data = document(stmt(ntry("").replace("2026-03-02", "2026-02-30"), closing="110.00"))
    found = error(data)
    assert found.line == 10 and "2026-02-30" in found.message


def test_a_statement_without_iban_is_refused() -> None:
    data = document(stmt(ntry(""), closing="110.00").replace("IBAN>", "Othr>"))
    assert "IBAN" in error(data).message


# --- property: any statement comes back ------------------------------------------------------

TEXTS = st.text(
    st.characters(exclude_categories=("Cs", "Cc", "Cn")) | st.sampled_from("<&>\"' éàعربي\n"),
    max_size=300,
)
IDS = st.from_regex(r"[A-Za-z0-9/+\-]{0,30}", fullmatch=True)
OGMS = st.integers(1, 9_999_999_999).map(lambda n: f"{n:010d}{n % 97 or 97:02d}")


@st.composite
def statements(draw: st.DrawFn) -> ParsedStatement:
    first = draw(st.dates(dt.date(1990, 1, 1), dt.date(2070, 1, 1)))
    count = draw(st.integers(0, 5))
    lines = tuple(
        BankLine(
            position=position,
            file_line=0,
            booked_on=draw(st.dates(first, first + dt.timedelta(days=31))),
            amount_cents=draw(st.integers(-(10**9), 10**9).filter(bool)),
            bank_reference=draw(IDS),
            end_to_end_id=draw(IDS.filter(lambda text: text.upper() != "NOTPROVIDED")),
            communication=draw(st.just("") | OGMS),
            text=draw(TEXTS),
            counterparty_name=draw(TEXTS.map(lambda text: text[:70])),
            counterparty_iban=draw(
                st.just("") | st.from_regex(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}", fullmatch=True)
            ),
            bank_code=draw(st.sampled_from(["", "PMNT/RCDT/ESCT", "0150000", "PMNT/ICDT/SALA"])),
        )
        for position in range(1, count + 1)
    )
    opening = draw(st.integers(-(10**10), 10**10))
    return statement(
        *lines,
        opening=opening,
        number=draw(st.from_regex(r"[A-Za-z0-9\-]{1,20}", fullmatch=True)),
        currency=draw(st.sampled_from(["EUR", "USD"])),
        from_day=first,
        to_day=first + dt.timedelta(days=draw(st.integers(0, 31))),
    )


@settings(max_examples=150, deadline=None)
@given(statements(), st.sampled_from(["02", "08"]))
def test_any_statement_comes_back(written: ParsedStatement, version: str) -> None:
    round_trip(written, version)


def test_a_transaction_amount_in_another_currency_leaves_the_entry_amount() -> None:
    body = (
        '<NtryDtls><TxDtls><AmtDtls><InstdAmt><Amt Ccy="USD">11.00</Amt></InstdAmt>'
        '<TxAmt><Amt Ccy="USD">11.00</Amt></TxAmt></AmtDtls></TxDtls></NtryDtls>'
    )
    (read,) = read_camt(document(stmt(ntry(body), closing="110.00"), NS2))
    assert read.lines[0].amount_cents == 10_00


def test_a_batch_reads_the_counter_value_in_the_statement_currency() -> None:
    details = "".join(
        f'<TxDtls><AmtDtls><TxAmt><Amt Ccy="USD">{usd}</Amt></TxAmt>'
        f'<CntrValAmt><Amt Ccy="EUR">{eur}</Amt></CntrValAmt></AmtDtls></TxDtls>'
        for usd, eur in (("5.00", "4.00"), ("7.00", "6.00"))
    )
    (read,) = read_camt(document(stmt(ntry(f"<NtryDtls>{details}</NtryDtls>"), closing="110.00")))
    assert [bank_line.amount_cents for bank_line in read.lines] == [400, 600]


def test_a_reversal_whose_indicator_is_its_own_direction_is_read_when_only_that_adds_up() -> None:
    """ISO 20022's usage rule: CRDT with RvslInd true is money in that reverses a debit."""
    entry = ntry("", amount="25.00", indicator="CRDT")
    entry = entry.replace("<Sts>", "<RvslInd>true</RvslInd><Sts>")
    (read,) = read_camt(document(stmt(entry, closing="125.00")))
    assert read.lines[0].amount_cents == 25_00
    assert "75.00" in error(document(stmt(entry, closing="130.00"))).message
