"""What the audit trail's JSON API answers: a page of events, newest first, with their hashes.

The fields keep the order they always had in the JSON (`data` and `redacted` before the hashes).
"""

from __future__ import annotations

from typing import Any

import msgspec

from governance.audit.models import AuditEvent


class AuditEventOut(msgspec.Struct):
    """An event as the reader may see it: `data` as recorded, less the amounts of other members
    the reader may not read, in which case `redacted` is true. `hash` is over the data as stored,
    so a redacted event's own hash cannot be recomputed, but its links (`prev_hash`) can."""

    seq: int
    at: str  # UTC ISO-8601, "2026-11-20T09:00:00.000000Z"
    actor_id: int | None  # null for the system
    action: str  # "period.closed", "member.role_changed"...
    subject_type: str
    subject_id: str
    data: dict[str, Any]
    redacted: bool
    prev_hash: str  # the hash of the event before it in the chain (hex SHA-256)
    hash: str

    @classmethod
    def of(cls, event: AuditEvent, data: dict[str, Any], redacted: bool) -> AuditEventOut:
        return cls(
            seq=event.seq,
            at=event.at,
            actor_id=event.actor_id,
            action=event.action,
            subject_type=event.subject_type,
            subject_id=event.subject_id,
            data=data,
            redacted=redacted,
            prev_hash=event.prev_hash,
            hash=event.hash,
        )


class AuditPageOut(msgspec.Struct):
    """A page of the trail: `total` events match the filters; `next_before` is the `before` of
    the next (older) page, null on the last."""

    total: int
    next_before: int | None
    events: list[AuditEventOut]
