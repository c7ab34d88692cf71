"""What SQLite and PostgreSQL backups share (governance/operations/backup.py and
backup_postgresql.py): the kind of a file or URL, checks on the input and output paths, writing
through a part file, and the next steps printed after a restore."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text
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
