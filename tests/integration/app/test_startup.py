"""Start-up refuses an unmigrated database; responses carry the security headers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from governance.app import create_app
from governance.base.db import NotMigratedError
from governance.base.settings import Settings
from tests.conftest import TEST_SECRET


def test_the_app_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", secret_key=TEST_SECRET
    )
    with pytest.raises(NotMigratedError, match="governance migrate"):
        create_app(settings)


def test_pages_carry_the_security_headers(visitor: Any) -> None:
    response = visitor.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_htmx_is_vendored_in_version_2(visitor: Any) -> None:
    page = visitor.get("/login").text
    found = re.search(r'<script src="(/static/htmx-2\.0\.11\.min\.[0-9a-f]+\.js)" defer>', page)
    assert found, "htmx 2.0.11 is linked under its content-hashed name"
    script = visitor.get(found.group(1))
    assert script.status_code == 200
    assert "immutable" in script.headers["cache-control"]
    assert 'version:"2.0.11"' in script.text.replace(" ", "")


def test_sqlite_runs_in_wal_mode_with_foreign_keys(settings: Settings) -> None:
    import asyncio

    from sqlalchemy import text

    from governance.base import db

    if not db.is_sqlite(settings.database_url):
        pytest.skip("SQLite only")

    async def pragmas() -> tuple[str, int]:
        engine = db.make_engine(settings.database_url)
        async with engine.connect() as connection:
            mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar_one()
            keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one()
        await engine.dispose()
        return mode, keys

    assert asyncio.run(pragmas()) == ("wal", 1)


def test_migrations_started_at_once_by_three_replicas_apply_once(tmp_path: Path) -> None:
    """Three `governance migrate` at the same moment on an empty database (compose starts app
    replicas together): all succeed and the schema is at the head once."""
    import os
    import subprocess
    import sys

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from governance.base import db
    from tests.conftest import _admin_url, _base_url

    base = _base_url()
    admin = None
    if base is None or base.startswith("sqlite"):
        url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    else:
        name = f"gov_migrate_race_{os.getpid()}"
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
        admin = create_engine(_admin_url(base), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        env = {**os.environ, "DATABASE_URL": url, "GOVERNANCE_VAR_DIR": str(tmp_path)}
        command = [sys.executable, "-m", "governance", "migrate"]
        runs = [
            subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(3)
        ]
        outcomes = [
            (run.wait(timeout=120), run.stderr.read().decode() if run.stderr else "")
            for run in runs
        ]
        assert [code for code, _ in outcomes] == [0, 0, 0], outcomes
        db.check_migrated(url)
        engine = create_engine(db.sync_url(url))
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT count(*) FROM alembic_version")).scalar()
        engine.dispose()
        assert versions == 1
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
