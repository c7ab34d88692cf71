"""The month's distribution: one pure function from a period's figures and a rule to the shares.

No database, web or clock: `distribute(figures, rule)` is all of DESIGN's "Distribution rules".
The distributable amount D (income − expenses, in cents) goes to the rule's funds (percent% of D
each, exactly) and the rest, the members' pool P, to the eligible members by the rule's keys.
Every quota is an exact Fraction; the cents come from ONE largest-remainder pass
(`governance.input.money.split`) over all recipients, funds in rule order first, then members by
ascending id, so the shares add up to D to the cent. Each share keeps its explanation: the exact
quota, the cent rounding added, and per key the member's value, the total and the resulting
quota. Nothing depends on the order of the members given.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from governance.base.i18n import _, money
from governance.input.money import split
from governance.language.labels import key_label
from governance.ledger.sharing.rules import Rule, number_text

RESERVE = "reserve"


@dataclass(frozen=True)
class MemberFigures:
    """One member's month: net revenue of their prestations, minutes worked, prestation count."""

    member_id: int
    revenue_cents: int
    minutes: int
    prestations: int
    active: bool


@dataclass(frozen=True)
class PeriodFigures:
    income_cents: int
    expense_cents: int
    members: tuple[MemberFigures, ...]


@dataclass(frozen=True)
class KeyQuota:
    """Under one key: the member's value, the total over eligible members, their exact part.

    `weight` is the key's weight as the rule states it; when another key was dropped (its total
    was 0) the quota already counts the weight handed over.
    """

    key: str
    weight: Decimal
    value: int
    total: int
    quota: Fraction


@dataclass(frozen=True)
class Share:
    """A fund's (`fund`) or a member's (`member_id`) share; `rounding` = cents − floor(quota)."""

    fund: str | None
    member_id: int | None
    cents: int
    quota: Fraction
    rounding: int
    keys: tuple[KeyQuota, ...]


@dataclass(frozen=True)
class Distribution:
    """`distributable` = D; `pool` = P, the exact members' pool (0 when D ≤ 0); `loss` = −D
    when D < 0, else 0. Shares: funds in rule order (then "reserve" if the rule lacks it and it
    receives something), then every member of the figures by ascending id."""

    distributable: int
    pool: Fraction
    shares: tuple[Share, ...]
    loss: int
    notes: tuple[str, ...]


def _is_eligible(member: MemberFigures, eligible: str) -> bool:
    if eligible == "members_with_prestations":
        return member.prestations > 0
    if eligible == "all_active_members":
        return member.active or member.prestations > 0
    raise ValueError(f"unknown eligibility {eligible!r}")


def _key_value(member: MemberFigures, key: str) -> int:
    if key == "revenue_generated":
        return max(member.revenue_cents, 0)  # a net reversal of earlier work counts as 0
    if key == "hours":
        return max(member.minutes, 0)
    if key == "equal":
        return 1
    raise ValueError(f"unknown member key {key!r}")


def _sorted_members(members: tuple[MemberFigures, ...]) -> list[MemberFigures]:
    ordered = sorted(members, key=lambda member: member.member_id)
    for before, after in itertools.pairwise(ordered):
        if before.member_id == after.member_id:
            raise ValueError(f"member {before.member_id} appears twice in the figures")
    return ordered


