"""What a statement shows, as view models, built from what the close stored. Pure module.

`governance.ledger.statements` reads the rows and checks every amount against the ledger; this
module only turns the close's JSON (`closing.distribution_data`, `member_share`)
into dataclasses that the page, the PDF and the CSV print alike. Texts that depend on the
reader's language (month names, exact amounts, labels) are properties, computed where they
are shown, in the language of that request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from governance.i18n import FORMAT_LOCALES, N_, _, current_language, money, ngettext
from governance.ledger.rules import fund_label, key_label, template_label

EXACT_DIGITS = 4
_KIND_LABELS = {
    "on_site": N_("On site"),
    "phone": N_("Phone"),
    "video": N_("Video"),
    "translation": N_("Translation"),
    "project_day": N_("Project day"),
    "workshop_day": N_("Workshop day"),
    "fixed_price": N_("Fixed-price job"),
    "training": N_("Training"),
    "other": N_("Other"),
}
_ELIGIBILITY_LABELS = {
    "members_with_prestations": N_("Members who had prestations in the month"),
    "all_active_members": N_("All active members (cooperators and workers)"),
}
_BASIS_LABELS = {
    "accrual": N_("Validated prestations of the month"),
    "cash": N_("Client payments received in the month"),
}
CHECK_COMMAND = (
    "governance audit check-statement --coop-id {coop} --month {month} --seq {seq} "
    "--head {head} --signature {signature} --public-key {key}"
)


def _locale() -> Locale:
    return Locale.parse(FORMAT_LOCALES.get(current_language(), "fr_BE"))


def money_exact(cents: Fraction | int, currency: str = "EUR") -> str:
    """An exact quota in cents, shown in euros with 4 decimals: `Fraction(5665577, 100)` ->
    `566,5577 €` in French (rounded half-even at the 4th decimal, for reading only)."""
    locale = _locale()
    euros = Decimal(cents.numerator) / Decimal(cents.denominator) / 100
    pattern = locale.currency_formats["standard"].pattern.replace("0.00", "0." + "0" * EXACT_DIGITS)
    value = euros.quantize(Decimal(1).scaleb(-EXACT_DIGITS))
    return format_currency(value, currency, format=pattern, locale=locale, currency_digits=False)


def month_label(month: str, short: bool = False) -> str:
    """`"2026-10"` -> `octobre 2026` (`oct. 2026` when short) in the reader's language."""
    first = dt.date(int(month[:4]), int(month[5:7]), 1)
    return format_date(first, "LLL yyyy" if short else "LLLL yyyy", locale=_locale())


def duration_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    return sign + _("%(hours)d h %(minutes)02d") % {"hours": hours, "minutes": rest}


def number_text(value: Decimal | int) -> str:
    return format_decimal(value, locale=_locale())


def percent_text(percent: Decimal) -> str:
    """`Decimal("12.5")` -> `12,5 %` in French."""
    return number_text(percent) + "\u00a0%"


def kind_label(kind: str) -> str:
    return _(_KIND_LABELS[kind]) if kind in _KIND_LABELS else kind


def _label(function: Any, name: str) -> str:
    try:
        return str(function(name))
    except KeyError:
        return name


def fraction_of(text: str) -> Fraction:
    """An exact quota as the close stores it: `"5665577/100"` -> Fraction(5665577, 100)."""
    return Fraction(text)


@dataclass(frozen=True)
class PrestationLine:
    id: int
    date: dt.date
    client: str
    kind: str
    minutes: int
    amount_cents: int  # negative for a reversal
    reversal: bool  # cancels work counted before: subtracts
    adjustment: bool  # dated in an earlier month, counted in this one

    @property
    def kind_text(self) -> str:
        return kind_label(self.kind)

    @property
    def duration(self) -> str:
        return duration_text(self.minutes) if self.minutes else ""


@dataclass(frozen=True)
class KeyPart:
    """One member key of the rule applied to one member: value / total × the key's part of P."""

    key: str
    weight: Decimal
    value: int
    total: int
    quota: Fraction  # cents, exact

    @property
    def label(self) -> str:
        return _label(key_label, self.key)

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
    def quota_text(self) -> str:
        return money_exact(self.quota)


