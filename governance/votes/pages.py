"""Proposals and votes as pages: the list, drafting, a proposal with its ballot, proxies,
discussion and result, and the bulletin board (page and JSON download)."""

from __future__ import annotations

import json
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath
from litestar.response import Redirect, Template

from governance.base import clock, i18n
from governance.base.errors import Conflict, Invalid, NotFound, PermissionDenied
from governance.base.http import Db, form_data, page, redirect
from governance.base.i18n import _, join_list
from governance.input.forms import MAX_ROW_ID
from governance.input.page_keys import After, Before
from governance.language import months
from governance.ledger.costs.costs import categories_of
from governance.mail.outbox import email_notices, set_email_notices
from governance.members.access import Permission
from governance.members.context import Coop, CoopContext, requires
from governance.votes import ballots, list_reads, mandates, reads, service
from governance.votes.api_bodies import BoardOut, board_out
from governance.votes.counting.methods import THRESHOLDS, fraction_text
from governance.votes.drafting import fund_reads, preview, preview_reads
from governance.votes.drafting.drafting import KIND_METHODS, QUORUMS, form_values
from governance.votes.drafting.page_labels import labels
from governance.votes.drafting.voting_rules import voting_rules
from governance.votes.notices import notices_for
from governance.votes.service import change_voting_rules

# The file is the JSON API's board (BoardOut); a refusal is a page, as everywhere under /c/.
# Members a rule proposal's comparison lists at a time (the funds and the reader's own row
# stay on every page).
COMPARISON_PAGE = 50

BOARD_FILE = {
    200: ResponseSpec(
        BoardOut, description="The bulletin board, as a file to download.", generate_examples=False
    ),
    403: ResponseSpec(str, media_type="text/html", description="A page: not allowed."),
    404: ResponseSpec(str, media_type="text/html", description="A page: none, or not closed."),
}


