"""ledger: accounts, periods, the append-only journal, prestations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 15:02:44.126170
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import governance.base.dbtypes
from governance.base import append_only

APPEND_ONLY = ('journal_entry', 'ledger_line')

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('created_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cooperative_id', 'code', name='uq_account_code')
    )
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_cooperative_id'), ['cooperative_id'], unique=False)

    op.create_table('journal_entry',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('memo', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('reverses_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.ForeignKeyConstraint(['reverses_id'], ['journal_entry.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cooperative_id', 'idempotency_key', name='uq_entry_idempotency'),
    sa.UniqueConstraint('reverses_id', name='uq_entry_reverses')
    )
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_entry_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_entry_period'), ['period'], unique=False)

    op.create_table('period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('created_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cooperative_id', 'month', name='uq_period_month')
    )
    with op.batch_alter_table('period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_period_cooperative_id'), ['cooperative_id'], unique=False)

    op.create_table('ledger_line',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount <> 0', name='ck_line_amount_not_zero'),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entry.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ledger_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_line_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index('ix_line_account_id', ['account_id', 'id'], unique=False)
        batch_op.create_index('ix_line_coop_period_account', ['cooperative_id', 'period', 'account_id'], unique=False)

    op.create_table('prestation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=True),
    sa.Column('duration_minutes', sa.Integer(), nullable=True),
    sa.Column('rate_cents', sa.BigInteger(), nullable=True),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('travel_cents', sa.BigInteger(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('rejection_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('request_fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', governance.base.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.CheckConstraint('amount_cents > 0 AND amount_cents <= 100000000', name='ck_prestation_amount'),
    sa.CheckConstraint('travel_cents >= 0', name='ck_prestation_travel'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['decided_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entry.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cooperative_id', 'idempotency_key', name='uq_prestation_idempotency')
    )
    with op.batch_alter_table('prestation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prestation_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index('ix_prestation_member_date', ['cooperative_id', 'member_id', 'date'], unique=False)


    for table in APPEND_ONLY:
        for statement in append_only.create_statements(op.get_bind().dialect.name, table):
            op.execute(statement)

def downgrade() -> None:
    for table in APPEND_ONLY:
        for statement in append_only.drop_statements(op.get_bind().dialect.name, table):
            op.execute(statement)
    with op.batch_alter_table('prestation', schema=None) as batch_op:
        batch_op.drop_index('ix_prestation_member_date')
        batch_op.drop_index(batch_op.f('ix_prestation_cooperative_id'))

    op.drop_table('prestation')
    with op.batch_alter_table('ledger_line', schema=None) as batch_op:
        batch_op.drop_index('ix_line_coop_period_account')
        batch_op.drop_index('ix_line_account_id')
        batch_op.drop_index(batch_op.f('ix_ledger_line_entry_id'))

    op.drop_table('ledger_line')
    with op.batch_alter_table('period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_period_cooperative_id'))

    op.drop_table('period')
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_entry_period'))
        batch_op.drop_index(batch_op.f('ix_journal_entry_cooperative_id'))

    op.drop_table('journal_entry')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_cooperative_id'))

    op.drop_table('account')
