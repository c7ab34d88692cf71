"""Login attempts, kept to throttle password guessing across processes."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from governance.dbtypes import utc_field


class LoginAttempt(SQLModel, table=True):
    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    address: str = Field(max_length=64)
    succeeded: bool = Field(default=False)
    at: datetime = utc_field(index=True)
