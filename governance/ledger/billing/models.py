"""Tables of billing: invoices, credit notes (invoices of kind credit_note), their lines,
the gapless counter, client payments and what each payment settles."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from governance.base.dbtypes import utc_field
from governance.ledger.books.models import BIG_ID


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
