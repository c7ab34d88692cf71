"""Clients as JSON: every member reads them; coordinators add, archive and restore.

What a client owes (its ageing and unpaid invoices) is book-keeping: it is given only to those
who may read the books, as on the client's page.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery, JSONBody, Parameter

from governance.base import clock, i18n
from governance.base.errors import Invalid, PermissionDenied
from governance.base.http import Db
from governance.base.i18n import _
from governance.input.json_body import API_ERRORS, NoBody, OptionalBody, rename, strict_body
from governance.ledger.api_bodies import CLIENT_AMOUNTS, AgeingOut, ClientIn, ClientOut
from governance.ledger.billing import invoices
from governance.ledger.books import reading
from governance.ledger.work import clients
from governance.members.context import Coop, CoopContext, provide_coop

# The client table's id is a 32-bit INTEGER: PostgreSQL refuses to compare it with more.
ClientId = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
Checked = NamedDependency[None]


def _require_manager(coop: CoopContext) -> None:
    # Before the body is read, so that a member learns about their role, not about their JSON.
    if not coop.can("manage_clients"):
        raise PermissionDenied(_("Your role does not allow this."))


class ClientApiController(Controller):
    path = "/api/c/{slug:str}/clients"
    dependencies = {"coop": Provide(provide_coop)}
    include_in_schema = True

    @get("/", responses=API_ERRORS)
    async def index(self, db: Db, coop: Coop, archived: FromQuery[bool] = False) -> list[ClientOut]:
        """The cooperative's clients by name; archived ones too with `?archived=true`."""
        rows = await clients.clients_for(db, coop.actor, include_archived=archived)
        return [ClientOut.of(client) for client in rows]

    @get("/{client_id:int}", responses=API_ERRORS)
    async def show(self, db: Db, coop: Coop, client_id: ClientId) -> ClientOut:
        """One client, with what it owes (`owes`) for those who may read the books."""
        client = await clients.client_of(db, coop.actor, client_id)
        owes = None
        if reading.books_open_to(coop.membership.role, coop.cooperative.settings):
            ageing = await invoices.client_ageing(db, coop.actor, client_id, clock.today())
            owes = AgeingOut.of(ageing)
        return ClientOut.of(client, owes)

    @post(
        "/",
        status_code=201,
        responses=API_ERRORS,
        dependencies={"checked": strict_body(ClientIn, before=_require_manager)},
    )
    async def create(
        self, db: Db, coop: Coop, data: JSONBody[ClientIn], checked: Checked
    ) -> ClientOut:
        """Add a client (coordinators): the rate per hour as `default_rate_cents`."""
        try:
            client = await clients.add_client(
                db, coop.actor, data.as_form(), i18n.current_language()
            )
        except Invalid as error:
            raise rename(error, CLIENT_AMOUNTS) from error
        return ClientOut.of(client)

    @post(
        "/{client_id:int}/archive",
        status_code=200,
        responses=API_ERRORS,
        operation_class=OptionalBody,
        dependencies={"checked": strict_body(NoBody, before=_require_manager, optional=True)},
    )
    async def archive(
        self,
        db: Db,
        coop: Coop,
        client_id: ClientId,
        checked: Checked,
        data: JSONBody[NoBody | None] = None,
    ) -> ClientOut:
        """Hide a client from new prestations (coordinators); its history stays."""
        return ClientOut.of(await clients.set_archived(db, coop.actor, client_id, True))

    @post(
        "/{client_id:int}/restore",
        status_code=200,
        responses=API_ERRORS,
        operation_class=OptionalBody,
        dependencies={"checked": strict_body(NoBody, before=_require_manager, optional=True)},
    )
    async def restore(
        self,
        db: Db,
        coop: Coop,
        client_id: ClientId,
        checked: Checked,
        data: JSONBody[NoBody | None] = None,
    ) -> ClientOut:
        """Offer an archived client again (coordinators)."""
        return ClientOut.of(await clients.set_archived(db, coop.actor, client_id, False))
