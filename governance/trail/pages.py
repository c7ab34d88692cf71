"""The audit trail as every member reads it, and as JSON.

Above members (the web shell): the pages need the cooperative of the URL, the members' names and
what the reader may see of others' amounts; governance.audit below knows cooperatives by id only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.api_bodies import AuditEventOut, AuditPageOut
from governance.audit.describe import describe, subject_name
from governance.audit.models import AuditEvent
from governance.audit.owners import read_owners
from governance.audit.redaction import MONEY_ACTIONS, Owners, redact
from governance.base.http import Db, page
from governance.base.i18n import datetime_short
from governance.input.json_body import API_ERRORS
from governance.members.context import Coop, CoopContext
from governance.members.visibility import MoneyReader, money_reader
from governance.trail.trail_reads import TrailPage, trail_page

MAX_ID = 2**62
# A person's id is 32-bit on PostgreSQL: a larger one was a 500 there (found by check-api).
ActorFilter = Annotated[int | None, QueryParameter(name="actor", ge=1, le=2**31 - 1)]
SubjectFilter = Annotated[
    str | None, QueryParameter(name="subject", max_length=40, pattern=r"^[a-z_]*$")
]
Before = Annotated[int | None, QueryParameter(name="before", ge=1, le=MAX_ID)]


@dataclass(frozen=True)
class EventView:
    seq: int
    at: str
    actor: str
    description: str
    subject: str
    subject_id: str
    hash: str
    redacted: bool


def _data(event: AuditEvent) -> dict[str, Any]:
    try:
        data = json.loads(event.data)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class _Redactor:
    """Each event's data as the reader may see it (see governance.members.visibility)."""

    def __init__(self, reader: MoneyReader, owners: Owners) -> None:
        self.reader, self.owners = reader, owners

    def __call__(self, event: AuditEvent) -> tuple[dict[str, Any], bool]:
        return redact(
            event.action, event.subject_id, _data(event), self.reader.may_read, self.owners
        )


async def _redactor(db: AsyncSession, coop: CoopContext, events: list[AuditEvent]) -> _Redactor:
    assert coop.person.id is not None and coop.cooperative.id is not None
    reader = money_reader(coop.person.id, coop.membership.role, coop.cooperative.settings)
    owners = Owners()
    if not reader.everyone and any(e.action in MONEY_ACTIONS for e in events):
        owners = await read_owners(db, coop.cooperative.id)
    return _Redactor(reader, owners)


def _view(event: AuditEvent, names: dict[int, str], seen: _Redactor) -> EventView:
    from datetime import datetime

    moment = datetime.fromisoformat(event.at.replace("Z", "+00:00"))
    actor = names.get(event.actor_id, "") if event.actor_id is not None else ""
    data, redacted = seen(event)
    return EventView(
        seq=event.seq,
        at=datetime_short(moment),
        actor=actor,
        description=describe(event.action, json.dumps(data), actor),
        subject=subject_name(event.subject_type),
        subject_id=event.subject_id,
        hash=event.hash,
        redacted=redacted,
    )


async def _load(
    db: AsyncSession,
    coop: CoopContext,
    actor: int | None,
    subject: str | None,
    before: int | None,
    exact: bool = False,
) -> TrailPage:
    return await trail_page(
        db, coop.actor, actor_filter=actor, subject=subject or None, before=before, exact=exact
    )


class AuditController(Controller):
    path = "/audit"

    @get("/")
    async def trail(
        self,
        request: Request,
        db: Db,
        coop: Coop,
        actor: ActorFilter = None,
        subject: SubjectFilter = None,
        before: Before = None,
    ) -> Template:
        """Newest first, filtered by actor and subject, a page at a time."""
        result = await _load(db, coop, actor, subject, before)
        names = result.names
        seen = await _redactor(db, coop, list(result.events))
        template = (
            "trail/_events.html"
            if request.headers.get("hx-request") and request.headers.get("hx-target") == "events"
            else "trail/trail.html"
        )
        return page(
            request,
            template,
            events=[_view(e, names, seen) for e in result.events],
            total=result.total,
            more_than=result.more_than,
            next_before=result.next_before,
            first_page=before is not None,
            filters={"actor": actor, "subject": subject or ""},
            actors=sorted(names.items(), key=lambda item: item[1]),
            subjects=[(s, subject_name(s)) for s in result.subjects],
        )


class AuditApiController(Controller):
    path = "/audit"
    include_in_schema = True  # the JSON API is described at /schema/openapi.json

    @get("/", responses=API_ERRORS)
    async def events(
        self,
        db: Db,
        coop: Coop,
        actor: ActorFilter = None,
        subject: SubjectFilter = None,
        before: Before = None,
    ) -> AuditPageOut:
        """The trail as JSON, with hashes, for anyone who wants to check it themselves.

        Other members' amounts the reader may not see are taken out of `data`, and the event
        says `"redacted": true`: its hash is over the data as stored, so the reader can check
        the links between hashes but not recompute a redacted event's own hash.
        """
        result = await _load(db, coop, actor, subject, before, exact=True)
        seen = await _redactor(db, coop, list(result.events))
        return AuditPageOut(
            total=result.total,
            next_before=result.next_before,
            events=[AuditEventOut.of(e, *seen(e)) for e in result.events],
        )
