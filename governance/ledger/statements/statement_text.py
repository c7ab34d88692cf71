"""How statements word things: numbers, durations, kinds of work, the rule. Pure module.

One wording for each idea: the rule's settings are named here with the same messages as the
month pages (`ledger/closing/_period_labels.html`), so "who shares" reads the same on the month
page, the statement and its PDF. Texts are computed where they are shown, in the language of
that request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.numbers import format_decimal

from governance.base.i18n import FORMAT_LOCALES, _, current_language
from governance.language.labels import label as label_of
from governance.language.months import month_name


def _locale() -> Locale:
    return Locale.parse(FORMAT_LOCALES.get(current_language(), "fr_BE"))


def number_text(value: Decimal | int) -> str:
    return format_decimal(value, locale=_locale())


def percent_text(percent: Decimal) -> str:
    """`Decimal("12.5")` -> `12,5 %` in French."""
    return number_text(percent) + "\u00a0%"


@dataclass(frozen=True)
class RuleView:
    """The rule applied at the close of `month`, as it was stored then."""

    basis: str
    funds: tuple[tuple[str, Decimal], ...]
    keys: tuple[tuple[str, Decimal], ...]
    eligible: str
    start_month: str  # the first month of its version ("" unknown)
    template: str  # "" for a rule adopted by a proposal
    month: str = ""  # the month it was applied to

    @property
    def basis_text(self) -> str:
        return label_of("basis", self.basis)

    @property
    def eligible_text(self) -> str:
        return label_of("eligible", self.eligible)

    @property
    def start_month_text(self) -> str:
        return month_name(self.start_month) if self.start_month else ""

    @property
    def period_text(self) -> str:
        """Since when the rule applies, true for the month it was applied to.

        A cooperative's first rule also applies to the months before the one it was chosen
        in (work can be recorded for earlier months): "since December 2026" on October's
        statement would be false, so it says it is the first rule."""
        if not self.start_month:
            return ""
        if self.month and self.month < self.start_month:
            return _(
                "The cooperative's first rule, chosen at its creation: it applies to every "
                "month until another rule is adopted."
            )
        return _("In force since %(month)s") % {"month": self.start_month_text}

    @property
    def template_text(self) -> str:
        return label_of("template", self.template) if self.template else ""

    @property
    def fund_lines(self) -> list[str]:
        return [
            _("%(fund)s: %(percent)s") % {"fund": label_of("fund", f), "percent": percent_text(p)}
            for f, p in self.funds
        ]

    @property
    def key_lines(self) -> list[str]:
        return [
            _("%(key)s: %(percent)s") % {"key": label_of("key", k), "percent": percent_text(w)}
            for k, w in self.keys
        ]


def rule_of(data: Mapping[str, Any], start_month: str, template: str, month: str = "") -> RuleView:
    return RuleView(
        basis=str(data.get("basis", "")),
        funds=tuple((f["fund"], Decimal(f["percent"])) for f in data.get("funds", ())),
        keys=tuple((k["key"], Decimal(k["weight"])) for k in data.get("member_keys", ())),
        eligible=str(data.get("eligible", "")),
        start_month=start_month,
        template=template,
        month=month,
    )
