"""Whole-database backups and restores (`governance backup` and `governance restore`).

SQLite: SQLite's online backup API copies a consistent snapshot while the service keeps writing
(WAL mode); the copy is one self-contained file. PostgreSQL: `pg_dump --format=custom`, restored
with `pg_restore` in one transaction. A restore goes only into an empty database: it never mixes
a backup with rows already there, and it runs nothing afterwards (it says what to run next).

A backup holds everything, the signing keys of the cooperatives included: keep it private.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from governance.base import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
KIND_NAMES = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}


class BackupError(RuntimeError):
    """A backup or a restore that cannot go ahead; the message is one line for the operator."""


# -- the kind of a file --------------------------------------------------------------------------


def kind_of_file(path: Path) -> str | None:
    """SQLITE for a SQLite file, POSTGRESQL for a custom-format dump, None for anything else."""
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head == SQLITE_MAGIC:
        return SQLITE
    if head.startswith(PGDUMP_MAGIC):
        return POSTGRESQL
    return None


def _kind_of_url(url: str) -> str:
    return SQLITE if db.is_sqlite(url) else POSTGRESQL


def _check_input(source: Path, database_kind: str) -> None:
    """Refuse a missing file, a file of no known kind, or one of the other database's kind."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    try:
        kind = kind_of_file(source)
    except OSError as error:
        raise BackupError(f"{source}: cannot be read ({error.strerror})") from None
    if kind is None:
        raise BackupError(
            f"{source} is not a governance backup: neither a SQLite file nor a PostgreSQL "
            "custom-format dump (pg_dump --format=custom)"
        )
    if kind != database_kind:
        raise BackupError(
            f"{source} is a {KIND_NAMES[kind]} backup but the configured database is "
            f"{KIND_NAMES[database_kind]}: moving between SQLite and PostgreSQL is not supported"
        )


# -- the output file ------------------------------------------------------------------------------


def _check_output(output: Path, force: bool) -> None:
    if output.exists() and not force:
        raise BackupError(f"{output} already exists: choose another name, or add --force")
    if output.is_dir():
        raise BackupError(f"{output} is a folder, not a file")
    if not output.parent.is_dir():
        raise BackupError(f"the folder {output.parent} does not exist")


def _part_file(output: Path) -> Path:
    """An empty file beside `output`, readable by its owner only, to write the backup into."""
    handle, name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".part")
    os.close(handle)
    return Path(name)


def _install(part: Path, output: Path, force: bool) -> None:
    """Move the finished backup to its name; without `force` an existing file is kept."""
    if force:
        os.replace(part, output)
        return
    try:
        os.link(part, output)  # fails if `output` appeared meanwhile; never overwrites
    except FileExistsError:
        raise BackupError(f"{output} already exists: choose another name, or add --force") from None
    except OSError:  # a file system without hard links
        if output.exists():
            raise BackupError(
                f"{output} already exists: choose another name, or add --force"
            ) from None
        os.replace(part, output)
        return
    part.unlink()


def _remove(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


# -- what to do after a restore -------------------------------------------------------------------


def _next_steps(url: str) -> list[str]:
    """The commands to run after a restore, from the restored schema and cooperatives."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    engine = create_engine(db.sync_url(url))
    try:
        with engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            slugs = list(
                connection.execute(text("SELECT slug FROM cooperative ORDER BY id")).scalars()
            )
    except SQLAlchemyError:
        revision, slugs = None, []
    finally:
        engine.dispose()
    script = ScriptDirectory.from_config(db.alembic_config(url))
    head = script.get_current_head()
    lines = []
    known = True
    if revision is not None and revision != head:
        try:
            known = script.get_revision(revision) is not None
        except CommandError:
            known = False
    if revision is None:
        lines.append("next: governance migrate (the backup has no schema version)")
    elif revision == head:
        lines.append(
            f"next: governance migrate is not needed (the schema is at the latest version, {head})"
        )
    elif known:
        lines.append(
            f"next: governance migrate (the backup's schema is {revision}, older than {head})"
        )
    else:
        lines.append(
            f"next: the backup's schema {revision} is newer than this governance (latest {head}): "
            "install the newer governance before serving it"
        )
    for slug in slugs or ["<slug>"]:
        lines.append(f"then: governance audit verify --coop {slug}")
    return lines


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
