"""The table of statements: each member's statement of a closed month."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from governance.base.dbtypes import utc_field


class Statement(SQLModel, table=True):
    """A member's statement for a closed period, frozen at the close (append-only)."""

    __table_args__ = (
        UniqueConstraint("period_id", "member_id", name="uq_statement_period_member"),
        Index("ix_statement_member", "cooperative_id", "member_id", "month"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id")
    period_id: int = Field(foreign_key="period.id")
    month: str = Field(max_length=7)
    member_id: int = Field(foreign_key="person.id")
    share_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    revenue_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    minutes: int = Field(default=0)
    # The explanation of the share and the prestations counted, as at the close.
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = utc_field()
