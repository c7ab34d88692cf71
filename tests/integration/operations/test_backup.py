"""`governance backup` and `governance restore`, run as the operator runs them, on real databases.

On SQLite the target is a new file; on PostgreSQL a new empty database, dropped afterwards."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from governance.base import clock, db
from governance.base.settings import Settings
from governance.cli import main
from governance.demo.univerbal import DEMO_SLUG, create_demo

TODAY = dt.date(2026, 11, 27)
SQLITE_HEADER = b"SQLite format 3\x00"
PGDUMP_HEADER = b"PGDMP"


def use(monkeypatch: pytest.MonkeyPatch, settings: Settings, url: str, var: Path) -> None:
    """Point the `governance` command at the database `url`."""
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("GOVERNANCE_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("GOVERNANCE_VAR_DIR", str(var))


def is_sqlite(url: str) -> bool:
    return db.is_sqlite(url)


def admin_engine(url: str) -> Any:
    admin = make_url(db.sync_url(url)).set(database="postgres")
    return create_engine(admin, isolation_level="AUTOCOMMIT")


@pytest.fixture
def target_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """Where to restore: a SQLite file not yet there, or a new empty PostgreSQL database."""
    if is_sqlite(database_url):
        yield f"sqlite+aiosqlite:///{tmp_path / 'restored' / 'governance.db'}"
        return
    name = f"gov_restore_{uuid.uuid4().hex[:12]}"
    admin = admin_engine(database_url)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def snapshot(url: str) -> tuple[dict[int, int], dict[str, int]]:
    """(the balance of every account, summed from its ledger lines; the rows of every table)."""
    engine = create_engine(db.sync_url(url))
    try:
        with engine.connect() as connection:
            balances = {
                account: int(total)
                for account, total in connection.execute(
                    text(
                        "SELECT account_id, SUM(amount) FROM ledger_line "
                        "GROUP BY account_id ORDER BY account_id"
                    )
                )
            }
            counts = {
                table: connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
                for table in inspect(connection).get_table_names()
            }
    finally:
        engine.dispose()
    return balances, counts


def table_count(url: str) -> int:
    """How many tables the database holds (0 for a SQLite file that is not there)."""
    if is_sqlite(url):
        database = make_url(url).database
        assert database
        if not Path(database).exists():
            return 0
    engine = create_engine(db.sync_url(url))
    try:
        with engine.connect() as connection:
            return len(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def header(path: Path) -> bytes:
    return path.read_bytes()[:16]


def expected_header(url: str) -> bytes:
    return SQLITE_HEADER if is_sqlite(url) else PGDUMP_HEADER


def test_the_demo_survives_a_backup_and_a_restore_into_a_new_database(
    settings: Settings,
    run: Any,
    target_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    run(lambda s: create_demo(s, TODAY))
    before = snapshot(settings.database_url)
    balances, counts = before
    assert len(balances) > 10 and counts["ledger_line"] > 100 and counts["signing_key"] > 0

    use(monkeypatch, settings, settings.database_url, tmp_path)
    archive = tmp_path / "governance.operations.backup"
    assert main(["backup", "--output", str(archive)]) == 0
    out = capsys.readouterr().out
    assert f"written to {archive}" in out
    assert header(archive).startswith(expected_header(settings.database_url))
    # It holds the signing keys: readable by its owner only.
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600

    use(monkeypatch, settings, target_url, tmp_path)
    assert main(["restore", "--input", str(archive)]) == 0
    out = capsys.readouterr().out
    assert "restored" in out
    assert "governance migrate" in out
    assert f"governance audit verify --coop {DEMO_SLUG}" in out

    assert main(["audit", "verify", "--coop", DEMO_SLUG]) == 0
    out = capsys.readouterr().out
    assert "whole" in out and "all valid" in out
    assert snapshot(target_url) == before
    # The source is as it was.
    assert snapshot(settings.database_url) == before


def test_a_restore_into_a_database_that_has_tables_is_refused_and_changes_nothing(
    settings: Settings,
    world: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use(monkeypatch, settings, settings.database_url, tmp_path)
    archive = tmp_path / "world.backup"
    assert main(["backup", "--output", str(archive)]) == 0
    capsys.readouterr()
    before = snapshot(settings.database_url)

    assert main(["restore", "--input", str(archive)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("error: ")
    assert "not empty" in captured.err and "nothing was changed" in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert captured.out == ""
    assert snapshot(settings.database_url) == before


def test_an_existing_output_file_is_kept_unless_forced(
    settings: Settings,
    world: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use(monkeypatch, settings, settings.database_url, tmp_path)
    archive = tmp_path / "precious.backup"
    archive.write_bytes(b"yesterday's backup\n")

    assert main(["backup", "--output", str(archive)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("error: ") and "already exists" in captured.err
    assert "--force" in captured.err
    assert archive.read_bytes() == b"yesterday's backup\n"
    assert sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name) == ["precious.backup"]

    assert main(["backup", "--output", str(archive), "--force"]) == 0
    assert header(archive).startswith(expected_header(settings.database_url))


def test_a_file_that_is_not_a_backup_is_refused_with_a_clear_line(
    settings: Settings,
    target_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use(monkeypatch, settings, target_url, tmp_path)
    garbage = tmp_path / "notes.txt"
    garbage.write_bytes(b"these are not the rows you are looking for\n" * 10)
    assert main(["restore", "--input", str(garbage)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: {garbage} is not a governance backup: neither a SQLite file nor a PostgreSQL "
        "custom-format dump (pg_dump --format=custom)\n"
    )

    assert main(["restore", "--input", str(tmp_path / "missing.backup")]) == 2
    assert "no such file" in capsys.readouterr().err

    # A backup of the other kind of database: moving between them is not supported.
    other = tmp_path / "other.backup"
    other.write_bytes((PGDUMP_HEADER if is_sqlite(target_url) else SQLITE_HEADER) + b"\x00" * 200)
    assert main(["restore", "--input", str(other)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "is not supported" in err

    assert table_count(target_url) == 0


def test_sqlite_a_sqlite_file_that_is_not_a_governance_backup_is_refused(
    settings: Settings,
    target_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if not is_sqlite(target_url):
        pytest.skip("SQLite files are restored only into SQLite")
    stranger = tmp_path / "stranger.db"
    connection = sqlite3.connect(stranger)
    connection.execute("CREATE TABLE recipes (name TEXT)")
    connection.commit()
    connection.close()
    use(monkeypatch, settings, target_url, tmp_path)
    assert main(["restore", "--input", str(stranger)]) == 2
    assert "not a governance backup" in capsys.readouterr().err
    assert table_count(target_url) == 0


def test_sqlite_the_backup_is_a_snapshot_taken_beside_a_writer(
    settings: Settings,
    world: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """While another connection holds the write lock with work not yet committed (as the
    service does in WAL mode), the backup goes ahead and holds only what was committed."""
    if not is_sqlite(settings.database_url):
        pytest.skip("PostgreSQL snapshots are pg_dump's own")
    path = make_url(settings.database_url).database
    assert path
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        assert writer.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("CREATE TABLE unfinished (x INTEGER)")
        writer.execute("INSERT INTO unfinished VALUES (1)")
        use(monkeypatch, settings, settings.database_url, tmp_path)
        archive = tmp_path / "live.backup"
        assert main(["backup", "--output", str(archive)]) == 0
        writer.execute("COMMIT")
    finally:
        writer.close()
    copy = sqlite3.connect(archive)
    try:
        assert copy.execute("PRAGMA quick_check").fetchone() == ("ok",)
        tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
        assert "unfinished" not in tables and "cooperative" in tables
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    finally:
        copy.close()
    assert not Path(f"{archive}-wal").exists()


@pytest.mark.postgres
def test_postgres_without_pg_dump_the_command_says_what_to_do(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use(monkeypatch, settings, settings.database_url, tmp_path)
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    archive = tmp_path / "governance.dump"
    assert main(["backup", "--output", str(archive)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: pg_dump is not installed")
    assert "docker compose exec -T db pg_dump" in err
    assert len(err.strip().splitlines()) == 1
    assert not archive.exists()


def fake_tool(folder: Path, name: str, version: str, log: Path) -> None:
    """A stand-in for a PostgreSQL client tool that only tells its version and logs its call."""
    script = folder / name
    script.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = "--version" ]; then echo "{name} (PostgreSQL) {version}"; exit 0; fi\n'
        f'echo "args: $*" > "{log}"\n'
        f'echo "password: $PGPASSWORD" >> "{log}"\n'
        f'echo "{name}: error: stand-in" >&2\n'
        "exit 1\n"
    )
    script.chmod(0o755)


def server_major(url: str) -> int:
    engine = create_engine(db.sync_url(url))
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_an_older_pg_dump_is_refused_and_the_password_stays_off_the_command_line(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    password = "not-on-the-command-line-42"
    url = make_url(settings.database_url).set(password=password)
    use(monkeypatch, settings, url.render_as_string(hide_password=False), tmp_path)
    major = server_major(settings.database_url)
    tools = tmp_path / "bin"
    tools.mkdir()
    log = tmp_path / "calls.log"
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}/bin{os.pathsep}/usr/bin")
    archive = tmp_path / "governance.dump"

    fake_tool(tools, "pg_dump", f"{major - 1}.3", log)
    assert main(["backup", "--output", str(archive)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"error: pg_dump {major - 1} is older than the PostgreSQL")
    assert "docker compose exec -T db pg_dump" in captured.err
    assert not log.exists() and not archive.exists()

    fake_tool(tools, "pg_dump", f"{major}.1", log)
    assert main(["backup", "--output", str(archive)]) == 2
    captured = capsys.readouterr()
    assert captured.err == "error: pg_dump failed: stand-in\n"
    call = log.read_text()
    assert f"password: {password}" in call  # through PGPASSWORD
    args = call.splitlines()[0]
    assert password not in args and "--format=custom" in args
    assert password not in captured.out + captured.err
    assert not archive.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".governance")] == []
