"""Tables of bank statements: the files as the bank sent them, the statements they hold, each
statement's lines, and what each line was matched to. A statement, a line and a match are
written once and never changed (append-only triggers); a line without a match waits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    LargeBinary,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from governance.base.dbtypes import utc_field
from governance.ledger.books.models import BIG_ID


class BankFile(SQLModel, table=True):
    """A file a coordinator imported, kept as it came, named in the audit trail by its hash."""

    __tablename__ = "bank_file"
    __table_args__ = (UniqueConstraint("cooperative_id", "sha256", name="uq_bank_file_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    sha256: str = Field(max_length=64)
    name: str = Field(max_length=200)
    file_format: str = Field(max_length=20)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    imported_by_id: int = Field(foreign_key="person.id")
    created_at: dt.datetime = utc_field()


class BankStatement(SQLModel, table=True):
    __tablename__ = "bank_statement"

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    file_id: int = Field(foreign_key="bank_file.id", index=True)
    iban: str = Field(max_length=34)
    currency: str = Field(max_length=3)
    number: str = Field(max_length=40)
    from_day: dt.date
    to_day: dt.date
    opening_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    closing_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    line_count: int
    created_at: dt.datetime = utc_field()


class BankLine(SQLModel, table=True):
    """One movement of a statement; `dedup_key` keeps it from being imported twice."""

    __tablename__ = "bank_line"
    __table_args__ = (
        UniqueConstraint("cooperative_id", "dedup_key", name="uq_bank_line_key"),
        Index("ix_bank_line_coop_end_to_end", "cooperative_id", "end_to_end_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    statement_id: int = Field(foreign_key="bank_statement.id", index=True)
    position: int
    file_line: int
    booked_on: dt.date
    amount_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    bank_reference: str = Field(default="", max_length=140)
    end_to_end_id: str = Field(default="", max_length=35)
    communication: str = Field(default="", max_length=12)
    text: str = Field(default="", max_length=1000)
    counterparty_name: str = Field(default="", max_length=140)
    counterparty_iban: str = Field(default="", max_length=34)
    bank_code: str = Field(default="", max_length=40)
    dedup_key: str = Field(max_length=100)
    # What the import proposed for the line (bank.matching.Proposal as dicts), best first.
    proposals: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    why: str = Field(default="", max_length=40)  # why it waits: bank.matching.Waiting


class BankMatch(SQLModel, table=True):
    """What one bank line became in the books: automatically at import or by a coordinator
    confirming a proposal. A line has at most one live match (one without a `BankUndo`);
    matches are decided under the cooperative's lock."""

    __tablename__ = "bank_match"

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    line_id: int = Field(foreign_key="bank_line.id", index=True)
    kind: str = Field(max_length=20)  # bank.matching.MatchKind
    automatic: bool
    payment_id: int | None = Field(default=None, foreign_key="payment.id")
    cost_id: int | None = Field(default=None, foreign_key="cost.id")
    payout_line_id: int | None = Field(default=None, foreign_key="payout_line.id")
    entry_id: int | None = Field(
        default=None, sa_column=Column(BIG_ID, ForeignKey("journal_entry.id"), nullable=True)
    )
    decided_by_id: int = Field(foreign_key="person.id")
    created_at: dt.datetime = utc_field()


class BankUndo(SQLModel, table=True):
    """A match a coordinator found wrong: what it wrote in the books was reversed (the
    reversing entry), and the line waits again."""

    __tablename__ = "bank_undo"
    __table_args__ = (UniqueConstraint("match_id", name="uq_bank_undo_match"),)

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    match_id: int = Field(foreign_key="bank_match.id")
    reversal_entry_id: int | None = Field(
        default=None, sa_column=Column(BIG_ID, ForeignKey("journal_entry.id"), nullable=True)
    )
    reason: str = Field(max_length=500)
    decided_by_id: int = Field(foreign_key="person.id")
    created_at: dt.datetime = utc_field()
