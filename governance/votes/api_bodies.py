"""What the votes' JSON API reads and answers, and the bulletin board's shape (format
governance-board/1, docs/votes-board.md)."""

from __future__ import annotations

from typing import Any

import msgspec

from governance.base import clock
from governance.input.json_body import Body, RowId
from governance.votes.models import Ballot, Proposal

# A choice: "yes", "no", "abstain", "consent", "object"...; a ranked vote's labels, best first.
Choice = str | list[str]


class BallotIn(Body):
    """`{"choice": "yes"}`, or `{"ranking": ["A", "B"]}` for a ranked vote; `reason` with an
    objection; `voter_id` to vote for the member whose proxy one holds."""

    choice: str | None = None
    ranking: list[str] | None = None
    reason: str | None = None
    voter_id: RowId | None = None

    def as_form(self) -> dict[str, Any]:
        fields = {"choice": self.choice, "ranking": self.ranking, "reason": self.reason}
        return {key: value for key, value in fields.items() if value is not None}


class ReceiptOut(msgspec.Struct):
    receipt: str
    choice: Choice


class BallotOut(msgspec.Struct):
    choice: Choice
    reason: str
    receipt: str

    @classmethod
    def of(cls, ballot: Ballot | None) -> BallotOut | None:
        return None if ballot is None else cls(ballot.choice, ballot.reason, ballot.receipt)


class ProposalSummary(msgspec.Struct, omit_defaults=True):
    """A proposal in the list (`ballots`: how many were cast; left out of one proposal)."""

    id: int
    kind: str
    title: str
    state: str
    method: str
    visibility: str
    opens_at: str | None  # UTC ISO-8601, "2026-11-20T09:00:00.000000Z"
    closes_at: str | None
    eligible: int
    adopted: bool | None
    ballots: int | None = None

    @classmethod
    def of(cls, p: Proposal, count: int | None = None) -> ProposalSummary:
        assert p.id is not None
        return cls(
            id=p.id,
            kind=p.kind,
            title=p.title,
            state=p.state,
            method=p.method,
            visibility=p.visibility,
            opens_at=clock.iso(p.opens_at) if p.opens_at else None,
            closes_at=clock.iso(p.closes_at) if p.closes_at else None,
            eligible=p.eligible_count,
            adopted=p.adopted,
            ballots=count,
        )


class HeldProxyOut(msgspec.Struct):
    giver_id: int
    voted_themselves: bool
    ballot: BallotOut | None


class ProposalOut(msgspec.Struct):
    """One proposal as its reader may see it."""

    id: int
    kind: str
    title: str
    state: str
    method: str
    visibility: str
    opens_at: str | None  # UTC ISO-8601, "2026-11-20T09:00:00.000000Z"
    closes_at: str | None
    eligible: int
    adopted: bool | None
    body: str
    quorum: str
    threshold: str
    options: list[str]
    effect: dict[str, Any]
    eligible_voter: bool
    my_ballot: BallotOut | None
    proxy_given_to: int | None
    proxies_held: list[HeldProxyOut]
    participants: list[str]
    result: dict[str, Any] | None  # the count, once visible (docs/votes-board.md)
    explanation: list[str]


class BoardBallot(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    """One ballot: `choice`, or `ranking` in a ranked vote; `voter` and `reason` in a public
    vote only."""

    receipt: str
    choice: str | None = None
    ranking: list[str] | None = None
    voter: str | None = None
    reason: str | None = None


class BoardProposal(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    title: str
    kind: str


class BoardOut(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    """The bulletin board of a closed proposal (format governance-board/1)."""

    format: str
    proposal: BoardProposal
    method: str
    visibility: str
    eligible: int
    quorum: str
    threshold: str
    ballots: list[BoardBallot]
    result: dict[str, Any] | None
    options: list[str] | None = None  # ranked votes: the labels


def board_out(data: dict[str, Any]) -> BoardOut:
    """The board in its declared shape; a field that BoardOut does not declare is an error,
    so that the schema cannot drift from what the service writes."""
    return msgspec.convert(data, BoardOut, strict=True)
