"""Tables of the books: accounts, periods, the append-only journal and its lines, and the
clients, whom the books keep a receivable account for (`receivable:<client id>`, named after
the client) and the work and the invoices point at."""

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
    Integer,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from governance.base.dbtypes import utc_field
from governance.ledger.books.kinds import PeriodState

# SQLite only auto-increments an INTEGER primary key; PostgreSQL gets BIGINT.
BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


class Account(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("cooperative_id", "code", name="uq_account_code"),)

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    # bank, revenue, receivable:<client id>, payable:<person id>, fund:<name>, expense:<category>
    code: str = Field(max_length=80)
    type: str = Field(max_length=12)
    created_at: dt.datetime = utc_field()


class Period(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("cooperative_id", "month", name="uq_period_month"),)

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    month: str = Field(max_length=7)  # YYYY-MM
    state: str = Field(default=PeriodState.OPEN, max_length=10)
    created_at: dt.datetime = utc_field()
    # When the review began (None before it, and for reviews begun before migration 0013), and
    # when members were reminded that it is about to end (so the reminder goes once).
    review_started_at: dt.datetime | None = utc_field(default=None, nullable=True)
    review_reminded_at: dt.datetime | None = utc_field(default=None, nullable=True)


class JournalEntry(SQLModel, table=True):
    """Append-only (database triggers): a mistake is corrected by a reversing entry."""

    __tablename__ = "journal_entry"
    __table_args__ = (
        UniqueConstraint("cooperative_id", "idempotency_key", name="uq_entry_idempotency"),
        UniqueConstraint("reverses_id", name="uq_entry_reverses"),
        Index("ix_entry_coop_period_kind", "cooperative_id", "period", "kind"),
    )

    id: int | None = Field(default=None, sa_column=Column(BIG_ID, primary_key=True))
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    period: str = Field(max_length=7, index=True)
    date: dt.date
    kind: str = Field(max_length=30)
    memo: str = Field(default="", max_length=300)  # stable English, for exports
    # What the entry is, as a code with parameters rendered in the reader's language
    # (governance/ledger/books/memos.py); "" for an entry that has only its text.
    memo_code: str = Field(default="", max_length=40)
    memo_args: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    author_id: int | None = Field(default=None, foreign_key="person.id")
    idempotency_key: str | None = Field(default=None, max_length=100)
    reverses_id: int | None = Field(
        default=None,
        sa_column=Column(BIG_ID, ForeignKey("journal_entry.id"), nullable=True),
    )
    created_at: dt.datetime = utc_field()


class LedgerLine(SQLModel, table=True):
    """One signed amount on one account: debits positive, credits negative."""

    __tablename__ = "ledger_line"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="ck_line_amount_not_zero"),
        Index("ix_line_account_id", "account_id", "id"),
        # Covers the amount: a period's totals per account are read from the index alone.
        Index("ix_line_coop_period_account", "cooperative_id", "period", "account_id", "amount"),
    )

    id: int | None = Field(default=None, sa_column=Column(BIG_ID, primary_key=True))
    entry_id: int = Field(
        sa_column=Column(BIG_ID, ForeignKey("journal_entry.id"), nullable=False, index=True)
    )
    # Copied from the entry so that balances are one GROUP BY without a join.
    cooperative_id: int = Field(foreign_key="cooperative.id")
    period: str = Field(max_length=7)
    account_id: int = Field(foreign_key="account.id")
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    # The account's balance after this line, in posting (id) order; a trigger checks it.
    balance: int = Field(sa_column=Column(BigInteger, nullable=False, server_default="0"))


class AccountPeriodTotal(SQLModel, table=True):
    """An account's debit and credit totals (both >= 0) over its lines of one period.

    Derived from the lines by a database trigger (governance/ledger/books/period_totals.py);
    nothing in the application writes it.
    """

    __tablename__ = "account_period_total"
    __table_args__ = (
        Index("ix_period_total_coop_period", "cooperative_id", "period"),
        {"sqlite_with_rowid": False},  # rows in the primary key's order (migration 0021)
    )

    cooperative_id: int = Field(foreign_key="cooperative.id", primary_key=True)
    account_id: int = Field(foreign_key="account.id", primary_key=True)
    period: str = Field(max_length=7, primary_key=True)
    debit: int = Field(sa_column=Column(BigInteger, nullable=False))
    credit: int = Field(sa_column=Column(BigInteger, nullable=False))


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
