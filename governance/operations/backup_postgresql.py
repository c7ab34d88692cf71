"""PostgreSQL backups and restores for governance/operations/backup.py: `pg_dump --format=custom`,
restored
with `pg_restore` in one transaction into an empty database. The password reaches the tools
through PGPASSWORD, never their command line."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from governance.base import db
from governance.operations.backup_files import (
    POSTGRESQL,
    BackupError,
    _check_input,
    _check_output,
    _install,
    _next_steps,
    _part_file,
    _remove,
)


def _connection(url: str) -> tuple[str, dict[str, str], str, str]:
    """(libpq connection URI without the password, environment for the tools, user, database).

    The password goes to the tools through PGPASSWORD, never on their command line."""
    parsed = make_url(db.sync_url(url))
    environment = dict(os.environ)
    if parsed.password:
        environment["PGPASSWORD"] = str(parsed.password)
    # (URL.set ignores None: a new URL, made without the password.)
    uri = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    ).render_as_string(hide_password=False)
    return uri, environment, parsed.username or "governance", parsed.database or "governance"


def _tool(name: str, advice: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (not found on PATH); {advice}")
    return found


def _tool_major(tool: str) -> int | None:
    try:
        completed = subprocess.run(  # noqa: S603  (the tool found on PATH, fixed arguments)
            [tool, "--version"], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    match = re.search(r"\)\s*(\d+)", completed.stdout)
    return int(match.group(1)) if match else None


def _server(url: str, *, want_tables: bool) -> tuple[int, int]:
    """(the server's major version, how many tables the database has)."""
    engine = create_engine(db.sync_url(url))
    try:
        with engine.connect() as connection:
            number = int(connection.execute(text("SHOW server_version_num")).scalar_one())
            tables = 0
            if want_tables:
                tables = connection.execute(
                    text(
                        "SELECT count(*) FROM pg_tables "
                        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
                    )
                ).scalar_one()
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        database = make_url(url).database
        raise BackupError(f"cannot reach the PostgreSQL database {database}: {reason}") from None
    finally:
        engine.dispose()
    return number // 10000, int(tables)


def _check_version(name: str, tool: str, server: int, advice: str) -> None:
    major = _tool_major(tool)
    if major is not None and major < server:
        raise BackupError(
            f"{name} {major} is older than the PostgreSQL {server} server and cannot work with "
            f"it; {advice}"
        )


def _failure(tool: str, stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line.split("error:", 1)[1].strip() for line in lines if "error:" in line]
    return "; ".join(errors or lines[-1:]) or f"{tool} exited with an error"


def backup_postgresql(url: str, output: Path, force: bool) -> list[str]:
    uri, environment, user, database = _connection(url)
    advice = (
        "run a pg_dump of the same major version as the server instead, e.g. in the database "
        f"container: docker compose exec -T db pg_dump -U {user} -Fc {database} > {output}"
    )
    tool = _tool("pg_dump", advice)
    _check_output(output, force)
    server, _tables = _server(url, want_tables=False)
    _check_version("pg_dump", tool, server, advice)
    part = _part_file(output)
    try:
        completed = subprocess.run(  # noqa: S603  (no shell; the password is in the environment)
            [tool, "--format=custom", f"--file={part}", f"--dbname={uri}"],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise BackupError(f"pg_dump failed: {_failure('pg_dump', completed.stderr)}")
        _install(part, output, force)
    finally:
        _remove(part)
    size = output.stat().st_size
    return [f"backup of the PostgreSQL database {database} written to {output} ({size} bytes)"]


def restore_postgresql(url: str, source: Path) -> list[str]:
    _check_input(source, POSTGRESQL)
    uri, environment, user, database = _connection(url)
    advice = (
        "run a pg_restore of the same major version as the server instead, e.g. in the database "
        f"container: docker compose exec -T db pg_restore -U {user} -d {database} --no-owner "
        f"--exit-on-error --single-transaction < {source}"
    )
    tool = _tool("pg_restore", advice)
    server, tables = _server(url, want_tables=True)
    _check_version("pg_restore", tool, server, advice)
    if tables:
        raise BackupError(
            f"the database {database} is not empty ({tables} tables): restore writes only into "
            "an empty database (create one, e.g. createdb); nothing was changed"
        )
    listing = subprocess.run(  # noqa: S603  (no shell, fixed arguments)
        [tool, "--list", str(source)], capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        reason = _failure("pg_restore", listing.stderr)
        if "unsupported version" in reason:  # made by a newer pg_dump, or damaged
            reason = f"{reason} (made by a newer pg_dump?); {advice}"
        raise BackupError(f"{source} cannot be read by pg_restore: {reason}")
    # One transaction: a failure leaves the database as empty as it was. Owners and grants
    # belong to the old server's roles: the restoring user owns everything.
    completed = subprocess.run(  # noqa: S603  (no shell; the password is in the environment)
        [
            tool,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={uri}",
            str(source),
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        reason = _failure("pg_restore", completed.stderr)
        raise BackupError(f"pg_restore failed, nothing was restored: {reason}")
    return [f"restored {source} into the PostgreSQL database {database}", *_next_steps(url)]
