"""What a statement shows, as view models, built from what the close stored. Pure module.

`governance.ledger.statements.statements` reads the rows and checks every amount against the
ledger; this
module only turns the close's JSON (`closing.distribution_data`, `member_share`)
into dataclasses that the page, the PDF and the CSV print alike. Texts that depend on the
reader's language (month names, exact amounts, labels) are properties, computed where they
are shown, in the language of that request.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from governance.base.i18n import _, money
from governance.language.durations import duration_text
from governance.language.labels import label as label_of
from governance.language.months import month_name, month_of
from governance.ledger.reversals.reversal_notes import ReversalNote
from governance.ledger.statements.statement_lines import PrestationLine, prestations_of
from governance.ledger.statements.statement_reconciliation import Payment, Reconciliation
from governance.ledger.statements.statement_text import (
    RuleView,
    number_text,
    percent_text,
    rule_of,
)

__all__ = ["Payment", "PrestationLine", "Reconciliation", "RuleView", "prestations_of", "rule_of"]

CHECK_COMMAND = (
    "governance audit check-statement --coop-id {coop} --month {month} --seq {seq} "
    "--head {head} --signature {signature} --public-key {key}"
)


def fraction_of(text: str) -> Fraction:
    """An exact quota as the close stores it: `"5665577/100"` -> Fraction(5665577, 100)."""
    return Fraction(text)


@dataclass(frozen=True)
class KeyPart:
    """One member key of the rule applied to one member: value / total × the key's part of P."""

    key: str
    weight: Decimal
    value: int
    total: int
    quota: Fraction  # cents, exact

    @property
    def cents(self) -> int:
        """The key's part in whole cents, rounded down, as on the month page: what rounding
        adds is a line of its own, so the lines add up to the share exactly."""
        return math.floor(self.quota)

    @property
    def label(self) -> str:
        return label_of("key", self.key)

    @property
    def weight_text(self) -> str:
        return percent_text(self.weight)

    def _amount(self, value: int) -> str:
        if self.key == "revenue_generated":
            return money(value)
        if self.key == "hours":
            return duration_text(value)
        return number_text(value)

    @property
    def value_text(self) -> str:
        return self._amount(self.value)

    @property
    def total_text(self) -> str:
        return self._amount(self.total)

    @property
    def sentence(self) -> str:
        """The month page's wording of a key (ledger/closing/_period_parts.html, `explain`)."""
        return _(
            "%(key)s, %(weight)s of the members' pool: %(value)s out of %(total)s, so %(amount)s."
        ) % {
            "key": self.label,
            "weight": self.weight_text,
            "value": self.value_text,
            "total": self.total_text,
            "amount": money(self.cents),
        }


@dataclass(frozen=True)
class Share:
    """A member's or a fund's share: the cents, the exact quota, the key by key explanation."""

    cents: int
    quota: Fraction
    rounding: int
    keys: tuple[KeyPart, ...] = ()

    @property
    def keys_rounding(self) -> int:
        """What rounding to the cent added to the keys' whole cents (0 without keys)."""
        return self.cents - sum(k.cents for k in self.keys) if self.keys else 0


NO_SHARE = Share(0, Fraction(0), 0)


def share_of(data: Mapping[str, Any] | None) -> Share:
    """A share as `distribution_data` stores it (cents, quota "n/d", rounding, keys)."""
    if not data:
        return NO_SHARE
    return Share(
        cents=int(data["cents"]),
        quota=fraction_of(data["quota"]),
        rounding=int(data["rounding"]),
        keys=tuple(
            KeyPart(
                key=k["key"],
                weight=Decimal(k["weight"]),
                value=int(k["value"]),
                total=int(k["total"]),
                quota=fraction_of(k["quota"]),
            )
            for k in data.get("keys", ())
        ),
    )


@dataclass(frozen=True)
class FundShare:
    """A fund's share of the month, and what its amount is a part of."""

    fund: str
    percent: Decimal | None  # None: the rule has no percent for it (the reserve takes a loss)
    share: Share
    distributable_cents: int  # D, the base of every fund's percentage

    @property
    def label(self) -> str:
        return label_of("fund", self.fund)

    @property
    def percent_text(self) -> str:
        return percent_text(self.percent) if self.percent is not None else ""

    @property
    def base_text(self) -> str:
        """What the amount is: "10 % of 3 759,00 €" (of the distributable amount), the
        month's loss, or the members' pool that nobody could share."""
        if self.distributable_cents <= 0:
            if self.share.cents < 0:
                return _("The month's loss, charged to this fund")
            return _("Nothing to share this month")
        base = money(self.distributable_cents)
        percent = self.percent or Decimal(0)
        if self.share.quota == Fraction(self.distributable_cents) * Fraction(percent) / 100:
            return _("%(percent)s of %(amount)s") % {"percent": self.percent_text, "amount": base}
        if percent:
            return _("%(percent)s of %(amount)s, plus the members' pool nobody could share") % {
                "percent": self.percent_text,
                "amount": base,
            }
        return _("The members' pool, that nobody could share this month")


