"""Reading a Febelfin CODA 2 bank statement file into `ParsedStatement`s. Pure.

Latin-1 text, one 128-character record a line (CRLF or LF); positions are 1-based and
inclusive as in the Febelfin standard, and `sample_files.coda` writes with the same `Zone`s.
Each statement is a group of records 0 (header), 1 (old balance), 21/22/23 (a movement: amount,
code, dates, communication, then the client's reference, then the counterparty and the end of
the free text, at 83-125), 31/32/33 (information, appended to the text of the movement with the
same sequence numbers), 4 (free message, ignored), 8 (new balance) and 9 (trailer).

Globalisation: a movement with a globalisation code above 0 is a total whose details follow
with its continuous sequence number and detail numbers above 0. The details are the lines when
they add up to the total, else the total is; never both. Zero movements are not lines.
The trailer's debit and credit sums must be those of the movements with detail number 0000 (as
the standard defines them), and opening + lines must make the closing balance.

Not read: accounts without IBAN (structures 0 and 1), CODA 1, structured communications other
than 101/102 (direct debit details of 127, structured 31 records...), value dates, BICs, free
messages, third decimals (refused), files without line breaks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import groupby

from stdnum.be import ogm_vcs

from governance.base.i18n import _
from governance.ledger.bank.parsed import BankLine, ParsedStatement, StatementError

RECORD_LENGTH = 128
VERSION = "2"
FILE_FORMAT = "coda.2"
CREDIT, DEBIT = "0", "1"
STRUCTURED_TYPES = ("101", "102")  # Belgian structured communication (OGM-VCS)


@dataclass(frozen=True)
class Zone:
    """Positions `start` to `end` of a record, 1-based and inclusive as in the standard."""

    start: int
    end: int

    @property
    def width(self) -> int:
        return self.end - self.start + 1

    def of(self, record: str) -> str:
        return record[self.start - 1 : self.end]


# 0: header
HEADER_ZEROS = Zone(2, 5)
HEADER_CREATED = Zone(6, 11)
HEADER_BANK = Zone(12, 14)
HEADER_APPLICATION = Zone(15, 16)
HEADER_ADDRESSEE = Zone(35, 60)
HEADER_VERSION = Zone(128, 128)
# 1: old balance
OLD_STRUCTURE = Zone(2, 2)
OLD_NUMBER = Zone(3, 5)
OLD_ACCOUNT = Zone(6, 42)  # IBAN and currency, as in record 8
OLD_IBAN_BE = Zone(6, 21)
OLD_IBAN_FOREIGN = Zone(6, 39)
OLD_CURRENCY = Zone(40, 42)
OLD_SIGN = Zone(43, 43)
OLD_BALANCE = Zone(44, 58)
OLD_DATE = Zone(59, 64)
OLD_HOLDER = Zone(65, 90)
OLD_CODED_NUMBER = Zone(126, 128)
# 2x and 3x
SEQUENCE = Zone(3, 6)
DETAIL = Zone(7, 10)
NEXT_CODE = Zone(126, 126)
LINK_CODE = Zone(128, 128)
# 21: movement
MOVE_REFERENCE = Zone(11, 31)
MOVE_SIGN = Zone(32, 32)
MOVE_AMOUNT = Zone(33, 47)
MOVE_VALUE_DATE = Zone(48, 53)
MOVE_CODE = Zone(54, 61)
MOVE_STRUCTURED = Zone(62, 62)
MOVE_TEXT = Zone(63, 115)
MOVE_TYPE = Zone(63, 65)
MOVE_OGM = Zone(66, 77)
MOVE_ENTRY_DATE = Zone(116, 121)
MOVE_NUMBER = Zone(122, 124)
MOVE_GLOBALISATION = Zone(125, 125)
# 22 and 23: the movement continued
MOVE2_TEXT = Zone(11, 63)
MOVE2_CLIENT_REFERENCE = Zone(64, 98)
MOVE3_ACCOUNT = Zone(11, 44)
MOVE3_NAME = Zone(48, 82)
MOVE3_TEXT = Zone(83, 125)
# 31, 32, 33: information
INFO1_REFERENCE = Zone(11, 31)
INFO1_CODE = Zone(32, 39)
INFO1_STRUCTURED = Zone(40, 40)
INFO1_TEXT = Zone(41, 113)
INFO2_TEXT = Zone(11, 115)
INFO3_TEXT = Zone(11, 100)
# 8: new balance
NEW_NUMBER = Zone(2, 4)
NEW_ACCOUNT = Zone(5, 41)
NEW_SIGN = Zone(42, 42)
NEW_BALANCE = Zone(43, 57)
NEW_DATE = Zone(58, 63)
# 9: trailer
TRAILER_RECORDS = Zone(17, 22)
TRAILER_DEBIT = Zone(23, 37)
TRAILER_CREDIT = Zone(38, 52)
TRAILER_LAST = Zone(128, 128)

TEXT_ZONES = {"21": MOVE_TEXT, "22": MOVE2_TEXT, "23": MOVE3_TEXT}
INFO_ZONES = {"31": INFO1_TEXT, "32": INFO2_TEXT, "33": INFO3_TEXT}


def _clean(text: str) -> str:
    return " ".join(text.split())


def _plain(thousandths: int) -> str:
    sign = "-" if thousandths < 0 else ""
    units, rest = divmod(abs(thousandths), 1000)
    decimals = f"{rest:03d}" if rest % 10 else f"{rest // 10:02d}"
    return f"{sign}{units}.{decimals}"


def _error(line: int, message: str, **values: object) -> StatementError:
    """`message` (translated, naming "Line %(line)d") filled in with the line and `values`."""
    return StatementError(message % {"line": line, **values}, line)


def _date(record: str, zone: Zone, line: int) -> dt.date:
    text = zone.of(record)
    try:
        if not text.isdigit():
            raise ValueError(text)
        year = int(text[4:6])
        return dt.date(year + (2000 if year < 80 else 1900), int(text[2:4]), int(text[0:2]))
    except ValueError:
        message = _("Line %(line)d: %(date)s is not a date (DDMMYY).")
        raise _error(line, message, date=text.strip()) from None


def _thousandths(record: str, amount: Zone, line: int, sign: Zone | None = None) -> int:
    """An amount in thousandths: 15 digits, 3 of them decimals; signed if `sign` is given
    (0 credit, 1 debit)."""
    digits, sign_code = amount.of(record), sign.of(record) if sign else CREDIT
    if not digits.isdigit() or sign_code not in (CREDIT, DEBIT):
        raise _error(line, _("Line %(line)d: %(amount)s is not a CODA amount."), amount=digits)
    return int(digits) * (-1 if sign_code == DEBIT else 1)


def _cents(record: str, sign: Zone, amount: Zone, line: int) -> int:
    thousandths = _thousandths(record, amount, line, sign)
    if thousandths % 10:
        message = _("Line %(line)d: the amount %(amount)s has a third decimal.")
        raise _error(line, message, amount=_plain(thousandths))
    return thousandths // 10


@dataclass
class _Movement:
    line: int
    sequence: str
    detail: str
    reference: str
    cents: int
    code: str
    globalisation: str
    booked_on: dt.date
    communication: str = ""
    free_text: bool = True
    text: str = ""  # the free communication of 21, 22 and 23, padding included
    information: str = ""  # the texts of 31, 32 and 33, padding included
    end_to_end_id: str = ""
    name: str = ""
    iban: str = ""


@dataclass
class _Statement:
    header_line: int
    number: str = ""
    iban: str = ""
    currency: str = ""
    opening: int | None = None
    from_day: dt.date | None = None
    closing: int | None = None
    to_day: dt.date | None = None
    movements: list[_Movement] = field(default_factory=list)
    latest: dict[str, _Movement] = field(default_factory=dict)  # by sequence, and detail
    information_free: bool = True


def _records(data: bytes) -> list[tuple[int, str]]:
    text = data.decode("latin-1")
    lines = [(number, line.removesuffix("\r")) for number, line in enumerate(text.split("\n"), 1)]
    records = [(number, line) for number, line in lines if line.strip(" \x1a")]
    if not records or records[0][1][:1] != "0" or len(records[0][1]) != RECORD_LENGTH:
        message = _("This is not a CODA file: its first line is not a 128-character header.")
        raise StatementError(message, 1)
    for number, record in records:
        if len(record) != RECORD_LENGTH:
            message = _("Line %(line)d: a CODA record has 128 characters, not %(length)d.")
            raise _error(number, message, length=len(record))
    return records


def _old_balance(statement: _Statement, record: str, line: int) -> None:
    structure = OLD_STRUCTURE.of(record)
    if structure in ("0", "1"):
        message = _("Line %(line)d: the account is not an IBAN: only IBAN accounts can be read.")
        raise _error(line, message)
    if structure not in ("2", "3"):
        message = _("Line %(line)d: unknown account structure %(structure)s.")
        raise _error(line, message, structure=structure)
    zone = OLD_IBAN_BE if structure == "2" else OLD_IBAN_FOREIGN
    statement.iban = "".join(zone.of(record).split()).upper()
    statement.currency = OLD_CURRENCY.of(record).strip().upper()
    number = OLD_NUMBER.of(record).strip()
    statement.number = str(int(number)) if number.isdigit() else number
    statement.opening = _cents(record, OLD_SIGN, OLD_BALANCE, line)
    statement.from_day = _date(record, OLD_DATE, line)


def _movement(statement: _Statement, record: str, line: int) -> None:
    if statement.opening is None:
        raise _error(line, _("Line %(line)d: a movement before the old balance record (1)."))
    reference, detail = "".join(MOVE_REFERENCE.of(record).split()), DETAIL.of(record)
    movement = _Movement(
        line=line,
        sequence=SEQUENCE.of(record),
        detail=detail,
        reference=f"{reference}/{detail}" if reference else "",
        cents=_cents(record, MOVE_SIGN, MOVE_AMOUNT, line),
        code=MOVE_CODE.of(record).strip(),
        globalisation=MOVE_GLOBALISATION.of(record),
        booked_on=_date(record, MOVE_ENTRY_DATE, line),
    )
    if MOVE_STRUCTURED.of(record) == "1":
        movement.free_text = False
        if MOVE_TYPE.of(record) in STRUCTURED_TYPES:
            digits = MOVE_OGM.of(record)
            valid = ogm_vcs.is_valid(digits)
            movement.communication, movement.text = (digits, "") if valid else ("", digits)
    else:
        movement.text = MOVE_TEXT.of(record)
    statement.movements.append(movement)
    for key in (movement.sequence, movement.sequence + movement.detail):
        statement.latest[key] = movement


def _add(statement: _Statement, kind: str, record: str, line: int) -> None:
    """Records 22, 23, 31, 32, 33: more about the movement of the same sequence numbers."""
    sequence = SEQUENCE.of(record)
    movement = statement.latest.get(sequence + DETAIL.of(record), statement.latest.get(sequence))
    if movement is None:
        raise _error(line, _("Line %(line)d: record %(kind)s follows no movement."), kind=kind)
    if kind in TEXT_ZONES and movement.free_text:
        movement.text += TEXT_ZONES[kind].of(record)
    if kind == "22":
        movement.end_to_end_id = _clean(MOVE2_CLIENT_REFERENCE.of(record))
    elif kind == "23":
        movement.iban = "".join(MOVE3_ACCOUNT.of(record).split()).upper()
        movement.name = _clean(MOVE3_NAME.of(record))
    elif kind in INFO_ZONES:
        if kind == "31":
            statement.information_free = INFO1_STRUCTURED.of(record) != "1"
        if statement.information_free:
            movement.information += INFO_ZONES[kind].of(record)


def _counted(movements: list[_Movement]) -> list[_Movement]:
    """The movements that are lines: a globalisation's details or its total, not both."""
    counted: list[_Movement] = []
    for _sequence, group in groupby(movements, key=lambda movement: movement.sequence):
        total, *details = group
        if not total.globalisation.strip("0 "):
            counted.extend([total, *details])
        elif details and sum(detail.cents for detail in details) == total.cents:
            counted.extend(details)
        else:
            counted.append(total)
    return counted


