"""The journal as the exports read it: every entry of a cooperative with its lines, streamed
in batches in one read-only transaction, so a journal of millions of lines is written to its
file as it is read, in constant memory (`governance export`; the formatting is the pure
governance.ledger.books.export).

Who may read is `reading.may_read_books`, as for every read of the books.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists
from sqlalchemy import select as core_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.ledger.books.export import EntryRecord, LineRecord
from governance.ledger.books.models import Account, JournalEntry, LedgerLine
from governance.ledger.books.reading import Reader, may_read_books, snapshot

EXPORT_BATCH = 5_000  # ledger lines read at a time


@dataclass(frozen=True)
class JournalStream:
    """What an export needs first (every account the entries use, as (code, type), by code),
    then the entries by date then id, a batch at a time."""

    accounts: list[tuple[str, str]]
    batches: AsyncIterator[list[EntryRecord]]


@asynccontextmanager
async def journal_stream(
    session: AsyncSession, reader: Reader, *, batch: int | None = None
) -> AsyncIterator[JournalStream]:
    """The cooperative's journal, read inside one read-only transaction that lasts as long as
    the `async with` (a consistent snapshot, also on PostgreSQL); `batch` lines at a time
    (default EXPORT_BATCH). Raises PermissionDenied."""
    async with session.begin():
        await snapshot(session)
        await may_read_books(session, reader)
        coop = reader.cooperative_id
        used = exists().where(
            col(LedgerLine.account_id) == col(Account.id), col(LedgerLine.cooperative_id) == coop
        )
        accounts = (
            await session.exec(
                select(Account.code, Account.type)
                .where(Account.cooperative_id == coop, used)
                .order_by(col(Account.code))
            )
        ).all()
        batches = _entries(session, coop, batch or EXPORT_BATCH)
        try:
            yield JournalStream([(code, kind) for code, kind in accounts], batches)
        finally:
            await batches.aclose()


async def _entries(
    session: AsyncSession, cooperative_id: int, batch: int
) -> AsyncGenerator[list[EntryRecord], None]:
    entry, line = JournalEntry.__table__, LedgerLine.__table__  # type: ignore[attr-defined]
    account = Account.__table__  # type: ignore[attr-defined]
    query = (
        core_select(
            entry.c.id,
            entry.c.date,
            entry.c.period,
            entry.c.kind,
            entry.c.memo,
            entry.c.reverses_id,
            entry.c.memo_code,
            entry.c.memo_args,
            account.c.code,
            account.c.type,
            line.c.amount,
        )
        .join(line, line.c.entry_id == entry.c.id)
        .join(account, account.c.id == line.c.account_id)
        .where(entry.c.cooperative_id == cooperative_id)
        .order_by(entry.c.date, entry.c.id, line.c.id)
        .execution_options(yield_per=batch)
    )
    result = await session.stream(query)
    try:
        carried: list[Sequence[Any]] = []  # the lines of an entry the last batch cut
        async for partition in result.partitions(batch):
            rows = [*carried, *partition]
            last_id = rows[-1][0]
            cut = len(rows)
            while cut and rows[cut - 1][0] == last_id:
                cut -= 1
            carried = rows[cut:]
            if cut:
                yield _grouped(rows[:cut])
        if carried:
            yield _grouped(carried)
    finally:
        await result.close()


def _grouped(rows: Sequence[Sequence[Any]]) -> list[EntryRecord]:
    """Rows of whole entries, in order, as their records."""
    entries: list[EntryRecord] = []
    lines: list[LineRecord] = []
    for index, row in enumerate(rows):
        lines.append(LineRecord(row[8], row[9], row[10]))
        if index + 1 == len(rows) or rows[index + 1][0] != row[0]:
            entry_id, date, period, kind, memo, reverses_id, memo_code, memo_args = row[:8]
            entries.append(
                EntryRecord(
                    entry_id,
                    date,
                    period,
                    kind,
                    memo,
                    reverses_id,
                    tuple(lines),
                    memo_code,
                    memo_args or {},
                )
            )
            lines = []
    return entries


async def journal_for_export(session: AsyncSession, reader: Reader) -> list[EntryRecord]:
    """Every entry of the cooperative with its lines and account codes, by date then id, in a
    list (for a small cooperative, or a test). Raises PermissionDenied."""
    async with journal_stream(session, reader) as journal:
        return [entry async for batch in journal.batches for entry in batch]
