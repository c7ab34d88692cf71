"""memo codes, credit notes for some lines, credit note reasons

journal_entry.memo_code and memo_args: what an entry is, as a code with parameters rendered in
the reader's language (governance/ledger/books/memos.py); `memo` stays the stable English text the
exports use. The JSON default is a plain string: an SQL expression as default makes Alembic
rebuild the table on SQLite, which drops the table's triggers.

Existing entries are given their code from the English memo our own code wrote;
any other text keeps the code ''. The journal is append-only: its triggers are lifted for this
one backfill and put back in the same transaction.

invoice.corrects_id: a credit note that credits some lines of an invoice (a whole
cancellation keeps cancels_id, unique). invoice.reason: why a credit note was issued;
invoice.settlement: what happens to money already paid on what it credits (refund, offset).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 13:10:00.000000
"""
import json
import re
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from governance.base import append_only

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The memos the code wrote before codes existed (governance/ledger/books/memos.py, English side).
PATTERNS = (
    ('prestation', re.compile(r'prestation (?P<prestation>\d+)\Z')),
    ('prestation_correction',
     re.compile(r'prestation (?P<prestation>\d+) \(corrects (?P<original>\d+)\)\Z')),
    ('contest_correction',
     re.compile(r'correction of prestation (?P<prestation>\d+) \(contest (?P<contest>\d+)\)\Z')),
    ('prestation_reversal', re.compile(r'reversal of prestation (?P<prestation>\d+)\Z')),
    ('month_close', re.compile(r'close (?P<month>\d{4}-\d{2})\Z')),
    ('payout', re.compile(r'payout batch (?P<batch>\d+)\Z')),
)
BY_KIND = {
    'cost': ('cost', re.compile(r'(?P<category>[a-z][a-z0-9_]{0,39}): (?P<supplier>.*)\Z', re.S)),
    'payment': ('payment', re.compile(r'payment (?P<reference>.*)\Z', re.S)),
    'fund_spending': (
        'fund_spending', re.compile(r'(?P<category>[a-z][a-z0-9_]{0,39}): (?P<title>.*)\Z', re.S)
    ),
}
INTEGERS = {'prestation', 'original', 'contest', 'batch'}


def code_of(kind: str, memo: str) -> tuple[str, dict[str, object]] | None:
    candidates = [BY_KIND[kind]] if kind in BY_KIND else list(PATTERNS)
    for code, pattern in candidates:
        found = pattern.match(memo)
        if found:
            args = {k: int(v) if k in INTEGERS else v for k, v in found.groupdict().items()}
            return code, args
    return None


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'memo_code', sqlmodel.sql.sqltypes.AutoString(length=40),
            server_default='', nullable=False
        ))
        batch_op.add_column(sa.Column(
            'memo_args', sa.JSON(), server_default='{}', nullable=False
        ))
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('corrects_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column(
            'reason', sqlmodel.sql.sqltypes.AutoString(length=500),
            server_default='', nullable=False
        ))
        batch_op.add_column(sa.Column(
            'settlement', sqlmodel.sql.sqltypes.AutoString(length=12),
            server_default='', nullable=False
        ))
        batch_op.create_index('ix_invoice_corrects_id', ['corrects_id'], unique=False)
    rows = bind.execute(sa.text('SELECT id, kind, memo FROM journal_entry')).all()
    updates = []
    for entry_id, kind, memo in rows:
        found = code_of(kind, memo or '')
        if found is not None:
            updates.append({'id': entry_id, 'code': found[0], 'args': json.dumps(found[1])})
    # The triggers are lifted for the backfill and always put back, even with nothing to fill:
    # should SQLite ever rebuild the table above, they would be gone with the old table.
    for statement in append_only.drop_statements(dialect, 'journal_entry'):
        op.execute(statement)
    if updates:
        bind.execute(
            sa.text('UPDATE journal_entry SET memo_code = :code, memo_args = :args WHERE id = :id'),
            updates,
        )
    for statement in append_only.create_statements(dialect, 'journal_entry'):
        op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_index('ix_invoice_corrects_id')
        batch_op.drop_column('settlement')
        batch_op.drop_column('reason')
        batch_op.drop_column('corrects_id')
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.drop_column('memo_args')
        batch_op.drop_column('memo_code')
    # Dropping a column rebuilds the table on SQLite, and its triggers go with the old table.
    dialect = op.get_bind().dialect.name
    for table in ('invoice', 'journal_entry'):
        for statement in append_only.drop_statements(dialect, table):
            op.execute(statement)
        for statement in append_only.create_statements(dialect, table):
            op.execute(statement)
