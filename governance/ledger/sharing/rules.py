"""Distribution rules as data: parse and check DESIGN's JSON form, give it back, name its parts.

Pure module (no database, web or clock). A rule says how a month's distributable amount is
shared: a percent of it to each fund, the rest (the members' pool) between member keys by weight,
among the eligible members. `parse_rule` refuses anything doubtful with a `RuleError` listing every
problem found, each a translated sentence a coordinator can act on; it never raises anything else,
whatever it is given. `rule_to_data(parse_rule(data))` is DESIGN's JSON form with numbers written
as normalised strings (`"10"`, `"12.5"`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from governance.base.i18n import N_, _
from governance.language.labels import fund_label, key_label

BASES = ("accrual", "cash")
SUPPORTED_BASES = ("accrual",)
KEYS = ("revenue_generated", "hours", "equal")
FUNDS = ("reserve", "training", "solidarity")
ELIGIBILITY = ("members_with_prestations", "all_active_members")
RULE_FIELDS = ("basis", "funds", "member_keys", "eligible")
MAX_FUNDS = 10
MAX_KEYS = 10
MAX_DECIMALS = 2
HUNDRED = Decimal(100)

_MAX_NUMBER_TEXT = 20  # "100.00" is 6 characters; anything much longer is not a percent
_MAX_SHOWN = 40  # characters of a refused value repeated in a message
_NUMBER = re.compile(r"(?P<sign>-?)(?P<whole>[0-9]+)(?:\.(?P<fraction>[0-9]+))?", re.ASCII)
_COMMA_NUMBER = re.compile(r"-?[0-9]+,[0-9]+", re.ASCII)


@dataclass(frozen=True)
class FundPart:
    """`percent`% of the distributable amount goes to `fund`."""

    fund: str
    percent: Decimal


@dataclass(frozen=True)
class KeyPart:
    """`weight`% of the members' pool is shared by `key` (weights of a rule sum to 100)."""

    key: str
    weight: Decimal


@dataclass(frozen=True)
class Rule:
    basis: str
    funds: tuple[FundPart, ...]
    member_keys: tuple[KeyPart, ...]
    eligible: str


class RuleError(Exception):
    """A rule was refused; `messages` lists every problem found, translated, in reading order."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


# Numbers ----------------------------------------------------------------------------------------

NumberProblem = Literal["type", "comma", "format", "precision", "negative", "zero", "too_large"]


class _NumberRefused(Exception):
    def __init__(self, problem: NumberProblem) -> None:
        super().__init__(problem)
        self.problem: NumberProblem = problem


def _parse_number(value: object, *, allow_zero: bool) -> Decimal:
    """A JSON int or a text like `"12.5"` -> its Decimal, normalised (`"10.50"` -> 10.5).

    Between 0 (or just above it unless allow_zero) and 100, at most 2 decimals; floats and
    bools are refused (a float is not exact), so are `"12,5"`, `"1e2"`, `"NaN"` and `"+5"`.
    """
    if isinstance(value, bool):
        raise _NumberRefused("type")
    if isinstance(value, int):
        if value < 0:
            raise _NumberRefused("negative")
        if value > 100:
            raise _NumberRefused("too_large")
        number = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_NUMBER_TEXT:
            raise _NumberRefused("format")
        match = _NUMBER.fullmatch(text)
        if match is None:
            raise _NumberRefused("comma" if _COMMA_NUMBER.fullmatch(text) else "format")
        fraction = (match["fraction"] or "").rstrip("0")
        if len(fraction) > MAX_DECIMALS:
            raise _NumberRefused("precision")
        whole = match["whole"].lstrip("0") or "0"
        number = Decimal(f"{whole}.{fraction}" if fraction else whole)
        if match["sign"] and number:
            raise _NumberRefused("negative")
        if number > HUNDRED:
            raise _NumberRefused("too_large")
    else:
        raise _NumberRefused("type")
    if number == 0 and not allow_zero:
        raise _NumberRefused("zero")
    return number


def number_text(number: Decimal) -> str:
    """Decimal("10.50") -> "10.5", Decimal("10") -> "10": no exponent, no trailing zeros."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# One full sentence per problem and field, so that translators never assemble pieces.
