"""Audit events written in bulk, as `audit.service.record` would have written them one by one:
the chain's head read once, then each event's sequence number, previous hash and hash computed
with `governance.audit.chain`'s own functions (canonical JSON, `event_hash`), money events
salted as `record` salts them (`redaction.MONEY_ACTIONS`, `SALT_KEY`), and the rows inserted
in batches (COPY on PostgreSQL) in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.chain import GENESIS, EventPayload, canonical, chain_key, event_hash
from governance.audit.models import AuditEvent
from governance.audit.redaction import MONEY_ACTIONS, SALT_KEY
from governance.base import clock
from governance.base.db import bulk_insert

FLUSH_AT = 20_000  # events per INSERT batch


@dataclass
class BulkChain:
    """One chain's head, and the events appended to it since, not yet inserted."""

    cooperative_id: int | None
    seq: int
    head: str
    next_id: int
    pending: list[dict[str, Any]] = field(default_factory=list)
    written: int = 0
    salts: bytes = b""

    @classmethod
    async def open(cls, session: AsyncSession, cooperative_id: int | None) -> BulkChain:
        """The chain's head as stored now (inside the caller's transaction)."""
        connection = await session.connection()
        chain = chain_key(cooperative_id)
        last = (
            await connection.execute(
                text(
                    "SELECT seq, hash FROM audit_event WHERE chain = :c ORDER BY seq DESC LIMIT 1"
                ),
                {"c": chain},
            )
        ).first()
        top = (await connection.execute(text("SELECT COALESCE(MAX(id), 0) FROM audit_event"))).one()
        seq, head = (int(last[0]), str(last[1])) if last else (0, GENESIS)
        return cls(cooperative_id, seq, head, int(top[0]) + 1)

    def _salt(self) -> str:
        if not self.salts:
            self.salts = os.urandom(16 * 4096)
        salt, self.salts = self.salts[:16], self.salts[16:]
        return salt.hex()

    def append(
        self,
        *,
        at: dt.datetime,
        actor_id: int | None,
        action: str,
        subject_type: str,
        subject_id: object,
        data: Mapping[str, Any],
    ) -> None:
        """One event after the head, as `record` would append it at time `at`."""
        values = dict(data)
        if action in MONEY_ACTIONS:
            values[SALT_KEY] = self._salt()
        self.seq += 1
        payload = EventPayload(
            chain=chain_key(self.cooperative_id),
            seq=self.seq,
            at=clock.iso(at),
            cooperative_id=self.cooperative_id,
            actor_id=actor_id,
            action=action,
            subject_type=subject_type,
            subject_id=str(subject_id),
            data=canonical(values),
        )
        digest = event_hash(self.head, payload)
        self.pending.append(
            {
                "id": self.next_id,
                "chain": payload.chain,
                "seq": payload.seq,
                "cooperative_id": payload.cooperative_id,
                "at": payload.at,
                "actor_id": actor_id,
                "action": action,
                "subject_type": subject_type,
                "subject_id": payload.subject_id,
                "data": payload.data,
                "prev_hash": self.head,
                "hash": digest,
            }
        )
        self.head = digest
        self.next_id += 1

    async def flush(self, session: AsyncSession, *, force: bool = False) -> None:
        """Insert what is pending (when there is a batch's worth, or always with `force`)."""
        if self.pending and (force or len(self.pending) >= FLUSH_AT):
            await bulk_insert(session, AuditEvent.__table__, self.pending)  # type: ignore[attr-defined]
            self.written += len(self.pending)
            self.pending = []


async def advance_sequences(session: AsyncSession, tables: tuple[str, ...]) -> None:
    """PostgreSQL: each table's id sequence past the ids written by hand, so that the services'
    next rows do not collide with them (SQLite takes max(id) + 1 by itself)."""
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        return
    for name in tables:
        await connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"(SELECT COALESCE(max(id), 1) FROM {name}))"
        )
