"""Tables of the month close: what a close stored, review starts, reads and contests."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
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
    __table_args__ = (UniqueConstraint("period_id", name="uq_period_close_period"),)

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


class ContestStatus(StrEnum):
    OPEN = "open"
    CORRECTED = "corrected"  # the prestation was reversed and recorded again, corrected
    KEPT = "kept"  # kept as it was, with a reason the member reads


class Contest(SQLModel, table=True):
    """A member's objection to a line of their draft statement; it blocks the close while open."""

    __table_args__ = (Index("ix_contest_period_status", "period_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    period_id: int = Field(foreign_key="period.id")
    member_id: int = Field(foreign_key="person.id")
    # The contested prestation, or None for the statement as a whole (the share).
    prestation_id: int | None = Field(default=None, foreign_key="prestation.id")
    comment: str = Field(max_length=1000)
    status: str = Field(default=ContestStatus.OPEN, max_length=10)
    resolution: str = Field(default="", max_length=1000)
    correction_id: int | None = Field(default=None, foreign_key="prestation.id")
    created_at: dt.datetime = utc_field()
    resolved_by_id: int | None = Field(default=None, foreign_key="person.id")
    resolved_at: dt.datetime | None = utc_field(default=None, nullable=True)


class ReviewRead(SQLModel, table=True):
    """A member saying they have read their draft statement during a month's review."""

    __tablename__ = "review_read"
    __table_args__ = (UniqueConstraint("period_id", "member_id", name="uq_review_read_member"),)

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    period_id: int = Field(foreign_key="period.id")
    member_id: int = Field(foreign_key="person.id")
    read_at: dt.datetime = utc_field()
