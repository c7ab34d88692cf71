"""Import every table so that SQLModel's metadata knows them all (Alembic, tests)."""

from governance.audit.models import AuditEvent
from governance.auth.models import LoginAttempt
from governance.ledger.models import Client
from governance.members.models import Cooperative, Invitation, Membership, Person

__all__ = [
    "AuditEvent",
    "Client",
    "Cooperative",
    "Invitation",
    "LoginAttempt",
    "Membership",
    "Person",
]
