"""The minimums a vote must meet, by what its effect touches (pure).

Every proposal falls in one category: `money` (a distribution rule, a fund spending),
`membership` (admitting or ending a membership, electing or recalling a coordinator), `rules`
(a decision carrying new voting rules) or `none` (a decision without effect). Each category
has a minimum quorum (a share of the eligible voters, in whole percent) and a minimum duration
(whole days between the opening and the close). They are part of the voting rules, kept in the
cooperative's settings under `vote_minimums`, and change only by an adopted decision.

- Opening a proposal raises its quorum to the minimum of its category when it is lower, and
  refuses a closing time earlier than the minimum duration.
- The count uses the higher of the proposal's quorum and the minimum in force at the close.
- The `rules` minimums are never below those of `money` and `membership`: otherwise a quick
  vote on the rules could lower the other minimums and take the short way round them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from babel.numbers import format_percent

from governance.base.i18n import FORMAT_LOCALES, _, current_language, ngettext
from governance.input.forms import Form
from governance.votes.counting.kinds import ProposalKind

CATEGORIES = ("money", "membership", "rules", "none")
PROTECTED = ("money", "membership")  # what the `rules` minimums may not be weaker than
MAX_DAYS = 60  # a vote stays open at most 90 days: a minimum of 60 leaves room
MAX_PERCENT = 100


@dataclass(frozen=True)
class Minimum:
    quorum_percent: int  # 0 to 100: the share of the eligible voters who must take part
    days: int  # 0 to 60: how long the vote stays open at least (0: only the 10 minutes)

    @property
    def quorum(self) -> Fraction:
        return Fraction(self.quorum_percent, 100)

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(days=self.days)

    def as_settings(self) -> dict[str, int]:
        return {"quorum_percent": self.quorum_percent, "days": self.days}


# Safe defaults (docs/votes.md): half of the voters and a full week for what moves money,
# membership or the rules; nothing beyond the general 10 minutes for a decision without effect.
DEFAULTS: dict[str, Minimum] = {
    "money": Minimum(50, 7),
    "membership": Minimum(50, 7),
    "rules": Minimum(50, 7),
    "none": Minimum(0, 0),
}


@dataclass(frozen=True)
class Minimums:
    money: Minimum = DEFAULTS["money"]
    membership: Minimum = DEFAULTS["membership"]
    rules: Minimum = DEFAULTS["rules"]
    none: Minimum = DEFAULTS["none"]

    def of(self, category: str) -> Minimum:
        minimum: Minimum = getattr(self, category)
        return minimum

    def as_settings(self) -> dict[str, dict[str, int]]:
        return {c: self.of(c).as_settings() for c in CATEGORIES}

    def lines(self) -> list[tuple[str, str]]:
        """Each category's name and what it needs, in the reader's language (for pages)."""
        return [(category_name(c), describe(self.of(c))) for c in CATEGORIES]

    def named(self) -> list[tuple[str, str]]:
        """Each category and its name in the reader's language (for forms)."""
        return [(c, category_name(c)) for c in CATEGORIES]

    def form_fields(self, prefix: str) -> dict[str, str]:
        return form_fields(self, prefix)


def category_of(kind: str, effect: Mapping[str, Any]) -> str:
    """`money`, `membership`, `rules` or `none`: what adopting the proposal changes."""
    if kind in (ProposalKind.DISTRIBUTION_RULE, ProposalKind.FUND_SPENDING):
        return "money"
    if kind in (ProposalKind.MEMBERSHIP, ProposalKind.MANDATE):
        return "membership"
    if "voting_rules" in effect:
        return "rules"
    return "none"


