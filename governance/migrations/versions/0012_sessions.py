"""sessions: each login is a session that logout ends on the server

auth_session holds one row per login: the SHA-256 of the random session id the token carries,
the person, when it started, when it expires (the token's own expiry) and when it was ended
(logout, "log out everywhere", a password change). Every authenticated request looks its row up
by primary key. Tokens issued before this step carry no session id: everyone logs in again.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 09:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import governance.base.dbtypes

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('auth_session',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_auth_session_person_id'), ['person_id'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_auth_session_expires_at'), ['expires_at'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_session_expires_at'))
        batch_op.drop_index(batch_op.f('ix_auth_session_person_id'))
    op.drop_table('auth_session')
