"""cooperative details printed on invoices

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 10:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import governance.base.dbtypes

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (column, max length): all text, NOT NULL, '' when not filled in yet.
COLUMNS = (
    ('legal_name', 160),
    ('address', 300),
    ('enterprise_number', 20),
    ('iban', 34),
    ('bic', 11),
    ('email', 254),
    ('phone', 30),
)


def upgrade() -> None:
    with op.batch_alter_table('cooperative', schema=None) as batch_op:
        for name, length in COLUMNS:
            batch_op.add_column(
                sa.Column(
                    name,
                    sqlmodel.sql.sqltypes.AutoString(length=length),
                    nullable=False,
                    server_default='',
                )
            )


def downgrade() -> None:
    with op.batch_alter_table('cooperative', schema=None) as batch_op:
        for name, _length in reversed(COLUMNS):
            batch_op.drop_column(name)
