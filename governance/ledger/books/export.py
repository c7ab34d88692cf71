"""The ledger as files: an hledger journal and CSV. Pure formatting, no database or I/O.

Account names and memos stay in stable English whatever the reader's language (the pages show
them in words, governance.ledger.books.account_names and memos; docs/books.md): an accountant's
tools
and scripts read the same names every month.

Amounts are integer cents from start to finish and are written with `format_cents` (two
decimals, never a float). The inputs are the plain records below; `governance.ledger.books.reading`
reads them from the database.

hledger (`hledger check -s`, strict mode) needs every account and the commodity declared; the
journal starts with those directives. Our account codes become hledger account names by type:
`bank` -> `assets:bank`, `receivable:7` -> `assets:receivable:7`, `payable:3` ->
`liabilities:payable:3`, `fund:reserve` -> `equity:fund:reserve`, `revenue` ->
`income:revenue`, `expense:rent` -> `expenses:rent`. The name after the first `:` of a code is
one hledger segment: any character other than a letter, a digit, `-`, `_` or `.` (spaces,
colons, `;`, `%`, newlines ...) is written `%XX` (UTF-8 bytes), so two codes never share a name
and no code can break the journal's syntax.

CSV: spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@` (or a tab or a
carriage return) as a formula. Every text cell that starts so is neutralised with a leading
`'`. Amount columns (`amount`, `travel`, ...) and ids are NOT neutralised: they are numbers this
module writes itself (`-12.50` must stay a number), never text a person typed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from governance.input.money import format_cents

# hledger top-level account and account type code, by our AccountType value.
_TOP_LEVEL: dict[str, tuple[str, str]] = {
    "asset": ("assets", "A"),
    "liability": ("liabilities", "L"),
    "equity": ("equity", "E"),
    "income": ("income", "R"),
    "expense": ("expenses", "X"),
}
# Our code families and the type they have (as governance.ledger.books.journal.ACCOUNT_TYPES).
_FAMILY_TYPES = {
    "bank": "asset",
    "receivable": "asset",
    "payable": "liability",
    "vat": "liability",
    "fund": "equity",
    "revenue": "income",
    "expense": "expense",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_COMMODITY_RE = re.compile(r"[A-Za-z]+")
_UNSAFE_TEXT = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085;]+")


@dataclass(frozen=True, slots=True)
class LineRecord:
    """One ledger line: its account code and type, and a signed amount (debit positive)."""

    account: str
    account_type: str
    amount: int


@dataclass(frozen=True, slots=True)
class EntryRecord:
    """One journal entry and its lines, as exported.

    `memo` is the stable English memo, the only one the files carry; `memo_code` and
    `memo_args` let a page or the API render it in the reader's language
    (governance.ledger.books.memos), never the export.
    """

    id: int
    date: dt.date
    period: str
    kind: str
    memo: str
    reverses_id: int | None
    lines: tuple[LineRecord, ...]
    memo_code: str = ""
    memo_args: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PrestationRecord:
    """One prestation, with the names of its member and client, as exported."""

    id: int
    date: dt.date
    member: str
    client: str
    kind: str
    duration_minutes: int | None
    amount_cents: int
    travel_cents: int
    status: str
    languages: tuple[str, ...]
    note: str
    entry_id: int | None


# --- hledger -------------------------------------------------------------------------------


def _segment(text: str) -> str:
    """One hledger account-name segment; injective (see the module docstring)."""
    if not text:
        return "%"  # never produced otherwise: every escape is % and two hex digits
    out = []
    for char in text:
        if char.isalnum() or char in "-_.":
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


def hledger_account(code: str, account_type: str | None = None) -> str:
    """Our account code -> its hledger account name (`receivable:7` -> `assets:receivable:7`).

    `account_type` is the stored type (asset, liability, ...); without it, or when it is not
    one of ours, the type follows the code's family. Raises ValueError for a code of an
    unknown family and type.
    """
    family, colon, rest = code.partition(":")
    kind = account_type if account_type in _TOP_LEVEL else _FAMILY_TYPES.get(family)
    if kind is None:
        raise ValueError(f"no account type for {code!r}")
    top = _TOP_LEVEL[kind][0]
    if family == "expense" and kind == "expense":
        segments = [rest] if colon else []
    else:
        segments = [family, rest] if colon else [family]
    return ":".join([top, *(_segment(segment) for segment in segments)])


def _commodity(currency: str) -> str:
    if _COMMODITY_RE.fullmatch(currency):
        return currency
    return '"' + currency.replace('"', "").replace("\n", "") + '"'


def _amount(cents: int, commodity: str) -> str:
    return f"{format_cents(cents)} {commodity}"


def clean_text(text: str) -> str:
    """One line of text safe after a date or `;` in a journal: no newlines, controls or `;`."""
    return " ".join(_UNSAFE_TEXT.sub(" ", text).split())


def _description(entry: EntryRecord) -> str:
    description = clean_text(f"{entry.kind} {entry.memo}")
    # After the date, `*`/`!` would be read as a status and `(...)` as a code.
    return description.lstrip("*!( ") or "entry"


def _tags(entry: EntryRecord) -> str:
    tags = [f"entry:{entry.id}", f"period:{clean_text(entry.period).replace(',', ' ')}"]
    if entry.reverses_id is not None:
        tags.append(f"reverses:{entry.reverses_id}")
    return ", ".join(tags)


class HledgerJournal:
    """`to_hledger` in pieces, for a journal written as it is read: `head()` (the directives,
    from the accounts used), then `entries(batch)` for each batch of entries in order, then
    `end()`. The pieces put together are exactly `to_hledger`'s text.

    `accounts` are the (code, type) of every account the entries use. Raises ValueError if two
    account codes would share a name.
    """

    def __init__(self, accounts: Iterable[tuple[str, str]], currency: str = "EUR") -> None:
        self.commodity = _commodity(currency)
        self._names: dict[tuple[str, str], str] = {}
        codes: dict[str, str] = {}  # hledger name -> our code
        for code, account_type in accounts:
            name = hledger_account(code, account_type)
            if codes.setdefault(name, code) != code:
                raise ValueError(f"{code!r} and {codes[name]!r} share the name {name!r}")
            self._names[(code, account_type)] = name
        self._declared = codes

    def head(self) -> str:
        out = [
            "; Exported by governance. Amounts in cents are written with two decimals.",
            "",
            "decimal-mark .",
            f"commodity 1,000.00 {self.commodity}",
            "",
        ]
        tops = [top for top, _ in _TOP_LEVEL.values()]
        out.extend(f"account {top}  ; type: {code}" for top, code in _TOP_LEVEL.values())
        out.extend(f"account {name}" for name in sorted(set(self._declared) - set(tops)))
        return "\n".join(out)

    def entries(self, entries: Iterable[EntryRecord]) -> str:
        out = []
        names, commodity = self._names, self.commodity
        for entry in entries:
            out.append(f"\n\n{entry.date.isoformat()} {_description(entry)}  ; {_tags(entry)}")
            for line in entry.lines:
                name = names.get((line.account, line.account_type))
                if name is None:
                    name = hledger_account(line.account, line.account_type)
                out.append(f"\n    {name}  {_amount(line.amount, commodity)}")
        return "".join(out)

    def end(self) -> str:
        return "\n"


def to_hledger(entries: Iterable[EntryRecord], currency: str = "EUR") -> str:
    """An hledger journal of `entries` (in the given order) that `hledger check -s` accepts.

    Declares the commodity (`commodity 1,000.00 EUR`) and every account used, each top-level
    account with its type; each entry becomes one transaction dated with the entry date,
    described by its kind and memo, tagged `entry:<id>`, `period:<YYYY-MM>` and, for a
    reversal, `reverses:<id>`. Raises ValueError if two account codes would share a name.
    """
    entries = list(entries)
    used = dict.fromkeys(
        (line.account, line.account_type) for entry in entries for line in entry.lines
    )
    journal = HledgerJournal(used, currency)
    return journal.head() + journal.entries(entries) + journal.end()


# --- CSV -----------------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula: `=1+1` -> `'=1+1`."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_rows(rows: Iterable[Sequence[str]]) -> str:
    """Rows as CSV text (`\r\n` after each): a header, or a batch of a file written as it
    is read."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue()


