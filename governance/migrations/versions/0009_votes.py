"""votes: proposals, eligible voters, ballots, proxies, discussion, mandates; mail outbox

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 05:13:24.088789
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import governance.base.dbtypes
from governance.base import append_only

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written once, never changed.
APPEND_ONLY = ('eligible_voter', 'proposal_comment')


def upgrade() -> None:
    op.create_table('proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('quorum', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('threshold', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('results_hidden', sa.Boolean(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('effect', sa.JSON(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opens_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closes_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('eligible_count', sa.Integer(), nullable=False),
    sa.Column('closed_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('adopted', sa.Boolean(), nullable=True),
    sa.Column('effect_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['opened_by_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.create_index('ix_proposal_coop_state', ['cooperative_id', 'state', 'closes_at'], unique=False)

    op.create_table('ballot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('voter_id', sa.Integer(), nullable=False),
    sa.Column('cast_by_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.JSON(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('receipt', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('cast_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cast_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], ),
    sa.ForeignKeyConstraint(['voter_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('proposal_id', 'voter_id', name='uq_ballot_voter'),
    sa.UniqueConstraint('receipt')
    )
    op.create_table('eligible_voter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('proposal_id', 'person_id', name='uq_eligible_voter')
    )
    op.create_table('proposal_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('proposal_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_comment_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proxy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('giver_id', sa.Integer(), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('given_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['giver_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['holder_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('proposal_id', 'giver_id', name='uq_proxy_giver')
    )
    with op.batch_alter_table('proxy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proxy_holder_id'), ['holder_id'], unique=False)

    op.create_table('mandate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('ended_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('mandate', schema=None) as batch_op:
        batch_op.create_index('ix_mandate_coop_open', ['cooperative_id', 'ended_at', 'ends_on'], unique=False)

    op.create_table('outbox_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('to_address', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('sent_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_unsent', ['sent_at', 'attempts', 'id'], unique=False)

    for table in APPEND_ONLY:
        for statement in append_only.create_statements(op.get_bind().dialect.name, table):
            op.execute(statement)


def downgrade() -> None:
    for table in APPEND_ONLY:
        for statement in append_only.drop_statements(op.get_bind().dialect.name, table):
            op.execute(statement)
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_unsent')

    op.drop_table('outbox_mail')
    with op.batch_alter_table('mandate', schema=None) as batch_op:
        batch_op.drop_index('ix_mandate_coop_open')

    op.drop_table('mandate')
    with op.batch_alter_table('proxy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proxy_holder_id'))

    op.drop_table('proxy')
    with op.batch_alter_table('proposal_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_comment_proposal_id'))

    op.drop_table('proposal_comment')
    op.drop_table('eligible_voter')
    op.drop_table('ballot')
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_coop_state')

    op.drop_table('proposal')
