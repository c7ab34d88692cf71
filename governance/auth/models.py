"""Identity: the people who log in; login attempts, kept to throttle password guessing;
sessions, which logout ends."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from governance.base.dbtypes import utc_field


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    language: str = Field(default="fr", max_length=5)
    # ISO 639 codes of the languages the person works in (interpreters, translators).
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    token_version: int = Field(default=1)
    # Where the person's share is paid (SEPA credit transfer); '' until they fill it in.
    iban: str = Field(default="", max_length=34, sa_column_kwargs={"server_default": ""})
    bic: str = Field(default="", max_length=11, sa_column_kwargs={"server_default": ""})
    # The account holder's name as the bank writes it, in SEPA's Latin character set; the
    # payout file uses it as the creditor's name ('' until the person fills it in).
    account_holder: str = Field(default="", max_length=70, sa_column_kwargs={"server_default": ""})
    created_at: datetime = utc_field()


class LoginAttempt(SQLModel, table=True):
    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    address: str = Field(max_length=64)
    succeeded: bool = Field(default=False)
    at: datetime = utc_field(index=True)


class AuthSession(SQLModel, table=True):
    """One login, on one device. The token carries a random session id; this row keeps only
    its SHA-256 (whoever reads the database cannot rebuild a live token from it)."""

    __tablename__ = "auth_session"

    id: str = Field(primary_key=True, max_length=64)  # hex SHA-256 of the token's `sid`
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = utc_field()
    expires_at: datetime = utc_field(index=True)
    ended_at: datetime | None = utc_field(default=None, nullable=True)
