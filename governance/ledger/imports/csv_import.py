"""Importing prestations from a spreadsheet's CSV export, for coordinators (docs/csv-import.md).

`read_csv` and `check_rows` are pure. `read_csv` turns the file's bytes into rows: UTF-8 with
or without BOM, UTF-16 with BOM, Windows-1252 or Latin-1; `;`, `,` or tab between cells; a
header naming the columns in English or French (any case, accents optional). `check_rows`
cleans every row with the prestation form's own rules (`prestations.parse_input`) against the
cooperative's members, clients and periods, given as plain lookups, and names every error by
line and column. `preview_import` (writes nothing) and `import_prestations` (every valid row in
one transaction, or nothing) are the use cases.

A row's idempotency key comes from its content (the prestation's fingerprint and how many
identical rows come before it in the file), not from the file: importing a file again, or a
corrected copy of it, never imports a row twice.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from typing import Any

from sqlalchemy import String, bindparam, func, insert, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import record
from governance.auth.models import Person
from governance.base import clock
from governance.base.db import dialect_of
from governance.base.errors import Conflict, Invalid
from governance.base.i18n import _, join_list, ngettext, translations
from governance.base.settings import LANGUAGES
from governance.language.kinds import KIND_LABELS
from governance.ledger.books.journal import month_of
from governance.ledger.books.models import Period, PeriodState
from governance.ledger.books.posting import open_period_for, state_name
from governance.ledger.work.models import Client, Prestation, PrestationStatus
from governance.ledger.work.prestations import WORKING_ROLES, PrestationInput, kinds_of, parse_input
from governance.ledger.work.work_dates import (
    DAYS_AHEAD_SETTING,
    DEFAULT_MAX_AGE_DAYS,
    MAX_AGE_SETTING,
    DateWindow,
    window_of,
)
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative, Membership, MembershipStatus

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
_DAY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})")
_MIDNIGHT = re.compile(r"[ T]0?0:00(?::00(?:\.0+)?)?")
_SECONDS = re.compile(r"(\d{1,2}[:hH]\d{2}):00")
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


# --- checking rows (pure) ------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRef:
    id: int
    status: str
    role: str


@dataclass(frozen=True)
class ClientRef:
    id: int
    archived: bool
    rate_cents: int


@dataclass(frozen=True)
class Lookups:
    """What a row is checked against: the cooperative as it is now."""

    actor_person_id: int
    members: Mapping[str, MemberRef]  # lower-case e-mail ->
    clients: Mapping[str, ClientRef]  # casefolded name ->
    periods: Mapping[str, str]  # "YYYY-MM" -> state; a missing month will be created open
    kinds: Sequence[str]
    today: dt.date
    days_ahead: int
    language: str
    max_age_days: int = DEFAULT_MAX_AGE_DAYS

    @cached_property
    def window(self) -> DateWindow:
        settings = {MAX_AGE_SETTING: self.max_age_days, DAYS_AHEAD_SETTING: self.days_ahead}
        return window_of(settings, self.today)


@dataclass
class RowResult:
    line: int
    cells: Mapping[str, str]
    errors: list[RowError]
    clean: PrestationInput | None = None
    key: str = ""
    done: bool = False  # an earlier import already recorded this row

    @property
    def status(self) -> str:
        return "error" if self.errors else "done" if self.done else "ok"


@lru_cache(maxsize=4096)
def client_key(name: str) -> str:
    return unicodedata.normalize("NFC", name.strip()).casefold()


@cache
def _kind_names(kinds: tuple[str, ...]) -> dict[str, str]:
    names = {}
    for kind in kinds:
        if kind in KIND_LABELS:
            for language in LANGUAGES:
                names[name_key(translations(language).gettext(KIND_LABELS[kind]))] = kind
        names[name_key(kind)] = kind
    return names


def _form_fields(
    cells: Mapping[str, str], lookups: Lookups, errors: dict[str, str]
) -> tuple[dict[str, str], int | None]:
    """The record form's fields for a row, member, client and kind resolved (errors noted),
    and the client's usual rate."""
    email = cells.get("member_email", "").lower()
    member = lookups.members.get(email)
    if not email:
        errors["member_email"] = _("This field is required.")
    elif member is None:
        errors["member_email"] = _("No member of this cooperative has this e-mail address.")
    elif member.status != MembershipStatus.ACTIVE:
        errors["member_email"] = _("This membership is suspended.")
    elif member.role not in WORKING_ROLES:
        errors["member_email"] = _("An observer does not record work.")
    name = cells.get("client", "")
    client = lookups.clients.get(client_key(name))
    if not name:
        errors["client"] = _("This field is required.")
    elif client is None:
        errors["client"] = _("No client of this cooperative has this name: add it first.")
    elif client.archived:
        errors["client"] = _("This client is archived.")
    kind = _kind_names(tuple(lookups.kinds)).get(name_key(cells.get("kind", "")))
    if kind is None:
        errors["kind"] = _("Use one of: %(kinds)s.") % {"kinds": join_list(lookups.kinds, "plain")}
    date = _MIDNIGHT.sub("", cells.get("date", ""))
    day = _DAY.fullmatch(date)
    if day and len(day.group(4)) == 2:
        date = f"{day.group(1)}/{day.group(3)}/20{day.group(4)}"
    data = {
        "member_id": str(member.id if member else lookups.actor_person_id),
        "client_id": str(client.id if client else 0),
        "date": date,
        "start_time": _SECONDS.sub(r"\1", cells.get("start_time", "")),
        "kind": kind or "",
        **{name: cells.get(name, "") for name in ("duration_minutes", "rate", "fixed_amount")},
        **{name: cells.get(name, "") for name in ("travel", "languages", "note")},
    }
    # Without a known client its rate is unknown: do not also complain about a missing rate.
    return data, (client.rate_cents or None) if client else 1


