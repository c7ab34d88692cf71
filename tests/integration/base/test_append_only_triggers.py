"""Every append-only table keeps its triggers at the head of the migrations, on both dialects:
a migration that rebuilds a table on SQLite (Alembic's batch mode) silently drops them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from governance.base import append_only, db
from governance.base.settings import Settings


def _guarded_tables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> set[str]:
    """The tables the migrations guard, as they run from nothing on a fresh SQLite file: each
    create_statements adds its table, each drop_statements removes it (until created again)."""
    guarded: set[str] = set()
    create, drop = append_only.create_statements, append_only.drop_statements

    def creating(dialect: str, table: str) -> list[str]:
        guarded.add(table)
        return create(dialect, table)

    def dropping(dialect: str, table: str) -> list[str]:
        guarded.discard(table)
        return drop(dialect, table)

    monkeypatch.setattr(append_only, "create_statements", creating)
    monkeypatch.setattr(append_only, "drop_statements", dropping)
    command.upgrade(db.alembic_config(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"), "head")
    monkeypatch.setattr(append_only, "create_statements", create)
    monkeypatch.setattr(append_only, "drop_statements", drop)
    return guarded


def _triggers(url: str) -> set[str]:
    engine = create_engine(db.sync_url(url))
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        else:
            query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        names = {row[0] for row in connection.execute(text(query))}
    engine.dispose()
    return names


def _expected(dialect: str, tables: set[str]) -> set[str]:
    """The trigger names append_only creates for `tables` on `dialect`."""
    names = set()
    for table in tables:
        for statement in append_only.create_statements(dialect, table):
            if statement.startswith("CREATE TRIGGER"):
                names.add(statement.split()[2])
    return names


def test_a_fresh_database_keeps_every_append_only_trigger(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    tables = _guarded_tables(monkeypatch, tmp_path)
    assert {"journal_entry", "ledger_line", "audit_event", "invoice", "replaced_receipt"} <= tables
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    assert _expected("sqlite", tables) <= _triggers(url)


def test_the_tests_database_keeps_them_after_a_round_trip_of_the_latest_migrations(
    run: Any, world: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    tables = _guarded_tables(monkeypatch, tmp_path)
    dialect = "sqlite" if settings.database_url.startswith("sqlite") else "postgresql"
    assert _expected(dialect, tables) <= _triggers(settings.database_url)
    config = db.alembic_config(settings.database_url)
    command.downgrade(config, "0014")
    command.upgrade(config, "head")
    assert _expected(dialect, tables) <= _triggers(settings.database_url)
