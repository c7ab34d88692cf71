"""The languages people work in: named in the reader's language, chosen from a list, typed by name.

Prestations keep ISO 639 codes (`ps`, `fa`). A person chooses them by name, in the reader's
language (Babel's CLDR names, plus `i18n.EXTRA_LANGUAGES`); a typed name is understood whatever
its case or accents, in the reader's language or in English, and a code still works. Pure:
nothing here reads the request; the reader's language is passed in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from babel import Locale
from babel.lists import format_list

from governance.base.i18n import EXTRA_LANGUAGES, FORMAT_LOCALES, _, is_language_code, translations
from governance.input.forms import Form

# Plain ISO 639 codes (two or three letters): CLDR also names variants like `en_GB`, `zh_Hant`.
CODE_RE = re.compile(r"[a-z]{2,3}\Z")
# Between typed languages: commas (Latin and Arabic), semicolons, new lines.
SEPARATORS_RE = re.compile(r"[,،;؛\n\r]+")
MAX_LANGUAGES = 10
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_TATWEEL = "\u0640"


def visible(text: str) -> str:
    """Without control and format characters (direction marks, zero-width joiners): what is
    typed is compared, and given back in the form, as it shows (docs/text.md)."""
    return "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf"))


def fold(text: str) -> str:
    """What is compared: no case, no accents or Arabic vowel marks, one space between words."""
    decomposed = unicodedata.normalize("NFKD", visible(text).replace(_TATWEEL, ""))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().translate(_ARABIC_LETTERS).split())


@cache
def _locale(reader: str) -> Locale:
    return Locale.parse(FORMAT_LOCALES.get(reader, "fr_BE"))


@cache
def all_codes() -> tuple[str, ...]:
    english = Locale.parse("en").languages
    named = {c for c in english if isinstance(c, str) and CODE_RE.match(c)}
    return tuple(sorted(named | set(EXTRA_LANGUAGES)))


def name_of(code: str, reader: str) -> str:
    """`ps` -> `pachto` for a French reader; the English name where CLDR lacks the reader's."""
    if code in EXTRA_LANGUAGES:
        return translations(reader).gettext(EXTRA_LANGUAGES[code])
    name = _locale(reader).languages.get(code) or Locale.parse("en").languages.get(code)
    return str(name or code)


@dataclass(frozen=True)
class LanguageChoice:
    code: str
    name: str  # in the reader's language
    english: str  # for a reader who types the English name; empty when the same


@cache
def choices(reader: str) -> tuple[LanguageChoice, ...]:
    """Every language we can name, sorted by its name in the reader's language."""
    found = []
    for code in all_codes():
        name, english = name_of(code, reader), name_of(code, "en")
        found.append(LanguageChoice(code, name, "" if fold(english) == fold(name) else english))
    # Arabic names all begin with the article: sorted as if they did not.
    return tuple(
        sorted(found, key=lambda choice: (_without_article(fold(choice.name)), choice.code))
    )


def _without_article(folded: str) -> str:
    """An Arabic name may be typed without its article: الفارسية or فارسية."""
    return folded[2:] if folded.startswith("ال") and len(folded) > 3 else folded


@cache
def _index(reader: str) -> dict[str, str]:
    """Folded name or code -> code. The reader's names win over English ones, which win over
    names without their Arabic article; a short form two languages share is left out."""
    index: dict[str, str] = {}
    shortened: dict[str, set[str]] = {}
    for language in dict.fromkeys(("en", reader)):
        for code in all_codes():
            name = fold(name_of(code, language))
            index[name] = code
            short = _without_article(name)
            if short != name:
                shortened.setdefault(short, set()).add(code)
    for short, codes in shortened.items():
        if short not in index and len(codes) == 1:
            index[short] = codes.pop()
    index.update({code: code for code in all_codes()})
    return index


def _resolve(token: str, reader: str) -> list[str] | None:
    """The codes a typed piece names: one name or code, or several codes or one-word names
    separated by spaces (`ps fa`, `pachto persan`); None when it is not understood."""
    index = _index(reader)
    folded = fold(token)
    if folded in index:
        return [index[folded]]
    words = folded.split()
    if len(words) > 1 and all(word in index for word in words):
        return [index[word] for word in words]
    return None


@dataclass(frozen=True)
class ParsedLanguages:
    codes: tuple[str, ...]
    unknown: tuple[str, ...]  # as typed


def parse_languages(values: Iterable[str], reader: str) -> ParsedLanguages:
    """Codes from chosen codes and typed text: `["ps", "persan, Arabic"]` -> ps, fa, ar."""
    codes: list[str] = []
    unknown: list[str] = []
    for value in values:
        for piece in SEPARATORS_RE.split(value):
            token = " ".join(visible(piece).split())
            if not token:
                continue
            found = _resolve(token, reader)
            if found is None:
                unknown.append(token)
            else:
                codes.extend(found)
    return ParsedLanguages(tuple(dict.fromkeys(codes)), tuple(dict.fromkeys(unknown)))


def as_list(items: Iterable[str], reader: str) -> str:
    """`pachto, persan et arabe` in the reader's language and punctuation."""
    return format_list(list(items), style="standard", locale=_locale(reader))


def separated(items: Iterable[str], reader: str) -> str:
    """Typed languages as one would type them: `pachto, persan`; `البشتو، الفارسية`."""
    return ("، " if reader == "ar" else ", ").join(items)


def example(reader: str) -> str:
    """Two names to show how languages are typed, in the reader's language."""
    return separated((name_of(code, reader) for code in ("ps", "fa")), reader)


_QUOTES = {"fr": "« %s »", "nl": "‘%s’", "en": "“%s”", "ar": "«%s»"}


def not_understood(unknown: Iterable[str], reader: str) -> str:
    """The message naming what was typed and not understood, in the reader's language."""
    quote = _QUOTES.get(reader, "“%s”")
    return _(
        "Not understood: %(names)s. Choose the languages from the list, or type their names "
        "separated by commas, for example %(example)s."
    ) % {
        # A few are enough to find the mistake (a pasted list could hold thousands).
        "names": as_list([quote % text[:40] for text in list(unknown)[:5]], reader),
        "example": example(reader),
    }


def too_many_languages() -> str:
    return _("Choose at most %(count)d languages.") % {"count": MAX_LANGUAGES}


def form_languages(form: Form, name: str, reader: str, by_name: bool) -> tuple[str, ...]:
    """ISO codes. With `by_name` (the record form) names too, in the reader's language or in
    English, each value a list separated by commas; the API and the CSV import keep codes."""
    raw = form.data.get(name, "")
    if by_name:
        values = [str(v) for v in (raw if isinstance(raw, list) else [raw])]
        parsed = parse_languages(values, reader)
        if parsed.unknown:
            form.fail(name, not_understood(parsed.unknown, reader))
        codes = parsed.codes
    else:
        split = raw if isinstance(raw, list) else re.split(r"[,،\s;]+", str(raw))
        codes = tuple(dict.fromkeys(str(v).strip().lower() for v in split if str(v).strip()))
        if not all(is_language_code(code) for code in codes):
            form.fail(name, _("Use language codes like ar, ps, fr."))
    if len(codes) > MAX_LANGUAGES and name not in form.errors:
        form.fail(name, too_many_languages())
    return codes
