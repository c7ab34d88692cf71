"""Changing a cooperative's settings: written and audited in one place, inside the caller's
transaction (each caller checks the permission and the values first)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import record
from governance.members.models import Cooperative


async def save_settings(
    session: AsyncSession,
    cooperative: Cooperative,
    changes: Mapping[str, Any],
    *,
    actor_id: int | None,
    action: str,
    data: Mapping[str, Any],
) -> None:
    """Write `changes` into the cooperative's settings and record `action` with `data` in its
    audit trail (subject: the cooperative)."""
    cooperative.settings = {**cooperative.settings, **changes}
    session.add(cooperative)
    await session.flush()
    await record(
        session,
        cooperative_id=cooperative.id,
        actor_id=actor_id,
        action=action,
        subject_type="cooperative",
        subject_id=cooperative.id,
        data=data,
    )
