"""What a member is owed, month by month, as a statement prints it: lines that add up. Pure.

Everything comes from the member's payable account (`payable:<id>`): the cooperative owes
the member minus its balance. Every ledger line carries the month it counts in (its entry's
period: a payout sent in November counts in November, work dated in a closed month counts in
the next open one), so a closed month's movements are the account's lines of that period:

    owed at the start of the month        (every earlier period's lines)
  + the share of the month                (the close entry)
  + travel reimbursements of the month    (prestations validated or reversed)
  + other movements of the month          (any other kind; shown only when not zero)
  − each payment counted in the month     (payout entries: date and batch)
  = owed at the end of the month

and then, up to today:

  + shares and travel of later months
  − each payment since
  = owed today, all months together       (the account's balance now)

`statements.member_statement` checks the last line against the running balance of the
account; a test checks every line against the trial balance of each period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from governance.base.i18n import _, date_short
from governance.language.months import month_of

SHARE_KINDS = ("close",)
TRAVEL_KINDS = ("prestation", "reversal")  # validating work credits its travel; reversing debits
PAYOUT_KIND = "payout"


@dataclass(frozen=True)
class Payment:
    """A payout that debited the member's payable account."""

    entry_id: int
    date: dt.date
    period: str  # the month it counts in
    amount_cents: int  # positive: money the member received
    batch_id: int | None  # the payout batch that posted it (None: not posted by a batch)


@dataclass(frozen=True)
class Reconciliation:
    """A closed month's movements on the member's payable account, and what came after."""

    month: str
    opening_cents: int  # owed at the start of the month: every earlier month, net of payments
    share_cents: int
    travel_cents: int
    other_cents: int  # any other movement of the month (0 in the usual case)
    paid: tuple[Payment, ...]  # payments counted in the month
    later_cents: int  # shares, travel and other movements of the months after
    paid_since: tuple[Payment, ...]  # payments counted in the months after

    @property
    def paid_cents(self) -> int:
        return sum(p.amount_cents for p in self.paid)

    @property
    def paid_since_cents(self) -> int:
        return sum(p.amount_cents for p in self.paid_since)

    @property
    def closing_cents(self) -> int:
        """Owed at the end of the month."""
        return (
            self.opening_cents
            + self.share_cents
            + self.travel_cents
            + self.other_cents
            - self.paid_cents
        )

    @property
    def today_cents(self) -> int:
        """Owed today, all months together."""
        return self.closing_cents + self.later_cents - self.paid_since_cents

    @property
    def owed_for_month_cents(self) -> int:
        """The month's own contribution: the share and the travel (and other movements)."""
        return self.share_cents + self.travel_cents + self.other_cents


def reconcile(
    month: str, sums: Iterable[tuple[str, str, int]], payments: Iterable[Payment]
) -> Reconciliation:
    """The reconciliation of `month` from the payable account's lines.

    `sums`: (period, entry kind, sum of the line amounts) for every line of the account but
    payouts, amounts as the ledger signs them (a credit, owed to the member, is negative);
    `payments`: every payout line of the account, in posting order.
    """
    opening = share = travel = other = later = 0
    for period, kind, amount in sums:
        owed = -amount
        if period < month:
            opening += owed
        elif period > month:
            later += owed
        elif kind in SHARE_KINDS:
            share += owed
        elif kind in TRAVEL_KINDS:
            travel += owed
        else:
            other += owed
    paid, since = [], []
    for payment in payments:
        if payment.period < month:
            opening -= payment.amount_cents
        elif payment.period == month:
            paid.append(payment)
        else:
            since.append(payment)
    return Reconciliation(
        month=month,
        opening_cents=opening,
        share_cents=share,
        travel_cents=travel,
        other_cents=other,
        paid=tuple(paid),
        later_cents=later,
        paid_since=tuple(since),
    )


@dataclass(frozen=True)
class Line:
    """One line of the reconciliation as the page, the PDF and the CSV print it."""

    section: str  # the CSV's section: opening, share, travel, other, paid, owed, later, balance
    label: str
    sign: str  # "+", "−" or "=" ("" for the first line)
    cents: int  # positive for a payment: the sign says it is taken away
    date: dt.date | None = None  # a payment's date

    @property
    def total(self) -> bool:
        return self.sign == "="

    @property
    def signed_cents(self) -> int:
        return -self.cents if self.sign == "−" else self.cents


def _paid(payment: Payment) -> Line:
    values = {"date": date_short(payment.date), "batch": payment.batch_id}
    text = (
        _("Paid on %(date)s, batch #%(batch)s") % values
        if payment.batch_id is not None
        else _("Paid on %(date)s") % values
    )
    return Line("paid", text, "−", payment.amount_cents, payment.date)


def month_lines(owed: Reconciliation) -> list[Line]:
    """From what was owed at the start of the month to what was owed at its end."""
    of = {"of_month": month_of(owed.month)}
    lines = [
        Line(
            "opening",
            _("Owed to you at the start of %(of_month)s, from earlier months") % of,
            "",
            owed.opening_cents,
        ),
        Line("share", _("Your share of %(of_month)s") % of, "+", owed.share_cents),
    ]
    if owed.travel_cents:
        lines.append(
            Line("travel", _("Travel reimbursements of %(of_month)s") % of, "+", owed.travel_cents)
        )
    if owed.other_cents:
        lines.append(
            Line("other", _("Other movements of %(of_month)s") % of, "+", owed.other_cents)
        )
    lines.extend(_paid(p) for p in owed.paid)
    lines.append(
        Line("owed", _("Owed to you at the end of %(of_month)s") % of, "=", owed.closing_cents)
    )
    return lines


def since_lines(owed: Reconciliation) -> list[Line]:
    """From the end of the month to today (only the total when nothing happened since)."""
    lines = [
        Line(
            "owed",
            _("Owed to you at the end of %(of_month)s") % {"of_month": month_of(owed.month)},
            "",
            owed.closing_cents,
        )
    ]
    if owed.later_cents:
        lines.append(
            Line("later", _("Shares and travel of the months after"), "+", owed.later_cents)
        )
    lines.extend(_paid(p) for p in owed.paid_since)
    lines.append(
        Line("balance", _("Owed to you today, all months together"), "=", owed.today_cents)
    )
    return lines


def adds_up(lines: list[Line]) -> bool:
    """Whether the lines before the total add up to it (the total is the last line)."""
    return sum(line.signed_cents for line in lines[:-1]) == lines[-1].cents