def distribute(figures: PeriodFigures, rule: Rule) -> Distribution:
    """Apply `rule` to a period's `figures`: the shares of the funds and members, explained.

    D ≤ 0: nobody is paid, "reserve" is charged D (its share is D cents, ≤ 0), every other share
    is 0. D > 0: each fund gets percent% of D, the pool P = D − funds is shared by the keys among
    the eligible members; a key with a total of 0 is dropped and its weight shared among the
    others in proportion; with no key left, P goes to the reserve. Rounding: one call to
    `split` over funds then members. Raises ValueError for a repeated member id or a rule
    naming an unknown key or eligibility (a rule from `parse_rule` never does).
    """
    members = _sorted_members(figures.members)
    eligible = [_is_eligible(member, rule.eligible) for member in members]
    values = {
        part.key: [
            _key_value(member, part.key) if ok else 0
            for member, ok in zip(members, eligible, strict=True)
        ]
        for part in rule.member_keys
    }
    totals = {key: sum(column) for key, column in values.items()}
    kept = [part for part in rule.member_keys if totals[part.key] > 0]
    notes: list[str] = []

    fund_names = [part.fund for part in rule.funds]
    reserve_added = RESERVE not in fund_names
    d = figures.income_cents - figures.expense_cents

    if d <= 0:
        if d == 0:
            notes.append(_("There is nothing to share this month: income equals expenses."))
        else:
            notes.append(
                _(
                    "Expenses are higher than income this month: nobody is paid and the loss "
                    "of %(amount)s is charged to the reserve fund."
                )
                % {"amount": money(-d)}
            )
        fund_quotas = [Fraction(d) if name == RESERVE else Fraction(0) for name in fund_names]
        if reserve_added:
            fund_names.append(RESERVE)
            fund_quotas.append(Fraction(d))
        nothing = [
            Share(name, None, int(quota), quota, 0, ())
            for name, quota in zip(fund_names, fund_quotas, strict=True)
        ] + [
            Share(None, member.member_id, 0, Fraction(0), 0, keys)
            for member, keys in zip(
                members, _explain(len(members), rule, values, totals, {}), strict=True
            )
        ]
        return Distribution(d, Fraction(0), tuple(nothing), -d, tuple(notes))

    fund_quotas = [d * Fraction(part.percent) / 100 for part in rule.funds]
    pool = d - sum(fund_quotas, Fraction(0))
    kept_weight = sum((Fraction(part.weight) for part in kept), Fraction(0))
    # Per kept key, the pool's part for one unit of value: P × (weight / kept weight) / total.
    unit = {
        part.key: pool * Fraction(part.weight) / (kept_weight * totals[part.key]) for part in kept
    }

    if not kept:
        if not any(eligible):
            notes.append(
                _(
                    "No member is eligible this month, so the members' pool goes to the "
                    "reserve fund."
                )
            )
        else:
            notes.append(
                _(
                    "Every member key is zero for all eligible members this month, so the "
                    "members' pool goes to the reserve fund."
                )
            )
        if reserve_added:
            fund_names.append(RESERVE)
            fund_quotas.append(pool)
        else:
            index = fund_names.index(RESERVE)
            fund_quotas[index] += pool
    else:
        for part in rule.member_keys:
            if totals[part.key] == 0:
                notes.append(
                    _(
                        "The key “%(key)s” is zero for every eligible member this month; its "
                        "weight of %(weight)s was shared among the other keys in proportion to "
                        "their weights."
                    )
                    % {"key": key_label(part.key), "weight": number_text(part.weight)}
                )

    member_keys = _explain(len(members), rule, values, totals, unit)
    member_quotas = _member_quotas(len(members), values, unit)

    cents = split(d, fund_quotas + member_quotas)  # index order is the tie order
    recipients = [(name, None, ()) for name in fund_names] + [
        (None, member.member_id, keys) for member, keys in zip(members, member_keys, strict=True)
    ]
    shares = tuple(
        Share(fund, member_id, cent, quota, cent - math.floor(quota), keys)
        for (fund, member_id, keys), quota, cent in zip(
            recipients, fund_quotas + member_quotas, cents, strict=True
        )
    )
    return Distribution(d, pool, shares, 0, tuple(notes))


def _member_quotas(
    count: int, values: dict[str, list[int]], unit: dict[str, Fraction]
) -> list[Fraction]:
    """Each member's exact quota, Σ unit × value over the kept keys, summed as integers on
    the units' common denominator (a thousand members, no Fraction addition each)."""
    common = math.lcm(*(u.denominator for u in unit.values())) if unit else 1
    scaled = {key: u.numerator * (common // u.denominator) for key, u in unit.items()}
    return [
        Fraction(sum(scaled[key] * values[key][i] for key in scaled), common) for i in range(count)
    ]


def _explain(
    count: int,
    rule: Rule,
    values: dict[str, list[int]],
    totals: dict[str, int],
    unit: dict[str, Fraction],
) -> list[tuple[KeyQuota, ...]]:
    """Per member (`count`, in `values` order), per rule key: value, total, exact quota.

    `unit` is the pool's part for one unit of value of each kept key; a key not in it (dropped,
    or nothing to share) gives quotas of 0.
    """
    return [
        tuple(
            KeyQuota(
                part.key,
                part.weight,
                values[part.key][i],
                totals[part.key],
                Fraction(unit[part.key].numerator * values[part.key][i], unit[part.key].denominator)
                if part.key in unit
                else Fraction(0),
            )
            for part in rule.member_keys
        )
        for i in range(count)
    ]
