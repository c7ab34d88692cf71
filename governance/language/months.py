"""Month names in the reader's language, with the grammar sentences need. Pure module.

`month_name("2026-10")` is the month as a title or a list shows it ("octobre 2026",
"October 2026", "oktober 2026", "أكتوبر 2026"), from Babel's CLDR names in the language of the
request. `month_of("2026-10")` is the same month in the form that follows "of" inside a
sentence, for the messages whose placeholder is `%(of_month)s`: in French the preposition
belongs to the month, because it elides before a vowel ("Relevé d'octobre 2026", "Relevé de
mars 2026"), so the French translations of those messages leave it out ("Relevé
%(of_month)s"); the other languages write their own preposition in the message (English "of",
Dutch "van") or need none (Arabic's construct state), and get the plain name.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date

from governance.base.i18n import FORMAT_LOCALES, current_language

# French elides "de" before a vowel or a mute h; of the month names: avril, août, octobre.
_FRENCH_ELIDES = tuple("aâàeéèêiîoôuûyh")


def _first_day(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:7]), 1)


def month_name(month: str, short: bool = False, language: str | None = None) -> str:
    """`"2026-10"` -> `octobre 2026` (`oct. 2026` when short) in the reader's language."""
    locale = FORMAT_LOCALES.get(language or current_language(), "fr_BE")
    return format_date(_first_day(month), "LLL yyyy" if short else "LLLL yyyy", locale=locale)


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
