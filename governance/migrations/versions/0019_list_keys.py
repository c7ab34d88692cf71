"""list keys: indexes that serve the lists paged by keyset

ix_proposal_coop_state_id: the closed votes of a cooperative by id, newest first (the proposals
list, governance/votes/reads.proposal_list). ix_audit_event_chain_actor_seq and
ix_audit_event_chain_subject_seq: the audit trail filtered by who or by subject, newest first
(governance/trail/), so that a filtered page reads its rows from the index in order instead of
sorting all of one person's events, or walking the whole chain for a rare subject; the second
also lists the chain's subjects without reading every event.

Plain CREATE INDEX (no batch): on SQLite a batch could rebuild the table and drop the
append-only triggers of audit_event (see 0018).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 20:05:00.000000
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ('ix_proposal_coop_state_id', 'proposal', ['cooperative_id', 'state', 'id']),
    ('ix_audit_event_chain_actor_seq', 'audit_event', ['chain', 'actor_id', 'seq']),
    ('ix_audit_event_chain_subject_seq', 'audit_event', ['chain', 'subject_type', 'seq']),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
