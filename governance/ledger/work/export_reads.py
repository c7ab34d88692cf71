"""Prestations as the CSV export reads them: by date then id, with their member's and client's
names, streamed in batches in one read-only transaction, so the file is written as it is read
in constant memory (`governance export --what prestations`; the formatting is the pure
governance.ledger.books.export)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.ledger.books.export import PrestationRecord
from governance.ledger.books.models import Client
from governance.ledger.books.reading import Reader, snapshot
from governance.ledger.work.models import Prestation
from governance.members import Role
from governance.members.access import Actor, Permission, authorize

EXPORT_BATCH = 5_000


@asynccontextmanager
async def prestations_stream(
    session: AsyncSession, reader: Reader, *, batch: int | None = None
) -> AsyncIterator[AsyncIterator[list[PrestationRecord]]]:
    """The batches of prestations, read inside one read-only transaction that lasts as long as
    the `async with`.

    Like `prestations.prestations_of`: coordinators, observers and the operator get everyone's;
    a cooperator or worker only their own (their work, not the books: open_books does not
    apply). Raises PermissionDenied.
    """
    batch = batch or EXPORT_BATCH
    work, person, client = (
        Prestation.__table__,  # type: ignore[attr-defined]
        Person.__table__,  # type: ignore[attr-defined]
        Client.__table__,  # type: ignore[attr-defined]
    )
    query = (
        select(
            work.c.id,
            work.c.date,
            person.c.name,
            client.c.name,
            work.c.kind,
            work.c.duration_minutes,
            work.c.amount_cents,
            work.c.travel_cents,
            work.c.status,
            work.c.languages,
            work.c.note,
            work.c.entry_id,
        )
        .join(person, person.c.id == work.c.member_id)
        .join(client, client.c.id == work.c.client_id)
        .where(work.c.cooperative_id == reader.cooperative_id)
        .order_by(work.c.date, work.c.id)
        .execution_options(yield_per=batch)
    )
    async with session.begin():
        await snapshot(session)
        if isinstance(reader, Actor):
            membership = await authorize(session, reader, Permission.READ_COOPERATIVE)
            if membership.role not in (Role.COORDINATOR, Role.OBSERVER):
                query = query.where(work.c.member_id == reader.person_id)
        result = await session.stream(query)

        async def batches() -> AsyncIterator[list[PrestationRecord]]:
            async for rows in result.partitions(batch):
                yield [
                    PrestationRecord(
                        id=row[0],
                        date=row[1],
                        member=row[2],
                        client=row[3],
                        kind=row[4],
                        duration_minutes=row[5],
                        amount_cents=row[6],
                        travel_cents=row[7],
                        status=row[8],
                        languages=tuple(row[9]),
                        note=row[10],
                        entry_id=row[11],
                    )
                    for row in rows
                ]

        try:
            yield batches()
        finally:
            await result.close()


async def prestations_for_export(session: AsyncSession, reader: Reader) -> list[PrestationRecord]:
    """Every prestation `reader` may export, in a list (a small cooperative, or a test)."""
    async with prestations_stream(session, reader) as batches:
        return [row async for batch in batches for row in batch]
