"""Start-up refuses an unmigrated database; responses carry the security headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from governance.app import create_app
from governance.db import NotMigratedError
from governance.settings import Settings
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
    assert '<script src="/static/htmx-2.0.11.min.js" defer></script>' in page
    script = visitor.get("/static/htmx-2.0.11.min.js")
    assert script.status_code == 200
    assert 'version:"2.0.11"' in script.text.replace(" ", "")


def test_sqlite_runs_in_wal_mode_with_foreign_keys(settings: Settings) -> None:
    import asyncio

    from sqlalchemy import text

    from governance import db

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
