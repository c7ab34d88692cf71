"""Alembic environment: synchronous drivers, batch mode so that SQLite can alter tables."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text

import governance.models  # noqa: F401  (registers every table)
from governance.base.db import metadata

config = context.config
url: str = config.attributes.get("sync_url") or config.get_main_option("sqlalchemy.url") or ""
# Several app replicas may run `governance migrate` at once: on PostgreSQL each waits for this
# lock (held until its transaction ends), then finds the schema current and does nothing.
MIGRATION_LOCK = 7_263_540_001


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                )
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
