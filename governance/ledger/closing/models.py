"""Tables of the month close: what a close stored, review starts and reads, and the members'
statements the close freezes (the statements package reads them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from governance.base.dbtypes import utc_field
from governance.ledger.books.models import BIG_ID


class PeriodClose(SQLModel, table=True):
    """The one close of a period (unique per period): what was posted and under which rule."""

    __tablename__ = "period_close"
    __table_args__ = (
        UniqueConstraint("period_id", name="uq_period_close_period"),
        # The list of closed months, read from the index alone (migration 0022).
        Index(
            "ix_period_close_coop_month_distributable",
            "cooperative_id",
            "month",
            "distributable_cents",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    period_id: int = Field(foreign_key="period.id")
    month: str = Field(max_length=7)
    rule_id: int = Field(foreign_key="distribution_rule.id")
    # None when the month had neither income nor expense: nothing to post.
    entry_id: int | None = Field(
        default=None, sa_column=Column(BIG_ID, ForeignKey("journal_entry.id"), nullable=True)
    )
    checkpoint_id: int = Field(foreign_key="checkpoint.id")
    # The whole computation (figures, shares, explanations) as it was at the close.
    distribution: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # The distribution's `distributable_cents`, in a column of its own (migration 0022): the
    # list of closed months reads it without parsing each month's whole distribution.
    distributable_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    closed_by_id: int | None = Field(default=None, foreign_key="person.id")
    closed_at: dt.datetime = utc_field()


class ReviewStart(SQLModel, table=True):
    """When and by whom a period's review was started (one row per review)."""

    __tablename__ = "review_start"

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    period_id: int = Field(foreign_key="period.id", index=True)
    started_by_id: int | None = Field(default=None, foreign_key="person.id")
    started_at: dt.datetime = utc_field()


class ReviewRead(SQLModel, table=True):
    """A member saying they have read their draft statement during a month's review."""

    __tablename__ = "review_read"
    __table_args__ = (UniqueConstraint("period_id", "member_id", name="uq_review_read_member"),)

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    period_id: int = Field(foreign_key="period.id")
    member_id: int = Field(foreign_key="person.id")
    read_at: dt.datetime = utc_field()


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
