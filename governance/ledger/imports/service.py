"""Importing prestations from a spreadsheet's CSV export: the use cases (docs/csv-import.md).

`preview_import` checks every row of a file read by `csv_reader.read_csv` and says which were
imported before; it writes nothing. `import_prestations` records every valid row as a
submitted prestation in one transaction, or nothing. Both are for coordinators. They load the
cooperative's members, clients and periods as plain lookups and leave the checking to the
pure `checks.check_rows`; a row's idempotency key (from its content) is what makes importing
the same rows twice import them once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
from governance.base.i18n import _
from governance.ledger.books.kinds import PeriodState
from governance.ledger.books.models import Client, Period
from governance.ledger.books.posting import open_period_for
from governance.ledger.imports.checks import (
    ClientRef,
    Lookups,
    MemberRef,
    RowResult,
    check_rows,
    client_key,
)
from governance.ledger.imports.csv_reader import (
    COLUMNS,
    CsvFile,
    CsvRow,
    RowError,
    column_label,
)
from governance.ledger.work.models import Prestation
from governance.ledger.work.prestation_input import PrestationInput, kinds_of
from governance.ledger.work.statuses import PrestationStatus
from governance.ledger.work.work_dates import window_of
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative, Membership


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
