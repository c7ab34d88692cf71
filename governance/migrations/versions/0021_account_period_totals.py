"""account period totals: each account's debits and credits per period, kept by a trigger

The trial balance summed every ledger line of the cooperative on each request (1.3 s after
five years of history, bench.pages). account_period_total holds, per account and period (and for
all time, period ""), the totals of its debits and credits; a trigger on ledger_line adds each new line to them
(governance/ledger/books/period_totals.py), and this migration fills the table from the
lines already written. The ledger stays append-only.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 22:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from governance.ledger.books import period_totals

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_period_total",
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("debit", sa.BigInteger(), nullable=False),
        sa.Column("credit", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["cooperative_id"], ["cooperative.id"]),
        sa.PrimaryKeyConstraint("cooperative_id", "account_id", "period"),
        # SQLite keeps the rows in the primary key's order: the trial balance reads an
        # account's totals without a second lookup (7 ms instead of 19 for 61 000 rows).
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_period_total_coop_period", "account_period_total", ["cooperative_id", "period"]
    )
    for statement in period_totals.rebuild_statements():
        op.execute(statement)
    for statement in period_totals.trigger_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in period_totals.drop_trigger_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_index("ix_period_total_coop_period", table_name="account_period_total")
    op.drop_table("account_period_total")
