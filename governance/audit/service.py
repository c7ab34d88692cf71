"""Writing to and reading from the audit trail. `record` is the one way in."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, text
from sqlalchemy import select as core_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.chain import (
    GENESIS,
    ChainBreak,
    ChainVerifier,
    EventPayload,
    StoredEvent,
    canonical,
    chain_key,
    event_hash,
)
from governance.audit.models import AuditEvent
from governance.audit.redaction import MONEY_ACTIONS, SALT_KEY
from governance.base import clock
from governance.base.db import dialect_of


def _lock_key(chain: str) -> int:
    return int.from_bytes(hashlib.sha256(chain.encode()).digest()[:8], "big", signed=True)


async def _lock_chain(session: AsyncSession, chain: str) -> None:
    # SQLite transactions start with BEGIN IMMEDIATE, which already serialises writers.
    if dialect_of(session) == "postgresql":
        connection = await session.connection()
        await connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(chain)}
        )


async def lock_cooperative(session: AsyncSession, cooperative_id: int) -> None:
    """Queue behind the cooperative's other writers until this transaction ends.

    The lock `record` takes anyway; taking it earlier makes a read-then-write (the journal's
    running balances) safe under concurrency.
    """
    await _lock_chain(session, chain_key(cooperative_id))


def _salted(action: str, data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The data of a money event gets a random salt (governance.audit.redaction)."""
    values = dict(data or {})
    if action in MONEY_ACTIONS:
        values[SALT_KEY] = secrets.token_hex(16)
    return values


async def record(
    session: AsyncSession,
    *,
    cooperative_id: int | None,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: object,
    data: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the cooperative's chain, inside the caller's transaction.

    Raises TypeError when `data` holds a float. Concurrent writers to one chain queue on a
    lock (PostgreSQL) or on the write transaction (SQLite); the unique (chain, seq) and
    (chain, prev_hash) constraints refuse a fork if anything ever slips past.
    """
    chain = chain_key(cooperative_id)
    await _lock_chain(session, chain)
    last = (
        await session.exec(
            select(AuditEvent.seq, AuditEvent.hash)
            .where(AuditEvent.chain == chain)
            .order_by(col(AuditEvent.seq).desc())
            .limit(1)
        )
    ).first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    payload = EventPayload(
        chain=chain,
        seq=seq,
        at=clock.iso(clock.now()),
        cooperative_id=cooperative_id,
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        data=canonical(_salted(action, data)),
    )
    event = AuditEvent(
        chain=chain,
        seq=seq,
        cooperative_id=cooperative_id,
        at=payload.at,
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=payload.subject_id,
        data=payload.data,
        prev_hash=prev_hash,
        hash=event_hash(prev_hash, payload),
    )
    session.add(event)
    await session.flush()
    return event


@dataclass(frozen=True)
class Verification:
    chain: str
    count: int
    head: str
    problem: ChainBreak | None


VERIFY_BATCH = 5_000


async def verify_chain(
    session: AsyncSession, cooperative_id: int | None, *, batch: int = VERIFY_BATCH
) -> Verification:
    """Recompute one chain from its stored rows, `batch` rows at a time.

    The rows are streamed (a server-side cursor on PostgreSQL, fetched in batches on SQLite)
    as plain columns, not ORM objects, and fed to `chain.ChainVerifier`: memory stays the same
    whatever the chain's length. Call it inside a transaction to read one snapshot.
    """
    chain = chain_key(cooperative_id)
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    query = (
        core_select(
            table.c.seq,
            table.c.at,
            table.c.cooperative_id,
            table.c.actor_id,
            table.c.action,
            table.c.subject_type,
            table.c.subject_id,
            table.c.data,
            table.c.prev_hash,
            table.c.hash,
        )
        .where(table.c.chain == chain)
        .order_by(table.c.seq, table.c.id)
        .execution_options(yield_per=batch)
    )
    verifier = ChainVerifier()
    result = await session.stream(query)
    partitions = result.partitions(batch)
    # The next batch is fetched while this one is hashed (the driver's thread on SQLite, the
    # server on PostgreSQL): the wait for rows overlaps the work on them.
    coming = asyncio.ensure_future(anext(partitions, None))
    try:
        while (rows := await coming) is not None:
            coming = asyncio.ensure_future(anext(partitions, None))
            verifier.feed(
                [
                    StoredEvent(
                        EventPayload(chain, seq, at, coop, actor, action, kind, subject, data),
                        prev_hash,
                        digest,
                    )
                    for seq, at, coop, actor, action, kind, subject, data, prev_hash, digest in rows
                ]
            )
    finally:
        if not coming.done():
            coming.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await coming
    return Verification(
        chain=chain, count=verifier.count, head=verifier.head, problem=verifier.finish()
    )


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    next_before: int | None
    total: int


async def list_events(
    session: AsyncSession,
    cooperative_id: int,
    *,
    actor_id: int | None = None,
    subject_type: str | None = None,
    before: int | None = None,
    limit: int = 50,
) -> AuditPage:
    """Newest first, by keyset on the sequence number so every page costs the same."""
    conditions = [AuditEvent.chain == chain_key(cooperative_id)]
    if actor_id is not None:
        conditions.append(AuditEvent.actor_id == actor_id)
    if subject_type:
        conditions.append(AuditEvent.subject_type == subject_type)
    total = (
        await session.exec(select(func.count()).select_from(AuditEvent).where(*conditions))
    ).one()
    query = select(AuditEvent).where(*conditions)
    if before is not None:
        query = query.where(AuditEvent.seq < before)
    rows = list(
        (await session.exec(query.order_by(col(AuditEvent.seq).desc()).limit(limit + 1))).all()
    )
    next_before = rows[limit - 1].seq if len(rows) > limit else None
    return AuditPage(events=rows[:limit], next_before=next_before, total=total)


async def subject_types(session: AsyncSession, cooperative_id: int) -> list[str]:
    rows = await session.exec(
        select(AuditEvent.subject_type)
        .where(AuditEvent.chain == chain_key(cooperative_id))
        .distinct()
        .order_by(AuditEvent.subject_type)
    )
    return list(rows.all())
