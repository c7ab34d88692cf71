"""Tables of the work: clients and the prestations members record."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
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


class ClientKind(StrEnum):
    HOSPITAL = "hospital"
    SOCIAL_SERVICES = "social_services"
    INTEGRATION_OFFICE = "integration_office"
    COMPANY = "company"
    OTHER = "other"


class Client(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("cooperative_id", "name", name="uq_client_name"),)

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    name: str = Field(max_length=160)
    kind: str = Field(max_length=30)
    vat_number: str | None = Field(default=None, max_length=20)
    address: str = Field(default="", max_length=300)
    default_rate_cents: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    archived: bool = Field(default=False)
    created_at: dt.datetime = utc_field()


class PrestationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    VALIDATED = "validated"
    REJECTED = "rejected"
    REVERSED = "reversed"  # was validated; its entry is cancelled by a reversing entry


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
