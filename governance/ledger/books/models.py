"""Ledger tables: clients, accounts, periods, the append-only journal, prestations."""

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
    Integer,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from governance.base.dbtypes import utc_field

# SQLite only auto-increments an INTEGER primary key; PostgreSQL gets BIGINT.
BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


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


class AccountType(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"


class Account(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("cooperative_id", "code", name="uq_account_code"),)

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    # bank, revenue, receivable:<client id>, payable:<person id>, fund:<name>, expense:<category>
    code: str = Field(max_length=80)
    type: str = Field(max_length=12)
    created_at: dt.datetime = utc_field()


class PeriodState(StrEnum):
    OPEN = "open"
    REVIEW = "review"
    CLOSED = "closed"


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


class Cost(SQLModel, table=True):
    """A cost paid by the cooperative; its money lives in the journal entry it posted."""

    __table_args__ = (CheckConstraint("amount_cents > 0", name="ck_cost_amount"),)

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    date: dt.date
    category: str = Field(max_length=40)
    supplier: str = Field(max_length=160)
    note: str = Field(default="", max_length=500)
    amount_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    entry_id: int = Field(sa_column=Column(BIG_ID, ForeignKey("journal_entry.id"), nullable=False))
    created_by_id: int = Field(foreign_key="person.id")
    created_at: dt.datetime = utc_field()


class InvoiceKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class InvoiceCounter(SQLModel, table=True):
    """The last number used per cooperative and year; taken under a row lock."""

    __tablename__ = "invoice_counter"

    cooperative_id: int = Field(foreign_key="cooperative.id", primary_key=True)
    year: int = Field(primary_key=True)
    last_number: int = Field(default=0)


class Invoice(SQLModel, table=True):
    """Issued once, never changed: a wrong invoice is cancelled by a credit note."""

    __table_args__ = (
        UniqueConstraint("cooperative_id", "year", "number", name="uq_invoice_number"),
        UniqueConstraint("cancels_id", name="uq_invoice_cancels"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    kind: str = Field(max_length=12)
    year: int
    number: int
    month: str = Field(max_length=7)
    issued_on: dt.date
    due_on: dt.date
    total_cents: int = Field(sa_column=Column(BigInteger, nullable=False))  # VAT included
    # VAT: the rate in basis points (2100 = 21 %) and the amount, both 0 when the cooperative
    # was exempt; a credit note's VAT is negative like its total
    # (governance/ledger/billing/vat_amounts.py).
    vat_rate: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    vat_cents: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default="0")
    )
    communication: str = Field(max_length=12)  # the 12 digits of +++123/4567/89002+++
    # A credit note cancels a whole invoice (`cancels_id`, one per invoice) or credits some of
    # its lines (`corrects_id`, any number); the lines it credits are its own invoice_line rows,
    # with negative amounts.
    cancels_id: int | None = Field(default=None, foreign_key="invoice.id")
    corrects_id: int | None = Field(default=None, index=True)
    # Why a credit note was issued, as the coordinator wrote it; printed on the credit note.
    reason: str = Field(default="", max_length=500)
    # What happens to money the client already paid on what a credit note credits: "refund"
    # (paid back), "offset" (set against another invoice), "" (nothing was paid).
    settlement: str = Field(default="", max_length=12)
    issued_by_id: int = Field(foreign_key="person.id")
    created_at: dt.datetime = utc_field()

    @property
    def reference(self) -> str:
        return f"{self.year}-{self.number:05d}"


class InvoiceLine(SQLModel, table=True):
    __tablename__ = "invoice_line"

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    prestation_id: int = Field(foreign_key="prestation.id", index=True)
    amount_cents: int = Field(sa_column=Column(BigInteger, nullable=False))


class Payment(SQLModel, table=True):
    """Money received from a client; its allocations say which invoices it settles."""

    __table_args__ = (CheckConstraint("amount_cents > 0", name="ck_payment_amount"),)

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    date: dt.date
    amount_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    reference: str = Field(default="", max_length=140)
    entry_id: int = Field(sa_column=Column(BIG_ID, ForeignKey("journal_entry.id"), nullable=False))
    created_by_id: int = Field(foreign_key="person.id")
    created_at: dt.datetime = utc_field()


class PaymentAllocation(SQLModel, table=True):
    __tablename__ = "payment_allocation"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="ck_allocation_amount"),)

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payment.id", index=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    amount_cents: int = Field(sa_column=Column(BigInteger, nullable=False))


