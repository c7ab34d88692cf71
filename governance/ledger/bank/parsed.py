"""A bank statement as read from the bank's file, whatever its format. Pure.

`camt.py` (ISO 20022 camt.053) and `coda.py` (Febelfin CODA 2) each turn a file's bytes into
`ParsedStatement`s; `statement_files.read_statements` picks the format. Amounts are integer
cents, signed from the cooperative's side: a credit (money in) is positive, a debit negative.
A file the app cannot read raises `StatementError`, whose message names the file's line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from governance.base.errors import Invalid


@dataclass(frozen=True)
class BankLine:
    position: int  # 1-based order in its statement
    file_line: int  # where it starts in the file: the XML line of its <Ntry>, the CODA record
    booked_on: dt.date
    amount_cents: int  # + credit (money in), - debit (money out); never 0
    bank_reference: str  # the bank's own reference for this line, "" if the file has none
    end_to_end_id: str  # the payer's end-to-end id (SEPA), "" if none or NOTPROVIDED
    communication: str  # the 12 digits of a Belgian structured communication, else ""
    text: str  # the free text: unstructured remittance and the bank's additional information
    counterparty_name: str
    counterparty_iban: str  # compact, upper case, "" if unknown
    bank_code: str  # the bank's transaction code ("PMNT/RCDT/ESCT", CODA "0150000"), "" if none


@dataclass(frozen=True)
class ParsedStatement:
    file_format: str  # "camt.053.001.02", "camt.053.001.08", "coda.2"
    iban: str  # the statement's account, compact, upper case
    currency: str  # ISO 4217, upper case
    number: str  # the bank's id or sequence number of the statement
    from_day: dt.date
    to_day: dt.date
    opening_cents: int  # signed balance before the first line
    closing_cents: int  # signed balance after the last line
    lines: tuple[BankLine, ...]


class StatementError(Invalid):
    """The file is not a statement the app can read; `line` is the file's line (1-based)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message, {"file": message})
        self.line = line
