"""Proposals as JSON: the list, one proposal as its reader may see it, casting a ballot, and
the bulletin board. The same rules as the pages: a secret vote never links a voter to a
choice; a reader sees their own ballot and the ballots they cast by proxy."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import Parameter

from governance import clock
from governance.errors import Invalid, NotFound
from governance.forms import MAX_ROW_ID
from governance.i18n import _
from governance.json_body import read_json
from governance.votes import ballots, views
from governance.votes.models import Ballot, Proposal
from governance.web import Coop, Db, provide_coop

ProposalId = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


def _ballot_json(ballot: Ballot | None) -> dict[str, Any] | None:
    if ballot is None:
        return None
    return {"choice": ballot.choice, "reason": ballot.reason, "receipt": ballot.receipt}


def _summary(proposal: Proposal, count: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": proposal.id,
        "kind": proposal.kind,
        "title": proposal.title,
        "state": proposal.state,
        "method": proposal.method,
        "visibility": proposal.visibility,
        "opens_at": clock.iso(proposal.opens_at) if proposal.opens_at else None,
        "closes_at": clock.iso(proposal.closes_at) if proposal.closes_at else None,
        "eligible": proposal.eligible_count,
        "adopted": proposal.adopted,
    }
    if count is not None:
        data["ballots"] = count
    return data


class ProposalApiController(Controller):
    path = "/api/c/{slug:str}/proposals"
    dependencies = {"coop": Provide(provide_coop)}

    @get("/")
    async def index(self, request: Request, db: Db, coop: Coop) -> list[dict[str, Any]]:
        return [_summary(p, n) for p, n in await views.list_proposals(db, coop.actor)]

    @get("/{proposal_id:int}")
    async def show(
        self, request: Request, db: Db, coop: Coop, proposal_id: ProposalId
    ) -> dict[str, Any]:
        """The proposal as the reader may see it: text, options, effect, their own ballot,
        the proxies they hold, who took part and, when visible, the result."""
        view = await views.proposal_view(db, coop.actor, proposal_id)
        p = view.proposal
        return {
            **_summary(p),
            "body": p.body,
            "quorum": p.quorum,
            "threshold": p.threshold,
            "options": views.option_labels_of(p),
            "effect": p.effect,
            "eligible_voter": view.eligible,
            "my_ballot": _ballot_json(view.my_ballot),
            "proxy_given_to": view.proxy_given_to[0] if view.proxy_given_to else None,
            "proxies_held": [
                {
                    "giver_id": h.giver_id,
                    "voted_themselves": h.voted_themselves,
                    "ballot": _ballot_json(h.ballot),
                }
                for h in view.proxies_held
            ],
            "participants": view.participants,
            "result": view.result.as_data() if view.result else None,
            "explanation": view.explanation,
        }

    @post("/{proposal_id:int}/ballot", status_code=200)
    async def vote(
        self, request: Request, db: Db, coop: Coop, proposal_id: ProposalId
    ) -> dict[str, Any]:
        """{"choice": "yes"} or {"ranking": ["a", "b"]}, with "reason" for an objection and
        "voter_id" to vote with a proxy. Answers with the receipt."""
        body = await read_json(request)
        if not isinstance(body, dict):
            raise Invalid(_("The request body is not valid JSON."))
        voter = body.get("voter_id")
        if voter is not None and (
            isinstance(voter, bool) or not isinstance(voter, int) or not 0 < voter <= MAX_ROW_ID
        ):
            raise Invalid(_("Enter a whole number."), {"voter_id": _("Enter a whole number.")})
        data = {k: v for k, v in body.items() if k in {"choice", "reason", "ranking"}}
        for key in ("choice", "reason"):
            if key in data and not isinstance(data[key], str):
                raise Invalid(
                    _("Choose one of the options."), {key: _("Choose one of the options.")}
                )
        ballot = await ballots.cast_ballot(db, coop.actor, proposal_id, data, voter_id=voter)
        return {"receipt": ballot.receipt, "choice": ballot.choice}

    @get("/{proposal_id:int}/board")
    async def board(
        self, request: Request, db: Db, coop: Coop, proposal_id: ProposalId
    ) -> dict[str, Any]:
        data = await views.board(db, coop.actor, proposal_id)
        if data is None:
            raise NotFound(_("The bulletin board is published when the vote closes."))
        return data
