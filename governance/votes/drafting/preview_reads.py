"""The rule preview of a distribution-rule proposal, read from the database: the stored closes
of the last months, the names of the members who shared, and whose money the reader may read.
The comparison itself is computed by governance/votes/drafting/preview.py (pure)."""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.ledger.closing.models import PeriodClose
from governance.members.access import Actor
from governance.members.models import Cooperative, Membership
from governance.members.people_names import names_of
from governance.members.visibility import MoneyReader, money_reader
from governance.votes.drafting.preview import (
    MONTHS,
    Comparison,
    Key,
    comparison,
    proposed_rules,
    seen_by,
    tally,
)
from governance.votes.models import Proposal


@dataclass(frozen=True)
class _Tally:
    months: tuple[str, ...]
    current_rule: Any  # the latest month's rule, as its close stored it
    totals: list[dict[Key, int]]
    worked: frozenset[int]


# Tallies already computed, by what they depend on alone: the cooperative, the proposal's
# rules, and the closes compared (append-only: a close never changes, and a new one changes
# the key). Re-splitting three months of a thousand members under each rule is most of a
# rule proposal's page (bench.pages); the members' names are read on each view.
_TALLIES: OrderedDict[tuple[Any, ...], _Tally] = OrderedDict()
_TALLIES_KEPT = 32


async def compare(session: AsyncSession, actor: Actor, proposal: Proposal) -> Comparison | None:
    """The comparison for a distribution-rule proposal; None without any closed month."""
    rules = proposed_rules(proposal.method, proposal.options, proposal.effect)
    heads = list(
        (
            await session.exec(
                select(PeriodClose.id, PeriodClose.month)
                .where(PeriodClose.cooperative_id == actor.cooperative_id)
                .order_by(col(PeriodClose.month).desc())
                .limit(MONTHS)
            )
        ).all()
    )
    if not heads or not rules:
        return None
    key = (
        actor.cooperative_id,
        proposal.method,
        json.dumps([proposal.options, proposal.effect], sort_keys=True, default=str),
        tuple(heads),
    )
    found = _TALLIES.get(key)
    if found is None:
        found = await _tally(session, [close_id for close_id, _month in heads], rules)
        _TALLIES[key] = found
        while len(_TALLIES) > _TALLIES_KEPT:
            _TALLIES.popitem(last=False)
    else:
        _TALLIES.move_to_end(key)
    member_ids = {m for t in found.totals for _f, m in t if m is not None}
    names = await names_of(session, actor.cooperative_id, member_ids)
    return seen_by(
        await _money_reader(session, actor),
        comparison(
            found.months,
            found.current_rule,
            rules,
            found.totals,
            set(found.worked),
            names,
            actor.person_id,
        ),
    )


async def _tally(session: AsyncSession, close_ids: list[int | None], rules: Any) -> _Tally:
    closes = list(
        (
            await session.exec(
                select(PeriodClose.month, PeriodClose.distribution)
                .where(col(PeriodClose.id).in_(close_ids))
                .order_by(col(PeriodClose.month).desc())
            )
        ).all()
    )
    totals, worked = tally(closes, rules)
    return _Tally(
        months=tuple(month for month, _data in closes),
        current_rule=closes[0][1].get("rule"),
        totals=totals,
        worked=frozenset(worked),
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