def _whole(value: object, top: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
        return None
    return value


def _guarded(found: dict[str, Minimum]) -> Minimums:
    """The `rules` minimums raised to the strictest of those they protect."""
    rules = found["rules"]
    found["rules"] = Minimum(
        max([rules.quorum_percent, *(found[c].quorum_percent for c in PROTECTED)]),
        max([rules.days, *(found[c].days for c in PROTECTED)]),
    )
    return Minimums(**found)


def minimums_from(value: object) -> Minimums:
    """The minimums kept in the settings; the default for each one missing or malformed."""
    stored = value if isinstance(value, Mapping) else {}
    found: dict[str, Minimum] = {}
    for name in CATEGORIES:
        entry = stored.get(name)
        entry = entry if isinstance(entry, Mapping) else {}
        percent = _whole(entry.get("quorum_percent"), MAX_PERCENT)
        days = _whole(entry.get("days"), MAX_DAYS)
        default = DEFAULTS[name]
        found[name] = Minimum(
            default.quorum_percent if percent is None else percent,
            default.days if days is None else days,
        )
    return _guarded(found)


def field_names(prefix: str, category: str) -> tuple[str, str]:
    return f"{prefix}min_{category}_quorum", f"{prefix}min_{category}_days"


def parse_minimums(form: Form, prefix: str = "") -> Minimums:
    """From a form: `min_<category>_quorum` (0 to 100 %) and `min_<category>_days` (0 to 60)
    for each category; the `rules` ones at least those of money and membership."""
    found: dict[str, Minimum] = {}
    for name in CATEGORIES:
        quorum_field, days_field = field_names(prefix, name)
        percent = form.integer(quorum_field)
        if percent is not None and percent > MAX_PERCENT:
            form.fail(quorum_field, _("A minimum quorum is a percentage from 0 to 100."))
            percent = None
        days = form.integer(days_field)
        if days is not None and days > MAX_DAYS:
            form.fail(
                days_field,
                _("A minimum duration is between 0 and %(count)d days.") % {"count": MAX_DAYS},
            )
            days = None
        found[name] = Minimum(percent or 0, days or 0)
    quorum_field, days_field = field_names(prefix, "rules")
    rules = found["rules"]
    if quorum_field not in form.errors and any(
        rules.quorum_percent < found[c].quorum_percent for c in PROTECTED
    ):
        form.fail(
            quorum_field,
            _(
                "Votes on the voting rules need at least the quorum of votes on money and "
                "membership: otherwise a quick vote on the rules could lower the others."
            ),
        )
    if days_field not in form.errors and any(rules.days < found[c].days for c in PROTECTED):
        form.fail(
            days_field,
            _(
                "Votes on the voting rules stay open at least as long as votes on money and "
                "membership: otherwise a quick vote on the rules could lower the others."
            ),
        )
    return Minimums(**found)


def form_fields(minimums: Minimums, prefix: str) -> dict[str, str]:
    """The form values that `parse_minimums` reads back into `minimums`."""
    values = {}
    for name in CATEGORIES:
        quorum_field, days_field = field_names(prefix, name)
        values[quorum_field] = str(minimums.of(name).quorum_percent)
        values[days_field] = str(minimums.of(name).days)
    return values


def raised_quorum(quorum: str, minimum: Minimum, value: Fraction) -> str:
    """The quorum a proposal opens with: its own (`quorum`, worth `value`), or the minimum
    when that is higher, written as a fraction ("1/2", "3/5")."""
    if value >= minimum.quorum:
        return quorum
    return f"{minimum.quorum.numerator}/{minimum.quorum.denominator}"


def percent(value: Fraction) -> str:
    """1/2 → "50 %" in French, "50%" in English: in the reader's language."""
    number = Decimal(value.numerator) / Decimal(value.denominator)
    locale = FORMAT_LOCALES.get(current_language(), "fr_BE")
    return format_percent(number, locale=locale)


def category_name(category: str) -> str:
    return {
        "money": _("Votes that move money (a distribution rule, a fund spending)"),
        "membership": _("Votes on membership (admitting, ending, a coordinator's mandate)"),
        "rules": _("Votes that change the voting rules"),
        "none": _("Other decisions (no effect)"),
    }[category]


def category_sentence(category: str) -> str:
    """What a proposal of this category does, as a proposal's page says it."""
    return {
        "money": _("This vote moves money."),
        "membership": _("This vote changes who is a member or who coordinates."),
        "rules": _("This vote changes the voting rules."),
        "none": _("This decision has no effect by itself."),
    }[category]


def describe(minimum: Minimum) -> str:
    """What a category needs, as a sentence in the reader's language."""
    values = {"quorum": percent(minimum.quorum), "num": minimum.days}
    if minimum.quorum_percent and minimum.days:
        return (
            ngettext(
                "At least %(quorum)s of the eligible voters take part; open at least %(num)d day.",
                "At least %(quorum)s of the eligible voters take part; open at least %(num)d days.",
                minimum.days,
            )
            % values
        )
    if minimum.quorum_percent:
        return _("At least %(quorum)s of the eligible voters take part; no minimum duration.") % (
            values
        )
    if minimum.days:
        return (
            ngettext(
                "No minimum quorum; open at least %(num)d day.",
                "No minimum quorum; open at least %(num)d days.",
                minimum.days,
            )
            % values
        )
    return _("No minimum quorum nor duration (a vote stays open at least 10 minutes).")
