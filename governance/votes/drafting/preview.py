"""Deciding with the numbers: what each member and each fund received over the last three
closed months under the rule in force, and what they would have received under each rule a
proposal offers, with the spread (highest member share / lowest positive member share).

Each month is read from what its close stored (`period_close.distribution`): the shares paid,
and the figures they were computed from (income, expenses, each member's revenue, minutes,
prestations and activity at the close). The proposed rules go through the one pure
`distribute` with those same figures, so the columns differ only by the rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.ledger.closing.models import PeriodClose
from governance.ledger.sharing.distribution import MemberFigures, PeriodFigures, distribute
from governance.ledger.sharing.rules import Rule, RuleError, parse_rule, rule_to_data
from governance.members.access import Actor
from governance.members.models import Cooperative, Membership
from governance.members.visibility import MoneyReader, money_reader
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
    # The rule in DESIGN's JSON form, to say who shares under it (for the rule in force: the
    # latest month's); None when not known.
    rule: dict[str, Any] | None = None


@dataclass(frozen=True)
class Row:
    recipient: Recipient
    current: int
    proposed: tuple[int, ...]  # one per option, in order
    # A member without any work in the months compared (who shares only under a rule for all
    # active members); False for a fund.
    no_work: bool = False

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
    found: list[tuple[str, Rule]] = []
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


def _figures(stored: Mapping[str, Any]) -> PeriodFigures:
    return PeriodFigures(
        income_cents=int(stored["income_cents"]),
        expense_cents=int(stored["expense_cents"]),
        members=tuple(
            MemberFigures(
                member_id=int(m["member_id"]),
                revenue_cents=int(m["revenue_cents"]),
                minutes=int(m["minutes"]),
                prestations=int(m["prestations"]),
                active=bool(m["active"]),
            )
            for m in stored["members"]
        ),
    )


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
    rules = _rules(proposal)
    if not closes or not rules:
        return None
    totals: list[dict[tuple[str | None, int | None], int]] = [{} for _ in range(len(rules) + 1)]
    worked: set[int] = set()
    for _month, stored in closes:
        worked |= {int(m["member_id"]) for m in stored["members"] if int(m["prestations"]) > 0}
        for share in stored["shares"]:
            key = (share["fund"], share["member_id"])
            totals[0][key] = totals[0].get(key, 0) + int(share["cents"])
        figures = _figures(stored)
        for index, (_label, rule) in enumerate(rules, start=1):
            for computed in distribute(figures, rule).shares:
                key = (computed.fund, computed.member_id)
                totals[index][key] = totals[index].get(key, 0) + computed.cents
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

    def column(label: str, found: dict[Any, int], rule: Any) -> Column:
        cents = {recipients[k]: found.get(k, 0) for k in keys}
        return Column(label, cents, _spread(cents), rule if isinstance(rule, dict) else None)

    current = column("", totals[0], closes[0][1].get("rule"))  # the latest month's rule
    options = tuple(
        column(label, totals[i + 1], rule_to_data(rule)) for i, (label, rule) in enumerate(rules)
    )
    ordered = sorted(
        recipients.values(),
        key=lambda r: (r.member_id is not None, r.fund or "", r.name.casefold(), r.member_id),
    )
    return seen_by(
        await _money_reader(session, actor),
        Comparison(
            months=tuple(sorted(month for month, _d in closes)),
            current=current,
            options=options,
            rows=tuple(
                Row(
                    r,
                    current.cents[r],
                    tuple(o.cents[r] for o in options),
                    no_work=r.member_id is not None and r.member_id not in worked,
                )
                for r in ordered
            ),
            reader=actor.person_id,
        ),
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


def seen_by(reader: MoneyReader, comparison: Comparison) -> Comparison:
    """The comparison without the members whose money `reader` may not read: their own row,
    the funds, and the spread (a ratio, no amount) stay (governance.members.visibility)."""

    def shown(recipient: Recipient) -> bool:
        return recipient.member_id is None or reader.may_read(recipient.member_id)

    def column(found: Column) -> Column:
        cents = {r: c for r, c in found.cents.items() if shown(r)}
        return Column(found.label, cents, found.spread, found.rule)

    return Comparison(
        months=comparison.months,
        current=column(comparison.current),
        options=tuple(column(o) for o in comparison.options),
        rows=tuple(row for row in comparison.rows if shown(row.recipient)),
        reader=comparison.reader,
    )
