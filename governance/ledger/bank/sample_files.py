"""Writing bank statement files from `ParsedStatement`s, for the demo, tests and benchmarks.
Pure: the bytes of a file, nothing written anywhere.

`camt053(statement, version)` writes an ISO 20022 camt.053.001.02 or .08 file (one `<Ntry>` with
one `<TxDtls>` a line), `coda(statement)` a Febelfin CODA 2 file (records 0, 1, 21 with 22 and
23 as needed, 8 and 9; a line's text goes to information records 31-33 when the line has a
structured communication or more than 149 characters of text), each with one statement.
Reading one back gives the same statement except what its format cannot carry:

- both: `file_format` is the format written and `file_line` where each line now is; texts
  (text, names, references) come back trimmed with each run of white space made one space.
- camt.053: characters XML 1.0 cannot hold (control characters) become spaces; a text that is
  itself a valid structured communication, on a line without one, is read as the communication.
- CODA: texts become ASCII (accents taken off, other letters dropped); the text keeps at most
  268 characters, the counterparty's name 35, the end-to-end id 35, the bank reference 21
  (without spaces or a final "/NNNN", read back with "/0000"), the bank code 8; the statement
  number becomes a number below 1000; days must be in 1980-2079; amounts below 10^12.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from lxml import etree

from governance.ledger.bank import coda as c
from governance.ledger.bank.parsed import BankLine, ParsedStatement

_USTRD_WIDTH = 140  # the most one <Ustrd> holds
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FINAL_DETAIL = re.compile(r"/\d{4}$")


def _money(cents: int) -> str:
    return f"{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _indicator(cents: int) -> str:
    return "DBIT" if cents < 0 else "CRDT"


def _ustrd(text: str) -> list[str]:
    """The text in pieces of at most 140 characters, cut between words where it can be."""
    pieces: list[str] = []
    for word in text.split():
        if pieces and len(pieces[-1]) + 1 + len(word) <= _USTRD_WIDTH:
            pieces[-1] += " " + word
        else:
            pieces.append(word)
    return pieces


class _Camt:
    def __init__(self, version: str) -> None:
        self.version = version
        self.namespace = f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}"

    def add(self, parent: Any, path: str, text: str | None = None, **attributes: str) -> Any:
        """`path`'s last element under `parent`, creating the ones before it as needed."""
        element = parent
        steps = path.split("/")
        for index, step in enumerate(steps):
            tag = f"{{{self.namespace}}}{step}"
            found = element.find(tag) if index < len(steps) - 1 else None
            element = found if found is not None else etree.SubElement(element, tag)
        element.attrib.update(attributes)
        if text is not None:
            element.text = _XML_INVALID.sub(" ", text)
        return element

    def balance(self, stmt: Any, code: str, cents: int, day: dt.date, currency: str) -> None:
        balance = self.add(stmt, "Bal")
        self.add(balance, "Tp/CdOrPrtry/Cd", code)
        self.add(balance, "Amt", _money(cents), Ccy=currency)
        self.add(balance, "CdtDbtInd", _indicator(cents))
        self.add(balance, "Dt/Dt", day.isoformat())

    def entry(self, stmt: Any, line: BankLine, currency: str) -> None:
        entry = self.add(stmt, "Ntry")
        self.add(entry, "Amt", _money(line.amount_cents), Ccy=currency)
        self.add(entry, "CdtDbtInd", _indicator(line.amount_cents))
        self.add(entry, "Sts" if self.version == "02" else "Sts/Cd", "BOOK")
        self.add(entry, "BookgDt/Dt", line.booked_on.isoformat())
        self.add(entry, "ValDt/Dt", line.booked_on.isoformat())
        if line.bank_reference:
            self.add(entry, "AcctSvcrRef", line.bank_reference)
        code = self.add(entry, "BkTxCd")
        parts = line.bank_code.split("/")
        if len(parts) == 3:
            self.add(code, "Domn/Cd", parts[0])
            self.add(code, "Domn/Fmly/Cd", parts[1])
            self.add(code, "Domn/Fmly/SubFmlyCd", parts[2])
        elif line.bank_code:
            self.add(code, "Prtry/Cd", line.bank_code)
        tx = self.add(entry, "NtryDtls/TxDtls")
        self.add(tx, "Refs/EndToEndId", line.end_to_end_id or "NOTPROVIDED")
        if self.version == "02":
            self.add(tx, "AmtDtls/TxAmt/Amt", _money(line.amount_cents), Ccy=currency)
        else:
            self.add(tx, "Amt", _money(line.amount_cents), Ccy=currency)
            self.add(tx, "CdtDbtInd", _indicator(line.amount_cents))
        party, account = ("Cdtr", "CdtrAcct") if line.amount_cents < 0 else ("Dbtr", "DbtrAcct")
        if line.counterparty_name:
            name = f"RltdPties/{party}/Nm" if self.version == "02" else f"RltdPties/{party}/Pty/Nm"
            self.add(tx, name, line.counterparty_name)
        if line.counterparty_iban:
            self.add(tx, f"RltdPties/{account}/Id/IBAN", line.counterparty_iban)
        pieces = _ustrd(_XML_INVALID.sub(" ", line.text))
        if pieces or line.communication:
            remittance = self.add(tx, "RmtInf")
            for piece in pieces:
                self.add(remittance, "Ustrd", piece)
            if line.communication:
                reference = self.add(remittance, "Strd/CdtrRefInf")
                self.add(reference, "Tp/CdOrPrtry/Cd", "SCOR")
                self.add(reference, "Tp/Issr", "BBA")
                self.add(reference, "Ref", line.communication)


