"""Clients: who the cooperative invoices. Archived rather than deleted, as prestations and the
books keep pointing at them.

`parse_client` is pure; every other public function is one transaction, permission-checked and
audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import record
from governance.base import clock
from governance.base.errors import Invalid, NotFound
from governance.base.i18n import N_, _
from governance.input.forms import Form, amount_message
from governance.input.money import AmountError, format_cents, parse_amount
from governance.ledger.books.kinds import ClientKind
from governance.ledger.books.models import Client
from governance.members.access import Actor, Permission, authorize

NAME_MAX = 160
ADDRESS_MAX = 300
VAT_INPUT_MAX = 30

KIND_NAMES: dict[str, str] = {
    ClientKind.HOSPITAL: N_("Hospital"),
    ClientKind.SOCIAL_SERVICES: N_("Social services"),
    ClientKind.INTEGRATION_OFFICE: N_("Integration office"),
    ClientKind.COMPANY: N_("Company"),
    ClientKind.OTHER: N_("Other"),
}


def kind_options() -> list[tuple[str, str]]:
    """(value, name in the reader's language) for every kind, in a stable order."""
    return [(str(kind), _(KIND_NAMES[kind])) for kind in ClientKind]


@dataclass(frozen=True)
class ClientInput:
    name: str
    kind: ClientKind
    vat_number: str | None  # compact: "BE0403170701"
    address: str
    default_rate_cents: int  # 0: no usual rate


def _rate(form: Form, name: str, language: str) -> int:
    raw = form.raw(name).strip()
    if not raw:
        return 0
    try:
        return parse_amount(raw, language, allow_zero=True)
    except AmountError as error:
        form.fail(name, amount_message(error, language))
        return 0


def parse_client(data: Mapping[str, Any], language: str) -> ClientInput:
    """Clean a client form. Raises Invalid naming every bad field. Pure."""
    form = Form(data)
    name = form.text("name", max_length=NAME_MAX)
    kind = form.choice("kind", [str(k) for k in ClientKind])
    vat_number = form.be_vat("vat_number", max_length=VAT_INPUT_MAX)
    address = form.text("address", max_length=ADDRESS_MAX, required=False)
    rate = _rate(form, "default_rate", language)
    form.done()
    return ClientInput(
        name=name,
        kind=ClientKind(kind),
        vat_number=vat_number,
        address=address,
        default_rate_cents=rate,
    )


def form_values(client: Client, language: str) -> dict[str, str]:
    """A stored client as the form shows it again, its rate typed as the reader would."""
    rate = ""
    if client.default_rate_cents:
        rate = format_cents(client.default_rate_cents)
        rate = rate if language == "en" else rate.replace(".", ",")
    return {
        "name": client.name,
        "kind": client.kind,
        "vat_number": client.vat_number or "",
        "address": client.address,
        "default_rate": rate,
    }


def _describe(client: Client) -> dict[str, Any]:
    return {
        "name": client.name,
        "kind": str(client.kind),
        "vat_number": client.vat_number,
        "address": client.address,
        "default_rate_cents": client.default_rate_cents,
    }


def _name_taken() -> Invalid:
    message = _("A client with this name already exists.")
    return Invalid(message, {"name": message})


async def _check_name_free(
    session: AsyncSession, cooperative_id: int, name: str, client_id: int | None = None
) -> None:
    # "CHU de Liège" and "chu de liège" are one client to the people choosing from a list.
    names = await session.exec(
        select(Client.id, Client.name).where(Client.cooperative_id == cooperative_id)
    )
    wanted = name.casefold()
    if any(other_id != client_id and other.casefold() == wanted for other_id, other in names):
        raise _name_taken()


async def _load(session: AsyncSession, actor: Actor, client_id: int) -> Client:
    client = await session.get(Client, client_id)
    if client is None or client.cooperative_id != actor.cooperative_id:
        raise NotFound(_("This client does not exist."))
    return client


async def _flush_unique(session: AsyncSession, client: Client) -> None:
    """Write the row; a twin request that took the name first is refused like a duplicate."""
    try:
        async with session.begin_nested():
            session.add(client)
            await session.flush()
    except IntegrityError as error:
        raise _name_taken() from error


async def add_client(
    session: AsyncSession, actor: Actor, data: Mapping[str, Any], language: str
) -> Client:
    """A coordinator adds a client from a form.

    Raises PermissionDenied (not a coordinator, suspended), Invalid (every bad field, or a name
    the cooperative already uses, whatever its case).
    """
    async with session.begin():
        await authorize(session, actor, Permission.MANAGE_CLIENTS)
        clean = parse_client(data, language)
        await _check_name_free(session, actor.cooperative_id, clean.name)
        client = Client(
            cooperative_id=actor.cooperative_id, created_at=clock.now(), **asdict(clean)
        )
        await _flush_unique(session, client)
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="client.created",
            subject_type="client",
            subject_id=client.id,
            data=_describe(client),
        )
    return client


