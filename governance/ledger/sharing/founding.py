"""Ledger use cases. Each public function is one transaction, permission-checked and audited."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.base import clock
from governance.input.money import format_cents
from governance.ledger.books.journal import month_of
from governance.ledger.sharing.rule_versions import known_template, set_initial_rule
from governance.ledger.work.clients import add_client
from governance.ledger.work.models import Client, ClientKind
from governance.members import service as members
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative


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

    The same path as the form (`clients.add_client`): same checks, same audit event. Raises
    PermissionDenied, Invalid (a bad field, a name already used).
    """
    data = {
        "name": name,
        "kind": str(kind),
        "address": address,
        "default_rate": format_cents(default_rate_cents) if default_rate_cents else "",
    }
    return await add_client(session, actor, data, "en")


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


async def found_cooperative(
    session: AsyncSession,
    *,
    slug: str,
    name: str,
    language: str = "fr",
    rule_template: str = "pro_rata",
    actor_id: int | None = None,
) -> Cooperative:
    """Create a cooperative with its first distribution rule, chosen from a template, in one
    audited transaction. Raises Invalid (bad or taken slug, unknown template)."""
    known_template(rule_template)

    async def first_rule(session: AsyncSession, cooperative: Cooperative) -> None:
        assert cooperative.id is not None
        month = month_of(clock.today())
        await set_initial_rule(session, cooperative.id, rule_template, month, actor_id)

    return await members.create_cooperative(
        session, slug=slug, name=name, language=language, actor_id=actor_id, then=first_rule
    )
