"""append-only triggers put back on journal_entry and invoice

A first version of 0015 gave memo_args an SQL expression as default, which made Alembic rebuild
journal_entry on SQLite, and the rebuild dropped its append-only triggers (0015 and 0017 now
keep them). A database migrated with that version is repaired here: the triggers of both tables
are dropped if present and created again, on either dialect.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 13:45:00.000000
"""
from collections.abc import Sequence

from alembic import op

from governance.base import append_only

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('journal_entry', 'invoice')


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        for statement in append_only.drop_statements(dialect, table):
            op.execute(statement)
        for statement in append_only.create_statements(dialect, table):
            op.execute(statement)


def downgrade() -> None:
    # The triggers belong to the tables' own migrations: nothing to undo.
    pass
