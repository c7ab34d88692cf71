"""Whose work each prestation and journal entry is, read from the cooperative's own trail.

Redaction (governance.audit.redaction) needs the owner of the prestation or journal entry an
event names. The trail tells it: `prestation.recorded` names the member, `prestation.validated`
and `prestation.reversed` the journal entry they posted. Prestations imported from a file and
corrections of contested lines are recorded without a member: their owner stays unknown, and
their amounts are hidden from everyone who does not read every member's money.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.chain import chain_key
from governance.audit.models import AuditEvent
from governance.audit.redaction import Owners

OWNER_ACTIONS = ("prestation.recorded", "prestation.validated", "prestation.reversed")


def owners_from(rows: Iterable[tuple[str, str, str]]) -> Owners:
    """Owners from (action, subject id, data JSON) of the events in OWNER_ACTIONS."""
    prestations: dict[int, int] = {}
    entry_of: dict[int, int] = {}  # journal entry -> prestation
    for action, subject_id, data_json in rows:
        try:
            data = json.loads(data_json)
        except ValueError:
            continue
        if not isinstance(data, dict) or not subject_id.isdigit():
            continue
        member, entry = data.get("member_id"), data.get("entry_id")
        if action == "prestation.recorded" and isinstance(member, int):
            prestations[int(subject_id)] = member
        elif isinstance(entry, int):
            entry_of[entry] = int(subject_id)
    entries = {e: prestations[p] for e, p in entry_of.items() if p in prestations}
    return Owners(prestations=prestations, entries=entries)


async def read_owners(session: AsyncSession, cooperative_id: int) -> Owners:
    """The owners of the cooperative's prestations and their entries (its own transaction)."""
    async with session.begin():
        rows = await session.exec(
            select(AuditEvent.action, AuditEvent.subject_id, AuditEvent.data).where(
                AuditEvent.chain == chain_key(cooperative_id),
                col(AuditEvent.action).in_(OWNER_ACTIONS),
            )
        )
        return owners_from(rows.all())
