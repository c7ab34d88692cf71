"""replaced receipts: the receipts a vote no longer counts (changed vote, proxy taken back)

replaced_receipt keeps the proposal, the old receipt and why (changed, withdrawn): no voter,
no choice, no time (governance/votes/counting/receipts.py), so that the bulletin board tells a voter
who types an old receipt that it was replaced. Append-only.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 13:05:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from governance.base import append_only

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('replaced_receipt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('receipt', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('cause', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('replaced_receipt', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_replaced_receipt_proposal_id'), ['proposal_id'], unique=False
        )
    for statement in append_only.create_statements(op.get_bind().dialect.name, 'replaced_receipt'):
        op.execute(statement)


def downgrade() -> None:
    for statement in append_only.drop_statements(op.get_bind().dialect.name, 'replaced_receipt'):
        op.execute(statement)
    with op.batch_alter_table('replaced_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_replaced_receipt_proposal_id'))
    op.drop_table('replaced_receipt')
