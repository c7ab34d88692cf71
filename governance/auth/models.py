"""Login attempts, kept to throttle password guessing; sessions, which logout ends."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from governance.base.dbtypes import utc_field


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