def check_row(row: CsvRow, lookups: Lookups, columns: Mapping[str, str]) -> RowResult:
    """One row cleaned like the record form, or every error in it by column."""
    if row.problem:
        return RowResult(row.line, row.cells, [RowError(row.line, "", row.problem)])
    errors: dict[str, str] = {}
    data, client_rate = _form_fields(row.cells, lookups, errors)
    clean: PrestationInput | None = None
    try:
        clean = parse_input(
            data,
            actor_person_id=lookups.actor_person_id,
            language=lookups.language,
            kinds=lookups.kinds,
            client_rate=client_rate,
        )
    except Invalid as error:
        for name, message in error.fields.items():
            target = {"member_id": "member_email", "client_id": "client"}.get(name, name)
            errors.setdefault(target, message)
    if clean is not None:
        state = lookups.periods.get(month_of(clean.date), PeriodState.OPEN)
        outside = lookups.window.problem(clean.date)
        if outside is not None:
            errors["date"] = outside
        elif state == PeriodState.REVIEW:
            # A closed month takes nothing either, but its work is counted as an adjustment
            # of the next open period; a month under review is frozen until its close.
            errors["date"] = _(
                "The period %(month)s is %(state)s: nothing dated in it can change."
            ) % {"month": month_of(clean.date), "state": state_name(state)}
    rank = {name: position for position, name in enumerate(columns)}
    found = sorted(errors.items(), key=lambda item: rank.get(item[0], len(rank)))
    return RowResult(
        row.line,
        row.cells,
        [RowError(row.line, columns.get(name, column_label(name)), text) for name, text in found],
        None if errors else clean,
    )


def check_rows(
    rows: Sequence[CsvRow], lookups: Lookups, columns: Mapping[str, str]
) -> list[RowResult]:
    """Every row checked; a clean row gets its idempotency key. Pure."""
    results = [check_row(row, lookups, columns) for row in rows]
    seen: Counter[str] = Counter()
    for result in results:
        if result.clean is not None:
            fingerprint = result.clean.fingerprint
            # Two identical rows of one file are two prestations (two sessions that day).
            result.key = f"csv:{fingerprint[:40]}:{seen[fingerprint]}"
            seen[fingerprint] += 1
    return results


# --- use cases ----------------------------------------------------------------------------


