"""Engine, sessions and the schema check; the one place that knows which database runs."""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
import weakref
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar, cast

from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, DateTime, Table, create_engine, event, insert, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import Session, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

metadata = SQLModel.metadata
# Each SQLite connection is a thread in aiosqlite; a few are faster than many under load.
SQLITE_POOL = int(os.environ.get("GOVERNANCE_SQLITE_POOL", "4"))


class NotMigratedError(RuntimeError):
    """The database schema is not at the latest migration."""


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def dialect_of(session: AsyncSession) -> str:
    """ "postgresql" or "sqlite": the database a session talks to."""
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def sync_url(url: str) -> str:
    """The synchronous twin of an async URL, for Alembic and command-line checks."""
    parsed = make_url(url)
    if parsed.drivername == "sqlite+aiosqlite":
        parsed = parsed.set(drivername="sqlite")
    elif parsed.drivername == "postgresql+asyncpg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _prepare_sqlite_file(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control from the driver so that BEGIN IMMEDIATE below is ours.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(connection: Connection) -> None:
    # Writers queue for the lock at BEGIN instead of failing halfway with "database is locked".
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_begin_deferred(connection: Connection) -> None:
    # Readers take a consistent snapshot without the write lock (WAL lets them run alongside).
    connection.exec_driver_sql("BEGIN")


def _sqlite_begin_on_driver(connection: Connection) -> None:
    # The deferred BEGIN straight on the driver's connection (a plain sqlite3 one): the
    # statement machinery costs about what a small SELECT costs.
    connection.connection.driver_connection.execute("BEGIN")  # type: ignore[union-attr]


