"""`governance audit verify` on a real database, after editing its rows behind the app's back."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from governance.audit.chain import EventPayload, event_hash
from governance.audit.service import record, verify_chain
from governance.base import append_only, db
from governance.base.settings import Settings
from governance.cli import main


def tamper(settings: Settings, *statements: str, params: dict[str, Any] | None = None) -> None:
    """Run SQL with the append-only triggers out of the way, as an intruder with DB access."""
    engine = create_engine(db.sync_url(settings.database_url))
    dialect = engine.dialect.name
    with engine.begin() as connection:
        if dialect == "sqlite":
            for statement in append_only.drop_statements("sqlite", "audit_event"):
                connection.execute(text(statement))
        else:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        for statement in statements:
            connection.execute(text(statement), params or {})
        if dialect == "sqlite":
            for statement in append_only.create_statements("sqlite", "audit_event"):
                connection.execute(text(statement))
    engine.dispose()


def verify_cli(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("GOVERNANCE_SECRET_KEY", settings.secret_key)
    code = main(["audit", "verify", "--coop", "alpha"])
    return code, capsys.readouterr().out


def chain_of(world: Any) -> str:
    return f"coop:{world.alpha}"


def test_an_untouched_chain_passes(
    settings: Settings, world: Any, monkeypatch: Any, capsys: Any
) -> None:
    code, out = verify_cli(settings, monkeypatch, capsys)
    assert code == 0, out
    assert "7 events, whole" in out


def test_a_changed_row_is_caught(
    settings: Settings, world: Any, monkeypatch: Any, capsys: Any
) -> None:
    tamper(
        settings,
        "UPDATE audit_event SET data = replace(data, 'Omar', 'Omer') "
        "WHERE chain = :chain AND seq = 3",
        params={"chain": chain_of(world)},
    )
    code, out = verify_cli(settings, monkeypatch, capsys)
    assert code == 1
    assert "sequence 3: changed" in out


def test_a_deleted_row_is_caught(
    settings: Settings, world: Any, monkeypatch: Any, capsys: Any
) -> None:
    tamper(
        settings,
        "DELETE FROM audit_event WHERE chain = :chain AND seq = 4",
        params={"chain": chain_of(world)},
    )
    code, out = verify_cli(settings, monkeypatch, capsys)
    assert code == 1
    assert "sequence 4: missing" in out


def test_two_swapped_rows_are_caught(
    settings: Settings, world: Any, monkeypatch: Any, capsys: Any
) -> None:
    chain = chain_of(world)
    tamper(
        settings,
        "UPDATE audit_event SET seq = -1 WHERE chain = :chain AND seq = 3",
        "UPDATE audit_event SET seq = 3 WHERE chain = :chain AND seq = 4",
        "UPDATE audit_event SET seq = 4 WHERE chain = :chain AND seq = -1",
        params={"chain": chain},
    )
    code, out = verify_cli(settings, monkeypatch, capsys)
    assert code == 1
    assert "sequence 3: reordered" in out


def test_an_inserted_row_is_caught(
    settings: Settings, world: Any, monkeypatch: Any, capsys: Any
) -> None:
    chain = chain_of(world)
    engine = create_engine(db.sync_url(settings.database_url))
    with engine.connect() as connection:
        third = connection.execute(
            text("SELECT hash FROM audit_event WHERE chain = :chain AND seq = 3"), {"chain": chain}
        ).scalar_one()
    engine.dispose()
    payload = EventPayload(
        chain=chain,
        seq=4,
        at="2026-11-27T10:00:00.000000Z",
        cooperative_id=world.alpha,
        actor_id=None,
        action="member.added",
        subject_type="membership",
        subject_id="999",
        data='{"name":"Ghost","role":"coordinator"}',
    )
    forged = event_hash(third, payload)
    statements = [
        f"UPDATE audit_event SET seq = seq + 1 WHERE chain = :chain AND seq = {seq}"
        for seq in range(7, 3, -1)
    ]
    statements += [
        "UPDATE audit_event SET prev_hash = :forged WHERE chain = :chain AND seq = 5",
        "INSERT INTO audit_event (chain, seq, cooperative_id, at, actor_id, action, "
        "subject_type, subject_id, data, prev_hash, hash) VALUES (:chain, 4, :coop, "
        "'2026-11-27T10:00:00.000000Z', NULL, 'member.added', 'membership', '999', "
        '\'{"name":"Ghost","role":"coordinator"}\', :third, :forged)',
    ]
    tamper(
        settings,
        *statements,
        params={"chain": chain, "coop": world.alpha, "third": third, "forged": forged},
    )
    code, out = verify_cli(settings, monkeypatch, capsys)
    assert code == 1
    assert "sequence 4: inserted" in out


def test_the_database_refuses_to_update_or_delete_audit_rows(
    settings: Settings, world: Any
) -> None:
    engine = create_engine(db.sync_url(settings.database_url))
    for statement in (
        "UPDATE audit_event SET action = 'x' WHERE seq = 1",
        "DELETE FROM audit_event WHERE seq = 1",
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    engine.dispose()


def test_fifty_concurrent_writers_leave_one_unbroken_chain(settings: Settings, world: Any) -> None:
    async def scenario() -> Any:
        engine = db.make_engine(settings.database_url)
        sessionmaker = db.make_sessionmaker(engine)

        async def write(n: int) -> None:
            async with sessionmaker() as session, session.begin():
                await record(
                    session,
                    cooperative_id=world.alpha,
                    actor_id=world.ids["carla"],
                    action="test.concurrent",
                    subject_type="test",
                    subject_id=n,
                    data={"n": n},
                )

        await asyncio.gather(*(write(n) for n in range(50)))
        async with sessionmaker() as session, session.begin():
            result = await verify_chain(session, world.alpha)
        await engine.dispose()
        return result

    result = asyncio.run(scenario())
    assert result.problem is None
    assert result.count == 7 + 50


def test_the_command_exits_1_and_names_the_break(settings: Settings, world: Any) -> None:
    tamper(
        settings,
        "DELETE FROM audit_event WHERE chain = :chain AND seq = 2",
        params={"chain": chain_of(world)},
    )
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "GOVERNANCE_SECRET_KEY": settings.secret_key,
    }
    done = subprocess.run(
        [sys.executable, "-m", "governance.cli", "audit", "verify", "--coop", "alpha"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "sequence 2: missing" in done.stdout
