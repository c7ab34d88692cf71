"""checkpoint chain: each checkpoint signs the previous one

checkpoint gains `number` (1, 2, 3 ... per cooperative, unique), `kind` ('close' for a month
close, 'daily' for the worker's daily checkpoint), `previous` (the hash of the checkpoint
before it, signed with the head; NULL for the checkpoints made before this migration, which
stay as they were signed) and a `month` wide enough for a day (YYYY-MM-DD). The existing
checkpoints are numbered in the order of the events they signed; the first new checkpoint of
a cooperative links to the last of them (governance/audit/checkpoints/checkpoints.py).

The append-only triggers are lifted for the numbering only, then put back.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 09:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from governance.base import append_only

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NUMBER_EXISTING = (
    'UPDATE checkpoint SET number = (SELECT COUNT(*) FROM checkpoint AS earlier '
    'WHERE earlier.cooperative_id = checkpoint.cooperative_id AND (earlier.seq < checkpoint.seq '
    'OR (earlier.seq = checkpoint.seq AND earlier.id <= checkpoint.id)))'
)


def _triggers(create: bool) -> None:
    dialect = op.get_bind().dialect.name
    make = append_only.create_statements if create else append_only.drop_statements
    for statement in make(dialect, 'checkpoint'):
        op.execute(statement)


def _widen_month(before: int, after: int) -> None:
    # SQLite does not enforce a VARCHAR's length, and changing a column's type there would
    # copy the table (which period_close refers to): PostgreSQL only.
    if op.get_bind().dialect.name == 'postgresql':
        op.alter_column(
            'checkpoint',
            'month',
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=before),
            type_=sqlmodel.sql.sqltypes.AutoString(length=after),
            existing_nullable=False,
        )


def upgrade() -> None:
    _triggers(create=False)
    with op.batch_alter_table('checkpoint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(
            sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=5), server_default='close',
                      nullable=False)
        )
        batch_op.add_column(
            sa.Column('previous', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    _widen_month(7, 10)
    op.execute(NUMBER_EXISTING)
    with op.batch_alter_table('checkpoint', schema=None) as batch_op:
        batch_op.create_index('uq_checkpoint_number', ['cooperative_id', 'number'], unique=True)
    _triggers(create=True)


def downgrade() -> None:
    # The daily checkpoints have no place in the older schema (their month is a day).
    _triggers(create=False)
    op.execute("DELETE FROM checkpoint WHERE kind <> 'close'")
    with op.batch_alter_table('checkpoint', schema=None) as batch_op:
        batch_op.drop_index('uq_checkpoint_number')
    _widen_month(10, 7)
    with op.batch_alter_table('checkpoint', schema=None) as batch_op:
        batch_op.drop_column('previous')
        batch_op.drop_column('kind')
        batch_op.drop_column('number')
    _triggers(create=True)
