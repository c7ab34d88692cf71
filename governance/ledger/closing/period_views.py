"""What the month pages show, as plain objects: periods, shares explained, contests, lines.

Pure (no database, web or clock). `distribution_view` turns the computation's JSON, as
`closing.distribution_data` gives it for a draft and as the close stores it, into the objects
the templates read; one path for a draft and a closed month alike.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Protocol

from governance.base.paging import KeysetPage, page_in
from governance.language.labels import fund_label, key_label
from governance.ledger.work.statuses import ContestStatus

if TYPE_CHECKING:
    from governance.ledger.closing.review_window import ReviewFacts


@dataclass(frozen=True)
class PeriodRow:
    month: str
    state: str
    open_contests: int
    closed_at: dt.datetime | None
    has_statement: bool  # the reader's own statement of the month (closed months)
    startable: bool  # the next month to review: the oldest not closed, open and over


@dataclass(frozen=True)
class KeyShare:
    """One member key of a share: the member's value, the total, their part of the pool."""

    key: str
    label: str
    weight: str
    value: int  # cents (revenue), minutes (hours) or 1 (equal)
    total: int
    cents: int  # the exact part to the nearest cent; the share itself is rounded once


@dataclass(frozen=True)
class ShareView:
    fund: str | None
    member_id: int | None
    name: str
    cents: int
    rounding: int  # cents added (or taken) by the one largest-remainder pass
    percent: str | None  # a fund's percent of the distributable amount, as the rule says
    revenue_cents: int
    minutes: int
    prestations: int
    keys: tuple[KeyShare, ...]


@dataclass(frozen=True)
class RuleView:
    basis: str
    eligible: str
    funds: tuple[tuple[str, str], ...]  # (label, percent)
    keys: tuple[tuple[str, str], ...]  # (label, weight)


@dataclass(frozen=True)
class MemberPage:
    """Which members' shares a month's page shows: `limit` of them, after or before one."""

    after: int | None = None
    before: int | None = None
    limit: int = 100


@dataclass(frozen=True)
class DistributionView:
    rule: RuleView
    income_cents: int | None  # None on a member's closed statement, which does not keep it
    expense_cents: int | None
    distributable_cents: int
    pool_cents: int
    loss_cents: int
    notes: tuple[str, ...]
    funds: tuple[ShareView, ...]
    members: tuple[ShareView, ...]  # one page of them when a page was asked for
    member_count: int = 0  # the members listed on all the pages
    next_after: int | None = None  # the member id after which the next page starts
    previous_before: int | None = None  # the member id before which the page before ends


@dataclass(frozen=True)
class ContestView:
    id: int
    member_id: int
    member: str
    prestation_id: int | None  # None: the share as a whole
    line_date: dt.date | None
    line_client: str
    line_amount_cents: int | None
    comment: str
    status: str
    resolution: str
    resolved_by: str
    resolved_at: dt.datetime | None
    created_at: dt.datetime
    corrected_cents: int | None  # the amount of the corrected prestation
    # The contested line as recorded, to pre-fill the correction form.
    line_kind: str = ""
    line_minutes: int | None = None
    line_travel_cents: int = 0
    line_client_id: int | None = None
    # The corrected line, once the contest is answered by a correction.
    corrected_id: int | None = None
    corrected_date: dt.date | None = None
    corrected_kind: str = ""
    corrected_minutes: int | None = None

    @property
    def is_open(self) -> bool:
        return self.status == ContestStatus.OPEN


@dataclass(frozen=True)
class LineView:
    """One prestation as the month counts it (a reversal counts negatively)."""

    prestation_id: int
    date: dt.date
    client: str
    kind: str
    minutes: int
    amount_cents: int
    reversal: bool
    adjustment: bool
    contests: tuple[ContestView, ...]
    contestable: bool
    # The contest a correction answers (on its reversal and on the corrected line), the
    # prestation a corrected line replaces, and why a line was cancelled.
    contest_id: int | None = None
    corrects_id: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class WaitingView:
    prestation_id: int
    date: dt.date
    member: str
    amount_cents: int


@dataclass(frozen=True)
class WholeReview:
    """A coordinator's (or an observer's) view of a month: the whole draft or close."""

    month: str
    state: str
    distribution: DistributionView | None
    problem: str | None  # why the draft cannot be computed (no rule, an invalid rule)
    contests: tuple[ContestView, ...]  # open ones first
    waiting: tuple[WaitingView, ...]
    startable: bool
    over: bool
    started_at: dt.datetime | None
    started_by: str
    closed_at: dt.datetime | None
    closed_by: str
    statements: frozenset[int]  # members with a statement (closed months)
    review: ReviewFacts | None = None  # under review: who read, who contested, time left
    whole: bool = True
    # Not closed yet: why the bank's statements do not reconcile the books up to its last day.
    bank_warning: str | None = None

    @property
    def open_contests(self) -> int:
        return sum(1 for c in self.contests if c.is_open)


@dataclass(frozen=True)
class MemberReview:
    """A member's own draft statement (under review) or statement (closed), and contests."""

    month: str
    state: str
    lines: tuple[LineView, ...]
    share: ShareView | None
    distribution: DistributionView | None
    share_contests: tuple[ContestView, ...]
    can_contest: bool
    has_statement: bool
    closed_at: dt.datetime | None
    read_at: dt.datetime | None = None  # under review: when they marked their draft read
    review_ends_at: dt.datetime | None = None  # under review: the minimum time's end
    whole: bool = False


ReviewPage = WholeReview | MemberReview


def _cents(quota: str) -> int:
    """A key's part in whole cents, rounded down: what rounding adds is shown on its own line,
    so the lines of an explanation add up to the share exactly."""
    return math.floor(Fraction(quota))


