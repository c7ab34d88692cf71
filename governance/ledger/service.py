"""Ledger use cases. Each public function is one transaction, permission-checked and audited."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance import clock
from governance.audit.service import record
from governance.errors import Invalid
from governance.i18n import _
from governance.ledger.models import Client, ClientKind
from governance.members.access import Actor, Permission, authorize


async def create_client(
    session: AsyncSession,
    actor: Actor,
    *,
    name: str,
    kind: ClientKind,
    address: str = "",
    default_rate_cents: int = 0,
) -> Client:
    """A coordinator adds a client. Raises PermissionDenied, Invalid for a duplicate name."""
    async with session.begin():
        await authorize(session, actor, Permission.MANAGE_CLIENTS)
        taken = (
            await session.exec(
                select(Client).where(
                    Client.cooperative_id == actor.cooperative_id, Client.name == name
                )
            )
        ).first()
        if taken is not None:
            raise Invalid(
                _("A client with this name already exists."),
                {"name": _("A client with this name already exists.")},
            )
        client = Client(
            cooperative_id=actor.cooperative_id,
            name=name,
            kind=kind,
            address=address,
            default_rate_cents=default_rate_cents,
            created_at=clock.now(),
        )
        session.add(client)
        await session.flush()
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="client.created",
            subject_type="client",
            subject_id=client.id,
            data={"name": name, "kind": str(kind), "default_rate_cents": default_rate_cents},
        )
    return client


async def list_clients(
    session: AsyncSession, actor: Actor, *, include_archived: bool = False
) -> list[Client]:
    """The cooperative's clients, by name."""
    async with session.begin():
        await authorize(session, actor, Permission.READ_COOPERATIVE)
        query = select(Client).where(Client.cooperative_id == actor.cooperative_id)
        if not include_archived:
            query = query.where(Client.archived == False)  # noqa: E712  (SQL expression)
        return list((await session.exec(query.order_by(Client.name))).all())