async def update_client(
    session: AsyncSession,
    actor: Actor,
    client_id: int,
    data: Mapping[str, Any],
    language: str,
) -> Client:
    """A coordinator corrects a client; the audit keeps each changed field before and after.

    Nothing changed: nothing is written. Raises PermissionDenied, NotFound (unknown, or of
    another cooperative), Invalid (every bad field, or a name another client uses).
    """
    async with session.begin():
        await authorize(session, actor, Permission.MANAGE_CLIENTS)
        client = await _load(session, actor, client_id)
        clean = parse_client(data, language)
        before = _describe(client)
        after = {**before, **asdict(clean), "kind": str(clean.kind)}
        changed = sorted(key for key in after if after[key] != before[key])
        if not changed:
            return client
        if "name" in changed:
            await _check_name_free(session, actor.cooperative_id, clean.name, client.id)
        for key in changed:
            setattr(client, key, getattr(clean, key))
        await _flush_unique(session, client)
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="client.updated",
            subject_type="client",
            subject_id=client.id,
            data={
                "name": client.name,
                "before": {key: before[key] for key in changed},
                "after": {key: after[key] for key in changed},
            },
        )
    return client


async def set_archived(
    session: AsyncSession, actor: Actor, client_id: int, archived: bool
) -> Client:
    """Archive a client (hidden from new prestations, kept in the books) or restore it.

    Asking for the state it is already in writes nothing. Raises PermissionDenied, NotFound.
    """
    async with session.begin():
        await authorize(session, actor, Permission.MANAGE_CLIENTS)
        client = await _load(session, actor, client_id)
        if client.archived == archived:
            return client
        client.archived = archived
        session.add(client)
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="client.archived" if archived else "client.restored",
            subject_type="client",
            subject_id=client.id,
            data={"name": client.name},
        )
    return client


async def clients_for(
    session: AsyncSession, actor: Actor, include_archived: bool = False
) -> list[Client]:
    """The cooperative's clients by name, for every member. Raises PermissionDenied."""
    async with session.begin():
        await authorize(session, actor, Permission.READ_COOPERATIVE)
        query = select(Client).where(Client.cooperative_id == actor.cooperative_id)
        if not include_archived:
            query = query.where(Client.archived == False)  # noqa: E712  (SQL expression)
        rows = (await session.exec(query)).all()
    # By name as people read it, whatever the database's collation.
    return sorted(rows, key=lambda client: (client.name.casefold(), client.name))


async def client_of(session: AsyncSession, actor: Actor, client_id: int) -> Client:
    """One client of the actor's cooperative. Raises PermissionDenied, NotFound."""
    async with session.begin():
        await authorize(session, actor, Permission.READ_COOPERATIVE)
        return await _load(session, actor, client_id)


async def create_client(
    session: AsyncSession,
    actor: Actor,
    *,
    name: str,
    kind: ClientKind,
    address: str = "",
    default_rate_cents: int = 0,
) -> Client:
    """A coordinator adds a client from typed values (the demo, tests, scripts).

    The same path as the form (`add_client`): same checks, same audit event. Raises
    PermissionDenied, Invalid (a bad field, a name already used).
    """
    data = {
        "name": name,
        "kind": str(kind),
        "address": address,
        "default_rate": format_cents(default_rate_cents) if default_rate_cents else "",
    }
    return await add_client(session, actor, data, "en")
