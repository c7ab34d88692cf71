"""History tools on a long history: `governance audit verify` against a bare driver script,
`governance export` (hledger, CSV) in constant memory, checked by hledger itself, and the
trial balance against `hledger bal`.

    .venv/bin/python -m bench.history [--db sqlite|postgresql] [--events N] [--lines N]

One fresh migrated database gets a cooperative (through the services, as bench.ledger's)
whose audit chain has `--events` more events, hashed with governance.audit.chain's own
functions so that the chain is whole, and `--lines` ledger lines (bench.ledger.books's fill).
Each measurement runs in its own child process, which reports its time and its peak resident
memory (VmHWM). Nothing is asserted about time: the run exits 0 when every check held, 1 when
one failed (INVALID), 2 when it could not set up.

This package: the fill (here), the children (`child.py`), the runner and its table
(`__main__.py`).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.databases import after_fill
from bench.ledger import World, build_world
from bench.ledger.books import fill_ledger
from governance.audit.chain import GENESIS, EventPayload, canonical, chain_key, event_hash
from governance.audit.models import AuditEvent
from governance.base.db import bulk_insert, make_sessionmaker

VERIFY_GOAL = 0.5  # app events/s ÷ bare events/s, at least
MEMORY_GOAL_MB = 200  # peak resident memory of verify and export children, under
AUDIT_BATCH = 20_000
ACTIONS = ("prestation.recorded", "prestation.validated", "cost.recorded", "invoice.issued")
START = dt.datetime(2024, 1, 1, 8, 0, tzinfo=dt.UTC)


async def fill_audit(engine: AsyncEngine, world: World, events: int) -> int:
    """`events` more events at the end of the cooperative's chain (after those the services
    wrote), each hashed on the one before it with `chain.event_hash`. Returns the chain's
    length."""
    chain = chain_key(world.cooperative_id)
    sessions = make_sessionmaker(engine)
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    async with sessions() as session, session.begin():
        last = (
            await session.execute(
                text(
                    "SELECT seq, hash FROM audit_event WHERE chain = :c ORDER BY seq DESC LIMIT 1"
                ),
                {"c": chain},
            )
        ).first()
        seq, prev = (int(last[0]), str(last[1])) if last else (0, GENESIS)
        members = list(world.member_ids.values())
        clients = list(world.client_ids.values())
        rows: list[dict[str, Any]] = []
        for n in range(events):
            seq += 1
            at = (START + dt.timedelta(seconds=37 * n)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            data = {
                "amount_cents": 1000 + (n % 97) * 125,
                "client_id": clients[n % len(clients)],
                "date": at[:10],
                "member_id": members[n % len(members)],
                "note": f"séance {n}",
                "_salt": f"{n * 2654435761 % 2**64:032x}",
            }
            payload = EventPayload(
                chain=chain,
                seq=seq,
                at=at,
                cooperative_id=world.cooperative_id,
                actor_id=world.coordinator_id,
                action=ACTIONS[n % len(ACTIONS)],
                subject_type="prestation",
                subject_id=str(n + 1),
                data=canonical(data, check=False),
            )
            digest = event_hash(prev, payload)
            rows.append(
                {
                    "chain": chain,
                    "seq": seq,
                    "cooperative_id": world.cooperative_id,
                    "at": at,
                    "actor_id": world.coordinator_id,
                    "action": payload.action,
                    "subject_type": payload.subject_type,
                    "subject_id": payload.subject_id,
                    "data": payload.data,
                    "prev_hash": prev,
                    "hash": digest,
                }
            )
            prev = digest
            if len(rows) == AUDIT_BATCH:
                await bulk_insert(session, table, rows)
                rows = []
        await bulk_insert(session, table, rows)
    return seq


async def fill(engine: AsyncEngine, events: int, lines: int) -> dict[str, Any]:
    """The cooperative, its chain and its ledger; what the children and checks need."""
    world = await build_world(engine)
    started = time.perf_counter()
    chain_length = await fill_audit(engine, world, events)
    audit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    await fill_ledger(engine, world, lines)
    ledger_seconds = time.perf_counter() - started
    await after_fill(engine, ("audit_event",))
    return {
        "cooperative_id": world.cooperative_id,
        "chain": chain_key(world.cooperative_id),
        "chain_length": chain_length,
        "audit_fill_seconds": audit_seconds,
        "ledger_fill_seconds": ledger_seconds,
    }
