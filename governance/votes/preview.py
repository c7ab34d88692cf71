"""Deciding with the numbers: what each member and each fund received over the last three
closed months under the rule in force, and what they would have received under each rule a
proposal offers, with the spread (highest member share / lowest positive member share).

The figures of each month are read once from the ledger and distributed by the one pure
`distribute` under every rule, so the columns differ only by the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.ledger.distribution import distribute
from governance.ledger.figures import period_figures
from governance.ledger.models import Period, PeriodState
from governance.ledger.rule_versions import checked, rule_in_force
from governance.ledger.rules import Rule, RuleError, parse_rule
from governance.members.access import Actor
from governance.members.models import Person
from governance.votes.models import Proposal

MONTHS = 3


@dataclass(frozen=True)
class Recipient:
    fund: str | None
    member_id: int | None
    name: str


@dataclass(frozen=True)
class Column:
    label: str  # "" for the rule in force; an option's label otherwise
    cents: dict[Recipient, int]
    spread: Fraction | None  # None when fewer than one member receives something


@dataclass(frozen=True)
class Row:
    recipient: Recipient
    current: int
    proposed: tuple[int, ...]  # one per option, in order

    @property
    def differences(self) -> tuple[int, ...]:
        return tuple(p - self.current for p in self.proposed)


@dataclass(frozen=True)
class Comparison:
    months: tuple[str, ...]
    current: Column
    options: tuple[Column, ...]
    rows: tuple[Row, ...]
    reader: int


def _rules(proposal: Proposal) -> list[tuple[str, Rule]]:
    found = []
    candidates = (
        [(o["label"], o["rule"]) for o in proposal.options if "rule" in o]
        if proposal.method == "ranked"
        else [("", proposal.effect.get("rule"))]
    )
    for label, data in candidates:
        try:
            found.append((label, parse_rule(data)))
        except RuleError:
            continue
    return found


def _spread(cents: dict[Recipient, int]) -> Fraction | None:
    shares = [c for r, c in cents.items() if r.member_id is not None and c > 0]
    if not shares:
        return None
    return Fraction(max(shares), min(shares))


async def compare(session: AsyncSession, actor: Actor, proposal: Proposal) -> Comparison | None:
    """The comparison for a distribution-rule proposal; None without any closed month."""
    months = tuple(
        (
            await session.exec(
                select(Period.month)
                .where(
                    Period.cooperative_id == actor.cooperative_id,
                    Period.state == PeriodState.CLOSED,
                )
                .order_by(col(Period.month).desc())
                .limit(MONTHS)
            )
        ).all()
    )
    rules = _rules(proposal)
    if not months or not rules:
        return None
    totals: list[dict[tuple[str | None, int | None], int]] = [{} for _ in range(len(rules) + 1)]
    for month in months:
        version = await rule_in_force(session, actor.cooperative_id, month)
        if version is None:
            continue
        figures = await period_figures(session, actor.cooperative_id, month)
        for index, rule in enumerate([checked(version), *(r for _l, r in rules)]):
            for share in distribute(figures, rule).shares:
                key = (share.fund, share.member_id)
                totals[index][key] = totals[index].get(key, 0) + share.cents
    keys = set().union(*(t.keys() for t in totals))
    member_ids = {m for _f, m in keys if m is not None}
    names: dict[int, str] = {}
    if member_ids:
        rows = await session.exec(
            select(Person.id, Person.name).where(col(Person.id).in_(member_ids))
        )
        names = {pid: name for pid, name in rows.all() if pid is not None}
    recipients = {
        key: Recipient(key[0], key[1], names.get(key[1], "?") if key[1] is not None else "")
        for key in keys
    }

    def column(label: str, found: dict[Any, int]) -> Column:
        cents = {recipients[k]: found.get(k, 0) for k in keys}
        return Column(label, cents, _spread(cents))

    current = column("", totals[0])
    options = tuple(column(label, totals[i + 1]) for i, (label, _r) in enumerate(rules))
    ordered = sorted(
        recipients.values(),
        key=lambda r: (r.member_id is not None, r.fund or "", r.name.casefold(), r.member_id),
    )
    return Comparison(
        months=tuple(sorted(months)),
        current=current,
        options=options,
        rows=tuple(Row(r, current.cents[r], tuple(o.cents[r] for o in options)) for r in ordered),
        reader=actor.person_id,
    )