async def _lookups(
    session: AsyncSession, actor: Actor, *, language: str, today: dt.date
) -> Lookups:
    cooperative = await session.get(Cooperative, actor.cooperative_id)
    assert cooperative is not None
    people = await session.exec(
        select(Person.email, Person.id, Membership.status, Membership.role)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(Membership.cooperative_id == actor.cooperative_id)
    )
    clients: dict[str, ClientRef] = {}
    for client in await session.exec(
        select(Client).where(Client.cooperative_id == actor.cooperative_id)
    ):
        assert client.id is not None
        known = clients.get(client_key(client.name))
        if known is None or known.archived:
            clients[client_key(client.name)] = ClientRef(
                client.id, client.archived, client.default_rate_cents
            )
    periods = await session.exec(
        select(Period.month, Period.state).where(
            Period.cooperative_id == actor.cooperative_id, Period.state != PeriodState.OPEN
        )
    )
    window = window_of(cooperative.settings, today)
    return Lookups(
        actor_person_id=actor.person_id,
        members={
            email.lower(): MemberRef(pid, status, role)
            for email, pid, status, role in people
            if pid is not None
        },
        clients=clients,
        periods=dict(periods.all()),
        kinds=kinds_of(cooperative.settings),
        today=today,
        days_ahead=(window.latest - today).days,
        language=language,
        max_age_days=window.max_age_days,
    )


async def _used_keys(session: AsyncSession, cooperative_id: int, keys: Sequence[str]) -> set[str]:
    """The keys among `keys` that the cooperative's prestations already hold."""
    key = col(Prestation.idempotency_key)
    if dialect_of(session) == "postgresql":
        # One array parameter, joined to the unique index: a long IN list of parameters
        # becomes, once the statement is prepared, a generic plan that compares every row
        # of the table with every key (seconds per import on a table of 100 000 rows).
        keys_array = bindparam("keys", list(keys), type_=ARRAY(String))
        wanted = func.unnest(keys_array).table_valued("key").render_derived("wanted")
        found = await session.exec(
            select(key).join(
                wanted,
                (col(Prestation.cooperative_id) == cooperative_id) & (key == wanted.c.key),
            )
        )
        return {k for k in found if k}
    used: set[str] = set()
    for start in range(0, len(keys), 500):
        found = await session.exec(
            select(key).where(
                Prestation.cooperative_id == cooperative_id, key.in_(keys[start : start + 500])
            )
        )
        used.update(k for k in found if k)
    return used


async def _new_ids(session: AsyncSession, count: int) -> list[int]:
    """`count` ids for new prestations, taken before the rows are written.

    A plain many-row INSERT is several times faster than one that returns the ids. On
    PostgreSQL the ids come from the table's sequence; on SQLite the write transaction
    (BEGIN IMMEDIATE) holds the database, so the ids after the largest are free.
    """
    connection = await session.connection()
    if dialect_of(session) == "postgresql":
        rows = await connection.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('prestation', 'id')) "
                "FROM generate_series(1, :count)"
            ),
            {"count": count},
        )
        return sorted(row[0] for row in rows)
    last = (await connection.execute(select(func.max(col(Prestation.id))))).scalar() or 0
    return list(range(last + 1, last + 1 + count))


async def _checked(
    session: AsyncSession,
    actor: Actor,
    rows: Sequence[CsvRow],
    columns: Mapping[str, str],
    *,
    language: str,
    today: dt.date,
) -> list[RowResult]:
    lookups = await _lookups(session, actor, language=language, today=today)
    results = check_rows(rows, lookups, columns)
    used = await _used_keys(session, actor.cooperative_id, [r.key for r in results if r.key])
    for result in results:
        result.done = result.key in used
    return results


async def preview_import(
    session: AsyncSession, actor: Actor, csv_file: CsvFile, *, language: str, today: dt.date
) -> list[RowResult]:
    """Every row of a file checked, and whether it was imported before; writes nothing.

    Raises PermissionDenied (coordinators only).
    """
    async with session.begin():
        await authorize(session, actor, Permission.RECORD_FOR_ANYONE)
        return await _checked(
            session, actor, csv_file.rows, csv_file.columns, language=language, today=today
        )


