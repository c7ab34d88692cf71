"""The outbox: every email the service means to send, kept until a mail server took it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text, text
from sqlmodel import Field, SQLModel

from governance.base.dbtypes import utc_field


class OutboxMail(SQLModel, table=True):
    """Written in the transaction of what it tells; `send_pending` (governance.mail.sender)
    delivers it. See docs/mail.md.

    A sender claims a mail (`claim_token`, `lease_until`) in a committed transaction of its own
    before it hands it to the mail server, so two senders never both send it. A failed delivery
    keeps the mail with its error and is tried again after `next_attempt_at`, up to
    MAX_ATTEMPTS; nothing is lost when the mail server is down.
    """

    __tablename__ = "outbox_mail"
    __table_args__ = (
        # The due mails: not sent, oldest first (partial: sent mails pile up, they are not read).
        Index(
            "ix_outbox_due",
            "next_attempt_at",
            "id",
            sqlite_where=text("sent_at IS NULL"),
            postgresql_where=text("sent_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id")
    # None for a mail to someone without an account yet (an invitation).
    person_id: int | None = Field(default=None, foreign_key="person.id", nullable=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    # Plain text in the recipient's language; "{base_url}" is filled in when it is sent.
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: dt.datetime = utc_field()
    attempts: int = Field(default=0)
    last_error: str = Field(default="", max_length=300)
    sent_at: dt.datetime | None = utc_field(default=None, nullable=True)
    # Not before this time (back-off after a failure); None: as soon as possible, or given up
    # once `attempts` reached MAX_ATTEMPTS.
    next_attempt_at: dt.datetime | None = utc_field(default=None, nullable=True)
    # The sender that claimed the mail and until when its claim holds; a sender that died
    # between the claim and the mark leaves a lease that expires.
    claim_token: str | None = Field(default=None, max_length=32, nullable=True)
    lease_until: dt.datetime | None = utc_field(default=None, nullable=True)
    # The Message-ID header, set at the first claim and kept for every retry.
    message_id: str | None = Field(default=None, max_length=250, nullable=True)