def make_engine(url: str, *, read_only: bool = False) -> AsyncEngine:
    """An engine; `read_only` gives one for requests that never write (GET pages, the session
    lookup): on SQLite its transactions do not take the write lock; on PostgreSQL they are
    read-only (the server refuses any write in them)."""
    if is_sqlite(url):
        _prepare_sqlite_file(url)
        engine = create_async_engine(
            url,
            connect_args={"timeout": 30},
            pool_size=SQLITE_POOL,
            max_overflow=0,
            hide_parameters=True,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        begin = _sqlite_begin_deferred if read_only else _sqlite_begin_immediate
        event.listen(engine.sync_engine, "begin", begin)
        if read_only and make_url(url).database not in (None, "", ":memory:"):
            _twins[engine.sync_engine] = _SqliteTwin(url)
            event.listen(engine.sync_engine, "engine_disposed", _dispose_twin)
        return engine
    # No server-side prepared statements: each query is planned for its own values. A cached
    # generic plan of "the lines of account X after id Y, by id" may walk the primary key
    # through the whole journal for a small account. (Plans inside the database, such as the
    # foreign-key checks, keep their cache.)
    connect_args: dict[str, Any] = (
        {"prepare_threshold": None} if "psycopg" in url.split("://", 1)[0] else {}
    )
    if read_only and "asyncpg" in url.split("://", 1)[0]:
        connect_args["server_settings"] = {"default_transaction_read_only": "on"}
    elif read_only:
        connect_args["options"] = "-c default_transaction_read_only=on"
    # Two engines per process (the reader's and the writer's): at most 30 connections each.
    engine = create_async_engine(
        url,
        pool_size=10 if read_only else 5,
        max_overflow=20 if read_only else 25,
        pool_pre_ping=True,
        connect_args=connect_args,
        # Errors (and so logs) never show a query's values: emails, names, amounts.
        hide_parameters=True,
    )
    # A list of rows is sent as multi-row INSERTs (up to 1 000 rows each), as SQLAlchemy does
    # for psycopg2, rather than one INSERT per row: the running-balance check of ledger lines
    # then runs once per statement (migration 0008).
    engine.sync_engine.dialect.use_insertmanyvalues_wo_returning = True
    return engine


T = TypeVar("T")


class _SqliteTwin:
    """The synchronous twin of a read-only SQLite engine, with threads of its own: a read runs
    all its statements in one of these threads, so it costs the event loop one hop, where
    aiosqlite costs a hop (a thread switch and a wake-up of the loop) per call of the driver,
    five or more per statement. Same file, same pragmas, same deferred BEGIN as its engine."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(
            sync_url(url),
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=SQLITE_POOL,
            max_overflow=0,
            hide_parameters=True,
        )
        event.listen(self.engine, "connect", _sqlite_on_connect)
        event.listen(self.engine, "begin", _sqlite_begin_on_driver)
        self._threads: ThreadPoolExecutor | None = None

    def threads(self) -> ThreadPoolExecutor:
        if self._threads is None:
            self._threads = ThreadPoolExecutor(SQLITE_POOL, thread_name_prefix="sqlite-read")
        return self._threads

    def dispose(self) -> None:
        if self._threads is not None:
            self._threads.shutdown(wait=False)
            self._threads = None
        self.engine.dispose()


_twins: weakref.WeakKeyDictionary[Engine, _SqliteTwin] = weakref.WeakKeyDictionary()


def _dispose_twin(engine: Engine) -> None:
    twin = _twins.get(engine)
    if twin is not None:
        twin.dispose()


def _read_in_thread(engine: Engine, query: Callable[[Session], T]) -> T:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        return query(session)


async def read(engine: AsyncEngine, query: Callable[[Session], T]) -> T:
    """`query(session)` in one read transaction of its own, and its result; `engine` is a
    reading engine (`make_engine(url, read_only=True)`). `query` is a plain function: on a
    SQLite file it runs whole in a thread of the engine's twin (one hop for every statement);
    on PostgreSQL through the async driver (`run_sync`), in REPEATABLE READ, so that every
    statement sees the same snapshot. What it returns must not need the session any more
    (rows, values, or ORM objects already loaded: they come back detached)."""
    twin = _twins.get(engine.sync_engine)
    if twin is not None:
        context = contextvars.copy_context()  # the clock's shift, the language, as in the caller
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            twin.threads(), context.run, _read_in_thread, twin.engine, query
        )
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        if engine.dialect.name == "postgresql":
            await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        return await run_sync(session, query)


async def run_sync(session: AsyncSession, query: Callable[[Session], T]) -> T:
    """`query` on the plain session behind an async one (SQLModel's, with `exec`), in its
    transaction: the same reading function serves `read` and the async code paths."""
    return await session.run_sync(lambda sync: query(cast(Session, sync)))


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def alembic_config(url: str) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["sync_url"] = sync_url(url)
    return config


def migrate(url: str) -> None:
    """Bring the database to the latest migration (`governance migrate`). Safe when several
    processes run it at once: PostgreSQL takes an advisory lock (migrations/env.py), SQLite a
    lock on a file beside the database; the later ones find the schema current."""
    from alembic import command

    if not is_sqlite(url):
        command.upgrade(alembic_config(url), "head")
        return
    _prepare_sqlite_file(url)
    database = make_url(url).database
    if not database or database == ":memory:":
        command.upgrade(alembic_config(url), "head")
        return
    import fcntl

    with open(f"{database}.migrate-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        command.upgrade(alembic_config(url), "head")


def check_migrated(url: str) -> None:
    """Raise NotMigratedError unless the schema is at the latest migration."""
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    if current != head:
        state = "empty" if current is None else f"at revision {current}"
        raise NotMigratedError(
            f"The database is {state}, not at the latest migration {head}. "
            "Run `governance migrate` first."
        )


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def bulk_insert(
    session: AsyncSession, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert many rows of `table` in the session's transaction, none returned: COPY on
    PostgreSQL (a thousand rows cost about what the server takes to store them), one
    executemany on SQLite. Every row names the same columns; the others take their defaults."""
    if not rows:
        return
    connection = await session.connection()
    if connection.dialect.name != "postgresql" or connection.dialect.driver != "psycopg":
        await connection.execute(insert(table), list(rows))
        return
    names = list(rows[0])
    # COPY skips SQLAlchemy's type processing: a naive time would be read in the server's zone.
    times = [
        name
        for name in names
        if isinstance(getattr(table.c[name].type, "impl", table.c[name].type), DateTime)
    ]
    if any(row[name] is not None and row[name].tzinfo is None for row in rows for name in times):
        raise ValueError(f"bulk_insert into {table.name}: times must carry their time zone")
    json_columns = {name for name in names if isinstance(table.c[name].type, JSON)}
    columns = ", ".join(f'"{table.c[name].name}"' for name in names)
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    statement = f'COPY "{table.name}" ({columns}) FROM STDIN'
    dbapi = connection.dialect.loaded_dbapi
    try:
        async with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                await copy.write_row(
                    [json.dumps(row[name]) if name in json_columns else row[name] for name in names]
                )
    except dbapi.Error as error:  # raised as SQLAlchemy raises the driver's other errors
        raise DBAPIError.instance(statement, None, error, dbapi.Error) from error
