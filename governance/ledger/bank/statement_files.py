"""Reading an uploaded bank statement file, whichever of the two Belgian formats it is. Pure.

`read_statements` looks at the first bytes: after an optional UTF-8 byte order mark and white
space, `<` is XML, read as ISO 20022 camt.053 (`camt.py`); a first line of 128 characters that
starts with `0` (or a file that starts with `00000`, a CODA header cut short) is Febelfin
CODA (`coda.py`). Anything else (a PDF, a CSV export, a spreadsheet) is refused with a message
naming the two formats, as is a file over `MAX_FILE_BYTES` or one that holds no statement.
"""

from __future__ import annotations

import codecs

from governance.base.i18n import _
from governance.ledger.bank.camt import read_camt
from governance.ledger.bank.coda import RECORD_LENGTH, read_coda
from governance.ledger.bank.parsed import ParsedStatement, StatementError

MAX_FILE_BYTES = 20_000_000


def _kind(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "camt"
    start = data.removeprefix(codecs.BOM_UTF8).lstrip()
    if start.startswith(b"<"):
        return "camt"
    first_line = data.split(b"\n", 1)[0].removesuffix(b"\r")
    if data.startswith(b"00000") or (data[:1] == b"0" and len(first_line) == RECORD_LENGTH):
        return "coda"
    return ""


def read_statements(data: bytes) -> list[ParsedStatement]:
    """The statements of a camt.053 or CODA file; StatementError if there is none to read."""
    if len(data) > MAX_FILE_BYTES:
        raise StatementError(
            _("This file is larger than %(limit)d MB, the most a statement file may be.")
            % {"limit": MAX_FILE_BYTES // 1_000_000}
        )
    if not data.strip():
        raise StatementError(_("This file is empty."))
    kind = _kind(data)
    if kind == "camt":
        statements = read_camt(data)
    elif kind == "coda":
        statements = read_coda(data)
    else:
        raise StatementError(
            _(
                "This file is not a bank statement: upload a CAMT.053 (XML) or CODA file, as"
                " your bank's online banking exports them."
            )
        )
    if not statements:
        raise StatementError(_("This file holds no statement."))
    return statements
