"""Clients: the list every member reads, and the coordinators' forms to add, correct, archive."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from governance.base import clock, i18n
from governance.base.errors import Invalid
from governance.base.http import Db, form_data, page, redirect
from governance.ledger.billing import invoices
from governance.ledger.books.models import Client
from governance.ledger.work import clients
from governance.members.access import Permission
from governance.members.context import Coop, CoopContext, requires


def _form(
    request: Request,
    client: Client | None,
    values: dict[str, Any],
    status_code: int = 200,
    error: Invalid | None = None,
) -> Template:
    return page(
        request,
        "ledger/billing/client_form.html",
        status_code=status_code,
        client=client,
        kinds=clients.kind_options(),
        values=values,
        errors=error.fields if error else {},
        error=error.message if error else None,
    )


class ClientController(Controller):
    path = "/clients"

    def _list_url(self, coop: CoopContext) -> str:
        return f"/c/{coop.cooperative.slug}/clients/"

    @get("/")
    async def index(
        self, request: Request, db: Db, coop: Coop, archived: FromQuery[bool] = False
    ) -> Template:
        """The cooperative's clients; archived ones only when asked for."""
        rows = await clients.clients_for(db, coop.actor, include_archived=archived)
        return page(
            request,
            "ledger/billing/clients.html",
            rows=rows,
            archived=archived,
            kinds=clients.kind_options(),
        )

    @get("/new", guards=[requires(Permission.MANAGE_CLIENTS)])
    async def new(self, request: Request, coop: Coop) -> Template:
        """The form to add a client (coordinators)."""
        return _form(request, None, {"kind": "hospital"})

    @post("/", guards=[requires(Permission.MANAGE_CLIENTS)])
    async def create(self, request: Request, db: Db, coop: Coop) -> Template | Redirect:
        """Add a client; a refused form comes back with its messages."""
        data = await form_data(request)
        try:
            await clients.add_client(db, coop.actor, data, i18n.current_language())
        except Invalid as error:
            return _form(request, None, data, status_code=400, error=error)
        return redirect(request, self._list_url(coop), "client_added")

    @get("/{client_id:int}")
    async def show(
        self, request: Request, db: Db, coop: Coop, client_id: FromPath[int]
    ) -> Template:
        """What the client owes and since when (ageing), with its open invoices."""
        client = await clients.client_of(db, coop.actor, client_id)
        today = clock.today()
        ageing = await invoices.client_ageing(db, coop.actor, client_id, today)
        return page(
            request,
            "ledger/billing/client.html",
            client=client,
            ageing=ageing,
            structured=invoices.structured,
            today=today,
        )

    @get("/{client_id:int}/edit", guards=[requires(Permission.MANAGE_CLIENTS)])
    async def edit(
        self, request: Request, db: Db, coop: Coop, client_id: FromPath[int]
    ) -> Template:
        """The form to correct a client (coordinators)."""
        client = await clients.client_of(db, coop.actor, client_id)
        return _form(request, client, clients.form_values(client, i18n.current_language()))

    @post("/{client_id:int}", guards=[requires(Permission.MANAGE_CLIENTS)])
    async def update(
        self, request: Request, db: Db, coop: Coop, client_id: FromPath[int]
    ) -> Template | Redirect:
        """Save a corrected client."""
        data = await form_data(request)
        try:
            await clients.update_client(db, coop.actor, client_id, data, i18n.current_language())
        except Invalid as error:
            client = await clients.client_of(db, coop.actor, client_id)
            return _form(request, client, data, status_code=400, error=error)
        return redirect(request, self._list_url(coop), "client_saved")

    @post("/{client_id:int}/archive", guards=[requires(Permission.MANAGE_CLIENTS)])
    async def archive(
        self, request: Request, db: Db, coop: Coop, client_id: FromPath[int]
    ) -> Redirect:
        """Hide a client from new prestations; its history stays."""
        await clients.set_archived(db, coop.actor, client_id, True)
        return redirect(request, self._list_url(coop), "client_archived")

    @post("/{client_id:int}/restore", guards=[requires(Permission.MANAGE_CLIENTS)])
    async def restore(
        self, request: Request, db: Db, coop: Coop, client_id: FromPath[int]
    ) -> Redirect:
        """Offer an archived client again."""
        await clients.set_archived(db, coop.actor, client_id, False)
        return redirect(request, self._list_url(coop), "client_restored")
