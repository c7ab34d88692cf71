"""close speed: indexes for the month close, one running-balance check per statement

The close reads a month's entries by kind, its submitted prestations, and its income and
expense totals; these indexes serve those reads. On PostgreSQL the running-balance check
becomes a statement trigger over all the rows an INSERT writes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 23:30:00.000000
"""
from collections.abc import Sequence

from alembic import op

from governance.base import append_only

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.create_index('ix_entry_coop_period_kind', ['cooperative_id', 'period', 'kind'])
    with op.batch_alter_table('prestation', schema=None) as batch_op:
        batch_op.create_index('ix_prestation_status_date', ['cooperative_id', 'status', 'date'])
    with op.batch_alter_table('ledger_line', schema=None) as batch_op:
        batch_op.drop_index('ix_line_coop_period_account')
        batch_op.create_index(
            'ix_line_coop_period_account', ['cooperative_id', 'period', 'account_id', 'amount']
        )
    if op.get_bind().dialect.name == 'postgresql':
        for statement in append_only.drop_running_balance_statements('postgresql'):
            op.execute(statement)
        for statement in append_only.statement_balance_statements():
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for statement in append_only.drop_statement_balance_statements():
            op.execute(statement)
        for statement in append_only.running_balance_statements('postgresql'):
            op.execute(statement)
        op.execute(
            'ALTER FUNCTION ledger_line_check_balance() SET plan_cache_mode = force_custom_plan'
        )
    with op.batch_alter_table('ledger_line', schema=None) as batch_op:
        batch_op.drop_index('ix_line_coop_period_account')
        batch_op.create_index(
            'ix_line_coop_period_account', ['cooperative_id', 'period', 'account_id']
        )
    with op.batch_alter_table('prestation', schema=None) as batch_op:
        batch_op.drop_index('ix_prestation_status_date')
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_entry_coop_period_kind')