# A fund may have 0 %, so "zero" is never raised for a percent.
_PERCENT_MESSAGES: dict[NumberProblem, str] = {
    "type": N_("The percentage of “%(fund)s” must be written as text, like “12.5”."),
    "comma": N_("The percentage of “%(fund)s” has a comma: use a dot for decimals, like “12.5”."),
    "format": N_("The percentage of “%(fund)s” is not a number; write it like “12.5”."),
    "precision": N_("The percentage of “%(fund)s” has more than 2 decimals."),
    "negative": N_("The percentage of “%(fund)s” must not be negative."),
    "too_large": N_("The percentage of “%(fund)s” must be at most 100."),
}
_WEIGHT_MESSAGES: dict[NumberProblem, str] = {
    "type": N_("The weight of “%(key)s” must be written as text, like “12.5”."),
    "comma": N_("The weight of “%(key)s” has a comma: use a dot for decimals, like “12.5”."),
    "format": N_("The weight of “%(key)s” is not a number; write it like “12.5”."),
    "precision": N_("The weight of “%(key)s” has more than 2 decimals."),
    "negative": N_("The weight of “%(key)s” must not be negative."),
    "too_large": N_("The weight of “%(key)s” must be at most 100."),
    "zero": N_("The weight of “%(key)s” must be more than 0."),
}


# Parsing ----------------------------------------------------------------------------------------


def _shown(value: object) -> str:
    """A refused value, short and safe to put in a message (no repr of nested garbage)."""
    if isinstance(value, str):
        return value if len(value) <= _MAX_SHOWN else value[: _MAX_SHOWN - 1] + "…"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if abs(value) < 10**30 else "…"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[…]"
    if isinstance(value, Mapping):
        return "{…}"
    return "…"


def _names(values: list[object]) -> str:
    return ", ".join(f"“{_shown(value)}”" for value in values)


def _check_fields(data: Mapping[object, object]) -> list[str]:
    messages = []
    unknown = sorted((name for name in data if name not in RULE_FIELDS), key=_shown)
    if unknown:
        messages.append(_("The rule has unknown entries: %(names)s.") % {"names": _names(unknown)})
    missing = [name for name in RULE_FIELDS if name not in data]
    if missing:
        messages.append(_("The rule is missing: %(names)s.") % {"names": _names(list(missing))})
    return messages


def _parse_basis(value: object, messages: list[str]) -> str:
    if isinstance(value, str) and value == "cash":
        messages.append(
            _(
                "Sharing on the cash basis (client payments received in the month) is not "
                "supported yet; for now only “accrual” is supported (validated prestations of "
                "the month)."
            )
        )
    elif not isinstance(value, str) or value not in SUPPORTED_BASES:
        messages.append(
            _("The basis “%(value)s” is not known; use “accrual”.") % {"value": _shown(value)}
        )
    return value if isinstance(value, str) else ""


def _parse_eligible(value: object, messages: list[str]) -> str:
    if not isinstance(value, str) or value not in ELIGIBILITY:
        messages.append(
            _("Who is eligible, “%(value)s”, is not known; use %(known)s.")
            % {"value": _shown(value), "known": _names(list(ELIGIBILITY))}
        )
        return ""
    return value


def _parse_funds(value: object, messages: list[str]) -> tuple[FundPart, ...]:
    if not isinstance(value, list):
        messages.append(_("The funds must be a list (it may be empty)."))
        return ()
    if len(value) > MAX_FUNDS:
        messages.append(_("There can be at most %(max)d funds.") % {"max": MAX_FUNDS})
        return ()
    parts: list[FundPart] = []
    seen: set[str] = set()
    complete = True
    for position, entry in enumerate(value, start=1):
        if not isinstance(entry, dict) or set(entry) != {"fund", "percent"}:
            messages.append(
                _("Fund number %(position)d must have exactly two entries: fund and percent.")
                % {"position": position}
            )
            complete = False
            continue
        name = entry["fund"]
        if not isinstance(name, str) or name not in FUNDS:
            messages.append(
                _("Fund number %(position)d: “%(value)s” is not a known fund; use %(known)s.")
                % {"position": position, "value": _shown(name), "known": _names(list(FUNDS))}
            )
            complete = False
            shown = _shown(name) if isinstance(name, str) else f"#{position}"
        elif name in seen:
            messages.append(
                _("“%(fund)s” appears more than once in the funds.") % {"fund": fund_label(name)}
            )
            complete = False
            shown = fund_label(name)
        else:
            seen.add(name)
            shown = fund_label(name)
        try:
            percent = _parse_number(entry["percent"], allow_zero=True)
        except _NumberRefused as refused:
            messages.append(_(_PERCENT_MESSAGES[refused.problem]) % {"fund": shown})
            complete = False
            continue
        if isinstance(name, str):
            parts.append(FundPart(name, percent))
    total = sum((part.percent for part in parts), Decimal(0))
    if complete and total >= HUNDRED:
        messages.append(
            _(
                "The fund percentages add up to %(total)s; they must add up to less than "
                "100, so that something is left for the members."
            )
            % {"total": number_text(total)}
        )
    return tuple(parts)


