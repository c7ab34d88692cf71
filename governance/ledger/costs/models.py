"""The table of costs: what the cooperative pays, by category."""

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


class Cost(SQLModel, table=True):
    """A cost paid by the cooperative; its money lives in the journal entry it posted."""

    __table_args__ = (CheckConstraint("amount_cents > 0", name="ck_cost_amount"),)

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    date: dt.date
    category: str = Field(max_length=40)
    supplier: str = Field(max_length=160)
    note: str = Field(default="", max_length=500)
    amount_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    entry_id: int = Field(sa_column=Column(BIG_ID, ForeignKey("journal_entry.id"), nullable=False))
    created_by_id: int = Field(foreign_key="person.id")
    created_at: dt.datetime = utc_field()
