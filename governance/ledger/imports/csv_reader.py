"""Reading a spreadsheet's CSV export into rows of text, for the prestation import. Pure.

`read_csv` turns a file's bytes into a `CsvFile`: UTF-8 with or without BOM, UTF-16 with BOM,
Windows-1252 or Latin-1 (`decode`); `;`, `,` or tab between cells; a header naming the columns
in English or French (any case, accents optional: `name_key`), mapped to the import's fields
(`COLUMNS`). Every problem that refuses the whole file is an `Invalid` with a message for the
coordinator; a line that does not fit the header becomes a `CsvRow` with a `problem`. What the
cells mean (members, clients, amounts) is checked in `checks.py`.

The delimiter is found by hand rather than with `csv.Sniffer`: the Sniffer guesses from the
frequency of every character in a sample, so a header and rows full of decimal commas, or a
one-column sample, make it pick `,`, a letter or nothing ("Could not determine delimiter"),
and it does not know Excel's `sep=;` first line. The rule here is short and predictable, and
the preview names the result: Excel's `sep=` line if there is one, otherwise whichever of `;`,
`,` and tab the header line holds most, a tie going to `;` (Belgian and French Excel).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from governance.base.errors import Invalid
from governance.base.i18n import _, join_list, ngettext

MAX_FILE_BYTES = 5_000_000
MAX_ROWS = 5_000

# Field -> accepted header names (compared by `name_key`); the first is the documented one.
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("date", "jour", "datum"),
    "member_email": ("membre", "member_email", "member", "email", "e_mail", "courriel"),
    "client": ("client", "klant"),
    "duration_minutes": ("duree_minutes", "duration_minutes", "duree", "duration", "minutes"),
    "rate": ("tarif", "rate", "tarif_horaire", "hourly_rate"),
    "fixed_amount": ("montant_fixe", "fixed_amount", "montant", "amount", "forfait"),
    "travel": ("deplacement", "travel", "frais_deplacement", "frais_de_deplacement"),
    "kind": ("type", "kind"),
    "languages": ("langues", "languages", "langue", "language"),
    "note": ("note", "remarque", "commentaire", "comment"),
    "start_time": ("debut", "start_time", "heure", "heure_debut", "start"),
}
REQUIRED = ("date", "member_email", "client", "kind")
_FORMULA_START = ("=", "+", "-", "@")
_SEP_LINE = re.compile(r"\s*sep=(.)\s*?(?:\r\n|\r|\n)")


@lru_cache(maxsize=4096)  # a file repeats the same kinds and names on every row
def name_key(text: str) -> str:
    """`"Durée (minutes)"` -> `"duree_minutes"`: no accents, any case, `_` between words."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\ufeff", ""))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[\W_]+", "_", bare.casefold()).strip("_")


def column_label(name: str) -> str:
    """How a field is named in messages when the file has no column for it."""
    french = COLUMNS[name][0]
    return french if french == name else f"{french} ({name})"