def _parse_member_keys(value: object, messages: list[str]) -> tuple[KeyPart, ...]:
    if not isinstance(value, list) or not value:
        messages.append(_("The member keys must be a list with at least one key."))
        return ()
    if len(value) > MAX_KEYS:
        messages.append(_("There can be at most %(max)d member keys.") % {"max": MAX_KEYS})
        return ()
    parts: list[KeyPart] = []
    seen: set[str] = set()
    complete = True
    for position, entry in enumerate(value, start=1):
        if not isinstance(entry, dict) or set(entry) != {"key", "weight"}:
            messages.append(
                _("Member key number %(position)d must have exactly two entries: key and weight.")
                % {"position": position}
            )
            complete = False
            continue
        name = entry["key"]
        if not isinstance(name, str) or name not in KEYS:
            messages.append(
                _("Member key number %(position)d: “%(value)s” is not a known key; use %(known)s.")
                % {"position": position, "value": _shown(name), "known": _names(list(KEYS))}
            )
            complete = False
            shown = _shown(name) if isinstance(name, str) else f"#{position}"
        elif name in seen:
            messages.append(
                _("“%(key)s” appears more than once in the member keys.") % {"key": key_label(name)}
            )
            complete = False
            shown = key_label(name)
        else:
            seen.add(name)
            shown = key_label(name)
        try:
            weight = _parse_number(entry["weight"], allow_zero=False)
        except _NumberRefused as refused:
            messages.append(_(_WEIGHT_MESSAGES[refused.problem]) % {"key": shown})
            complete = False
            continue
        if isinstance(name, str):
            parts.append(KeyPart(name, weight))
    total = sum((part.weight for part in parts), Decimal(0))
    if complete and total != HUNDRED:
        messages.append(
            _("The weights of the member keys add up to %(total)s; they must add up to 100.")
            % {"total": number_text(total)}
        )
    return tuple(parts)


def parse_rule(data: object) -> Rule:
    """DESIGN's JSON form (a dict, as from `json.loads`) -> a checked Rule.

    Raises RuleError listing every problem (translated sentences); never any other exception.
    The totals are checked only when every fund (or key) entry is itself correct, so one
    mistake is not reported twice.
    """
    if not isinstance(data, dict):
        raise RuleError(
            [
                _(
                    "The rule must be an object with the entries basis, funds, member_keys and "
                    "eligible."
                )
            ]
        )
    messages = _check_fields(data)
    basis = _parse_basis(data["basis"], messages) if "basis" in data else ""
    funds = _parse_funds(data["funds"], messages) if "funds" in data else ()
    keys = _parse_member_keys(data["member_keys"], messages) if "member_keys" in data else ()
    eligible = _parse_eligible(data["eligible"], messages) if "eligible" in data else ""
    if messages:
        raise RuleError(messages)
    return Rule(basis=basis, funds=funds, member_keys=keys, eligible=eligible)


def rule_to_data(rule: Rule) -> dict[str, object]:
    """A Rule -> DESIGN's JSON form, numbers as normalised strings; parse_rule reads it back."""
    return {
        "basis": rule.basis,
        "funds": [{"fund": part.fund, "percent": number_text(part.percent)} for part in rule.funds],
        "member_keys": [
            {"key": part.key, "weight": number_text(part.weight)} for part in rule.member_keys
        ],
        "eligible": rule.eligible,
    }


# Templates offered when a cooperative is created ------------------------------------------------

TEMPLATES: dict[str, Rule] = {
    "pro_rata": Rule(
        basis="accrual",
        funds=(FundPart("reserve", Decimal(10)),),
        member_keys=(KeyPart("revenue_generated", Decimal(100)),),
        eligible="members_with_prestations",
    ),
    "equal": Rule(
        basis="accrual",
        funds=(FundPart("reserve", Decimal(10)),),
        member_keys=(KeyPart("equal", Decimal(100)),),
        eligible="all_active_members",
    ),
    "mixed_80_20": Rule(
        basis="accrual",
        funds=(FundPart("reserve", Decimal(10)), FundPart("training", Decimal(5))),
        member_keys=(KeyPart("revenue_generated", Decimal(80)), KeyPart("equal", Decimal(20))),
        eligible="members_with_prestations",
    ),
}
