"""The benchmarks' databases: new migrated ones of one kind (SQLite files in a temporary
directory, or throw-away PostgreSQL databases made through an admin connection), copies of a
filled one, and what a bulk fill must do before anything reads (sequences, statistics).
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from governance.base.db import make_engine, migrate
from governance.ledger.books import period_totals

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{db}"


@dataclass
class Store:
    """Fresh databases of one kind, and copies of a filled one (a close runs once per copy).
    PostgreSQL databases are named `bench_<name>_<what>_<random>`."""

    kind: str
    name: str
    tmp: Path
    created: list[str] = field(default_factory=list)

    def _pg_admin(self, statement: str) -> None:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.exec_driver_sql(statement)
        finally:
            admin.dispose()

    def fresh(self, what: str) -> str:
        """The async URL of a new, migrated, empty database."""
        if self.kind == "sqlite":
            url = f"sqlite+aiosqlite:///{self.tmp / (what + '.db')}"
        else:
            db = f"bench_{self.name}_{what}_{secrets.token_hex(4)}"
            self._pg_admin(f'CREATE DATABASE "{db}"')
            self.created.append(db)
            url = PG_URL.format(db=db)
        migrate(url)
        return url

    def copy(self, url: str, what: str) -> str:
        """A copy of the database at `url` (nobody may be connected to it)."""
        if self.kind == "sqlite":
            target = self.tmp / (what + ".db")
            source = sqlite3.connect(sqlite_path(url))
            destination = sqlite3.connect(target)
            try:
                source.backup(destination)
            finally:
                destination.close()
                source.close()
            return f"sqlite+aiosqlite:///{target}"
        db = f"bench_{self.name}_{what}_{secrets.token_hex(4)}"
        template = make_url(url).database
        self._pg_admin(f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
        self.created.append(db)
        return PG_URL.format(db=db)

    def drop_all(self) -> None:
        if self.created:
            admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            try:
                with admin.connect() as connection:
                    for db in self.created:
                        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            finally:
                admin.dispose()


@contextlib.contextmanager
def store(kind: str, name: str, keep: bool, tmp_prefix: str) -> Iterator[Store]:
    """A Store whose temporary directory and databases go at the end (unless `keep`)."""
    tmp = Path(tempfile.mkdtemp(prefix=tmp_prefix))
    dbs = Store(kind, name, tmp)
    try:
        yield dbs
    finally:
        if keep:
            print(
                f"kept: {tmp}" + (f" and databases {', '.join(dbs.created)}" if dbs.created else "")
            )
        else:
            dbs.drop_all()
            shutil.rmtree(tmp, ignore_errors=True)


def sqlite_path(url: str) -> str:
    database = make_url(url).database
    assert database
    return database


@contextlib.asynccontextmanager
async def engine_for(url: str, *, read_only: bool = False) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(url, read_only=read_only)
    try:
        yield engine
    finally:
        await engine.dispose()


async def count(engine: AsyncEngine, query: Any) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(query)).scalar_one())


async def next_id(connection: Any, table: str) -> int:
    found = await connection.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}"))
    return int(found.scalar_one()) + 1


async def lines_added_without_trigger(connection: Any, first: int, after: int) -> None:
    """On PostgreSQL, add the ledger lines with ids `first` to before `after`, written in bulk
    with the triggers skipped (`session_replication_role = replica`), to the accounts' totals
    that the skipped trigger keeps (governance/ledger/books/period_totals.py). On SQLite the
    trigger ran: nothing to do."""
    if connection.dialect.name != "postgresql" or after <= first:
        return
    for statement in period_totals.add_lines_statements():
        await connection.execute(text(statement), {"first": first, "after": after})


async def after_fill(engine: AsyncEngine, tables: tuple[str, ...]) -> None:
    """Sequences past the ids written by hand (PostgreSQL), then the planner's statistics."""
    postgres = engine.dialect.name == "postgresql"
    async with engine.begin() as connection:
        if postgres:
            for name in tables:
                await connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT max(id) FROM {name}))"
                )
        else:
            await connection.exec_driver_sql("ANALYZE")
    if postgres:
        # What autovacuum does to freshly inserted tables on its own: statistics, and the
        # visibility map that lets index-only scans skip the table.
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql("VACUUM ANALYZE")
