"""Money: integer cents in, integer cents out; typed amounts and rates parsed strictly.

Pure functions only (no database, web, clock or I/O). Amounts are `int` cents, never floats;
rates, percentages and hours are `Decimal`. Anything a person types goes through
`parse_amount` / `parse_decimal_rate`, which refuse rather than guess: an ambiguous or
over-precise entry raises `AmountError` with a machine `code` the caller turns into a
translated message. Splitting an amount among recipients is `split` (largest remainder on
exact fractions): the shares always add up to the amount, to the cent.

Written by hand on purpose: a locale parser such as Babel's reads what it can, while an
amount of money must be refused when it is ambiguous (a dot and a comma together, a group
separator in the wrong place), with a code per refusal that each language words; and the one
fair splitter, largest remainder over exact fractions in integer cents, is the design's rule,
not a library's.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Literal, TypeVar

from babel.numbers import get_decimal_symbol, get_group_symbol

from governance.base.i18n import DEFAULT_LANGUAGE, FORMAT_LOCALES

MAX_AMOUNT_CENTS = 100_000_000  # 1 000 000 €
MAX_INPUT_LENGTH = 40

_N = TypeVar("_N", int, Decimal)
AmountErrorCode = Literal[
    "empty", "format", "negative", "zero", "too_large", "precision", "ambiguous"
]


class AmountError(ValueError):
    """A typed amount or rate was refused; `code` says why, the message is English."""

    def __init__(self, code: AmountErrorCode, message: str, whole: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.code: AmountErrorCode = code
        # "ambiguous": the digits as typed without the separator ("1234" for "1.234"), which
        # the message offers as the unambiguous way to write a whole amount.
        self.whole = "".join(whole)


# Arabic-Indic (U+0660-0669) and Eastern Arabic-Indic (U+06F0-06F9) digits become ASCII; the
# Unicode minus becomes "-"; invisible bidi marks (copied from right-to-left pages) disappear.
_NORMALISE: dict[int, str | None] = {0x2212: "-"}
_NORMALISE.update({0x0660 + d: str(d) for d in range(10)})
_NORMALISE.update({0x06F0 + d: str(d) for d in range(10)})
_NORMALISE.update(dict.fromkeys((0x200E, 0x200F, 0x061C, *range(0x2066, 0x206A))))
_AR_DECIMAL = "\u066b"  # always decimal (U+066C, its thousands sign, is always grouping)
_SPACES = re.compile("[ \u00a0\u202f]")  # group separators; all read as one kind
_NUMBER = r"[0-9]+(?:[.,\u066b\u066c \u00a0\u202f][0-9]+)*"  # one separator between digits
_AMOUNT_RE = re.compile(
    rf"(?P<s1>[+-]?)\s*(?P<c1>€|[Ee][Uu][Rr])?\s*(?P<s2>[+-]?)\s*(?P<num>{_NUMBER})"
    r"\s*(?P<c2>€|[Ee][Uu][Rr])?"
)
_RATE_RE = re.compile(rf"(?P<s1>[+-]?)\s*(?P<num>{_NUMBER})")


@functools.cache
def separators(language: str) -> tuple[str, str]:
    """(decimal, grouping) symbols of `language` ("fr", "ar", or a tag such as "fr-BE"), as Babel
    formats its amounts (governance.base.i18n.FORMAT_LOCALES): fr_BE "," and a narrow space,
    nl_BE
    "," and ".", en_GB and ar "." and ","; any other language reads like French."""
    locale = FORMAT_LOCALES.get(_primary(language), FORMAT_LOCALES[DEFAULT_LANGUAGE])
    return get_decimal_symbol(locale), get_group_symbol(locale)


# Languages whose readers here type both conventions: Arabic pages print 1,234.50, but an
# Arabic reader in Belgium writes 12,50 (read as decimal), so "12,500" has two readings and is
# refused as ambiguous rather than read as 12 500 (found by review: a thousandfold error).
_GROUPING_AMBIGUOUS = frozenset({"ar"})


def _primary(language: str) -> str:
    return language.strip().lower().replace("_", "-").split("-")[0]


def _prepare(text: str) -> str:
    cleaned = text.translate(_NORMALISE).strip()
    if not cleaned:
        raise AmountError("empty", "nothing was entered")
    if len(cleaned) > MAX_INPUT_LENGTH:
        raise AmountError("format", f"longer than {MAX_INPUT_LENGTH} characters")
    return cleaned


def _lone_separator(groups: list[str], seps: list[str], language: str) -> str | None:
    """The decimal separator when the number has at most one of "." and ",", or None.

    A lone "." or "," before anything but exactly three digits is decimal (12,5 and 12.50 have
    one reading). Before three digits ("1.234") it could group thousands or start three
    decimals: it is decimal when it is the language's decimal symbol (French "1,234", Arabic
    "1.234": three decimals, too many for an amount); it groups when it is the language's
    grouping symbol (Dutch "1.234", English "1,234"), except in Arabic, whose readers also type
    a decimal comma; otherwise (French "1.234", Arabic "1,234") the entry is refused as
    "ambiguous" rather than guessed.
    """
    decimal_symbol, group_symbol = separators(language)
    for char in ".,":
        if seps.count(char) != 1:
            continue  # absent, or repeated: then it can only group
        after = groups[seps.index(char) + 1]
        could_group = seps == [char] and 1 <= len(groups[0]) <= 3 and groups[0][0] != "0"
        if len(after) != 3 or not could_group:
            return char
        if char == decimal_symbol:
            return char
        if char == group_symbol and _primary(language) not in _GROUPING_AMBIGUOUS:
            return None
        raise AmountError(
            "ambiguous", f"{char!r} before three digits: thousands or decimals?", whole=groups
        )
    return None


def _split_number(number: str, language: str, max_decimals: int) -> tuple[int, str]:
    """`"1.234,5"` -> (1234, "5"): the whole units and the decimal digits as typed.

    Which separator is the decimal one: U+066B always; else, with both `.` and `,`, the last of
    them; else `_lone_separator`. Spaces and U+066C always group. Grouping must be in groups of
    3 (first group 1-3 digits, not starting with 0) and use one kind of separator. Raises
    AmountError "format", "precision" or "ambiguous" (docs/amounts.md).
    """
    parts = re.split(r"([^0-9])", _SPACES.sub(" ", number))
    groups, seps = parts[0::2], parts[1::2]
    decimal: str | None = None
    if _AR_DECIMAL in seps:
        decimal = _AR_DECIMAL
    elif "." in seps and "," in seps:
        decimal = "." if "".join(seps).rindex(".") > "".join(seps).rindex(",") else ","
    else:
        decimal = _lone_separator(groups, seps, language)
    if decimal is not None and (seps.count(decimal) != 1 or seps[-1] != decimal):
        raise AmountError("format", "the decimal separator must appear once, last")
    grouping = seps[:-1] if decimal else seps
    whole = groups[: len(grouping) + 1]
    if grouping and (
        len(set(grouping)) != 1
        or not 1 <= len(whole[0]) <= 3
        or whole[0].startswith("0")
        or any(len(group) != 3 for group in whole[1:])
    ):
        raise AmountError("format", "digits must be grouped by 3, with one kind of separator")
    fraction = groups[-1] if decimal else ""
    if len(fraction) > max_decimals:
        raise AmountError("precision", f"more than {max_decimals} decimals")
    return int("".join(whole)), fraction


def parse_amount(
    text: str,
    language: str = "fr",
    *,
    allow_zero: bool = False,
    allow_negative: bool = False,
    maximum: int = MAX_AMOUNT_CENTS,
) -> int:
    """What a person typed (`"1 234,56 €"`, `"12.5"`, `"€12"`) -> integer cents.

    Separators follow `_split_number` (docs/amounts.md); `language` ("fr", "en", "nl", "ar", or
    a tag such as "fr-BE") only settles a lone `.` or `,` before three digits. Accepts € or EUR
    before or after, a leading sign, Arabic-Indic and Persian digits, the Arabic separators
    U+066B and U+066C. Never rounds. Raises AmountError: "empty"; "format" (letters, exponents,
    NaN, doubled signs or separators, bad grouping, over 40 characters); "ambiguous" (`1.234` in
    French: thousands or three decimals?); "precision"
    (more than 2 decimals); "negative" (below 0 unless allow_negative; "-0" is zero); "zero"
    (unless allow_zero); "too_large" (absolute value above `maximum` cents).
    """
    match = _AMOUNT_RE.fullmatch(_prepare(text))
    if not match or (match["s1"] and match["s2"]) or (match["c1"] and match["c2"]):
        raise AmountError("format", "not an amount")
    units, fraction = _split_number(match["num"], language, 2)
    cents = units * 100 + int(fraction.ljust(2, "0"))
    if "-" in (match["s1"], match["s2"]):
        cents = -cents
    return _check_range(cents, allow_zero, allow_negative, maximum)


def parse_decimal_rate(
    text: str,
    language: str = "fr",
    *,
    max_decimals: int = 2,
    maximum: Decimal | int = Decimal(1_000_000),
    allow_zero: bool = True,
    allow_negative: bool = False,
) -> Decimal:
    """A typed rate, percentage or number of hours (`"55,00"`, `"1.5"`) -> the exact Decimal.

    Same separator rules as `parse_amount` (`1,234` in French is 1.234 with `max_decimals=3`,
    `1.234` still ambiguous), no currency sign. Keeps the typed decimals (`"55,00"` ->
    `Decimal("55.00")`). Zero is accepted unless allow_zero=False. Raises AmountError with the
    same codes as `parse_amount` ("precision" above `max_decimals`, "too_large" above `maximum`).
    """
    match = _RATE_RE.fullmatch(_prepare(text))
    if not match:
        raise AmountError("format", "not a number")
    units, fraction = _split_number(match["num"], language, max_decimals)
    sign = "-" if match["s1"] == "-" and (units or fraction.strip("0")) else ""
    value = Decimal(f"{sign}{units}.{fraction}" if fraction else f"{sign}{units}")
    return _check_range(value, allow_zero, allow_negative, maximum)


def _check_range(value: _N, allow_zero: bool, allow_negative: bool, maximum: int | Decimal) -> _N:
    if value < 0 and not allow_negative:
        raise AmountError("negative", "must not be negative")
    if value == 0 and not allow_zero:
        raise AmountError("zero", "must not be zero")
    if abs(value) > maximum:
        raise AmountError("too_large", f"larger than {maximum}")
    return value


def format_cents(cents: int) -> str:
    """`-123456` -> `"-1234.56"`: locale-free, always two decimals, no grouping (CSV, hledger).

    Every language's `parse_amount` reads it back. Raises TypeError for anything but an int.
    """
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"cents must be an int, not {type(cents).__name__}")
    whole, part = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{whole}.{part:02d}"


def multiply_round(quantity: Decimal | Fraction, rate_cents: int) -> int:
    """quantity × rate in cents, computed exactly and rounded ONCE to the cent, half up.

    1.5 h × 5 500 = 8 250; 0.333 × 100 = 33.3 -> 33; 0.125 × 100 = 12.5 -> 13; 2.005 × 100 =
    200.5 -> 201 (exact because the Decimal is exact: the float 2.005 is 2.00499… and would give
    200). Round the line total, never the quantity or the rate first; pass a Fraction for a
    quantity a Decimal cannot hold exactly (minutes / 60). Raises TypeError if quantity is not
    a Decimal or Fraction (floats are refused), ValueError if either is negative or the
    quantity is NaN or infinite.
    """
    if not isinstance(quantity, Decimal | Fraction):
        raise TypeError(f"quantity must be a Decimal or Fraction, not {type(quantity).__name__}")
    if isinstance(quantity, Decimal) and not quantity.is_finite():
        raise ValueError("quantity and rate must be finite and not negative")
    if quantity < 0 or rate_cents < 0:
        raise ValueError("quantity and rate must be finite and not negative")
    exact = quantity if isinstance(quantity, Fraction) else Fraction(quantity)
    # floor(n/d × rate + 1/2) = floor((2·n·rate + d) / 2d), in integers (no Fraction sums).
    return (2 * exact.numerator * rate_cents + exact.denominator) // (2 * exact.denominator)


def _exact_weight(weight: Fraction | Decimal | int) -> Fraction:
    if type(weight) is Fraction:  # the common case, checked first (Fractions are immutable)
        if weight < 0:
            raise ValueError("a weight must not be negative")
        return weight
    if isinstance(weight, float | bool) or not isinstance(weight, Fraction | Decimal | int):
        raise TypeError(f"a weight must be a Fraction, Decimal or int, not {type(weight)}")
    if isinstance(weight, Decimal) and not weight.is_finite():
        raise ValueError("a weight must be finite")
    if weight < 0:
        raise ValueError("a weight must not be negative")
    return Fraction(weight)


def split(
    amount: int,
    weights: Sequence[Fraction | Decimal | int],
    tie_order: Sequence[int] | None = None,
) -> list[int]:
    """Split `amount` cents in proportion to `weights`, shares in input order.

    Largest remainder on exact fractions: each exact quota amount × wᵢ / Σw is floored, then the
    missing cents go one each to the largest remainders; equal remainders go to the lower rank in
    `tie_order` (one distinct int per recipient; default: index order). A negative amount is
    split as its absolute value and negated. Guarantees: the shares sum to `amount`; each is the
    floor or ceiling of its exact quota; a zero weight gets 0; a larger weight never gets less.
    Raises ValueError for a negative or non-finite weight, a weight sum of 0 (or no weights),
    or a tie_order of the wrong length or with repeated ranks; TypeError for floats.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"amount must be int cents, not {type(amount).__name__}")
    exact = [_exact_weight(weight) for weight in weights]
    # Integers on one common denominator: the same exact arithmetic as Fractions, without a
    # gcd for every addition and comparison (a month close splits among a thousand members).
    common = math.lcm(*(weight.denominator for weight in exact)) if exact else 1
    scaled = [weight.numerator * (common // weight.denominator) for weight in exact]
    total = sum(scaled)
    if total <= 0:
        raise ValueError("weights must have a positive sum")
    ranks = list(range(len(exact))) if tie_order is None else list(tie_order)
    if len(ranks) != len(exact) or len(set(ranks)) != len(ranks):
        raise ValueError("tie_order must give one distinct rank per weight")
    magnitude = abs(amount)
    # Each exact quota magnitude × wᵢ / Σw is shares[i] + remainders[i] / total.
    shares = [magnitude * weight // total for weight in scaled]
    remainders = [magnitude * weight % total for weight in scaled]
    missing = magnitude - sum(shares)  # < number of non-zero remainders
    order = sorted(range(len(exact)), key=lambda i: (-remainders[i], ranks[i]))
    for index in order[:missing]:
        shares[index] += 1
    return shares if amount >= 0 else [-share for share in shares]
