"""Cooperatives, memberships and invitations (the people are auth's: `auth.models.Person`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from governance.base.dbtypes import utc_field
from governance.members import MembershipStatus

DEFAULT_COOP_SETTINGS: dict[str, Any] = {"open_books": True, "proxy_limit": 1}


class Cooperative(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=40, unique=True, index=True)
    name: str = Field(max_length=120)
    currency: str = Field(default="EUR", max_length=3)
    language: str = Field(default="fr", max_length=5)
    settings: dict[str, Any] = Field(
        default_factory=lambda: dict(DEFAULT_COOP_SETTINGS), sa_column=Column(JSON, nullable=False)
    )
    # The cooperative's own details, printed on its invoices; '' until a coordinator fills them.
    legal_name: str = Field(default="", max_length=160, sa_column_kwargs={"server_default": ""})
    address: str = Field(default="", max_length=300, sa_column_kwargs={"server_default": ""})
    # Compact Belgian enterprise (VAT) number, as clients': "BE0403170701".
    enterprise_number: str = Field(
        default="", max_length=20, sa_column_kwargs={"server_default": ""}
    )
    iban: str = Field(default="", max_length=34, sa_column_kwargs={"server_default": ""})
    bic: str = Field(default="", max_length=11, sa_column_kwargs={"server_default": ""})
    email: str = Field(default="", max_length=254, sa_column_kwargs={"server_default": ""})
    phone: str = Field(default="", max_length=30, sa_column_kwargs={"server_default": ""})
    # Hex of the Ed25519 public key that signs the month-close checkpoints ('' before 0007).
    public_key: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})
    created_at: datetime = utc_field()


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("cooperative_id", "person_id", name="uq_membership"),)

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str = Field(max_length=20)
    status: str = Field(default=MembershipStatus.ACTIVE, max_length=20)
    joined_at: datetime = utc_field()


class Invitation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    email: str = Field(max_length=254)
    role: str = Field(max_length=20)
    nonce: str = Field(max_length=64, unique=True)
    invited_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = utc_field()
    expires_at: datetime = utc_field()
    used_at: datetime | None = utc_field(default=None, nullable=True)
    used_by_id: int | None = Field(default=None, foreign_key="person.id")