def _trailer(statement: _Statement, record: str, line: int) -> None:
    """The trailer's sums against those of the movements with detail number 0000."""
    theirs = (_thousandths(record, TRAILER_DEBIT, line), _thousandths(record, TRAILER_CREDIT, line))
    tops = [m.cents * 10 for m in statement.movements if not m.detail.strip("0 ")]
    ours = (
        -sum(amount for amount in tops if amount < 0),
        sum(amount for amount in tops if amount > 0),
    )
    if theirs != ours:
        message = _(
            "Line %(line)d: the trailer gives debits of %(debits)s and credits of %(credits)s,"
            " but the movements make debits of %(our_debits)s and credits of %(our_credits)s."
        )
        names = ("debits", "credits", "our_debits", "our_credits")
        raise _error(line, message, **dict(zip(names, map(_plain, theirs + ours), strict=True)))


def _finish(statement: _Statement, line: int) -> ParsedStatement:
    if statement.opening is None or statement.from_day is None:
        raise _error(line, _("Line %(line)d: the statement has no old balance record (1)."))
    if statement.closing is None or statement.to_day is None:
        raise _error(line, _("Line %(line)d: the statement has no new balance record (8)."))
    lines: list[BankLine] = []
    for movement in _counted(statement.movements):
        if not movement.cents:
            continue
        text = _clean(f"{_clean(movement.text)} {_clean(movement.information)}")
        lines.append(
            BankLine(
                position=len(lines) + 1,
                file_line=movement.line,
                booked_on=movement.booked_on,
                amount_cents=movement.cents,
                bank_reference=movement.reference,
                end_to_end_id=movement.end_to_end_id,
                communication=movement.communication,
                text=text,
                counterparty_name=movement.name,
                counterparty_iban=movement.iban,
                bank_code=movement.code,
            )
        )
    total = statement.opening + sum(bank_line.amount_cents for bank_line in lines)
    if total != statement.closing:
        raise StatementError(
            _(
                "Statement %(number)s does not add up: its opening balance %(opening)s and its"
                " lines make %(total)s, but its closing balance is %(closing)s."
            )
            % {
                "number": statement.number,
                "opening": _plain(statement.opening * 10),
                "total": _plain(total * 10),
                "closing": _plain(statement.closing * 10),
            },
            statement.header_line,
        )
    return ParsedStatement(
        file_format=FILE_FORMAT,
        iban=statement.iban,
        currency=statement.currency,
        number=statement.number,
        from_day=statement.from_day,
        to_day=statement.to_day,
        opening_cents=statement.opening,
        closing_cents=statement.closing,
        lines=tuple(lines),
    )


