"""Tables of payouts: a batch of transfers and its lines."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
)
from sqlmodel import Field, SQLModel

from governance.base.dbtypes import utc_field
from governance.ledger.books.models import BIG_ID
from governance.ledger.payouts.states import PayoutState


class PayoutBatch(SQLModel, table=True):
    """Money owed to members, sent by one SEPA credit transfer; posted once confirmed sent."""

    __tablename__ = "payout_batch"

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    state: str = Field(default=PayoutState.PREPARED, max_length=10)
    total_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    execution_date: dt.date
    created_by_id: int = Field(foreign_key="person.id")
    created_at: dt.datetime = utc_field()
    decided_by_id: int | None = Field(default=None, foreign_key="person.id")
    decided_at: dt.datetime | None = utc_field(default=None, nullable=True)
    entry_id: int | None = Field(
        default=None, sa_column=Column(BIG_ID, ForeignKey("journal_entry.id"), nullable=True)
    )


class PayoutLine(SQLModel, table=True):
    __tablename__ = "payout_line"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="ck_payout_amount"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="payout_batch.id", index=True)
    member_id: int = Field(foreign_key="person.id")
    name: str = Field(max_length=120)
    iban: str = Field(max_length=34)
    bic: str = Field(default="", max_length=11)
    amount_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