@dataclass(frozen=True)
class Share:
    """A member's or a fund's share: the exact quota, the cents, the cents rounding added."""

    cents: int
    quota: Fraction
    rounding: int
    keys: tuple[KeyPart, ...] = ()

    @property
    def quota_text(self) -> str:
        return money_exact(self.quota)

    @property
    def rounding_text(self) -> str:
        """How many cents the rounding to the cent added to the exact quota."""
        if not self.rounding:
            return _("No cent added by rounding.")
        return ngettext(
            "%(num)d cent added by rounding.", "%(num)d cents added by rounding.", self.rounding
        ) % {"num": self.rounding}


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
    fund: str
    percent: Decimal | None  # None: the rule has no percent for it (the reserve takes a loss)
    share: Share

    @property
    def label(self) -> str:
        return _label(fund_label, self.fund)

    @property
    def percent_text(self) -> str:
        return percent_text(self.percent) if self.percent is not None else ""


@dataclass(frozen=True)
class RuleView:
    """The rule applied at the close, as it was stored then."""

    basis: str
    funds: tuple[tuple[str, Decimal], ...]
    keys: tuple[tuple[str, Decimal], ...]
    eligible: str
    start_month: str
    template: str  # "" for a rule adopted by a proposal

    @property
    def basis_text(self) -> str:
        return _(_BASIS_LABELS[self.basis]) if self.basis in _BASIS_LABELS else self.basis

    @property
    def eligible_text(self) -> str:
        label = _ELIGIBILITY_LABELS.get(self.eligible)
        return _(label) if label else self.eligible

    @property
    def start_month_text(self) -> str:
        return month_label(self.start_month) if self.start_month else ""

    @property
    def template_text(self) -> str:
        return _label(template_label, self.template) if self.template else ""

    @property
    def fund_lines(self) -> list[str]:
        return [
            _("%(fund)s: %(percent)s") % {"fund": _label(fund_label, f), "percent": percent_text(p)}
            for f, p in self.funds
        ]

    @property
    def key_lines(self) -> list[str]:
        return [
            _("%(key)s: %(percent)s") % {"key": _label(key_label, k), "percent": percent_text(w)}
            for k, w in self.keys
        ]


def rule_of(data: Mapping[str, Any], start_month: str, template: str) -> RuleView:
    return RuleView(
        basis=str(data.get("basis", "")),
        funds=tuple((f["fund"], Decimal(f["percent"])) for f in data.get("funds", ())),
        keys=tuple((k["key"], Decimal(k["weight"])) for k in data.get("member_keys", ())),
        eligible=str(data.get("eligible", "")),
        start_month=start_month,
        template=template,
    )


def funds_of(shares: Sequence[Mapping[str, Any]], rule: RuleView) -> tuple[FundShare, ...]:
    percents = dict(rule.funds)
    return tuple(
        FundShare(s["fund"], percents.get(s["fund"]), share_of(s))
        for s in shares
        if s.get("fund") is not None
    )


def prestations_of(rows: Sequence[Mapping[str, Any]]) -> tuple[PrestationLine, ...]:
    return tuple(
        PrestationLine(
            id=int(p["id"]),
            date=dt.date.fromisoformat(p["date"]),
            client=str(p["client"]),
            kind=str(p["kind"]),
            minutes=int(p["minutes"]),
            amount_cents=int(p["amount_cents"]),
            reversal=bool(p["reversal"]),
            adjustment=bool(p["adjustment"]),
        )
        for p in rows
    )


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
class Payment:
    """A payout that debited the member's payable account after the close."""

    entry_id: int
    date: dt.date
    amount_cents: int  # positive: money the member received


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
    travel_cents: int  # travel reimbursements credited to payable in the period (net)
    payments: tuple[Payment, ...]
    balance_cents: int  # what the cooperative owes the member today, all months together
    checkpoint: CheckpointView

    @property
    def owed_cents(self) -> int:
        return self.share.cents + self.travel_cents

    @property
    def paid_cents(self) -> int:
        return sum(p.amount_cents for p in self.payments)

    @property
    def month_text(self) -> str:
        return month_label(self.month)

    @property
    def pool_text(self) -> str:
        return money_exact(self.pool)

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
        return month_label(self.month)

    @property
    def pool_text(self) -> str:
        return money_exact(self.pool)


@dataclass(frozen=True)
class StatementSummary:
    """One line of a list of statements: a member's month, or a closed month of the cooperative."""

    month: str
    cents: int  # the member's share, or the cooperative's distributable amount

    @property
    def month_text(self) -> str:
        return month_label(self.month)

    @property
    def short_month_text(self) -> str:
        return month_label(self.month, short=True)


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


def member_share(data: Mapping[str, Any], member_id: int) -> dict[str, Any] | None:
    """A member's share explained, from the close's distribution JSON (None if absent).

    A statement row keeps the member's figures and share in cents; the explanation, the
    month's rule, totals and funds are the close's (`period_close.distribution`), and the
    prestations it lists are read from the journal (figures.counted_lines)."""
    return next((s for s in data.get("shares", ()) if s.get("member_id") == member_id), None)
