"""Payouts (coordinators): prepare a batch, download its SEPA file, confirm it sent, cancel."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from governance.base import clock
from governance.base.errors import Conflict, Invalid
from governance.base.http import Db, form_data, page, redirect
from governance.input.iban import format_iban
from governance.language.months import month_name
from governance.ledger.payouts import payouts
from governance.members.access import Permission
from governance.members.context import Coop, CoopContext, requires


def _months_shown(view: payouts.BatchView) -> dict[int, list[str]]:
    """Each line's months as the reader names them ("octobre 2026"), by line id."""
    return {v.line.id or 0: [month_name(month) for month in v.months] for v in view.lines}


class PayoutController(Controller):
    path = "/payouts"

    async def _list(
        self, request: Request, db: Db, coop: CoopContext, status_code: int = 200, **extra: Any
    ) -> Template:
        batches = await payouts.list_batches(db, coop.actor)
        owed = await payouts.owed_members(db, coop.actor)
        today = clock.today()
        return page(
            request,
            "ledger/payouts/payouts.html",
            status_code=status_code,
            batches=batches,
            payable=[o for o in owed if o.problem is None],
            missing=[o for o in owed if o.problem is not None],
            waiting=any(b.state == "prepared" for b in batches),
            format_iban=format_iban,
            today=today.isoformat(),
            values=extra.pop("values", {"execution_date": today.isoformat()}),
            errors=extra.pop("errors", {}),
            **extra,
        )

    async def _detail(
        self,
        request: Request,
        db: Db,
        coop: CoopContext,
        batch_id: int,
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        view = await payouts.load_batch(db, coop.actor, batch_id)
        return page(
            request,
            "ledger/payouts/payout.html",
            status_code=status_code,
            view=view,
            months=_months_shown(view),
            format_iban=format_iban,
            **extra,
        )

    @get("/")
    async def list_payouts(self, request: Request, db: Db, coop: Coop) -> Template:
        """The batches, what a new batch would pay, and who has no IBAN yet."""
        return await self._list(request, db, coop)

    @post("/", guards=[requires(Permission.PAY_MEMBERS)])
    async def prepare(self, request: Request, db: Db, coop: Coop) -> Template | Redirect:
        """Prepare a batch of every positive amount owed to a member with an IBAN."""
        data = await form_data(request)
        try:
            day = payouts.parse_execution_date(data)
            prepared = await payouts.prepare_batch(db, coop.actor, day)
        except (Invalid, Conflict) as error:
            status = 409 if isinstance(error, Conflict) else 400
            return await self._list(
                request,
                db,
                coop,
                status_code=status,
                values=data,
                errors=error.fields,
                error=error.message,
            )
        slug = coop.cooperative.slug
        return redirect(request, f"/c/{slug}/payouts/{prepared.batch.id}")

    @get("/{batch_id:int}")
    async def detail(
        self, request: Request, db: Db, coop: Coop, batch_id: FromPath[int]
    ) -> Template:
        """One batch: its lines, its state, and the buttons that fit it."""
        return await self._detail(request, db, coop, batch_id)

    @get("/{batch_id:int}/sepa.xml")
    async def sepa(self, db: Db, coop: Coop, batch_id: FromPath[int]) -> Response[bytes]:
        """The SEPA credit-transfer file (pain.001.001.03) to upload to the bank."""
        body = await payouts.sepa_file(db, coop.actor, batch_id)
        name = f"payout-{coop.cooperative.slug}-{batch_id}.xml"
        return Response(
            body,
            media_type="application/xml",
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )

    @get("/{batch_id:int}/confirm")
    async def confirm_page(
        self, request: Request, db: Db, coop: Coop, batch_id: FromPath[int]
    ) -> Template | Redirect:
        """What confirming does and that it cannot be undone; the button that does it."""
        view = await payouts.load_batch(db, coop.actor, batch_id)
        if view.batch.state != "prepared":
            return redirect(request, f"/c/{coop.cooperative.slug}/payouts/{batch_id}")
        return page(
            request,
            "ledger/payouts/payout_confirm.html",
            view=view,
            months=_months_shown(view),
            format_iban=format_iban,
        )

    @post("/{batch_id:int}/confirm", guards=[requires(Permission.PAY_MEMBERS)])
    async def confirm(
        self, request: Request, db: Db, coop: Coop, batch_id: FromPath[int]
    ) -> Template | Redirect:
        """The bank has the file: post the payout in the books (asked on the GET page)."""
        try:
            await payouts.confirm_sent(db, coop.actor, batch_id)
        except (Invalid, Conflict) as error:
            status = 409 if isinstance(error, Conflict) else 400
            return await self._detail(
                request, db, coop, batch_id, status_code=status, error=error.message
            )
        return redirect(request, f"/c/{coop.cooperative.slug}/payouts/{batch_id}")

    @post("/{batch_id:int}/cancel", guards=[requires(Permission.PAY_MEMBERS)])
    async def cancel(
        self, request: Request, db: Db, coop: Coop, batch_id: FromPath[int]
    ) -> Template | Redirect:
        """Drop a prepared batch once the coordinator confirms its file is not at the bank."""
        data = await form_data(request)
        try:
            await payouts.cancel_batch(
                db, coop.actor, batch_id, not_sent=data.get("not_sent") == "yes"
            )
        except (Invalid, Conflict) as error:
            status = 409 if isinstance(error, Conflict) else 400
            return await self._detail(
                request,
                db,
                coop,
                batch_id,
                status_code=status,
                error=error.message,
                errors=error.fields if isinstance(error, Invalid) else {},
            )
        return redirect(request, f"/c/{coop.cooperative.slug}/payouts/{batch_id}")