LINE_COLUMNS = ("entry_id", "date", "period", "kind", "memo", "account", "amount")


def csv_line_rows(entries: Iterable[EntryRecord]) -> str:
    """The rows of `to_csv_lines` (without its header) for a batch of entries."""
    return csv_rows(
        (
            str(entry.id),
            entry.date.isoformat(),
            neutralise(entry.period),
            neutralise(entry.kind),
            neutralise(entry.memo),
            neutralise(line.account),
            format_cents(line.amount),
        )
        for entry in entries
        for line in entry.lines
    )


def to_csv_lines(entries: Iterable[EntryRecord]) -> str:
    """One CSV row per ledger line: LINE_COLUMNS, amount signed (debit positive), "1234.56".

    Text cells (period, kind, memo, account) are neutralised; entry_id, date and amount are
    written from integers and dates here and are not.
    """
    return csv_rows([LINE_COLUMNS]) + csv_line_rows(entries)


PRESTATION_COLUMNS = (
    "id",
    "date",
    "member",
    "client",
    "kind",
    "duration_minutes",
    "amount",
    "travel",
    "status",
    "languages",
    "note",
    "entry_id",
)


def csv_prestation_rows(rows: Iterable[PrestationRecord]) -> str:
    """The rows of `to_csv_prestations` (without its header) for a batch of prestations."""
    return csv_rows(
        (
            str(row.id),
            row.date.isoformat(),
            neutralise(row.member),
            neutralise(row.client),
            neutralise(row.kind),
            "" if row.duration_minutes is None else str(row.duration_minutes),
            format_cents(row.amount_cents),
            format_cents(row.travel_cents),
            neutralise(row.status),
            neutralise(" ".join(row.languages)),
            neutralise(row.note),
            "" if row.entry_id is None else str(row.entry_id),
        )
        for row in rows
    )


def to_csv_prestations(rows: Iterable[PrestationRecord]) -> str:
    """One CSV row per prestation: PRESTATION_COLUMNS, amounts as "1234.56".

    Text cells (member, client, kind, status, languages, note) are neutralised; ids, the
    date, the duration and the amounts are written from numbers here and are not.
    """
    return csv_rows([PRESTATION_COLUMNS]) + csv_prestation_rows(rows)