def read_coda(data: bytes) -> list[ParsedStatement]:
    """The statements of a CODA 2 file, in the file's order."""
    statements: list[ParsedStatement] = []
    statement: _Statement | None = None
    for line, record in _records(data):
        kind = record[:2] if record[0] in "23" else record[0]
        if kind == "0":
            if statement is not None:
                message = _("Line %(line)d: a header (0) before the last statement's trailer (9).")
                raise _error(line, message)
            version = HEADER_VERSION.of(record)
            if version != VERSION:
                message = _("Line %(line)d: unknown CODA version %(version)s: only 2 is read.")
                raise _error(line, message, version=version.strip() or '""')
            _date(record, HEADER_CREATED, line)
            statement = _Statement(header_line=line)
            continue
        if statement is None:
            message = _("Line %(line)d: a record after a trailer (9) and before a header (0).")
            raise _error(line, message)
        if kind == "1":
            _old_balance(statement, record, line)
        elif kind == "21":
            _movement(statement, record, line)
        elif kind in ("22", "23", "31", "32", "33"):
            _add(statement, kind, record, line)
        elif kind == "8":
            statement.closing = _cents(record, NEW_SIGN, NEW_BALANCE, line)
            statement.to_day = _date(record, NEW_DATE, line)
        elif kind == "9":
            _trailer(statement, record, line)
            statements.append(_finish(statement, line))
            statement = None
        elif kind != "4":
            raise _error(line, _("Line %(line)d: unknown CODA record type %(kind)s."), kind=kind)
    if statement is not None:
        message = _("The CODA file ends before the trailer record (9) of its last statement.")
        raise StatementError(message)
    return statements