class DistributionRule(SQLModel, table=True):
    """A version of the cooperative's rule, in force from `start_month` on (append-only).

    The rule in force for a month is the latest version (highest id) starting at or before it.
    """

    __tablename__ = "distribution_rule"
    __table_args__ = (Index("ix_rule_coop_start", "cooperative_id", "start_month", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id")
    start_month: str = Field(max_length=7)  # YYYY-MM
    rule: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # The template chosen at creation, or '' for a rule adopted by a proposal.
    template: str = Field(default="", max_length=30)
    # Provenance only: the ledger does not import votes.
    proposal_id: int | None = Field(default=None)
    created_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: dt.datetime = utc_field()


class PeriodClose(SQLModel, table=True):
    """The one close of a period (unique per period): what was posted and under which rule."""

    __tablename__ = "period_close"
    __table_args__ = (UniqueConstraint("period_id", name="uq_period_close_period"),)

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    period_id: int = Field(foreign_key="period.id")
    month: str = Field(max_length=7)
    rule_id: int = Field(foreign_key="distribution_rule.id")
    # None when the month had neither income nor expense: nothing to post.
    entry_id: int | None = Field(
        default=None, sa_column=Column(BIG_ID, ForeignKey("journal_entry.id"), nullable=True)
    )
    checkpoint_id: int = Field(foreign_key="checkpoint.id")
    # The whole computation (figures, shares, explanations) as it was at the close.
    distribution: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    closed_by_id: int | None = Field(default=None, foreign_key="person.id")
    closed_at: dt.datetime = utc_field()


class ReviewStart(SQLModel, table=True):
    """When and by whom a period's review was started (one row per review)."""

    __tablename__ = "review_start"

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    period_id: int = Field(foreign_key="period.id", index=True)
    started_by_id: int | None = Field(default=None, foreign_key="person.id")
    started_at: dt.datetime = utc_field()


class ContestStatus(StrEnum):
    OPEN = "open"
    CORRECTED = "corrected"  # the prestation was reversed and recorded again, corrected
    KEPT = "kept"  # kept as it was, with a reason the member reads


class Contest(SQLModel, table=True):
    """A member's objection to a line of their draft statement; it blocks the close while open."""

    __table_args__ = (Index("ix_contest_period_status", "period_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    period_id: int = Field(foreign_key="period.id")
    member_id: int = Field(foreign_key="person.id")
    # The contested prestation, or None for the statement as a whole (the share).
    prestation_id: int | None = Field(default=None, foreign_key="prestation.id")
    comment: str = Field(max_length=1000)
    status: str = Field(default=ContestStatus.OPEN, max_length=10)
    resolution: str = Field(default="", max_length=1000)
    correction_id: int | None = Field(default=None, foreign_key="prestation.id")
    created_at: dt.datetime = utc_field()
    resolved_by_id: int | None = Field(default=None, foreign_key="person.id")
    resolved_at: dt.datetime | None = utc_field(default=None, nullable=True)


class ReviewRead(SQLModel, table=True):
    """A member saying they have read their draft statement during a month's review."""

    __tablename__ = "review_read"
    __table_args__ = (UniqueConstraint("period_id", "member_id", name="uq_review_read_member"),)

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    period_id: int = Field(foreign_key="period.id")
    member_id: int = Field(foreign_key="person.id")
    read_at: dt.datetime = utc_field()


class Statement(SQLModel, table=True):
    """A member's statement for a closed period, frozen at the close (append-only)."""

    __table_args__ = (
        UniqueConstraint("period_id", "member_id", name="uq_statement_period_member"),
        Index("ix_statement_member", "cooperative_id", "member_id", "month"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id")
    period_id: int = Field(foreign_key="period.id")
    month: str = Field(max_length=7)
    member_id: int = Field(foreign_key="person.id")
    share_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    revenue_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    minutes: int = Field(default=0)
    # The explanation of the share and the prestations counted, as at the close.
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = utc_field()


class PayoutState(StrEnum):
    PREPARED = "prepared"
    SENT = "sent"
    CANCELLED = "cancelled"


class PayoutBatch(SQLModel, table=True):
    """Money owed to members, sent by one SEPA credit transfer; posted once confirmed sent."""

    __tablename__ = "payout_batch"

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    state: str = Field(default=PayoutState.PREPARED, max_length=10)
    total_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    execution_date: dt.date
    created_by_id: int = Field(foreign_key="person.id")
    created_at: dt.datetime = utc_field()
    decided_by_id: int | None = Field(default=None, foreign_key="person.id")
    decided_at: dt.datetime | None = utc_field(default=None, nullable=True)
    entry_id: int | None = Field(
        default=None, sa_column=Column(BIG_ID, ForeignKey("journal_entry.id"), nullable=True)
    )


class PayoutLine(SQLModel, table=True):
    __tablename__ = "payout_line"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="ck_payout_amount"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="payout_batch.id", index=True)
    member_id: int = Field(foreign_key="person.id")
    name: str = Field(max_length=120)
    iban: str = Field(max_length=34)
    bic: str = Field(default="", max_length=11)
    amount_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
