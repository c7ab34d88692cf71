"""The cooperative's choice for closing a month whose bank account is not reconciled: warn
only (the default), or refuse (`books.bank_check.BLOCKS_CLOSE`). A coordinator's change is
audited in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from governance.base.errors import Invalid
from governance.base.i18n import _
from governance.ledger.books.bank_check import BLOCKS_CLOSE
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative
from governance.members.service import save_settings


def blocks_close(cooperative: Cooperative) -> bool:
    return cooperative.settings.get(BLOCKS_CLOSE) is True


async def set_close_rule(session: AsyncSession, actor: Actor, data: Mapping[str, Any]) -> bool:
    """Raises PermissionDenied, Invalid (neither "warn" nor "block"); returns the rule now."""
    choice = str(data.get("close_rule") or "")
    if choice not in ("warn", "block"):
        message = _("Choose whether an unreconciled bank only warns or stops the close.")
        raise Invalid(message, {"close_rule": message})
    async with session.begin():
        await authorize(session, actor, Permission.MANAGE_COOPERATIVE)
        cooperative = await session.get(Cooperative, actor.cooperative_id)
        assert cooperative is not None
        blocks = choice == "block"
        if blocks != blocks_close(cooperative):
            await save_settings(
                session,
                cooperative,
                {BLOCKS_CLOSE: blocks},
                actor_id=actor.person_id,
                action="cooperative.bank_close_rule_changed",
                data={"name": cooperative.name, "blocks": blocks},
            )
        return blocks
