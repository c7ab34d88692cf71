"""account holder: the name on the member's bank account, for the SEPA payout file

person.account_holder is the name as the bank writes it (SEPA's Latin character set, at most
70 characters); '' until the member fills it in, and the payout batch then lists them as
needing it instead of transliterating their name.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 10:35:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'account_holder', sqlmodel.sql.sqltypes.AutoString(length=70),
            server_default='', nullable=False
        ))


def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('account_holder')
