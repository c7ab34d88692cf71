"""Clients as JSON: every member reads them; coordinators add, archive and restore.

What a client owes (its ageing and unpaid invoices) is book-keeping: it is given only to those
who may read the books, as on the client's page.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import FromQuery, JSONBody, Parameter

from governance.base import clock, i18n
from governance.base.errors import Invalid
from governance.base.http import Db
from governance.input.json_body import (
    API_ERRORS,
    Body,
    Checked,
    NoBody,
    OptionalBody,
    rename,
    strict_body,
)
from governance.input.money import format_cents
from governance.ledger.billing import invoices
from governance.ledger.books import reading
from governance.ledger.books.models import Client
from governance.ledger.work import clients
from governance.members.access import Permission
from governance.members.context import Coop, requires

CLIENT_AMOUNTS = {"default_rate": "default_rate_cents"}


class ClientIn(Body):
    """A client to add; `kind` is one of the cooperative's client kinds."""

    name: str
    kind: str
    vat_number: str | None = None
    address: str | None = None
    default_rate_cents: int | None = None  # per hour

    def as_form(self) -> dict[str, str]:
        form = {"name": self.name, "kind": self.kind}
        if self.vat_number is not None:
            form["vat_number"] = self.vat_number
        if self.address is not None:
            form["address"] = self.address
        if self.default_rate_cents is not None:
            form["default_rate"] = format_cents(self.default_rate_cents)
        return form


class OpenInvoiceOut(msgspec.Struct):
    id: int
    reference: str
    issued_on: dt.date
    due_on: dt.date
    total_cents: int
    paid_cents: int
    outstanding_cents: int
    communication: str


class AgeingOut(msgspec.Struct):
    owed_cents: int
    not_due_cents: int
    late_up_to_30_days_cents: int
    late_31_to_60_days_cents: int
    late_61_to_90_days_cents: int
    late_over_90_days_cents: int
    unallocated_cents: int
    open_invoices: list[OpenInvoiceOut]

    @classmethod
    def of(cls, ageing: invoices.Ageing) -> AgeingOut:
        late = ageing.buckets_cents
        return cls(
            owed_cents=ageing.owed_cents,
            not_due_cents=ageing.not_due_cents,
            late_up_to_30_days_cents=late[0],
            late_31_to_60_days_cents=late[1],
            late_61_to_90_days_cents=late[2],
            late_over_90_days_cents=late[3],
            unallocated_cents=ageing.unallocated_cents,
            open_invoices=[
                OpenInvoiceOut(
                    id=view.invoice.id or 0,
                    reference=view.invoice.reference,
                    issued_on=view.invoice.issued_on,
                    due_on=view.invoice.due_on,
                    total_cents=view.invoice.total_cents,
                    paid_cents=view.paid_cents,
                    outstanding_cents=view.outstanding_cents,
                    communication=invoices.structured(view.invoice.communication),
                )
                for view in ageing.open_invoices
            ],
        )


class ClientOut(msgspec.Struct, omit_defaults=True):
    """A client; `owes` only for those who may read the books (left out otherwise)."""

    id: int
    name: str
    kind: str
    vat_number: str | None
    address: str
    default_rate_cents: int
    archived: bool
    owes: AgeingOut | None = None

    @classmethod
    def of(cls, client: Client, owes: AgeingOut | None = None) -> ClientOut:
        assert client.id is not None
        return cls(
            id=client.id,
            name=client.name,
            kind=client.kind,
            vat_number=client.vat_number,
            address=client.address,
            default_rate_cents=client.default_rate_cents,
            archived=client.archived,
            owes=owes,
        )


# The client table's id is a 32-bit INTEGER: PostgreSQL refuses to compare it with more.
ClientId = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


class ClientApiController(Controller):
    path = "/clients"
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
        dependencies={"checked": strict_body(ClientIn)},
        guards=[requires(Permission.MANAGE_CLIENTS)],
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
        dependencies={"checked": strict_body(NoBody, optional=True)},
        guards=[requires(Permission.MANAGE_CLIENTS)],
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
        dependencies={"checked": strict_body(NoBody, optional=True)},
        guards=[requires(Permission.MANAGE_CLIENTS)],
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