def camt053(statement: ParsedStatement, version: str = "08") -> bytes:
    """A camt.053.001.`version` file ("02" or "08") with this one statement."""
    if version not in ("02", "08"):
        raise ValueError(f"camt.053.001.{version} is not written here, only 02 and 08")
    camt = _Camt(version)
    root = etree.Element(f"{{{camt.namespace}}}Document", nsmap={None: camt.namespace})
    report = camt.add(root, "BkToCstmrStmt")
    created = f"{statement.to_day.isoformat()}T23:59:59"
    camt.add(report, "GrpHdr/MsgId", f"{statement.iban}-{statement.number}"[:35])
    camt.add(report, "GrpHdr/CreDtTm", created)
    stmt = camt.add(report, "Stmt")
    camt.add(stmt, "Id", statement.number)
    camt.add(stmt, "CreDtTm", created)
    camt.add(stmt, "FrToDt/FrDtTm", f"{statement.from_day.isoformat()}T00:00:00")
    camt.add(stmt, "FrToDt/ToDtTm", created)
    camt.add(stmt, "Acct/Id/IBAN", statement.iban)
    camt.add(stmt, "Acct/Ccy", statement.currency)
    camt.balance(stmt, "OPBD", statement.opening_cents, statement.from_day, statement.currency)
    camt.balance(stmt, "CLBD", statement.closing_cents, statement.to_day, statement.currency)
    for line in statement.lines:
        camt.entry(stmt, line, statement.currency)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


# --- CODA ------------------------------------------------------------------------------------


def ascii_text(text: str) -> str:
    """`text` as CODA carries it: ASCII without accents, one space between words."""
    bare = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join("".join(char if char.isprintable() else " " for char in bare).split())


class _Record:
    def __init__(self, kind: str) -> None:
        self.chars = list(kind.ljust(c.RECORD_LENGTH))

    def put(self, zone: c.Zone, value: str) -> _Record:
        if len(value) > zone.width:
            raise ValueError(f"{value!r} does not fit in positions {zone.start}-{zone.end}")
        self.chars[zone.start - 1 : zone.end] = value.ljust(zone.width)
        return self

    def __str__(self) -> str:
        return "".join(self.chars)


def _day(day: dt.date) -> str:
    if not 1980 <= day.year <= 2079:
        raise ValueError(f"CODA writes years 1980-2079, not {day.year}")
    return f"{day:%d%m%y}"


def _amount(cents: int) -> str:
    text = f"{abs(cents) * 10:015d}"
    if len(text) > c.MOVE_AMOUNT.width:
        raise ValueError(f"{cents} cents is too large for CODA")
    return text


def _sign(cents: int) -> str:
    return c.DEBIT if cents < 0 else c.CREDIT


