"""Proposals as JSON: the list, one proposal as its reader may see it, casting a ballot, and
the bulletin board. The same rules as the pages: a secret vote never links a voter to a
choice; a reader sees their own ballot and the ballots they cast by proxy."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import JSONBody, Parameter

from governance.base.errors import NotFound
from governance.base.http import Db
from governance.base.i18n import _
from governance.input.json_body import API_ERRORS, Checked, strict_body
from governance.members.context import Coop
from governance.votes import ballots, reads
from governance.votes.api_bodies import (
    BallotIn,
    BallotOut,
    BoardOut,
    HeldProxyOut,
    ProposalOut,
    ProposalSummary,
    ReceiptOut,
    board_out,
)

ProposalId = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


class ProposalApiController(Controller):
    path = "/proposals"
    include_in_schema = True

    @get("/", responses=API_ERRORS)
    async def index(self, db: Db, coop: Coop) -> list[ProposalSummary]:
        """Every proposal the reader may see, with how many ballots were cast."""
        return [ProposalSummary.of(p, n) for p, n in await reads.list_proposals(db, coop.actor)]

    @get("/{proposal_id:int}", responses=API_ERRORS)
    async def show(self, db: Db, coop: Coop, proposal_id: ProposalId) -> ProposalOut:
        """The proposal as the reader may see it: text, options, effect, their own ballot,
        the proxies they hold, who took part and, when visible, the result."""
        view = await reads.proposal_view(db, coop.actor, proposal_id)
        p = view.proposal
        summary = ProposalSummary.of(p)
        return ProposalOut(
            id=summary.id,
            kind=summary.kind,
            title=summary.title,
            state=summary.state,
            method=summary.method,
            visibility=summary.visibility,
            opens_at=summary.opens_at,
            closes_at=summary.closes_at,
            eligible=summary.eligible,
            adopted=summary.adopted,
            body=p.body,
            quorum=p.quorum,
            threshold=p.threshold,
            options=reads.option_labels_of(p),
            effect=p.effect,
            eligible_voter=view.eligible,
            my_ballot=BallotOut.of(view.my_ballot),
            proxy_given_to=view.proxy_given_to[0] if view.proxy_given_to else None,
            proxies_held=[
                HeldProxyOut(h.giver_id, h.voted_themselves, BallotOut.of(h.ballot))
                for h in view.proxies_held
            ],
            participants=view.participants,
            result=view.result.as_data() if view.result else None,
            explanation=view.explanation,
        )

    @post(
        "/{proposal_id:int}/ballot",
        status_code=200,
        responses=API_ERRORS,
        dependencies={"checked": strict_body(BallotIn)},
    )
    async def vote(
        self,
        db: Db,
        coop: Coop,
        proposal_id: ProposalId,
        data: JSONBody[BallotIn],
        checked: Checked,
    ) -> ReceiptOut:
        """{"choice": "yes"} or {"ranking": ["a", "b"]}, with "reason" for an objection and
        "voter_id" to vote with a proxy. Answers with the receipt."""
        ballot = await ballots.cast_ballot(
            db, coop.actor, proposal_id, data.as_form(), voter_id=data.voter_id
        )
        return ReceiptOut(receipt=ballot.receipt, choice=ballot.choice)

    @get("/{proposal_id:int}/board", responses=API_ERRORS)
    async def board(self, db: Db, coop: Coop, proposal_id: ProposalId) -> BoardOut:
        """Every receipt with its choice, once the vote is closed (docs/votes-board.md)."""
        data = await reads.board(db, coop.actor, proposal_id)
        if data is None:
            raise NotFound(_("The bulletin board is published when the vote closes."))
        return board_out(data)
