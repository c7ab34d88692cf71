"""Proposals, their eligible voters, ballots, proxies and discussion."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from governance.base.dbtypes import utc_field
from governance.votes.counting.kinds import ProposalState, Visibility


class Proposal(SQLModel, table=True):
    """A question put to the cooperators. Everything that is voted on (title, text, options,
    method, quorum, threshold, visibility, effect) is fixed once the proposal opens; the
    outcome is written once, at the close, with the effect applied in the same transaction."""

    __table_args__ = (
        Index("ix_proposal_coop_state", "cooperative_id", "state", "closes_at"),
        Index("ix_proposal_coop_state_id", "cooperative_id", "state", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id")
    kind: str = Field(max_length=20)
    title: str = Field(max_length=160)
    body: str = Field(default="", sa_column=Column(Text, nullable=False))  # Markdown
    method: str = Field(max_length=10)
    # Fractions written "1/2"; the threshold only counts for approval.
    quorum: str = Field(max_length=10)
    threshold: str = Field(default="1/2", max_length=10)
    visibility: str = Field(default=Visibility.PUBLIC, max_length=10)
    results_hidden: bool = Field(default=True)
    # Ranked votes: [{"label": "...", "rule": {...}?}, ...] (labels are unique); [] otherwise.
    options: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    # What adoption does: {"rule": {...}, "start_month": "2027-01"} (distribution_rule),
    # {"fund": "solidarity", "category": "training", "amount_cents": 50000} (fund_spending),
    # {"action": "admit"|"end", "person_id": 7} (membership),
    # {"action": "elect"|"recall", "person_id": 7, "term_months": 12} (mandate);
    # a decision: {} or {"voting_rules": {...}} (the cooperative's new voting rules).
    effect: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    state: str = Field(default=ProposalState.DRAFT, max_length=10)
    created_by_id: int = Field(foreign_key="person.id")
    created_at: dt.datetime = utc_field()
    opened_by_id: int | None = Field(default=None, foreign_key="person.id")
    opens_at: dt.datetime | None = utc_field(default=None, nullable=True)
    closes_at: dt.datetime | None = utc_field(default=None, nullable=True)
    eligible_count: int = Field(default=0)
    closed_at: dt.datetime | None = utc_field(default=None, nullable=True)
    # Result.as_data() of the count, and whether the effect was applied.
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    adopted: bool | None = Field(default=None)
    # Why an adopted proposal's effect could not be applied (a rule whose start month was
    # closed meanwhile, a member already gone): the outcome stands, the effect is not applied.
    effect_error: str = Field(default="", max_length=500)


class EligibleVoter(SQLModel, table=True):
    """The cooperators who may vote on a proposal, frozen when it opens."""

    __tablename__ = "eligible_voter"
    __table_args__ = (UniqueConstraint("proposal_id", "person_id", name="uq_eligible_voter"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id")
    person_id: int = Field(foreign_key="person.id")


class Ballot(SQLModel, table=True):
    """The one counted ballot of `voter_id` (unique), cast by them or by their proxy holder
    (`cast_by_id`), changed in place until the close, each change with a new receipt.

    `choice`: "yes" / "consent" / ... or, for ranked votes, the option labels best first.
    For a secret vote no page, API, export or audit event links `voter_id` to `choice`.
    """

    __table_args__ = (UniqueConstraint("proposal_id", "voter_id", name="uq_ballot_voter"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id")
    voter_id: int = Field(foreign_key="person.id")
    cast_by_id: int = Field(foreign_key="person.id")
    choice: Any = Field(sa_column=Column(JSON, nullable=False))
    reason: str = Field(default="", max_length=1000)  # required with an objection
    receipt: str = Field(max_length=20, unique=True)
    cast_at: dt.datetime = utc_field()


class Proxy(SQLModel, table=True):
    """`giver_id` lets `holder_id` vote for them on one proposal, until revoked."""

    __table_args__ = (UniqueConstraint("proposal_id", "giver_id", name="uq_proxy_giver"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id")
    giver_id: int = Field(foreign_key="person.id")
    holder_id: int = Field(foreign_key="person.id", index=True)
    given_at: dt.datetime = utc_field()
    revoked_at: dt.datetime | None = utc_field(default=None, nullable=True)


class ProposalComment(SQLModel, table=True):
    """A message in a proposal's discussion (Markdown; written once)."""

    __tablename__ = "proposal_comment"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    author_id: int = Field(foreign_key="person.id")
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: dt.datetime = utc_field()


class Mandate(SQLModel, table=True):
    """A coordinator's mandate, granted by an adopted `mandate` proposal: the role lapses at
    `ends_on` unless a new mandate renews it, or ends earlier when recalled."""

    __table_args__ = (Index("ix_mandate_coop_open", "cooperative_id", "ended_at", "ends_on"),)

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id")
    person_id: int = Field(foreign_key="person.id")
    proposal_id: int = Field(foreign_key="proposal.id")
    starts_on: dt.date
    ends_on: dt.date  # the last day of the mandate
    ended_at: dt.datetime | None = utc_field(default=None, nullable=True)
    end_reason: str = Field(default="", max_length=10)  # recalled, lapsed, renewed


class ReplacedReceipt(SQLModel, table=True):
    __tablename__ = "replaced_receipt"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    receipt: str = Field(max_length=20)
    cause: str = Field(max_length=10)
