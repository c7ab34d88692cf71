"""The books' kinds and states, without the tables (books.models stores them): an account's
type, a period's state (and its name, `state_name`) and a client's kind. Pure module."""

from __future__ import annotations

from enum import StrEnum

from governance.language.labels import label


class AccountType(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"


class PeriodState(StrEnum):
    OPEN = "open"
    REVIEW = "review"
    CLOSED = "closed"


def state_name(state: str) -> str:
    return label("state", state)


class ClientKind(StrEnum):
    HOSPITAL = "hospital"
    SOCIAL_SERVICES = "social_services"
    INTEGRATION_OFFICE = "integration_office"
    COMPANY = "company"
    OTHER = "other"