@dataclass(frozen=True)
class RowError:
    line: int
    column: str  # as the file's header writes it; empty for the whole line
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("line %(line)d, column %(column)s: %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


@dataclass(frozen=True)
class CsvRow:
    line: int  # the file's line where the row starts; the header is usually line 1
    cells: Mapping[str, str]  # field -> text as written, trimmed
    problem: str = ""  # the line could not be split into the header's columns


@dataclass(frozen=True)
class CsvFile:
    digest: str  # SHA-256 of the bytes
    encoding: str
    delimiter: str
    columns: Mapping[str, str]  # field -> header as written in the file, in the file's order
    ignored: tuple[str, ...]
    rows: tuple[CsvRow, ...]
    empty_lines: int


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding; Invalid for a file that is not text."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "UTF-8 (BOM)"
        except UnicodeDecodeError as error:
            raise Invalid(
                _("This file says it is UTF-8 but is not: save it again as CSV.")
            ) from error
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as error:
            raise Invalid(_("This file cannot be read as text: save it again as CSV.")) from error
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise Invalid(
            _("This is a spreadsheet file, not CSV: in your spreadsheet, save it as CSV first.")
        )
    if b"\x00" in data:
        raise Invalid(_("This file cannot be read as text: save it again as CSV."))
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "ISO-8859-1 (Latin-1)"


def _delimiter(header_line: str) -> str:
    counts = {char: header_line.count(char) for char in ";,\t"}
    best = max(counts, key=lambda char: counts[char])  # a tie goes to ";", as in Belgium
    return best if counts[best] else ";"


def _columns(header: Sequence[str]) -> tuple[dict[int, str], dict[str, str], tuple[str, ...]]:
    by_alias = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
    index: dict[int, str] = {}
    names: dict[str, str] = {}
    ignored = []
    for position, cell in enumerate(header):
        written = cell.strip().replace("\ufeff", "")
        name = by_alias.get(name_key(written))
        if name is None:
            if written:
                ignored.append(written)
            continue
        if name in names:
            raise Invalid(
                _("The columns %(first)s and %(second)s say the same thing: keep one.")
                % {"first": names[name], "second": written}
            )
        index[position] = name
        names[name] = written
    missing = [column_label(name) for name in REQUIRED if name not in names]
    if "duration_minutes" not in names and "fixed_amount" not in names:
        missing.append(
            _("%(first)s or %(second)s")
            % {"first": column_label("duration_minutes"), "second": column_label("fixed_amount")}
        )
    if missing:
        raise Invalid(
            ngettext(
                "This column is missing: %(columns)s.",
                "These columns are missing: %(columns)s.",
                len(missing),
            )
            % {"columns": join_list(missing, "plain")}
        )
    return index, names, tuple(ignored)


def _cell(text: str) -> str:
    value = text.strip()
    # Undo the quote our own CSV export puts before text that a spreadsheet would run.
    if len(value) > 1 and value[0] == "'" and value[1] in _FORMULA_START:
        value = value[1:]
    return value


def _row(line: int, record: list[str], index: Mapping[int, str], width: int, sep: str) -> CsvRow:
    cells = {name: _cell(record[i]) if i < len(record) else "" for i, name in index.items()}
    # Blank cells after the last column are a spreadsheet's habit; with `,` between cells they
    # are more likely a decimal comma that split a number and shifted the row.
    if len(record) > width and (sep == "," or any(cell.strip() for cell in record[width:])):
        problem = _("This line has %(found)d cells, but the first line has %(expected)d.") % {
            "found": len(record),
            "expected": width,
        }
        if sep == ",":
            problem += " " + _(
                "Put numbers with a decimal comma between quotes, or use ; between cells."
            )
        return CsvRow(line, cells, problem)
    return CsvRow(line, cells)


def read_csv(data: bytes, *, max_rows: int = MAX_ROWS) -> CsvFile:
    """The rows of a CSV file, empty lines skipped. Pure.

    Raises Invalid (nothing to import) for an empty or binary file, a missing or repeated
    column, more than `max_rows` rows, or a line the CSV reader cannot split.
    """
    if not data.strip():
        raise Invalid(_("This file is empty."))
    text, encoding = decode(data)
    hint = _SEP_LINE.match(text)  # Excel's "sep=;" first line
    first = next((line for line in text.splitlines()[1 if hint else 0 :] if line.strip()), "")
    delimiter = hint.group(1) if hint else _delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: tuple[dict[int, str], dict[str, str], tuple[str, ...]] | None = None
    rows: list[CsvRow] = []
    empty = width = previous = 0
    try:
        for record in reader:
            line, previous = previous + 1, reader.line_num
            if hint and line == 1:
                continue
            if not any(cell.strip() for cell in record):
                empty += header is not None
                continue
            if header is None:
                header, width = _columns(record), len(record)
                continue
            if len(rows) >= max_rows:
                raise Invalid(
                    _("This file has more than %(rows)d rows: split it into smaller files.")
                    % {"rows": max_rows}
                )
            rows.append(_row(line, record, header[0], width, delimiter))
    except csv.Error as error:
        raise Invalid(
            _("Line %(line)d cannot be read as CSV: check the quotes in it.")
            % {"line": previous + 1}
        ) from error
    if header is None or not rows:
        raise Invalid(_("This file has no rows to import."))
    return CsvFile(
        digest=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        delimiter=delimiter,
        columns=header[1],
        ignored=header[2],
        rows=tuple(rows),
        empty_lines=empty,
    )
