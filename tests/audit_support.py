"""Audit tests share: SQL straight to the database (bypassing the app, as an attacker would)
and a date after the closed months.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import create_engine, text

from governance.base import append_only, db
from governance.base.settings import Settings


def tamper(settings: Settings, *steps: tuple[str, dict[str, Any]]) -> None:
    """Run SQL as an intruder with database access: append-only triggers out of the way."""
    engine = create_engine(db.sync_url(settings.database_url))
    dialect = engine.dialect.name
    with engine.begin() as connection:
        if dialect == "sqlite":
            for table in GUARDED:
                for statement in append_only.drop_statements("sqlite", table):
                    connection.execute(text(statement))
        else:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        for statement, params in steps:
            connection.execute(text(statement), params)
        if dialect == "sqlite":
            for table in GUARDED:
                for statement in append_only.create_statements("sqlite", table):
                    connection.execute(text(statement))
    engine.dispose()


def query(settings: Settings, statement: str, params: dict[str, Any]) -> list[Any]:
    engine = create_engine(db.sync_url(settings.database_url))
    with engine.connect() as connection:
        rows = list(connection.execute(text(statement), params))
    engine.dispose()
    return rows


LATER = dt.date(2027, 1, 5)


GUARDED = ("audit_event", "checkpoint", "period_close")
