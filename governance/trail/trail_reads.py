"""One page of a cooperative's audit trail for its page and its JSON, at the same cost at any
depth and whatever the chain's length: newest first by keyset on the sequence number
(`before`), never an offset, and never a count of the whole chain.

The number of events without a filter is the chain's head (the sequence counts each chain's
events from 1, with no gap: governance.audit.service.record). With a filter, the page counts
at most COUNT_CAP + 1 matching events and says "more than" beyond; the JSON counts them all, as
it always has (`exact`). The subjects of the filter are read one index seek each (a loose scan
of ix_audit_event_chain_subject_seq), not by reading every event.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.chain import chain_key
from governance.audit.models import AuditEvent
from governance.auth.models import Person
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Membership

PAGE_SIZE = 50
COUNT_CAP = 1_000  # a filtered page counts up to this many events, then says "more than"

# The distinct subjects of one chain, one index seek per subject (both dialects).
SUBJECTS = text(
    "WITH RECURSIVE s(t) AS ("
    " SELECT min(subject_type) FROM audit_event WHERE chain = :chain"
    " UNION ALL"
    " SELECT (SELECT min(subject_type) FROM audit_event"
    "  WHERE chain = :chain AND subject_type > s.t)"
    " FROM s WHERE s.t IS NOT NULL"
    ") SELECT t FROM s WHERE t IS NOT NULL"
)


@dataclass(frozen=True)
class TrailPage:
    events: list[AuditEvent]
    next_before: int | None  # `before` of the next (older) page; None on the last
    total: int  # the events the filters find (at most COUNT_CAP + 1 unless exact)
    more_than: bool  # `total` is a floor: more than COUNT_CAP events match
    names: dict[int, str]  # every member's name, by person id
    subjects: list[str]


async def trail_page(
    session: AsyncSession,
    actor: Actor,
    *,
    actor_filter: int | None = None,
    subject: str | None = None,
    before: int | None = None,
    exact: bool = False,
    limit: int = PAGE_SIZE,
) -> TrailPage:
    """The page of events older than `before` (the newest without it), by `actor_filter` and
    about `subject` if given, with the members' names and the chain's subjects."""
    chain = chain_key(actor.cooperative_id)
    async with session.begin():
        await authorize(session, actor, Permission.READ_AUDIT)
        conditions = [col(AuditEvent.chain) == chain]
        if actor_filter is not None:
            conditions.append(col(AuditEvent.actor_id) == actor_filter)
        if subject:
            conditions.append(col(AuditEvent.subject_type) == subject)
        query = select(AuditEvent).where(*conditions)
        if before is not None:
            query = query.where(col(AuditEvent.seq) < before)
        rows = list(
            (await session.exec(query.order_by(col(AuditEvent.seq).desc()).limit(limit + 1))).all()
        )
        more_than = False
        if len(conditions) == 1:
            head = await session.exec(select(func.max(AuditEvent.seq)).where(*conditions))
            total = int(head.one() or 0)
        elif exact:
            counted = select(func.count()).select_from(AuditEvent).where(*conditions)
            total = (await session.exec(counted)).one()
        else:
            capped = select(AuditEvent.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
            total = (await session.exec(select(func.count()).select_from(capped))).one()
            more_than = total > COUNT_CAP
        people = await session.exec(
            select(Person.id, Person.name)
            .join(Membership, col(Membership.person_id) == Person.id)
            .where(Membership.cooperative_id == actor.cooperative_id)
        )
        names = {person_id: name for person_id, name in people.all() if person_id is not None}
        connection = await session.connection()
        subjects = [row[0] for row in await connection.execute(SUBJECTS, {"chain": chain})]
    return TrailPage(
        events=rows[:limit],
        next_before=rows[limit - 1].seq if len(rows) > limit else None,
        total=min(total, COUNT_CAP) if more_than else total,
        more_than=more_than,
        names=names,
        subjects=subjects,
    )
