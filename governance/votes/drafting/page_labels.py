"""What the vote templates need to name rules, funds, keys and options in the reader's
language: never a code like `pro_rata`, `reserve` or `hours` on a page. Pure module: a proposal
is read through the attributes it needs (`Timed`), not through its table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

from babel.numbers import format_decimal

from governance.base import clock, i18n
from governance.base.i18n import _
from governance.input.text import isolate
from governance.language import months
from governance.language.labels import fund_label, key_label, template_label
from governance.ledger.sharing.rules import TEMPLATES
from governance.votes.counting.kinds import ProposalState


class Timed(Protocol):
    """What `voting_ended` reads of a proposal (governance/votes/models.py)."""

    @property
    def state(self) -> str: ...

    @property
    def closes_at(self) -> dt.datetime | None: ...


def option_label(label: str) -> str:
    """A ranked option named after a rule template reads as the template's name."""
    return template_label(label) if label in TEMPLATES else label


def voting_ended(proposal: Timed) -> bool:
    """Open, but its closing time has passed: no more ballots, and the worker counts it
    within seconds (a page never counts a vote: GET requests do not write)."""
    return (
        proposal.state == ProposalState.OPEN
        and proposal.closes_at is not None
        and proposal.closes_at <= clock.now()
    )


def labels() -> dict[str, Any]:
    """The names the vote templates use, as template globals."""
    return {
        "template_label": template_label,
        "fund_label": _safe(fund_label),
        "key_label": _safe(key_label),
        "templates": list(TEMPLATES),
        "month_label": months.month_name,
        "option_label": option_label,
        "ranking_text": ranking_text,
        "ratio": ratio,
        "voting_ended": voting_ended,
    }


def ranking_text(ranking: Iterable[object]) -> str:
    """A ranked ballot as the reader says it: "1. Pro rata of revenue, 2. Equal shares",
    each option numbered by its place and named by its label, isolated (a French label in
    an Arabic sentence stays whole). Numbers, not a chevron: ">" is not mirrored in every
    right-to-left font, and pointed at the first choice in Arabic."""
    places = [
        _("%(place)d. %(option)s") % {"place": place, "option": isolate(option_label(str(option)))}
        for place, option in enumerate(ranking, start=1)
    ]
    text = places[0] if places else ""
    for place in places[1:]:
        text = _("%(before)s, %(after)s") % {"before": text, "after": place}
    return text


def ratio(value: Fraction) -> str:
    """A spread like 3,49× in the reader's language."""
    locale = i18n.FORMAT_LOCALES.get(i18n.current_language(), "fr_BE")
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return format_decimal(exact, "0.00", locale=locale) + "×"


def _safe(function: Callable[[str], str]) -> Callable[[str], str]:
    def name(value: str) -> str:
        try:
            return str(function(value))
        except KeyError:
            return value

    return name
