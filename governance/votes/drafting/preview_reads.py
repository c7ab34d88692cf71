"""The rule preview of a distribution-rule proposal, read from the database: the stored closes
of the last months, the names of the members who shared, and whose money the reader may read.
The comparison itself is computed by governance/votes/drafting/preview.py (pure)."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.ledger.closing.models import PeriodClose
from governance.members.access import Actor
from governance.members.models import Cooperative, Membership
from governance.members.visibility import MoneyReader, money_reader
from governance.votes.drafting.preview import (
    MONTHS,
    Comparison,
    comparison,
    proposed_rules,
    seen_by,
    tally,
)
from governance.votes.models import Proposal


async def compare(session: AsyncSession, actor: Actor, proposal: Proposal) -> Comparison | None:
    """The comparison for a distribution-rule proposal; None without any closed month."""
    closes = list(
        (
            await session.exec(
                select(PeriodClose.month, PeriodClose.distribution)
                .where(PeriodClose.cooperative_id == actor.cooperative_id)
                .order_by(col(PeriodClose.month).desc())
                .limit(MONTHS)
            )
        ).all()
    )
    rules = proposed_rules(proposal.method, proposal.options, proposal.effect)
    if not closes or not rules:
        return None
    totals, worked = tally(closes, rules)
    member_ids = {m for t in totals for _f, m in t if m is not None}
    names: dict[int, str] = {}
    if member_ids:
        rows = await session.exec(
            select(Person.id, Person.name).where(col(Person.id).in_(member_ids))
        )
        names = {pid: name for pid, name in rows.all() if pid is not None}
    return seen_by(
        await _money_reader(session, actor),
        comparison(closes, rules, totals, worked, names, actor.person_id),
    )


async def _money_reader(session: AsyncSession, actor: Actor) -> MoneyReader:
    membership = (
        await session.exec(
            select(Membership).where(
                Membership.cooperative_id == actor.cooperative_id,
                Membership.person_id == actor.person_id,
            )
        )
    ).first()
    cooperative = await session.get(Cooperative, actor.cooperative_id)
    if membership is None or cooperative is None:
        return MoneyReader(person_id=actor.person_id, everyone=False)
    return money_reader(actor.person_id, membership.role, cooperative.settings)
