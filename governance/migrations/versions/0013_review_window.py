"""review window: when a month's review began, the reminder sent, and who read their draft

period.review_started_at is stamped when the coordinator starts the review (None for months
whose review began before this step: they may be closed at once, as before);
period.review_reminded_at when members were told the review ends within a day. review_read holds
one row per member who marked their draft statement as read.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 10:30:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import governance.base.dbtypes

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('period', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'review_started_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=True
        ))
        batch_op.add_column(sa.Column(
            'review_reminded_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=True
        ))
    op.create_table('review_read',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('read_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('period_id', 'member_id', name='uq_review_read_member')
    )
    with op.batch_alter_table('review_read', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_review_read_cooperative_id'), ['cooperative_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('review_read', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_read_cooperative_id'))
    op.drop_table('review_read')
    with op.batch_alter_table('period', schema=None) as batch_op:
        batch_op.drop_column('review_reminded_at')
        batch_op.drop_column('review_started_at')
