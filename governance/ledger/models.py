"""Ledger tables. The foundation holds clients only; the journal comes with the ledger."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from governance.dbtypes import utc_field


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
    created_at: datetime = utc_field()
