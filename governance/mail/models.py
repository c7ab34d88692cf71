"""The outbox: every email the service means to send, kept until a mail server took it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from governance.dbtypes import utc_field


class OutboxMail(SQLModel, table=True):
    """Written in the transaction of what it tells; `governance mail send` delivers it.

    A failed delivery keeps the mail with its error and is tried again on the next run, up to
    MAX_ATTEMPTS; nothing is lost when the mail server is down.
    """

    __tablename__ = "outbox_mail"
    __table_args__ = (Index("ix_outbox_unsent", "sent_at", "attempts", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id")
    person_id: int = Field(foreign_key="person.id")
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    # Plain text in the recipient's language; "{base_url}" is filled in when it is sent.
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: dt.datetime = utc_field()
    attempts: int = Field(default=0)
    last_error: str = Field(default="", max_length=300)
    sent_at: dt.datetime | None = utc_field(default=None, nullable=True)