def _rule_view(rule: Mapping[str, Any]) -> RuleView:
    return RuleView(
        basis=rule["basis"],
        eligible=rule["eligible"],
        funds=tuple((fund_label(f["fund"]), f["percent"]) for f in rule["funds"]),
        keys=tuple((key_label(k["key"]), k["weight"]) for k in rule["member_keys"]),
    )


def _share_view(
    share: Mapping[str, Any],
    names: Mapping[int, str],
    percents: Mapping[str, str],
    figures: Mapping[int, Mapping[str, Any]],
) -> ShareView:
    fund, member_id = share["fund"], share["member_id"]
    member = figures.get(member_id, {}) if member_id is not None else {}
    parts = [_cents(k["quota"]) for k in share["keys"]]
    rounding = share["cents"] - sum(parts) if parts else share["rounding"]
    return ShareView(
        fund=fund,
        member_id=member_id,
        name=fund_label(fund) if fund is not None else names.get(member_id, f"#{member_id}"),
        cents=share["cents"],
        rounding=rounding,
        percent=percents.get(fund) if fund is not None else None,
        revenue_cents=member.get("revenue_cents", 0),
        minutes=member.get("minutes", 0),
        prestations=member.get("prestations", 0),
        keys=tuple(
            KeyShare(
                k["key"],
                key_label(k["key"]),
                k["weight"],
                k["value"],
                k["total"],
                part,
            )
            for k, part in zip(share["keys"], parts, strict=True)
        ),
    )


def shown_shares(
    data: Mapping[str, Any],
    figures: Mapping[int, Mapping[str, Any]] | None = None,
    page: MemberPage | None = None,
) -> tuple[KeysetPage[Mapping[str, Any]], int]:
    """The members' shares of `data` a page shows (every one without `page`), and how many
    members are listed on all the pages."""
    if figures is None:
        figures = _figures(data)

    def listed(share: Mapping[str, Any]) -> bool:
        # As at the close: nobody listed who has neither work nor a share this month.
        member = figures.get(share["member_id"], {})
        return bool(share["cents"] or member.get("prestations") or member.get("revenue_cents"))

    members = [s for s in data["shares"] if s["member_id"] is not None and listed(s)]
    shown = page_in(
        members,
        lambda share: int(share["member_id"]),
        after=page.after if page else None,
        before=page.before if page else None,
        limit=page.limit if page else max(len(members), 1),
    )
    return shown, len(members)


def _figures(data: Mapping[str, Any]) -> dict[int, Mapping[str, Any]]:
    return {m["member_id"]: m for m in data.get("members", [])}


def distribution_view(
    data: Mapping[str, Any],
    names: Mapping[int, str],
    figures: Mapping[int, Mapping[str, Any]] | None = None,
    *,
    page: MemberPage | None = None,
) -> DistributionView:
    """`closing.distribution_data`'s JSON (a draft's, or as stored at the close) as a view:
    every member, or only the `page` of them asked for (their explanations, and the names
    `names` must hold, are those of that page alone: `shown_shares`)."""
    percents = {f["fund"]: f["percent"] for f in data["rule"]["funds"]}
    if figures is None:
        figures = _figures(data)
    funds = [s for s in data["shares"] if s["fund"] is not None]
    shown, member_count = shown_shares(data, figures, page)
    distributable = data["distributable_cents"]
    return DistributionView(
        rule=_rule_view(data["rule"]),
        income_cents=data.get("income_cents"),
        expense_cents=data.get("expense_cents"),
        distributable_cents=distributable,
        pool_cents=_cents(data["pool"]),
        loss_cents=data.get("loss_cents", max(-distributable, 0)),
        notes=tuple(data.get("notes", ())),
        funds=tuple(_share_view(s, names, percents, figures) for s in funds),
        members=tuple(_share_view(s, names, percents, figures) for s in shown.rows),
        member_count=member_count,
        next_after=shown.next_after,
        previous_before=shown.previous_before,
    )


class StatementFigures(Protocol):
    """What a member's statement row (closing.models.Statement) gives their distribution."""

    @property
    def member_id(self) -> int: ...
    @property
    def revenue_cents(self) -> int: ...
    @property
    def minutes(self) -> int: ...


def statement_distribution(
    statement: StatementFigures,
    close: Mapping[str, Any],
    names: Mapping[int, str],
    prestations: int,
) -> DistributionView:
    """A member's closed statement shows the funds and their own share, not the others'.
    `close`: the close's distribution JSON (rule, totals, funds); `prestations`: how many of
    their prestations the month counted (read from the journal)."""
    own = member_share(close, statement.member_id)
    funds = [s for s in close.get("shares", []) if s.get("fund") is not None]
    figures = {
        statement.member_id: {
            "revenue_cents": statement.revenue_cents,
            "minutes": statement.minutes,
            "prestations": prestations,
        }
    }
    return distribution_view(
        {
            "rule": close["rule"],
            "distributable_cents": close["distributable_cents"],
            "pool": close["pool"],
            "notes": close.get("notes", []),
            "shares": [*funds, *([own] if own else [])],
        },
        names,
        figures,
    )


def member_share(data: Mapping[str, Any], member_id: int) -> dict[str, Any] | None:
    """A member's share explained, from the close's distribution JSON (None if absent).

    A statement row keeps the member's figures and share in cents; the explanation, the
    month's rule, totals and funds are the close's (`period_close.distribution`), and the
    prestations it lists are read from the journal (figures.counted_lines)."""
    return next((s for s in data.get("shares", ()) if s.get("member_id") == member_id), None)
