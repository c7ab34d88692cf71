"""Cleaning form and JSON input: each function returns the clean value or records an error."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from stdnum import bic
from stdnum.be import vat
from stdnum.exceptions import ValidationError

from governance.base.errors import Invalid
from governance.base.i18n import _, ngettext
from governance.input.iban import compact, iban_problem
from governance.input.money import AmountError, parse_amount, separators
from governance.input.text import ASCII_DIGITS, Level, Problem, normalise, problem

PASSWORD_MIN_LENGTH = 12
# Row ids are 32-bit integers on PostgreSQL: a larger number names no row.
MAX_ROW_ID = 2**31 - 1

EMAIL_RE = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"']{1,190}\.[^@\s<>\"'.]{2,63}\Z")
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?\Z")
PHONE_RE = re.compile(r"^\+?[0-9(][0-9 ()./-]{5,29}\Z")
# 2026-11-27 (a date field), or as typed: 27/11/2026, 27-11-2026, 27.11.2026.
_DAY_RE = re.compile(
    r"(?P<y1>\d{4})-(?P<m1>\d{1,2})-(?P<d1>\d{1,2})"
    r"|(?P<d2>\d{1,2})(?P<sep>[/.-])(?P<m2>\d{1,2})(?P=sep)(?P<y2>\d{4})"
)
_NEWLINE_RE = re.compile(r"\r\n|\r|\n")


def row_ids(values: Iterable[Any]) -> list[int]:
    """The ids among `values` (ticked boxes, a chosen row): ASCII digits within a stored id's
    range; anything else (a letter, "²", a 40-digit number) is left out, never an error."""
    return [
        int(text)
        for text in (str(value) for value in values)
        if text.isascii() and text.isdigit() and 0 < len(text) <= 10 and int(text) <= MAX_ROW_ID
    ]


def amount_example(language: str) -> str:
    """Twelve euros fifty as the reader types it: "12,50" in French and Dutch, "12.50" in
    English and Arabic (governance.input.money.separators, docs/amounts.md)."""
    return f"12{separators(language)[0]}50"


def amount_message(error: AmountError, language: str) -> str:
    """What the person reads when `parse_amount` refused what they typed."""
    example = amount_example(language)
    if error.code == "ambiguous":
        return _(
            "Thousands or decimals? For a whole amount write %(whole)s, without a separator; "
            "for cents use two decimals, like %(example)s."
        ) % {"whole": error.whole, "example": example}
    return {
        "empty": _("Enter an amount."),
        "zero": _("The amount must be more than zero."),
        "negative": _("The amount cannot be negative."),
        "too_large": _("The amount cannot be more than 1 000 000 €."),
        "precision": _("Use at most two decimals (cents)."),
    }.get(error.code) or _("Enter an amount like %(example)s.") % {"example": example}


def text_problem_message(found: Problem) -> str:
    """What the person reads when a field holds characters it may not
    (governance/input/text.py)."""
    if found == Problem.DIRECTION:
        return _(
            "This field contains invisible characters that change the direction of the text. "
            "Type it again rather than pasting it."
        )
    if found == Problem.INVISIBLE:
        return _("This field contains invisible characters. Type it again rather than pasting it.")
    return _("This field contains characters that are not allowed.")


def too_long(limit: int) -> str:
    return ngettext(
        "At most %(count)d character, please.", "At most %(count)d characters, please.", limit
    ) % {"count": limit}


class Form:
    """Collects field errors while values are cleaned; `done()` raises Invalid if any."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.errors: dict[str, str] = {}

    def raw(self, name: str) -> str:
        value = self.data.get(name, "")
        if isinstance(value, list):
            value = value[0] if value else ""
        return value if isinstance(value, str) else str(value)

    def text(
        self,
        name: str,
        *,
        max_length: int,
        required: bool = True,
        multiline: bool = False,
        level: Level | None = None,
    ) -> str:
        """Trimmed text. `multiline`: line breaks allowed, each line trimmed, blank ones dropped,
        joined by "\n" whatever the browser sent (an address in a textarea).

        Which invisible characters are refused (docs/text.md): `level`, by default NAME for a
        single line (names, titles) and FREE for several lines (comments, reasons)."""
        raw = self.raw(name)
        if multiline:
            raw = "\n".join(line.strip() for line in _NEWLINE_RE.split(raw) if line.strip())
        # NFC so that the same name typed on two phones compares equal; otherwise kept as typed.
        value = normalise(raw.strip())
        level = level or (Level.FREE if multiline else Level.NAME)
        # Line and paragraph separators (U+2028, U+2029) break a single line, a mail subject.
        found = Problem.CONTROL if "\t" in value else problem(value, level)
        if found is not None:
            self.errors[name] = text_problem_message(found)
        elif required and not value:
            self.errors[name] = _("This field is required.")
        elif len(value) > max_length:
            self.errors[name] = too_long(max_length)
        return value

    def email(self, name: str = "email") -> str:
        value = self.text(name, max_length=254, level=Level.IDENTIFIER).lower()
        if name not in self.errors and not EMAIL_RE.match(value):
            self.errors[name] = _("Enter a valid email address, like name@example.org.")
        return value

    def be_vat(self, name: str, *, max_length: int = 30, required: bool = False) -> str | None:
        """A Belgian enterprise or VAT number, compact with its prefix: "BE0403170701"."""
        raw = self.text(
            name, max_length=max_length, required=required, level=Level.IDENTIFIER
        ).translate(ASCII_DIGITS)
        if not raw or name in self.errors:
            return None
        try:
            return "BE" + vat.validate(raw)
        except ValidationError:
            self.errors[name] = _("This is not a valid Belgian enterprise or VAT number.")
            return None

    def iban(self, name: str, *, required: bool = True) -> str | None:
        """A bank account number (any country's IBAN), compact: "BE71096123456769"."""
        raw = self.text(name, max_length=50, required=required, level=Level.IDENTIFIER).translate(
            ASCII_DIGITS
        )
        if not raw or name in self.errors:
            return None
        # Any country's IBAN (schwifty: country, length, format, check digits), not only the
        # SEPA area's: the cooperative's own account is not paid by a SEPA file.
        if iban_problem(raw, sepa=False) is not None:
            self.errors[name] = _("This is not a valid IBAN. Check it on your bank statement.")
            return None
        return compact(raw)

    def bic(self, name: str, *, required: bool = False) -> str | None:
        """A bank's BIC (SWIFT code) of 8 or 11 characters, upper case: "GKCCBEBB"."""
        raw = self.text(name, max_length=20, required=required, level=Level.IDENTIFIER)
        if not raw or name in self.errors:
            return None
        try:
            return bic.validate(raw)
        except ValidationError:
            self.errors[name] = _("This is not a valid BIC. It has 8 or 11 letters and digits.")
            return None

    def phone(self, name: str, *, required: bool = False) -> str:
        """A phone number as people write it: digits, spaces, + ( ) . / -."""
        value = self.text(name, max_length=30, required=required, level=Level.IDENTIFIER).translate(
            ASCII_DIGITS
        )
        if value and name not in self.errors and not PHONE_RE.match(value):
            self.errors[name] = _("Enter a phone number like +32 4 123 45 67.")
        return value

    def password(self, name: str = "password", *, new: bool = False) -> str:
        value = self.raw(name)
        if not value:
            self.errors[name] = _("This field is required.")
        elif len(value) > 256:
            self.errors[name] = too_long(256)
        elif new and len(value) < PASSWORD_MIN_LENGTH:
            self.errors[name] = ngettext(
                "Choose a password of at least %(count)d character.",
                "Choose a password of at least %(count)d characters.",
                PASSWORD_MIN_LENGTH,
            ) % {"count": PASSWORD_MIN_LENGTH}
        return value

    def choice(self, name: str, choices: Iterable[str]) -> str:
        value = self.raw(name).strip()
        if value not in set(choices):
            self.errors[name] = _("Choose one of the options.")
        return value

    def integer(
        self, name: str, *, required: bool = True, maximum: int | None = None
    ) -> int | None:
        value = self.raw(name).strip()
        if not value and not required:
            return None
        if not re.fullmatch(r"\d{1,12}", value) or (maximum is not None and int(value) > maximum):
            self.errors[name] = _("Enter a whole number.")
            return None
        return int(value)

    def row_id(self, name: str) -> int | None:
        """The id of a row (a person, a proposal): at most a 32-bit integer, as stored."""
        return self.integer(name, maximum=MAX_ROW_ID)

    def slug(self, name: str = "slug") -> str:
        value = self.raw(name).strip().lower()
        if not SLUG_RE.match(value):
            self.errors[name] = _(
                "Use 1 to 40 lowercase letters, digits and dashes, not starting or ending "
                "with a dash."
            )
        return value

    def money(
        self, name: str, language: str, *, required: bool, allow_zero: bool = False
    ) -> int | None:
        """Cents from what a person typed in their language (`12,50`, `1.234,56`)."""
        raw = self.raw(name).strip()
        if not raw and not required:
            return None
        try:
            return parse_amount(raw, language, allow_zero=allow_zero)
        except AmountError as error:
            self.errors[name] = amount_message(error, language)
            return None

    def day(self, name: str) -> dt.date | None:
        """A calendar day, from a date field (2026-11-27) or as typed (27/11/2026)."""
        raw = self.raw(name).strip()
        match = _DAY_RE.fullmatch(raw)
        if match:
            year = match["y1"] or match["y2"]
            month = match["m1"] or match["m2"]
            day = match["d1"] or match["d2"]
            try:
                return dt.date(int(year), int(month), int(day))
            except ValueError:
                pass
        self.errors[name] = _("Enter a date like 27/11/2026.")
        return None

    def time_of_day(self, name: str) -> dt.time | None:
        """An optional time like 14:30 (or 14h30)."""
        raw = self.raw(name).strip()
        if not raw:
            return None
        match = re.fullmatch(r"([01]?\d|2[0-3])[:hH]([0-5]\d)", raw)
        if not match:
            self.errors[name] = _("Enter a time like 14:30.")
            return None
        return dt.time(int(match.group(1)), int(match.group(2)))

    def fail(self, name: str, message: str) -> None:
        self.errors[name] = message

    def done(self) -> None:
        if self.errors:
            raise Invalid(_("Please correct the fields marked below."), self.errors)
