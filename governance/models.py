"""Import every table so that SQLModel's metadata knows them all (Alembic, tests)."""

from governance.audit.models import AuditEvent, Checkpoint, SigningKey
from governance.auth.models import AuthSession, LoginAttempt, Person
from governance.ledger.bank.models import BankFile, BankLine, BankMatch, BankStatement, BankUndo
from governance.ledger.billing.models import (
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    Payment,
    PaymentAllocation,
)
from governance.ledger.books.models import Account, Client, JournalEntry, LedgerLine, Period
from governance.ledger.closing.models import PeriodClose, ReviewStart, Statement
from governance.ledger.costs.models import Cost
from governance.ledger.payouts.models import PayoutBatch, PayoutLine
from governance.ledger.sharing.models import DistributionRule
from governance.ledger.work.models import Contest, Prestation
from governance.mail.models import OutboxMail
from governance.members.models import Cooperative, Invitation, Membership
from governance.votes.models import (
    Ballot,
    EligibleVoter,
    Mandate,
    Proposal,
    ProposalComment,
    Proxy,
    ReplacedReceipt,
)

__all__ = [
    "Account",
    "AuditEvent",
    "AuthSession",
    "Ballot",
    "BankFile",
    "BankLine",
    "BankMatch",
    "BankStatement",
    "BankUndo",
    "Checkpoint",
    "Client",
    "Contest",
    "Cooperative",
    "Cost",
    "DistributionRule",
    "EligibleVoter",
    "Invitation",
    "Invoice",
    "InvoiceCounter",
    "InvoiceLine",
    "JournalEntry",
    "LedgerLine",
    "LoginAttempt",
    "Mandate",
    "Membership",
    "OutboxMail",
    "Payment",
    "PaymentAllocation",
    "PayoutBatch",
    "PayoutLine",
    "Period",
    "PeriodClose",
    "Person",
    "Prestation",
    "Proposal",
    "ProposalComment",
    "Proxy",
    "ReplacedReceipt",
    "ReviewStart",
    "SigningKey",
    "Statement",
]
