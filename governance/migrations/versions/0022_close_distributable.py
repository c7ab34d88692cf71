"""close distributable: each close's distributable amount in a column of its own

The list of closed months (my statements, my earnings, the cooperative's statements) showed
each month's distributable amount by extracting it from the close's whole distribution, a JSON
of ~400 KB a month for a thousand members: 60 months took 37 ms on SQLite and 139 ms on
PostgreSQL (bench.pages). period_close.distributable_cents holds it; this migration fills it
from the JSON of the closes already made. period_close is append-only: its triggers are
dropped for the fill and made again. ix_period_close_coop_month_distributable covers the list:
on SQLite a column added after the JSON is read past its overflow pages (7.6 ms for 60 closes),
from the index without them.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 23:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from governance.base import append_only

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EXTRACT = {
    'sqlite': "CAST(json_extract(distribution, '$.distributable_cents') AS INTEGER)",
    'postgresql': "CAST(distribution ->> 'distributable_cents' AS BIGINT)",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # A plain ADD COLUMN (no batch): SQLite does not rebuild the table, its triggers stay.
    op.add_column(
        'period_close',
        sa.Column('distributable_cents', sa.BigInteger(), nullable=False, server_default='0'),
    )
    for statement in append_only.drop_statements(dialect, 'period_close'):
        op.execute(statement)
    op.execute(f"UPDATE period_close SET distributable_cents = {EXTRACT[dialect]}")  # noqa: S608
    for statement in append_only.create_statements(dialect, 'period_close'):
        op.execute(statement)
    op.create_index(
        'ix_period_close_coop_month_distributable',
        'period_close',
        ['cooperative_id', 'month', 'distributable_cents'],
    )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_index('ix_period_close_coop_month_distributable', table_name='period_close')
    with op.batch_alter_table('period_close', schema=None) as batch_op:
        batch_op.drop_column('distributable_cents')
    # Dropping a column rebuilds the table on SQLite, and its triggers go with the old table.
    for statement in append_only.drop_statements(dialect, 'period_close'):
        op.execute(statement)
    for statement in append_only.create_statements(dialect, 'period_close'):
        op.execute(statement)
