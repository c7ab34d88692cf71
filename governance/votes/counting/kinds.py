"""The vocabulary of a proposal, as plain enums: what it decides (`ProposalKind`), where it is in
its life (`ProposalState`) and whether its ballots are secret (`Visibility`). Pure module: the
tables (governance/votes/models.py) store these values as strings, and the pure modules of
counting and drafting import them from here, never from the tables."""

from __future__ import annotations

from enum import StrEnum


class ProposalKind(StrEnum):
    DECISION = "decision"
    DISTRIBUTION_RULE = "distribution_rule"
    FUND_SPENDING = "fund_spending"
    MEMBERSHIP = "membership"
    MANDATE = "mandate"


class ProposalState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Visibility(StrEnum):
    PUBLIC = "public"
    SECRET = "secret"  # noqa: S105 - a kind of vote, not a password
