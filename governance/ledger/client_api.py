"""Clients as JSON: every member reads them; coordinators add, archive and restore.

What a client owes (its ageing and unpaid invoices) is book-keeping: it is given only to those
who may read the books, as on the client's page.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import FromQuery, Parameter

from governance import clock, i18n
from governance.errors import Invalid, PermissionDenied
from governance.i18n import _
from governance.json_body import read_json
from governance.ledger import books, clients, invoices
from governance.ledger.models import Client
from governance.money import format_cents
from governance.web import Coop, CoopContext, Db, provide_coop

# The client table's id is a 32-bit INTEGER: PostgreSQL refuses to compare it with more.
ClientId = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
TEXT_FIELDS = ("name", "kind", "vat_number", "address")
RATE_FIELD = "default_rate_cents"


def _client_json(client: Client) -> dict[str, Any]:
    return {
        "id": client.id,
        "name": client.name,
        "kind": client.kind,
        "vat_number": client.vat_number,
        "address": client.address,
        "default_rate_cents": client.default_rate_cents,
        "archived": client.archived,
    }


def _ageing_json(ageing: invoices.Ageing) -> dict[str, Any]:
    late = ageing.buckets_cents
    return {
        "owed_cents": ageing.owed_cents,
        "not_due_cents": ageing.not_due_cents,
        "late_up_to_30_days_cents": late[0],
        "late_31_to_60_days_cents": late[1],
        "late_61_to_90_days_cents": late[2],
        "late_over_90_days_cents": late[3],
        "unallocated_cents": ageing.unallocated_cents,
        "open_invoices": [
            {
                "id": view.invoice.id,
                "reference": view.invoice.reference,
                "issued_on": view.invoice.issued_on.isoformat(),
                "due_on": view.invoice.due_on.isoformat(),
                "total_cents": view.invoice.total_cents,
                "paid_cents": view.paid_cents,
                "outstanding_cents": view.outstanding_cents,
                "communication": invoices.structured(view.invoice.communication),
            }
            for view in ageing.open_invoices
        ],
    }


def _require_manager(coop: CoopContext) -> None:
    # Before the body is read, so that a member learns about their role, not about their JSON.
    if not coop.can("manage_clients"):
        raise PermissionDenied(_("Your role does not allow this."))


def _client_form(body: Any) -> dict[str, str]:
    """A JSON client as the client form's fields: text as text, the rate in cents.

    Raises Invalid for a body that is not an object, or naming each field of the wrong type.
    """
    if not isinstance(body, dict):
        raise Invalid(_("The request body is not valid JSON."))
    data: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name in TEXT_FIELDS:
        value = body.get(name)
        if isinstance(value, str):
            data[name] = value
        elif value is not None:
            errors[name] = _("This field must be text.")
    rate = body.get(RATE_FIELD)
    if isinstance(rate, int) and not isinstance(rate, bool):
        # Two decimals and no grouping: the form's parser reads it the same in every language.
        data["default_rate"] = format_cents(rate)
    elif rate is not None:
        errors[RATE_FIELD] = _("Enter a whole number.")
    if errors:
        raise Invalid(_("Please correct the fields marked below."), errors)
    return data


class ClientApiController(Controller):
    path = "/api/c/{slug:str}/clients"
    dependencies = {"coop": Provide(provide_coop)}

    @get("/")
    async def index(
        self, db: Db, coop: Coop, archived: FromQuery[bool] = False
    ) -> list[dict[str, Any]]:
        """The cooperative's clients by name; archived ones too with `?archived=true`."""
        rows = await clients.clients_for(db, coop.actor, include_archived=archived)
        return [_client_json(client) for client in rows]

    @get("/{client_id:int}")
    async def show(self, db: Db, coop: Coop, client_id: ClientId) -> dict[str, Any]:
        """One client, with what it owes (`owes`) for those who may read the books."""
        client = await clients.client_of(db, coop.actor, client_id)
        found = _client_json(client)
        if books.books_open_to(coop.membership.role, coop.cooperative.settings):
            ageing = await invoices.client_ageing(db, coop.actor, client_id, clock.today())
            found["owes"] = _ageing_json(ageing)
        return found

    @post("/", status_code=201)
    async def create(self, request: Request, db: Db, coop: Coop) -> dict[str, Any]:
        """Add a client (coordinators): the form's fields, the rate as `default_rate_cents`."""
        _require_manager(coop)
        data = _client_form(await read_json(request))
        try:
            client = await clients.add_client(db, coop.actor, data, i18n.current_language())
        except Invalid as error:
            # The form's field is the typed rate; here it is the rate in cents.
            fields = {RATE_FIELD if k == "default_rate" else k: v for k, v in error.fields.items()}
            raise Invalid(error.message, fields) from error
        return _client_json(client)

    @post("/{client_id:int}/archive", status_code=200)
    async def archive(self, db: Db, coop: Coop, client_id: ClientId) -> dict[str, Any]:
        """Hide a client from new prestations (coordinators); its history stays."""
        return _client_json(await clients.set_archived(db, coop.actor, client_id, True))

    @post("/{client_id:int}/restore", status_code=200)
    async def restore(self, db: Db, coop: Coop, client_id: ClientId) -> dict[str, Any]:
        """Offer an archived client again (coordinators)."""
        return _client_json(await clients.set_archived(db, coop.actor, client_id, False))
