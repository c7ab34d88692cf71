"""Tables of the work: the prestations members record for a client (books.models), and the
contests members raise against a prestation of their draft statement (read below the close:
a contest's correction replaces a prestation, which the period's figures and the reversal
notes show)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from governance.base.dbtypes import utc_field
from governance.ledger.books.models import BIG_ID
from governance.ledger.work.statuses import ContestStatus, PrestationStatus


class Prestation(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("cooperative_id", "idempotency_key", name="uq_prestation_idempotency"),
        CheckConstraint(
            "amount_cents > 0 AND amount_cents <= 100000000", name="ck_prestation_amount"
        ),
        CheckConstraint("travel_cents >= 0", name="ck_prestation_travel"),
        Index("ix_prestation_member_date", "cooperative_id", "member_id", "date"),
        Index("ix_prestation_entry", "entry_id"),
        Index("ix_prestation_status_date", "cooperative_id", "status", "date"),
        # Everyone's work newest first, a page at a time (ledger.work.listing; 0020).
        Index("ix_prestation_coop_date_id", "cooperative_id", "date", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    member_id: int = Field(foreign_key="person.id")
    client_id: int = Field(foreign_key="client.id")
    date: dt.date
    start_time: dt.time | None = None
    duration_minutes: int | None = None
    rate_cents: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    amount_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    travel_cents: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    kind: str = Field(max_length=30)
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    note: str = Field(default="", max_length=500)
    status: str = Field(default=PrestationStatus.DRAFT, max_length=12)
    # Why a coordinator rejected it, or reversed it once validated: the member reads it.
    rejection_reason: str = Field(default="", max_length=500)
    idempotency_key: str | None = Field(default=None, max_length=100)
    request_fingerprint: str = Field(default="", max_length=64)
    created_by_id: int = Field(foreign_key="person.id")
    created_at: dt.datetime = utc_field()
    decided_by_id: int | None = Field(default=None, foreign_key="person.id")
    decided_at: dt.datetime | None = utc_field(default=None, nullable=True)
    entry_id: int | None = Field(
        default=None, sa_column=Column(BIG_ID, ForeignKey("journal_entry.id"), nullable=True)
    )

    def describe(self) -> dict[str, Any]:
        """What the audit trail keeps of a prestation."""
        return {
            "member_id": self.member_id,
            "client_id": self.client_id,
            "date": self.date.isoformat(),
            "duration_minutes": self.duration_minutes,
            "rate_cents": self.rate_cents,
            "amount_cents": self.amount_cents,
            "travel_cents": self.travel_cents,
            "kind": self.kind,
        }


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
