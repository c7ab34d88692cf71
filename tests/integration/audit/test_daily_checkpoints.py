"""The daily checkpoint (the worker's "checkpoints" job), and the checkpoints made before they
formed a chain (migration 0011): numbered, checked one by one, and linked to by the next."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlmodel import col, select

from governance.audit.checkpoints import signing
from governance.audit.checkpoints.checkpoints import checkpoints_of, sign_head, verify_checkpoints
from governance.audit.checkpoints.daily import sign_due_checkpoints
from governance.audit.describe import describe
from governance.audit.models import AuditEvent, Checkpoint
from governance.audit.service import record
from governance.base import clock, db
from governance.base.i18n import language
from governance.base.settings import Settings
from tests.audit_support import query, tamper

TWO_DAYS = dt.timedelta(days=2)


def due(run: Any, ahead: dt.timedelta = dt.timedelta(0)) -> int:
    async def action(session: Any) -> int:
        with clock.shifted(ahead):
            return await sign_due_checkpoints(session)

    result: int = run(action)
    return result


def add_event(run: Any, cooperative_id: int) -> None:
    async def action(session: Any) -> None:
        async with session.begin():
            await record(
                session,
                cooperative_id=cooperative_id,
                actor_id=None,
                action="test.later",
                subject_type="test",
                subject_id=1,
            )

    run(action)


def state(run: Any, cooperative_id: int) -> tuple[list[Checkpoint], list[str], AuditEvent]:
    async def action(session: Any) -> Any:
        async with session.begin():
            found = await checkpoints_of(session, cooperative_id)
            with language("en"):
                problems = await verify_checkpoints(session, cooperative_id)
            last = (
                await session.exec(
                    select(AuditEvent)
                    .where(AuditEvent.cooperative_id == cooperative_id)
                    .order_by(col(AuditEvent.seq).desc())
                    .limit(1)
                )
            ).one()
            return found, problems, last

    return run(action)  # type: ignore[no-any-return]


def test_a_chain_with_new_events_gets_a_checkpoint_once_a_day(run: Any, world: Any) -> None:
    assert due(run) == 2  # alpha and beta: events, never a checkpoint
    (first,), problems, last = state(run, world.alpha)
    assert problems == []
    assert (first.number, first.kind, first.month) == (1, "daily", clock.today().isoformat())
    assert first.previous == signing.GENESIS
    # The checkpoint signs its own announcement, which names it.
    assert (last.seq, last.action, last.actor_id) == (first.seq, "checkpoint.daily", None)
    with language("en"):
        told = describe(last.action, last.data, "").replace("\u2068", "").replace("\u2069", "")
        assert told == (
            "The audit trail up to this event was signed into checkpoint 1, for members to "
            "keep its head."
        )

    assert due(run) == 0  # nothing new
    assert due(run, TWO_DAYS) == 0  # nothing new, however late
    add_event(run, world.alpha)
    assert due(run) == 0  # new, but the last checkpoint is not a day old
    assert due(run, TWO_DAYS) == 1  # alpha only: beta has nothing new
    found, problems, _last = state(run, world.alpha)
    assert [c.number for c in found] == [1, 2] and problems == []
    assert len(state(run, world.beta)[0]) == 1


def test_a_recent_month_close_counts_as_the_days_checkpoint(run: Any, world: Any) -> None:
    async def close(session: Any) -> None:
        async with session.begin():
            await sign_head(session, world.alpha, "2026-10")

    run(close)
    add_event(run, world.alpha)
    assert due(run) == 1  # beta only
    assert [c.kind for c in state(run, world.alpha)[0]] == ["close"]
    assert due(run, TWO_DAYS) == 1
    assert [c.kind for c in state(run, world.alpha)[0]] == ["close", "daily"]


def test_a_cooperative_whose_keys_do_not_match_is_skipped_and_the_others_signed(
    settings: Settings, run: Any, world: Any, caplog: pytest.LogCaptureFixture
) -> None:
    tamper(
        settings,
        (
            "UPDATE cooperative SET public_key = :key WHERE id = :coop",
            {"key": signing.public_key_of(signing.new_private_key()), "coop": world.alpha},
        ),
    )
    assert due(run) == 1
    assert state(run, world.alpha)[0] == []
    assert len(state(run, world.beta)[0]) == 1
    assert f"no daily checkpoint for cooperative {world.alpha}" in caplog.text


def test_a_cooperative_whose_last_checkpoint_is_mangled_is_skipped_and_the_others_signed(
    settings: Settings, run: Any, world: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async def close(session: Any) -> None:
        async with session.begin():
            await sign_head(session, world.alpha, "2026-10")

    run(close)
    add_event(run, world.alpha)
    tamper(
        settings,
        ("UPDATE checkpoint SET month = 'mangled' WHERE cooperative_id = :c", {"c": world.alpha}),
    )
    assert due(run, TWO_DAYS) == 1  # beta
    assert [c.number for c in state(run, world.alpha)[0]] == [1]
    assert "checkpoint 1 is malformed" in caplog.text


# --- checkpoints made before the chain ------------------------------------------------------


def _legacy(settings: Settings, cooperative_id: int, month: str, seq: int) -> None:
    """A checkpoint as signed before migration 0011 (the v1 line), inserted at 0010."""
    (key,) = query(
        settings,
        "SELECT private_key FROM signing_key WHERE cooperative_id = :c",
        {"c": cooperative_id},
    )
    (head,) = query(
        settings,
        "SELECT hash FROM audit_event WHERE chain = :chain AND seq = :seq",
        {"chain": f"coop:{cooperative_id}", "seq": seq},
    )
    line = signing.message(cooperative_id, month, seq, head.hash)
    engine = create_engine(db.sync_url(settings.database_url))
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO checkpoint (cooperative_id, month, seq, head_hash, signature, "
                "public_key, at) VALUES (:coop, :month, :seq, :head, :signature, :public, :at)"
            ),
            {
                "coop": cooperative_id,
                "month": month,
                "seq": seq,
                "head": head.hash,
                "signature": signing.sign(key.private_key, line),
                "public": signing.public_key_of(key.private_key),
                "at": "2026-10-01T10:00:00.000000Z",
            },
        )
    engine.dispose()


def test_checkpoints_from_before_the_chain_are_numbered_and_the_next_links_to_them(
    settings: Settings, run: Any, world: Any
) -> None:
    config = db.alembic_config(settings.database_url)
    command.downgrade(config, "0010")
    try:
        _legacy(settings, world.alpha, "2026-08", 4)
        _legacy(settings, world.alpha, "2026-09", 6)
        _legacy(settings, world.beta, "2026-09", 1)
    finally:
        command.upgrade(config, "head")
    rows = query(
        settings,
        "SELECT cooperative_id, number, kind, month, previous FROM checkpoint ORDER BY id",
        {},
    )
    assert [tuple(row) for row in rows] == [
        (world.alpha, 1, "close", "2026-08", None),
        (world.alpha, 2, "close", "2026-09", None),
        (world.beta, 1, "close", "2026-09", None),
    ]
    assert state(run, world.alpha)[1] == []  # the v1 signatures still verify

    add_event(run, world.alpha)

    async def close(session: Any) -> Checkpoint:
        async with session.begin():
            return await sign_head(session, world.alpha, "2026-10")

    third = run(close)
    (september,) = query(
        settings,
        "SELECT seq, head_hash FROM checkpoint WHERE cooperative_id = :c AND number = 2",
        {"c": world.alpha},
    )
    v1 = signing.message(world.alpha, "2026-09", september.seq, september.head_hash)
    assert (third.number, third.previous) == (3, signing.checkpoint_hash(v1))
    assert state(run, world.alpha)[1] == []

    # A legacy checkpoint deleted from before the chain is still named by the gap it leaves.
    tamper(
        settings,
        ("DELETE FROM checkpoint WHERE cooperative_id = :c AND number = 1", {"c": world.alpha}),
    )
    assert state(run, world.alpha)[1] == ["Checkpoint 1 is missing."]
