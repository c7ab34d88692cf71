"""invoice VAT: the rate and the VAT of an invoice issued while the cooperative is subject

invoice.vat_rate is the rate in basis points (2100 = 21 %), invoice.vat_cents the VAT in
cents (negative on a credit note, like its total); total_cents includes it. Both are 0 on the
invoices of an exempt cooperative and on every invoice issued before this revision.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 13:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from governance.base import append_only

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vat_rate", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("vat_cents", sa.BigInteger(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.drop_column("vat_cents")
        batch_op.drop_column("vat_rate")
    # Dropping a column rebuilds the table on SQLite, and its triggers go with the old table.
    dialect = op.get_bind().dialect.name
    for statement in append_only.drop_statements(dialect, "invoice"):
        op.execute(statement)
    for statement in append_only.create_statements(dialect, "invoice"):
        op.execute(statement)
