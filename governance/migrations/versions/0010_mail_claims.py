"""mail claims: a sender claims a mail before sending it (lease), back-off, Message-ID

outbox_mail gains claim_token and lease_until (a claim that expires when its sender died),
next_attempt_at (retry after an exponential back-off), message_id (the same Message-ID for
every attempt); person_id becomes nullable (an invitation goes to someone without an account).
The due mails are read through a partial index over the unsent ones.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10 09:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import governance.base.dbtypes

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNSENT = sa.text('sent_at IS NULL')


def upgrade() -> None:
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('next_attempt_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column('claim_token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.add_column(
            sa.Column('lease_until', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=250), nullable=True)
        )
        batch_op.alter_column('person_id', existing_type=sa.Integer(), nullable=True)
        batch_op.drop_index('ix_outbox_unsent')
        batch_op.create_index(
            'ix_outbox_due',
            ['next_attempt_at', 'id'],
            unique=False,
            sqlite_where=UNSENT,
            postgresql_where=UNSENT,
        )


def downgrade() -> None:
    # Mails to no one's account (invitations) cannot stay in a column that requires a person.
    op.execute('DELETE FROM outbox_mail WHERE person_id IS NULL')
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due')
        batch_op.create_index('ix_outbox_unsent', ['sent_at', 'attempts', 'id'], unique=False)
        batch_op.alter_column('person_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('message_id')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('claim_token')
        batch_op.drop_column('next_attempt_at')
