"""Month names in the reader's language, with the grammar sentences need. Pure module.

`month_name("2026-10")` is the month as a title or a list shows it ("octobre 2026",
"October 2026", "oktober 2026", "أكتوبر 2026"), from Babel's CLDR names in the language of the
request. `month_of("2026-10")` is the same month in the form that follows "of" inside a
sentence, for the messages whose placeholder is `%(of_month)s`: in French the preposition
belongs to the month, because it elides before a vowel ("Relevé d'octobre 2026", "Relevé de
mars 2026"), so the French translations of those messages leave it out ("Relevé
%(of_month)s"); the other languages write their own preposition in the message (English "of",
Dutch "van") or need none (Arabic's construct state), and get the plain name.

`Month` is the month as a value, the one reader of the "YYYY-MM" text that URLs, forms, the
API, the CLI and the database carry: `Month.parse("2026-10")` (strict: ASCII digits, a year
from 0001 to 9999, a month from 01 to 12, nothing before or after), `Month.of(day)`, its
`first_day`, `last_day`, `next`, `previous` and `label`. `is_month` is the check alone, and
`MONTH_PATTERN` the same shape for a query parameter's declared pattern. Each caller keeps its
own message for a refused month ("This period does not exist.", "Choose a month."...).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from babel.dates import format_date

from governance.base.i18n import FORMAT_LOCALES, current_language

# "YYYY-MM": ASCII digits only (`\d` takes Arabic-Indic ones), no year 0 (every date's month
# is one), nothing after it (`$` would let a trailing newline through).
MONTH_PATTERN = r"^(?!0000)[0-9]{4}-(0[1-9]|1[0-2])\Z"
MONTH_RE = re.compile(MONTH_PATTERN)

# French elides "de" before a vowel or a mute h; of the month names: avril, août, octobre.
_FRENCH_ELIDES = tuple("aâàeéèêiîoôuûyh")


def is_month(text: object) -> bool:
    """True for a month as "YYYY-MM" (see `MONTH_PATTERN`), False for anything else."""
    return isinstance(text, str) and MONTH_RE.match(text) is not None


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month; `str(month)` is its "YYYY-MM" text."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not (1 <= self.year <= 9999 and 1 <= self.number <= 12):
            raise ValueError(f"not a month: {self.year}-{self.number}")

    @classmethod
    def parse(cls, text: object) -> Month:
        """`"2026-10"` -> Month(2026, 10). Raises ValueError for anything else ("2026-13",
        "2026-1", " 2026-10", "2026-10\\n", Arabic-Indic digits, a date)."""
        if not is_month(text):
            raise ValueError(f"not a month as YYYY-MM: {text!r}")
        assert isinstance(text, str)
        return cls(int(text[:4]), int(text[5:7]))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        """The month `day` falls in."""
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.number:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.number, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.number, calendar.monthrange(self.year, self.number)[1])

    @property
    def next(self) -> Month:
        return Month(self.year + self.number // 12, self.number % 12 + 1)

    @property
    def previous(self) -> Month:
        return Month(self.year - (self.number == 1), (self.number - 2) % 12 + 1)

    def label(self, short: bool = False, language: str | None = None) -> str:
        """`octobre 2026` (`oct. 2026` when short) in the reader's language."""
        locale = FORMAT_LOCALES.get(language or current_language(), "fr_BE")
        pattern = "LLL yyyy" if short else "LLLL yyyy"
        return format_date(self.first_day, pattern, locale=locale)


def month_name(month: str, short: bool = False, language: str | None = None) -> str:
    """`"2026-10"` -> `octobre 2026` (`oct. 2026` when short) in the reader's language."""
    return Month.parse(month).label(short, language)


def month_of(month: str, language: str | None = None) -> str:
    """The month as it follows "of" in a sentence: `d'octobre 2026`, `de mars 2026` in French,
    the plain name elsewhere (the message itself carries "of", "van", or nothing)."""
    language = language or current_language()
    name = month_name(month, language=language)
    if language != "fr":
        return name
    if name.lower().startswith(_FRENCH_ELIDES):
        return "d'" + name
    return "de " + name
