"""work list key: the index that serves the work list paged by keyset

ix_prestation_coop_date_id: everyone's prestations of a cooperative by date then id, newest
first (the work list of coordinators and observers, governance/ledger/work/listing.py), so
that a page reads its rows from the index in order, from its key, instead of sorting all the
cooperative's work. A member's own work is served by ix_prestation_member_date.

Plain CREATE INDEX (no batch), as in 0019.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 20:45:00.000000
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'ix_prestation_coop_date_id', 'prestation', ['cooperative_id', 'date', 'id'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_prestation_coop_date_id', table_name='prestation')
