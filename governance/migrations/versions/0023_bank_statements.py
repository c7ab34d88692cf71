"""bank statements: the bank's files, their statements and lines, and what each line matched

Issue 18: a coordinator imports the bank's CAMT.053 or CODA files (governance/ledger/bank/).
bank_file keeps each file as it came (its SHA-256 is in the audit trail); bank_statement and
bank_line hold what it says; bank_match what each line became in the books; bank_undo the
matches a coordinator undid (what they wrote reversed in the journal, the line waiting again).
All five are append-only.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08 01:30:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from governance.base import append_only, dbtypes


revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ('bank_file', 'bank_statement', 'bank_line', 'bank_match', 'bank_undo')


def upgrade() -> None:
    op.create_table('bank_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('file_format', sa.String(length=20), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.ForeignKeyConstraint(['imported_by_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cooperative_id', 'sha256', name='uq_bank_file_hash')
    )
    with op.batch_alter_table('bank_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_file_cooperative_id'), ['cooperative_id'], unique=False)

    op.create_table('bank_statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('iban', sa.String(length=34), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('from_day', sa.Date(), nullable=False),
    sa.Column('to_day', sa.Date(), nullable=False),
    sa.Column('opening_cents', sa.BigInteger(), nullable=False),
    sa.Column('closing_cents', sa.BigInteger(), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('created_at', dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.ForeignKeyConstraint(['file_id'], ['bank_file.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('bank_statement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_statement_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_statement_file_id'), ['file_id'], unique=False)

    op.create_table('bank_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('file_line', sa.Integer(), nullable=False),
    sa.Column('booked_on', sa.Date(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('bank_reference', sa.String(length=140), nullable=False),
    sa.Column('end_to_end_id', sa.String(length=35), nullable=False),
    sa.Column('communication', sa.String(length=12), nullable=False),
    sa.Column('text', sa.String(length=1000), nullable=False),
    sa.Column('counterparty_name', sa.String(length=140), nullable=False),
    sa.Column('counterparty_iban', sa.String(length=34), nullable=False),
    sa.Column('bank_code', sa.String(length=40), nullable=False),
    sa.Column('dedup_key', sa.String(length=100), nullable=False),
    sa.Column('proposals', sa.JSON(), nullable=True),
    sa.Column('why', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.ForeignKeyConstraint(['statement_id'], ['bank_statement.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cooperative_id', 'dedup_key', name='uq_bank_line_key')
    )
    with op.batch_alter_table('bank_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_line_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index('ix_bank_line_coop_end_to_end', ['cooperative_id', 'end_to_end_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_line_statement_id'), ['statement_id'], unique=False)

    op.create_table('bank_match',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('cost_id', sa.Integer(), nullable=True),
    sa.Column('payout_line_id', sa.Integer(), nullable=True),
    sa.Column('entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.ForeignKeyConstraint(['cost_id'], ['cost.id'], ),
    sa.ForeignKeyConstraint(['decided_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entry.id'], ),
    sa.ForeignKeyConstraint(['line_id'], ['bank_line.id'], ),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], ),
    sa.ForeignKeyConstraint(['payout_line_id'], ['payout_line.id'], ),
    sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('bank_match', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_match_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_match_line_id'), ['line_id'], unique=False)

    op.create_table('bank_undo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('reversal_entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], ),
    sa.ForeignKeyConstraint(['decided_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['match_id'], ['bank_match.id'], ),
    sa.ForeignKeyConstraint(['reversal_entry_id'], ['journal_entry.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('match_id', name='uq_bank_undo_match')
    )
    with op.batch_alter_table('bank_undo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_undo_cooperative_id'), ['cooperative_id'], unique=False)


    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        for statement in append_only.create_statements(dialect, table):
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        for statement in append_only.drop_statements(dialect, table):
            op.execute(statement)

    with op.batch_alter_table('bank_undo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_undo_cooperative_id'))

    op.drop_table('bank_undo')
    with op.batch_alter_table('bank_match', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_match_line_id'))
        batch_op.drop_index(batch_op.f('ix_bank_match_cooperative_id'))

    op.drop_table('bank_match')
    with op.batch_alter_table('bank_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_line_statement_id'))
        batch_op.drop_index('ix_bank_line_coop_end_to_end')
        batch_op.drop_index(batch_op.f('ix_bank_line_cooperative_id'))

    op.drop_table('bank_line')
    with op.batch_alter_table('bank_statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_statement_file_id'))
        batch_op.drop_index(batch_op.f('ix_bank_statement_cooperative_id'))

    op.drop_table('bank_statement')
    with op.batch_alter_table('bank_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_file_cooperative_id'))

    op.drop_table('bank_file')
