"""The money side of a vote: what each fund holds, a spending the fund cannot cover, and an
adopted proposal's effect that could not be carried out, in the reader's language.

A fund is an equity account `fund:<name>`: its balance is a credit (negative), what it holds is
the opposite. When a fund-spending proposal is adopted but the fund holds less than the amount
at the close, nothing is spent and the proposal's `effect_error` keeps `fund_short:<fund>:<cents
held>` (written by `shortfall`, read by `failure_of`): a code with its parameters, so that every
reader sees it in their own language. Other failed effects keep the English message of the
refusal, translated when shown.

Pure module: the balances are read from the books by governance/votes/drafting/fund_reads.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from governance.base.errors import Conflict
from governance.base.i18n import _, money
from governance.language.labels import fund_label

FUND_PREFIX = "fund:"
SHORT = "fund_short"


@dataclass(frozen=True)
class FundState:
    """A spending's fund now: what it holds and what the proposal asks (cents)."""

    fund: str
    held_cents: int
    amount_cents: int

    @property
    def enough(self) -> bool:
        return self.held_cents >= self.amount_cents


@dataclass(frozen=True)
class Shortfall:
    """At the close, `fund` held `held_cents`, less than the spending voted."""

    fund: str
    held_cents: int


class FundTooLow(Conflict):
    """The fund cannot cover the spending; `stored` is what `effect_error` keeps."""

    def __init__(self, fund: str, held_cents: int) -> None:
        super().__init__("The fund does not hold enough for this spending.")
        self.stored = shortfall(fund, held_cents)


def shortfall(fund: str, held_cents: int) -> str:
    return f"{SHORT}:{fund}:{held_cents}"


def failure_of(effect_error: str) -> Shortfall | None:
    """The shortfall `effect_error` records, or None (no failure, or another one)."""
    code, _sep, rest = effect_error.partition(":")
    fund, _sep, held = rest.partition(":")
    if code != SHORT or not held.lstrip("-").isdigit():
        return None
    return Shortfall(fund, int(held))


def _fund_name(fund: str) -> str:
    try:
        return fund_label(fund)
    except KeyError:
        return fund


def refusal(fund: str, held_cents: int) -> str:
    """Drafting refused: the fund named, with its balance."""
    return _(
        "%(fund)s: %(held)s available, not enough for this spending. Ask for at most that "
        "amount, or wait until the fund has received more."
    ) % {"fund": _fund_name(fund), "held": money(held_cents)}


def failure_text(effect_error: str) -> str:
    """Why an adopted proposal's effect was not carried out, in the reader's language."""
    short = failure_of(effect_error)
    if short is not None:
        return _(
            "Adopted, but not carried out: at the close the fund held only %(held)s "
            "(%(fund)s), not enough for this spending, so nothing was spent."
        ) % {"fund": _fund_name(short.fund), "held": money(short.held_cents)}
    return _("Adopted, but not carried out: %(reason)s") % {"reason": _(effect_error)}


def not_carried_out(effect_error: str) -> str:
    """The outcome of an adopted proposal whose effect failed, in a few words."""
    short = failure_of(effect_error)
    if short is not None:
        return _("Adopted, not carried out: the fund holds %(held)s") % {
            "held": money(short.held_cents)
        }
    return _("Adopted, not carried out")
