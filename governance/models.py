"""Import every table so that SQLModel's metadata knows them all (Alembic, tests)."""

from governance.audit.models import AuditEvent
from governance.auth.models import LoginAttempt
from governance.ledger.models import (
    Account,
    Client,
    Cost,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    JournalEntry,
    LedgerLine,
    Payment,
    PaymentAllocation,
    Period,
    Prestation,
)
from governance.members.models import Cooperative, Invitation, Membership, Person

__all__ = [
    "Account",
    "AuditEvent",
    "Client",
    "Cooperative",
    "Cost",
    "Invitation",
    "Invoice",
    "InvoiceCounter",
    "InvoiceLine",
    "JournalEntry",
    "LedgerLine",
    "LoginAttempt",
    "Membership",
    "Payment",
    "PaymentAllocation",
    "Period",
    "Person",
    "Prestation",
]
