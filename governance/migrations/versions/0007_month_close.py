"""month close: distribution rules, reviews, contests, closes, statements, checkpoints, payouts

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 20:43:54.781958
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import governance.base.dbtypes
from governance.base import append_only

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written once, never changed: corrections are new rows.
APPEND_ONLY = (
    'distribution_rule',
    'checkpoint',
    'period_close',
    'review_start',
    'statement',
    'payout_line',
)


def upgrade() -> None:
    op.create_table('checkpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('head_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('signature', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('public_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cooperative_id', 'seq', name='uq_checkpoint_seq')
    )
    with op.batch_alter_table('checkpoint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkpoint_cooperative_id'), ['cooperative_id'], unique=False)

    op.create_table('distribution_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('start_month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('rule', sa.JSON(), nullable=False),
    sa.Column('template', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('distribution_rule', schema=None) as batch_op:
        batch_op.create_index('ix_rule_coop_start', ['cooperative_id', 'start_month', 'id'], unique=False)

    op.create_table('signing_key',
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('private_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.PrimaryKeyConstraint('cooperative_id')
    )
    op.create_table('payout_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('total_cents', sa.BigInteger(), nullable=False),
    sa.Column('execution_date', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['decided_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entry.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('payout_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payout_batch_cooperative_id'), ['cooperative_id'], unique=False)

    op.create_table('period_close',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.Column('distribution', sa.JSON(), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoint.id'], ),
    sa.ForeignKeyConstraint(['closed_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entry.id'], ),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], ),
    sa.ForeignKeyConstraint(['rule_id'], ['distribution_rule.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('period_id', name='uq_period_close_period')
    )
    with op.batch_alter_table('period_close', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_period_close_cooperative_id'), ['cooperative_id'], unique=False)

    op.create_table('review_start',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('started_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], ),
    sa.ForeignKeyConstraint(['started_by_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('review_start', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_start_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_start_period_id'), ['period_id'], unique=False)

    op.create_table('statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('share_cents', sa.BigInteger(), nullable=False),
    sa.Column('revenue_cents', sa.BigInteger(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('period_id', 'member_id', name='uq_statement_period_member')
    )
    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.create_index('ix_statement_member', ['cooperative_id', 'member_id', 'month'], unique=False)

    op.create_table('contest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('prestation_id', sa.Integer(), nullable=True),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('resolution', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('correction_id', sa.Integer(), nullable=True),
    sa.Column('created_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.ForeignKeyConstraint(['correction_id'], ['prestation.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], ),
    sa.ForeignKeyConstraint(['prestation_id'], ['prestation.id'], ),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contest_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index('ix_contest_period_status', ['period_id', 'status'], unique=False)

    op.create_table('payout_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('iban', sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
    sa.Column('bic', sqlmodel.sql.sqltypes.AutoString(length=11), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount_cents > 0', name='ck_payout_amount'),
    sa.ForeignKeyConstraint(['batch_id'], ['payout_batch.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('payout_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payout_line_batch_id'), ['batch_id'], unique=False)

    with op.batch_alter_table('cooperative', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_key', sqlmodel.sql.sqltypes.AutoString(length=64), server_default='', nullable=False))

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('iban', sqlmodel.sql.sqltypes.AutoString(length=34), server_default='', nullable=False))
        batch_op.add_column(sa.Column('bic', sqlmodel.sql.sqltypes.AutoString(length=11), server_default='', nullable=False))

    with op.batch_alter_table('prestation', schema=None) as batch_op:
        batch_op.create_index('ix_prestation_entry', ['entry_id'], unique=False)

    for table in APPEND_ONLY:
        for statement in append_only.create_statements(op.get_bind().dialect.name, table):
            op.execute(statement)
    if op.get_bind().dialect.name == 'postgresql':
        # The running-balance trigger's lookup of an account's latest line must be planned for
        # the account at hand: a cached generic plan, made while the ledger has few accounts,
        # scans the whole table backwards for an account without lines (30 ms a line).
        op.execute(
            'ALTER FUNCTION ledger_line_check_balance() SET plan_cache_mode = force_custom_plan'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER FUNCTION ledger_line_check_balance() RESET plan_cache_mode')
    for table in APPEND_ONLY:
        for statement in append_only.drop_statements(op.get_bind().dialect.name, table):
            op.execute(statement)
    with op.batch_alter_table('prestation', schema=None) as batch_op:
        batch_op.drop_index('ix_prestation_entry')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('bic')
        batch_op.drop_column('iban')

    with op.batch_alter_table('cooperative', schema=None) as batch_op:
        batch_op.drop_column('public_key')

    with op.batch_alter_table('payout_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payout_line_batch_id'))

    op.drop_table('payout_line')
    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.drop_index('ix_contest_period_status')
        batch_op.drop_index(batch_op.f('ix_contest_cooperative_id'))

    op.drop_table('contest')
    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.drop_index('ix_statement_member')

    op.drop_table('statement')
    with op.batch_alter_table('review_start', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_start_period_id'))
        batch_op.drop_index(batch_op.f('ix_review_start_cooperative_id'))

    op.drop_table('review_start')
    with op.batch_alter_table('period_close', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_period_close_cooperative_id'))

    op.drop_table('period_close')
    with op.batch_alter_table('payout_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payout_batch_cooperative_id'))

    op.drop_table('payout_batch')
    op.drop_table('signing_key')
    with op.batch_alter_table('distribution_rule', schema=None) as batch_op:
        batch_op.drop_index('ix_rule_coop_start')

    op.drop_table('distribution_rule')
    with op.batch_alter_table('checkpoint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkpoint_cooperative_id'))

    op.drop_table('checkpoint')