class ProposalController(Controller):
    path = "/proposals"

    def _to(self, request: Request, coop: CoopContext, pid: int | None, flash: str) -> Redirect:
        base = f"/c/{coop.cooperative.slug}/proposals"
        response = redirect(request, f"{base}/{pid}" if pid else base, flash)
        response.status_code = 303
        return response

    async def _form(
        self,
        request: Request,
        db: Db,
        coop: CoopContext,
        *,
        values: dict[str, Any],
        errors: dict[str, str] | None = None,
        status_code: int = 200,
        proposal_id: int | None = None,
        error: str | None = None,
    ) -> Template:
        assert coop.cooperative.id is not None
        async with db.begin():
            context = await service.draft_context(
                db, coop.cooperative.id, i18n.current_language(), clock.today().strftime("%Y-%m")
            )
        return page(
            request,
            "votes/form.html",
            status_code=status_code,
            values=values,
            errors=errors or {},
            error=error,
            context=context,
            proposal_id=proposal_id,
            kinds=list(KIND_METHODS),
            quorums=QUORUMS,
            thresholds=[fraction_text(t) for t in THRESHOLDS],
            categories=categories_of(coop.cooperative.settings),
            current_rule_json=json.dumps(context.current_rule or {}, indent=2),
            **labels(),
        )

    async def _show(
        self,
        request: Request,
        db: Db,
        coop: CoopContext,
        pid: int,
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        view = await reads.proposal_view(db, coop.actor, pid)
        comparison = None
        after, before = extra.pop("after", None), extra.pop("before", None)
        if view.proposal.kind == "distribution_rule" and view.proposal.state != "closed":
            whole = await preview_reads.compare(db, coop.actor, view.proposal)
            if whole is not None:
                comparison = preview.page_of(
                    whole, after=after, before=before, limit=COMPARISON_PAGE
                )
        return page(
            request,
            "votes/proposal.html",
            status_code=status_code,
            view=view,
            comparison=comparison,
            comparison_paged=after is not None or before is not None,
            fund=await fund_reads.proposal_fund(db, view.proposal),
            comparison_months=join_list(months.month_name(m) for m in comparison.months)
            if comparison
            else "",
            values=extra.pop("values", {}),
            errors=extra.pop("errors", {}),
            **labels(),
            **extra,
        )

    async def _refused(
        self, request: Request, db: Db, coop: CoopContext, pid: int, error: Any, **extra: Any
    ) -> Template:
        await db.rollback()
        return await self._show(
            request,
            db,
            coop,
            pid,
            status_code=error.status_code,
            error=error.message,
            errors=error.fields,
            **extra,
        )

    @get("/")
    async def index(
        self,
        request: Request,
        db: Db,
        coop: Coop,
        before: Before = None,
        after: After = None,
    ) -> Template:
        """Open votes and drafts, and the closed votes with their outcome, newest first, a page
        at a time (`before`/`after` a proposal's id)."""
        found = await list_reads.proposal_list(db, coop.actor, before=before, after=after)
        assert coop.cooperative.id is not None
        running = await mandates.current_mandates(db, coop.cooperative.id)
        return page(
            request,
            "votes/list.html",
            rows=found.current + found.closed,
            found=found,
            paged=before is not None or after is not None,
            mandates=running,
            rules=voting_rules(coop.cooperative.settings),
            notices=await notices_for(db, coop.actor, clock.now()),
            **labels(),
        )

    @get("/rules")
    async def rules(self, request: Request, coop: Coop) -> Template:
        """The cooperative's voting rules; coordinators change them (unless by mandate)."""
        current = voting_rules(coop.cooperative.settings)
        values = {f"rules_{k}": v for k, v in current.as_settings().items()}
        return page(
            request,
            "votes/rules.html",
            rules=current,
            values=values,
            errors={},
            email_on=email_notices(coop.cooperative),
        )

    @post("/email", guards=[requires(Permission.MANAGE_COOPERATIVE)])
    async def email(self, request: Request, db: Db, coop: Coop) -> Redirect:
        """Turn the email notices on or off (coordinators)."""
        data = await form_data(request)
        await set_email_notices(db, coop.actor, data.get("email_notices") == "on")
        response = redirect(request, f"/c/{coop.cooperative.slug}/proposals/rules", "email_saved")
        response.status_code = 303
        return response

    @post("/rules", guards=[requires(Permission.MANAGE_COOPERATIVE)])
    async def change_rules(self, request: Request, db: Db, coop: Coop) -> Template | Redirect:
        data = await form_data(request)
        form = {k.removeprefix("rules_"): v for k, v in data.items()}
        try:
            await change_voting_rules(db, coop.actor, form)
        except (Invalid, Conflict) as error:
            return page(
                request,
                "votes/rules.html",
                status_code=error.status_code,
                rules=voting_rules(coop.cooperative.settings),
                values=data,
                errors={f"rules_{k}": v for k, v in error.fields.items()},
                error=error.message,
                email_on=email_notices(coop.cooperative),
            )
        response = redirect(request, f"/c/{coop.cooperative.slug}/proposals/", "rules_saved")
        response.status_code = 303
        return response

    @get("/new", guards=[requires(Permission.DRAFT_PROPOSAL)])
    async def new(self, request: Request, db: Db, coop: Coop) -> Template:
        """The form to draft a proposal (cooperators and coordinators)."""
        defaults = {"kind": "decision", "method": "approval", "quorum": "1/2"}
        return await self._form(request, db, coop, values=defaults | dict(request.query_params))

    @post("/", guards=[requires(Permission.DRAFT_PROPOSAL)])
    async def create(self, request: Request, db: Db, coop: Coop) -> Template | Redirect:
        data = await _multi_form(request)
        try:
            proposal = await service.save_draft(
                db, coop.actor, data, language=i18n.current_language(), today=clock.today()
            )
        except Invalid as error:
            return await self._form(
                request,
                db,
                coop,
                values=data,
                errors=error.fields,
                status_code=error.status_code,
                error=error.message,
            )
        return self._to(request, coop, proposal.id, "proposal_drafted")

    @get("/{proposal_id:int}")
    async def show(
        self,
        request: Request,
        db: Db,
        coop: Coop,
        proposal_id: FromPath[int],
        after: After = None,
        before: Before = None,
    ) -> Template:
        """The proposal: its text, what it changes (a rule's comparison lists its members 50
        a page, after or before a member), the vote, proxies, discussion, result."""
        return await self._show(request, db, coop, proposal_id, after=after, before=before)

    @get("/{proposal_id:int}/edit")
    async def edit(
        self, request: Request, db: Db, coop: Coop, proposal_id: FromPath[int]
    ) -> Template:
        view = await reads.proposal_view(db, coop.actor, proposal_id)
        if not view.may_edit:
            raise PermissionDenied(_("Only a draft can change, by its author or a coordinator."))
        values = form_values(view.proposal, i18n.current_language())
        await db.rollback()
        return await self._form(request, db, coop, values=values, proposal_id=proposal_id)

    @post("/{proposal_id:int}/edit", guards=[requires(Permission.DRAFT_PROPOSAL)])
    async def update(
        self, request: Request, db: Db, coop: Coop, proposal_id: FromPath[int]
    ) -> Template | Redirect:
        data = await _multi_form(request)
        try:
            await service.save_draft(
                db,
                coop.actor,
                data,
                language=i18n.current_language(),
                today=clock.today(),
                proposal_id=proposal_id,
            )
        except Invalid as error:
            return await self._form(
                request,
                db,
                coop,
                values=data,
                errors=error.fields,
                status_code=error.status_code,
                error=error.message,
                proposal_id=proposal_id,
            )
        except Conflict as error:
            return await self._refused(request, db, coop, proposal_id, error)
        return self._to(request, coop, proposal_id, "proposal_saved")

    @post("/{proposal_id:int}/open")
    async def open(
        self, request: Request, db: Db, coop: Coop, proposal_id: FromPath[int]
    ) -> Template | Redirect:
        """Open the draft for voting until the closing time chosen."""
        data = await form_data(request)
        try:
            await service.open_proposal(db, coop.actor, proposal_id, data)
        except (Invalid, Conflict) as error:
            return await self._refused(request, db, coop, proposal_id, error, values=data)
        return self._to(request, coop, proposal_id, "proposal_opened")

    @post("/{proposal_id:int}/ballot")
    async def vote(
        self, request: Request, db: Db, coop: Coop, proposal_id: FromPath[int]
    ) -> Template | Redirect:
        """Cast or change one's ballot, or (voter_id) the ballot of a proxy giver."""
        data = await form_data(request)
        voter = str(data.get("voter_id") or "")
        try:
            if voter and not (voter.isascii() and voter.isdigit() and int(voter) <= MAX_ROW_ID):
                raise NotFound(_("This member does not exist."))
            await ballots.cast_ballot(
                db, coop.actor, proposal_id, data, voter_id=int(voter) if voter else None
            )
        except (Invalid, Conflict) as error:
            return await self._refused(
                request, db, coop, proposal_id, error, values=data, failed=voter or "own"
            )
        return self._to(request, coop, proposal_id, "ballot_cast")

    @post("/{proposal_id:int}/proxy")
    async def proxy(
        self, request: Request, db: Db, coop: Coop, proposal_id: FromPath[int]
    ) -> Template | Redirect:
        """Give one's proxy to another voter for this proposal."""
        data = await form_data(request)
        try:
            await ballots.give_proxy(db, coop.actor, proposal_id, data)
        except (Invalid, Conflict) as error:
            return await self._refused(request, db, coop, proposal_id, error, values=data)
        return self._to(request, coop, proposal_id, "proxy_given")

    @post("/{proposal_id:int}/proxy/revoke")
    async def revoke(
        self, request: Request, db: Db, coop: Coop, proposal_id: FromPath[int]
    ) -> Template | Redirect:
        try:
            await ballots.revoke_proxy(db, coop.actor, proposal_id)
        except Conflict as error:
            return await self._refused(request, db, coop, proposal_id, error)
        return self._to(request, coop, proposal_id, "proxy_revoked")

    @post("/{proposal_id:int}/comments", guards=[requires(Permission.DISCUSS)])
    async def comment(
        self, request: Request, db: Db, coop: Coop, proposal_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        try:
            await service.add_comment(db, coop.actor, proposal_id, data)
        except (Invalid, Conflict) as error:
            return await self._refused(request, db, coop, proposal_id, error, values=data)
        return self._to(request, coop, proposal_id, "comment_added")

    @get("/{proposal_id:int}/board")
    async def board(
        self, request: Request, db: Db, coop: Coop, proposal_id: FromPath[int]
    ) -> Template:
        """Every receipt with its choice, after the close; the reader finds their own."""
        view = await reads.proposal_view(db, coop.actor, proposal_id)
        data = await reads.board(db, coop.actor, proposal_id)
        if data is None:
            raise NotFound(_("The bulletin board is published when the vote closes."))
        found = await reads.search(
            db,
            proposal_id,
            request.query_params.get("receipt", ""),
            (ballot["receipt"] for ballot in data["ballots"]),
        )
        return page(request, "votes/board.html", view=view, board=data, search=found, **labels())

    @get("/{proposal_id:int}/board.json", include_in_schema=True, responses=BOARD_FILE)
    async def board_json(
        self, request: Request, db: Db, coop: Coop, proposal_id: FromPath[int]
    ) -> Response[bytes]:
        """The board as a file that `governance votes verify` recounts."""
        data = await reads.board(db, coop.actor, proposal_id)
        if data is None:
            raise NotFound(_("The bulletin board is published when the vote closes."))
        board_out(data)  # the shape the schema declares (BOARD_FILE), or a loud error
        body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode()
        name = f"board-{coop.cooperative.slug}-{proposal_id}.json"
        return Response(
            body,
            media_type="application/json",
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )


async def _multi_form(request: Request) -> dict[str, Any]:
    """The form with `rule_options` as the list of every box ticked."""
    form = await request.form()
    data: dict[str, Any] = {key: form.get(key) for key in form}
    data["rule_options"] = form.getall("rule_options") if "rule_options" in form else []
    return data
