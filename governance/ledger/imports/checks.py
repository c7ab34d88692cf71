"""Checking the rows of an imported CSV file against the cooperative: pure functions.

`check_rows` cleans every row with the record form's own rules (`parse_input`) against the
cooperative's members, clients and periods, given as plain lookups (`Lookups`), and names
every error by line and column. A clean row gets an idempotency key from its
content (the prestation's fingerprint and how many identical rows come before it in the
file), not from the file: importing a file again, or a corrected copy of it, never imports a
row twice.

Pure: no session, no query, and no module with tables among its imports (the states and
roles it reads live in books.kinds, work.statuses and the members package).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache

from governance.base.errors import Invalid
from governance.base.i18n import _, join_list, translations
from governance.base.settings import LANGUAGES
from governance.language.labels import KIND_LABELS
from governance.ledger.books.journal import month_of
from governance.ledger.books.kinds import PeriodState, state_name
from governance.ledger.imports.csv_reader import CsvRow, RowError, column_label, name_key
from governance.ledger.work.prestation_input import PrestationInput, parse_input
from governance.ledger.work.statuses import WORKING_ROLES
from governance.ledger.work.work_dates import (
    DAYS_AHEAD_SETTING,
    DEFAULT_MAX_AGE_DAYS,
    MAX_AGE_SETTING,
    DateWindow,
    window_of,
)
from governance.members import MembershipStatus

_DAY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})")
_MIDNIGHT = re.compile(r"[ T]0?0:00(?::00(?:\.0+)?)?")
_SECONDS = re.compile(r"(\d{1,2}[:hH]\d{2}):00")


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
        # The window first: a date outside it (year 1) has no month to look up.
        outside = lookups.window.problem(clean.date)
        if outside is not None:
            errors["date"] = outside
        else:
            month = month_of(clean.date)
            state = lookups.periods.get(month, PeriodState.OPEN)
            if state == PeriodState.REVIEW:
                # A closed month takes nothing either, but its work is counted as an
                # adjustment of the next open period; a month under review is frozen until
                # its close.
                errors["date"] = _(
                    "The period %(month)s is %(state)s: nothing dated in it can change."
                ) % {"month": month, "state": state_name(state)}
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
