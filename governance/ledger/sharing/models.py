"""The table of distribution rules: the rule in force from a period on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Index,
)
from sqlmodel import Field, SQLModel

from governance.base.dbtypes import utc_field


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
