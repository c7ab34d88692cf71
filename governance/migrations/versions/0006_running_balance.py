"""running balance on ledger lines

Each ledger line keeps the balance of its account after it (in posting order), so that an
account's page opens at any depth without summing the lines before it. A trigger refuses a
line whose balance is not the account's previous balance plus its amount.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 17:20:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from governance.base import append_only

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = (
    "UPDATE ledger_line SET balance = (SELECT SUM(earlier.amount) FROM ledger_line AS earlier "
    "WHERE earlier.account_id = ledger_line.account_id AND earlier.id <= ledger_line.id)"
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in append_only.drop_statements(dialect, 'ledger_line'):
        op.execute(statement)
    op.add_column(
        'ledger_line', sa.Column('balance', sa.BigInteger(), nullable=False, server_default='0')
    )
    op.execute(BACKFILL)
    for statement in append_only.create_statements(dialect, 'ledger_line'):
        op.execute(statement)
    for statement in append_only.running_balance_statements(dialect):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in append_only.drop_running_balance_statements(dialect):
        op.execute(statement)
    for statement in append_only.drop_statements(dialect, 'ledger_line'):
        op.execute(statement)
    op.drop_column('ledger_line', 'balance')
    for statement in append_only.create_statements(dialect, 'ledger_line'):
        op.execute(statement)
