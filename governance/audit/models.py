"""The audit event table: one hash chain per cooperative, plus one for the deployment."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from governance.audit.chain import CLOSE


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (
        UniqueConstraint("chain", "seq", name="uq_audit_event_chain_seq"),
        UniqueConstraint("chain", "prev_hash", name="uq_audit_event_chain_prev_hash"),
        Index("ix_audit_event_chain_actor_seq", "chain", "actor_id", "seq"),
        Index("ix_audit_event_chain_subject_seq", "chain", "subject_type", "seq"),
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    )
    chain: str = Field(max_length=40, index=True)
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    cooperative_id: int | None = Field(default=None, foreign_key="cooperative.id", index=True)
    at: str = Field(max_length=32)
    actor_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    action: str = Field(max_length=64)
    subject_type: str = Field(max_length=40)
    subject_id: str = Field(max_length=64)
    data: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class Checkpoint(SQLModel, table=True):
    """The chain head signed with the cooperative's Ed25519 key, at a month close or daily.

    Checkpoints form a chain of their own: `number` counts them per cooperative from 1, and
    each signs `previous`, the hash of the checkpoint before it (`signing.checkpoint_hash`;
    GENESIS for the first). Checkpoints made before migration 0011 have no `previous`: they
    are checked one by one, and the first linked checkpoint links to the last of them.
    """

    __table_args__ = (
        UniqueConstraint("cooperative_id", "seq", name="uq_checkpoint_seq"),
        Index("uq_checkpoint_number", "cooperative_id", "number", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    number: int = Field(sa_column=Column(Integer, nullable=False, server_default="0"))
    kind: str = Field(default=CLOSE, max_length=5)  # CLOSE or DAILY
    # The month closed ("YYYY-MM"), or the day of a daily checkpoint ("YYYY-MM-DD").
    month: str = Field(max_length=10)
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    head_hash: str = Field(max_length=64)
    previous: str | None = Field(default=None, max_length=64)  # None: made before 0011
    signature: str = Field(max_length=128)  # hex of the 64-byte Ed25519 signature
    public_key: str = Field(max_length=64)  # hex of the 32-byte key that signed it
    at: str = Field(max_length=32)


class SigningKey(SQLModel, table=True):
    """A cooperative's private Ed25519 key. No page, API or export reads this table."""

    __tablename__ = "signing_key"

    cooperative_id: int = Field(foreign_key="cooperative.id", primary_key=True)
    private_key: str = Field(max_length=64)  # hex of the 32-byte raw private key
    created_at: str = Field(max_length=32)
