"""Shared fixtures: a real, freshly migrated database per test (SQLite or PostgreSQL).

`GOVERNANCE_TEST_DATABASE_URL` selects PostgreSQL (e.g. postgresql+psycopg://postgres@127.0.0.1
/gov_test); unset, every test gets its own SQLite file copied from a migrated template.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from governance.base import db
from governance.base.settings import Settings, normalise_database_url

T = TypeVar("T")
TEST_SECRET = "test-secret-key-that-is-long-enough-for-hs256-0123456789"
PASSWORD = "correct horse battery"


def _base_url() -> str | None:
    url = os.environ.get("GOVERNANCE_TEST_DATABASE_URL", "").strip()
    return normalise_database_url(url) if url else None


def is_postgres() -> bool:
    url = _base_url()
    return bool(url and url.startswith("postgresql"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Browser tests last: Playwright's sync API keeps an event loop running in this thread
    # until the session ends, and the other tests start their own loops with asyncio.run.
    items.sort(key=lambda item: "e2e" in item.keywords)
    if is_postgres():
        return
    skip = pytest.mark.skip(reason="PostgreSQL only: runs in the PostgreSQL pass of .ci/run")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _admin_url(url: str) -> str:
    return db.sync_url(url).rsplit("/", 1)[0] + "/postgres"


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database for this worker: a SQLite file to copy, or a PostgreSQL database."""
    base = _base_url()
    if base is None or base.startswith("sqlite"):
        path = tmp_path_factory.mktemp("template") / "template.db"
        url = f"sqlite+aiosqlite:///{path}"
        db.migrate(url)
        yield url
        return
    name = re.sub(r"\W", "_", f"{make_url(base).database}_{_worker()}")
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    admin = create_engine(_admin_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    db.migrate(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def empty_postgres(url: str) -> None:
    engine = create_engine(db.sync_url(url))
    with engine.begin() as connection:
        tables = [
            row[0]
            for row in connection.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
        ]
        # Replica mode switches the append-only triggers off for this cleaning only.
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(template_database: str, tmp_path: Path) -> str:
    if template_database.startswith("sqlite"):
        source = make_url(template_database).database
        assert source
        target = tmp_path / "test.db"
        shutil.copyfile(source, target)
        return f"sqlite+aiosqlite:///{target}"
    empty_postgres(template_database)
    return template_database


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key=TEST_SECRET)


def run_db(settings: Settings, action: Callable[[Any], Awaitable[T]]) -> T:
    """Run `action(session)` against the test database, outside of any web request."""

    async def main() -> T:
        engine = db.make_engine(settings.database_url)
        try:
            async with db.make_sessionmaker(engine)() as session:
                return await action(session)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def two_at_once(settings: Any, function: Any, *args: Any) -> list[Any]:
    """Run `function` twice at the same moment, on two connections of the real database."""

    async def main() -> list[Any]:
        engine = db.make_engine(settings.database_url)
        maker = db.make_sessionmaker(engine)
        try:
            async with maker() as first, maker() as second:
                return list(
                    await asyncio.gather(
                        function(first, *args), function(second, *args), return_exceptions=True
                    )
                )
        finally:
            await engine.dispose()

    return asyncio.run(main())


@pytest.fixture
def run(settings: Settings) -> Callable[[Callable[[Any], Awaitable[Any]]], Any]:
    return lambda action: run_db(settings, action)


@pytest.fixture
def app(settings: Settings) -> Any:
    from governance.app import create_app

    return create_app(settings)


@pytest.fixture
def world(settings: Settings) -> Any:
    from tests.world import build_world

    return run_db(settings, build_world)


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    from litestar.testing import TestClient

    with TestClient(app=app) as test_client:
        yield test_client


@pytest.fixture
def visitor(client: Any) -> Any:
    from tests.world import Visitor

    return Visitor(client)


@pytest.fixture
def make_visitor(client: Any) -> Callable[[], Any]:
    """More browsers on the same app (two people, or two devices, at once)."""
    from tests.world import Visitor

    return lambda: Visitor(client)


@pytest.fixture
def chu(request: pytest.FixtureRequest) -> int:
    """The CHU client's id: the fixture the test module names in `CHU_FIXTURE` (its variants
    are in tests/integration/conftest.py), or `chu_with_omars_work`."""
    name = getattr(request.module, "CHU_FIXTURE", "chu_with_omars_work")
    return int(request.getfixturevalue(name))


@pytest.fixture
def chu_with_omars_work(run: Any, world: Any) -> int:
    """A hospital client (CHU) with one validated prestation of Omar's this month: its id."""
    from governance.base import clock
    from governance.ledger.books.kinds import ClientKind
    from governance.ledger.work import prestations
    from governance.ledger.work.clients import create_client

    today = clock.today()

    async def action(session: Any) -> int:
        client = await create_client(
            session,
            world.actor("carla"),
            name="CHU",
            kind=ClientKind.HOSPITAL,
            default_rate_cents=5500,
        )
        work, _ = await prestations.record_prestation(
            session,
            world.actor("omar"),
            {
                "client_id": str(client.id),
                "date": today.replace(day=1).isoformat(),
                "duration_minutes": "120",
                "kind": "on_site",
            },
            language="fr",
            today=today,
            submit=True,
        )
        await prestations.validate_prestations(session, world.actor("carla"), [work.id])
        assert client.id is not None
        return client.id

    return run(action)
