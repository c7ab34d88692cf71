"""Deciding with the numbers: what each member and each fund received over the last three
closed months under the rule in force, and what they would have received under each rule a
proposal offers, with the spread (highest member share / lowest positive member share).

Each month is read from what its close stored (`period_close.distribution`): the shares paid,
and the figures they were computed from (income, expenses, each member's revenue, minutes,
prestations and activity at the close). The proposed rules go through the one pure
`distribute` with those same figures, so the columns differ only by the rule.

Pure module: the closes, the names and the reader are read by
governance/votes/drafting/preview_reads.py (`compare`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, Protocol

from governance.base.paging import page_in
from governance.ledger.sharing.distribution import MemberFigures, PeriodFigures, distribute
from governance.ledger.sharing.rules import Rule, RuleError, parse_rule, rule_to_data

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
    # When paged (`page_of`): the members on all the pages, and the keys of the pages beside.
    member_count: int = 0
    next_after: int | None = None
    previous_before: int | None = None


def proposed_rules(
    method: str, options: Sequence[Mapping[str, Any]], effect: Mapping[str, Any]
) -> list[tuple[str, Rule]]:
    """The rules a proposal offers, each with its option's label ("" for a single rule)."""
    found: list[tuple[str, Rule]] = []
    candidates = (
        [(o["label"], o["rule"]) for o in options if "rule" in o]
        if method == "ranked"
        else [("", effect.get("rule"))]
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


Key = tuple[str | None, int | None]  # (fund, member id): one recipient of the shares


def tally(
    closes: Sequence[tuple[str, Mapping[str, Any]]], rules: Sequence[tuple[str, Rule]]
) -> tuple[list[dict[Key, int]], set[int]]:
    """Over the months' stored closes: the cents each recipient received (first) and would
    have received under each rule (then, in order), and the members who worked in them."""
    totals: list[dict[Key, int]] = [{} for _ in range(len(rules) + 1)]
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
    return totals, worked


def comparison(
    months: Sequence[str],
    current_rule: Any,
    rules: Sequence[tuple[str, Rule]],
    totals: Sequence[dict[Key, int]],
    worked: set[int],
    names: Mapping[int, str],
    reader: int,
) -> Comparison:
    """The comparison of `tally`'s totals over `months` (`current_rule`: the latest month's, as
    its close stored it), its members named by `names`, for `reader`."""
    keys: set[Key] = set().union(*(t.keys() for t in totals))
    recipients = {
        key: Recipient(key[0], key[1], names.get(key[1], "?") if key[1] is not None else "")
        for key in keys
    }

    def column(label: str, found: dict[Any, int], rule: Any) -> Column:
        cents = {recipients[k]: found.get(k, 0) for k in keys}
        return Column(label, cents, _spread(cents), rule if isinstance(rule, dict) else None)

    current = column("", totals[0], current_rule)  # the latest month's rule
    options = tuple(
        column(label, totals[i + 1], rule_to_data(rule)) for i, (label, rule) in enumerate(rules)
    )
    ordered = sorted(
        recipients.values(),
        key=lambda r: (r.member_id is not None, r.fund or "", r.name.casefold(), r.member_id),
    )
    return Comparison(
        months=tuple(sorted(months)),
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
        reader=reader,
    )


class Reader(Protocol):
    """Whose money a reader may read (governance/members/visibility.py's `MoneyReader`)."""

    def may_read(self, member_id: int) -> bool: ...


def seen_by(reader: Reader, comparison: Comparison) -> Comparison:
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


def page_of(
    comparison: Comparison, *, after: int | None, before: int | None, limit: int
) -> Comparison:
    """The comparison with `limit` members' rows, after or before a member (base/keyset.py):
    the funds and the reader's own row stay first on every page; the spread is the whole
    cooperative's, computed before."""
    mine = [r for r in comparison.rows if r.recipient.member_id == comparison.reader]
    funds = [r for r in comparison.rows if r.recipient.member_id is None]
    others = [
        r
        for r in comparison.rows
        if r.recipient.member_id is not None and r.recipient.member_id != comparison.reader
    ]
    page = page_in(
        others, lambda row: row.recipient.member_id or 0, after=after, before=before, limit=limit
    )
    return replace(
        comparison,
        rows=(*funds, *mine, *page.rows),
        member_count=len(others) + len(mine),
        next_after=page.next_after,
        previous_before=page.previous_before,
    )