def funds_of(
    shares: Sequence[Mapping[str, Any]], rule: RuleView, distributable_cents: int
) -> tuple[FundShare, ...]:
    percents = dict(rule.funds)
    return tuple(
        FundShare(s["fund"], percents.get(s["fund"]), share_of(s), distributable_cents)
        for s in shares
        if s.get("fund") is not None
    )


def pool_cents(distributable_cents: int, funds: Sequence[FundShare]) -> int:
    """The members' pool as the page adds it up: D minus the funds' cents (0 without profit)."""
    if distributable_cents <= 0:
        return 0
    return distributable_cents - sum(f.share.cents for f in funds)


@dataclass(frozen=True)
class CheckpointView:
    """The signed audit head printed on every statement of the month."""

    cooperative_id: int
    month: str
    seq: int
    head_hash: str
    signature: str
    public_key: str
    # The hash of the checkpoint before it (None for checkpoints made before they formed a
    # chain): signed with the head, so the command needs it.
    previous: str | None = None

    @property
    def command(self) -> str:
        command = CHECK_COMMAND.format(
            coop=self.cooperative_id,
            month=self.month,
            seq=self.seq,
            head=self.head_hash,
            signature=self.signature,
            key=self.public_key,
        )
        return command if self.previous is None else f"{command} --previous {self.previous}"


@dataclass(frozen=True)
class MemberStatement:
    cooperative: str
    currency: str
    month: str
    member_id: int
    member_name: str
    closed_at: dt.datetime
    prestations: tuple[PrestationLine, ...]
    minutes: int
    revenue_cents: int
    share: Share
    funds: tuple[FundShare, ...]
    rule: RuleView
    distributable_cents: int
    pool: Fraction
    notes: tuple[str, ...]
    reconciliation: Reconciliation  # the payable account before, in and after the month
    checkpoint: CheckpointView

    @property
    def travel_cents(self) -> int:
        return self.reconciliation.travel_cents

    @property
    def owed_cents(self) -> int:
        """What the month itself adds: the share, the travel (and other movements)."""
        return self.reconciliation.owed_for_month_cents

    @property
    def balance_cents(self) -> int:
        """What the cooperative owes the member today, all months together."""
        return self.reconciliation.today_cents

    @property
    def month_text(self) -> str:
        return month_name(self.month)

    @property
    def of_month_text(self) -> str:
        return month_of(self.month)

    @property
    def pool_cents(self) -> int:
        return pool_cents(self.distributable_cents, self.funds)

    @property
    def duration(self) -> str:
        return duration_text(self.minutes) if self.minutes else ""


@dataclass(frozen=True)
class MemberRow:
    """One member on the cooperative's statement."""

    member_id: int
    name: str
    revenue_cents: int
    minutes: int
    prestations: int
    share: Share
    has_statement: bool

    @property
    def duration(self) -> str:
        return duration_text(self.minutes) if self.minutes else ""


@dataclass(frozen=True)
class CooperativeStatement:
    cooperative: str
    currency: str
    month: str
    closed_at: dt.datetime
    income_cents: int
    expense_cents: int
    distributable_cents: int
    pool: Fraction
    loss_cents: int
    notes: tuple[str, ...]
    rule: RuleView
    funds: tuple[FundShare, ...]
    members: tuple[MemberRow, ...]
    checkpoint: CheckpointView

    @property
    def shares_cents(self) -> int:
        return sum(f.share.cents for f in self.funds) + sum(m.share.cents for m in self.members)

    @property
    def month_text(self) -> str:
        return month_name(self.month)

    @property
    def of_month_text(self) -> str:
        return month_of(self.month)

    @property
    def pool_cents(self) -> int:
        return pool_cents(self.distributable_cents, self.funds)


@dataclass(frozen=True)
class StatementSummary:
    """One line of a list of statements: a member's month, or a closed month of the cooperative."""

    month: str
    cents: int  # the member's share, or the cooperative's distributable amount

    @property
    def month_text(self) -> str:
        return month_name(self.month)

    @property
    def short_month_text(self) -> str:
        return month_name(self.month, short=True)


@dataclass(frozen=True)
class StatementIndex:
    """The statements page: the reader's own statements and, if they may, the cooperative's."""

    mine: tuple[StatementSummary, ...] | None  # None: their role has no statements
    cooperative: tuple[StatementSummary, ...] | None  # None: they may not read them


@dataclass(frozen=True)
class Earnings:
    """A member's earnings page: owed now, the latest statements, month by month."""

    member_id: int
    balance_cents: int
    latest: tuple[StatementSummary, ...]
    months: tuple[StatementSummary, ...]  # oldest first, the cooperative's closed months
    reversals: tuple[ReversalNote, ...] = ()  # the latest cancelled work, newest first
