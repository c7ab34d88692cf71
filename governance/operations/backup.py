"""Whole-database backups and restores (`governance backup` and `governance restore`).

SQLite: SQLite's online backup API copies a consistent snapshot while the service keeps writing
(WAL mode); the copy is one self-contained file. PostgreSQL: `pg_dump --format=custom`, restored
with `pg_restore` in one transaction. A restore goes only into an empty database: it never mixes
a backup with rows already there, and it runs nothing afterwards (it says what to run next).

A backup holds everything, the signing keys of the cooperatives included: keep it private.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import make_url

from governance.base import db
from governance.operations.backup_files import (
    SQLITE,
    BackupError,
    _check_input,
    _check_output,
    _install,
    _kind_of_url,
    _next_steps,
    _part_file,
    _remove,
)

# -- SQLite --------------------------------------------------------------------------------------


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("DATABASE_URL names no SQLite file")
    return Path(database)


def _sqlite_uri(path: Path, mode: str) -> str:
    return f"file:{quote(str(path.resolve()))}?mode={mode}"


def _sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [row[0] for row in rows]


def _backup_sqlite(url: str, output: Path, force: bool) -> list[str]:
    path = _sqlite_path(url)
    if not path.is_file():
        raise BackupError(f"no SQLite database at {path}")
    _check_output(output, force)
    part = _part_file(output)
    try:
        source = sqlite3.connect(_sqlite_uri(path, "rw"), uri=True, timeout=30)
        try:
            target = sqlite3.connect(part)
            try:
                # One step (all pages): one read transaction, so one consistent snapshot, taken
                # beside the service's writers (WAL readers do not wait for them).
                source.backup(target, pages=-1)
                target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                check = target.execute("PRAGMA quick_check").fetchone()
            finally:
                target.close()
        finally:
            source.close()
        if check is None or check[0] != "ok":
            raise BackupError(f"the copy of {path} fails SQLite's check: {check}")
        _install(part, output, force)
    except sqlite3.Error as error:
        raise BackupError(f"backup of {path} failed: {error}") from None
    finally:
        _remove(part, Path(f"{part}-journal"), Path(f"{part}-wal"), Path(f"{part}-shm"))
    size = output.stat().st_size
    return [f"backup of the SQLite database {path} written to {output} ({size} bytes)"]


def _restore_sqlite(url: str, source: Path) -> list[str]:
    _check_input(source, SQLITE)
    path = _sqlite_path(url)
    try:
        backup = sqlite3.connect(_sqlite_uri(source, "ro"), uri=True)
    except sqlite3.Error as error:
        raise BackupError(f"{source} cannot be opened: {error}") from None
    try:
        try:
            check = backup.execute("PRAGMA quick_check").fetchone()
            tables = _sqlite_tables(backup)
        except sqlite3.Error as error:
            raise BackupError(f"{source} is a damaged SQLite file: {error}") from None
        if check is None or check[0] != "ok":
            raise BackupError(f"{source} is a damaged SQLite file: {check}")
        if "alembic_version" not in tables:
            raise BackupError(f"{source} is a SQLite file but not a governance backup")
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = "rw" if path.exists() else "rwc"
        try:
            target = sqlite3.connect(_sqlite_uri(path, mode), uri=True, timeout=30)
        except sqlite3.Error as error:
            raise BackupError(f"the database at {path} cannot be opened: {error}") from None
        try:
            try:
                present = _sqlite_tables(target)
            except sqlite3.Error as error:
                raise BackupError(
                    f"{path} is not an empty SQLite database ({error}): nothing was changed"
                ) from None
            if present:
                raise BackupError(
                    f"the database at {path} is not empty ({len(present)} tables): restore "
                    "writes only into an empty or missing database; nothing was changed"
                )
            try:
                backup.backup(target, pages=-1)
            except sqlite3.Error as error:
                raise BackupError(f"restore into {path} failed: {error}") from None
        finally:
            target.close()
    finally:
        backup.close()
    return [f"restored {source} into the SQLite database {path}", *_next_steps(url)]


# -- the two commands ----------------------------------------------------------------------------


def backup(url: str, output: Path, *, force: bool = False) -> list[str]:
    """Write a backup of the database at `url` to `output`; the lines to print."""
    if db.is_sqlite(url):
        return _backup_sqlite(url, output, force)
    from governance.operations.backup_postgresql import backup_postgresql

    return backup_postgresql(url, output, force)


def restore(url: str, source: Path) -> list[str]:
    """Restore the backup `source` into the empty database at `url`; the lines to print."""
    if _kind_of_url(url) == SQLITE:
        return _restore_sqlite(url, source)
    from governance.operations.backup_postgresql import restore_postgresql

    return restore_postgresql(url, source)