class RowsInvalid(Invalid):
    """Some rows are no longer valid (a client archived, a period closed since the preview)."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(_("Nothing was imported: correct these rows and try again."))
        self.errors = errors


@dataclass(frozen=True)
class ImportResult:
    imported: int
    already_imported: int
    prestation_ids: list[int] = field(default_factory=list)


async def import_prestations(
    session: AsyncSession,
    actor: Actor,
    rows: Sequence[CsvRow],
    *,
    language: str,
    today: dt.date,
    file_digest: str,
    columns: Mapping[str, str] | None = None,
    filename: str = "",
) -> ImportResult:
    """Record every row as a submitted prestation, all in one transaction, or none.

    Rows an earlier import recorded are skipped (`already_imported`). Raises PermissionDenied
    (coordinators only), Invalid (no rows), RowsInvalid (any row with an error: nothing is
    written), Conflict (the same rows were being imported at the same moment).
    """
    if not rows:
        raise Invalid(_("There is no row to import."))
    names = columns or {name: column_label(name) for name in COLUMNS}
    for attempt in range(2):
        try:
            return await _import_once(
                session, actor, rows, names, language, today, file_digest, filename
            )
        except IntegrityError:
            # Another coordinator's import of the same rows committed first: check again.
            if attempt:
                break
    raise Conflict(_("These rows were being imported at the same moment by someone else."))


async def _import_once(
    session: AsyncSession,
    actor: Actor,
    rows: Sequence[CsvRow],
    columns: Mapping[str, str],
    language: str,
    today: dt.date,
    file_digest: str,
    filename: str,
) -> ImportResult:
    async with session.begin():
        await authorize(session, actor, Permission.RECORD_FOR_ANYONE)
        results = await _checked(session, actor, rows, columns, language=language, today=today)
        errors = [error for result in results for error in result.errors]
        if errors:
            raise RowsInvalid(errors)
        new = [(r.clean, r.key) for r in results if not r.done and r.clean is not None]
        if not new:
            return ImportResult(0, len(results))
        for month_first in sorted({clean.date.replace(day=1) for clean, _key in new}):
            await open_period_for(session, actor.cooperative_id, month_first)
        now = clock.now()
        ids = await _new_ids(session, len(new))
        table = Prestation.__table__  # type: ignore[attr-defined]
        connection = await session.connection()
        await connection.execute(
            insert(table),
            [
                _values(actor, clean, key, now) | {"id": id_}
                for id_, (clean, key) in zip(ids, new, strict=True)
            ],
        )
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="prestation.imported",
            subject_type="prestation_import",
            subject_id=file_digest[:64],
            data={
                "count": len(ids),
                "already_imported": len(results) - len(ids),
                "file_digest": file_digest,
                "filename": "".join(c for c in filename if c.isprintable())[:120],
                "amount_cents": sum(clean.amount_cents for clean, _key in new),
                "travel_cents": sum(clean.travel_cents for clean, _key in new),
                "status": PrestationStatus.SUBMITTED.value,
                "prestation_ids": ids,
            },
        )
    return ImportResult(len(ids), len(results) - len(ids), ids)


def _values(actor: Actor, clean: PrestationInput, key: str, now: dt.datetime) -> dict[str, Any]:
    return {
        "cooperative_id": actor.cooperative_id,
        "member_id": clean.member_id,
        "client_id": clean.client_id,
        "date": clean.date,
        "start_time": clean.start_time,
        "duration_minutes": clean.duration_minutes,
        "rate_cents": clean.rate_cents,
        "amount_cents": clean.amount_cents,
        "travel_cents": clean.travel_cents,
        "kind": clean.kind,
        "languages": list(clean.languages),
        "note": clean.note,
        "status": PrestationStatus.SUBMITTED.value,
        "rejection_reason": "",
        "idempotency_key": key,
        "request_fingerprint": clean.fingerprint,
        "created_by_id": actor.person_id,
        "created_at": now,
    }
