"""A new cooperative with its first distribution rule, in one audited transaction."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from governance.base import clock
from governance.ledger.books.journal import month_of
from governance.ledger.sharing.rule_versions import known_template, set_initial_rule
from governance.members import service as members
from governance.members.models import Cooperative


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