def _movement(line: BankLine, sequence: str, number: str) -> list[_Record]:
    """Records 21, 22 and 23 (as needed), 31, 32 and 33 (as needed) of one line."""
    text = ascii_text(line.text)
    free = "" if line.communication or len(text) > 149 else text  # 53 + 53 + 43 characters
    information = "" if free else text[:268]  # 73 + 105 + 90 characters
    end_to_end, name = ascii_text(line.end_to_end_id)[:35], ascii_text(line.counterparty_name)
    reference = ascii_text(_FINAL_DETAIL.sub("", line.bank_reference)).replace(" ", "")[:21]
    code = ascii_text(line.bank_code)[:8]
    first = _Record("21").put(c.MOVE_REFERENCE, reference)
    first.put(c.MOVE_SIGN, _sign(line.amount_cents)).put(c.MOVE_AMOUNT, _amount(line.amount_cents))
    first.put(c.MOVE_VALUE_DATE, _day(line.booked_on)).put(c.MOVE_ENTRY_DATE, _day(line.booked_on))
    first.put(c.MOVE_CODE, code).put(c.MOVE_NUMBER, number).put(c.MOVE_GLOBALISATION, "0")
    if line.communication:
        first.put(c.MOVE_STRUCTURED, "1").put(c.MOVE_TYPE, "101")
        first.put(c.MOVE_OGM, line.communication)
    else:
        first.put(c.MOVE_STRUCTURED, "0").put(c.MOVE_TEXT, free[:53])
    movement = [first]
    if end_to_end or len(free) > 53 or line.counterparty_name or line.counterparty_iban:
        second = _Record("22").put(c.MOVE2_TEXT, free[53:106])
        movement.append(second.put(c.MOVE2_CLIENT_REFERENCE, end_to_end))
    if line.counterparty_name or line.counterparty_iban or len(free) > 106:
        third = _Record("23").put(c.MOVE3_ACCOUNT, ascii_text(line.counterparty_iban))
        movement.append(third.put(c.MOVE3_NAME, name[:35]).put(c.MOVE3_TEXT, free[106:149]))
    info: list[_Record] = []
    for kind, zone, start in (("31", c.INFO1_TEXT, 0), ("32", c.INFO2_TEXT, 73)):
        if len(information) > start:
            info.append(_Record(kind).put(zone, information[start : start + zone.width]))
    if len(information) > 178:
        info.append(_Record("33").put(c.INFO3_TEXT, information[178:268]))
    if info:
        info[0].put(c.INFO1_REFERENCE, reference).put(c.INFO1_CODE, code)
        info[0].put(c.INFO1_STRUCTURED, "0")
    for records in (movement, info):
        for index, record in enumerate(records):
            record.put(c.SEQUENCE, sequence).put(c.DETAIL, "0000")
            record.put(c.NEXT_CODE, "1" if index + 1 < len(records) else "0")
            record.put(c.LINK_CODE, "1" if info and record is movement[-1] else "0")
    return movement + info


def coda(statement: ParsedStatement, bank_id: str = "000", holder: str = "") -> bytes:
    """A CODA 2 file with this one statement, CRLF between its 128-character records."""
    iban, currency = statement.iban, statement.currency
    digits = "".join(char for char in statement.number if char.isdigit())
    number = f"{int(digits or '0') % 1000:03d}"
    holder = ascii_text(holder)
    header = _Record("0").put(c.HEADER_CREATED, _day(statement.to_day))
    header.put(c.HEADER_BANK, bank_id.zfill(3)[-3:]).put(c.HEADER_APPLICATION, "05")
    header.put(c.HEADER_ADDRESSEE, holder[:26]).put(c.HEADER_VERSION, c.VERSION)
    header.put(c.HEADER_ZEROS, "0000")
    belgian = iban.startswith("BE") and len(iban) <= c.OLD_IBAN_BE.width
    old = _Record("1").put(c.OLD_STRUCTURE, "2" if belgian else "3").put(c.OLD_NUMBER, number)
    old.put(c.OLD_IBAN_BE if belgian else c.OLD_IBAN_FOREIGN, iban).put(c.OLD_CURRENCY, currency)
    old.put(c.OLD_SIGN, _sign(statement.opening_cents))
    old.put(c.OLD_BALANCE, _amount(statement.opening_cents))
    old.put(c.OLD_DATE, _day(statement.from_day)).put(c.OLD_HOLDER, holder[:26])
    old.put(c.OLD_CODED_NUMBER, number)
    movements = [
        record
        for index, line in enumerate(statement.lines, 1)
        for record in _movement(line, f"{index % 10_000:04d}", number)
    ]
    new = _Record("8").put(c.NEW_NUMBER, number).put(c.NEW_ACCOUNT, c.OLD_ACCOUNT.of(str(old)))
    new.put(c.NEW_SIGN, _sign(statement.closing_cents))
    new.put(c.NEW_BALANCE, _amount(statement.closing_cents)).put(c.NEW_DATE, _day(statement.to_day))
    new.put(c.LINK_CODE, "0")
    amounts = [line.amount_cents for line in statement.lines]
    trailer = _Record("9").put(c.TRAILER_RECORDS, f"{len(movements) + 2:06d}")
    trailer.put(c.TRAILER_DEBIT, _amount(sum(a for a in amounts if a < 0)))
    trailer.put(c.TRAILER_CREDIT, _amount(sum(a for a in amounts if a > 0)))
    trailer.put(c.TRAILER_LAST, "2")
    records = [header, old, *movements, new, trailer]
    return "".join(f"{record}\r\n" for record in records).encode("latin-1")
