"""Languages: the locale of the current request, catalogues, and Babel formatting helpers.

Catalogues are the `.po` files under `governance/locales/`: a checkout compiles them in memory
at start-up (no compiled file in the repository); a wheel ships them compiled (.mo, made by
hatch_build.py). Message ids are English; French is the default.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.lists import format_list as _format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from babel.support import NullTranslations, Translations
from markupsafe import Markup, escape

from governance.base.clock import BRUSSELS
from governance.base.settings import LANGUAGES, PACKAGE_DIR

LOCALES_DIR = PACKAGE_DIR / "locales"
DEFAULT_LANGUAGE = "fr"
RTL_LANGUAGES = frozenset({"ar"})
# Babel locales for formatting: Belgian French and Dutch, as our cooperatives are in Liège.
FORMAT_LOCALES = {"fr": "fr_BE", "en": "en_GB", "nl": "nl_BE", "ar": "ar"}
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "nl": "Nederlands", "ar": "العربية"}

_language: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where it is shown."""
    return message


def _compile(po_path: Path) -> NullTranslations:
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=po_path.parent.parent.name)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain="messages")


@cache
def translations(language: str) -> NullTranslations:
    if language not in LANGUAGES:
        return NullTranslations()
    folder = LOCALES_DIR / language / "LC_MESSAGES"
    mo_path, po_path = folder / "messages.mo", folder / "messages.po"
    # An installed wheel ships the compiled .mo (hatch_build.py); a checkout compiles the .po.
    if mo_path.exists():
        with mo_path.open("rb") as handle:
            return Translations(fp=handle, domain="messages")
    if not po_path.exists():
        return NullTranslations()
    return _compile(po_path)


def current_language() -> str:
    return _language.get()


def set_language(language: str) -> None:
    _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


@contextmanager
def language(code: str) -> Iterator[None]:
    token = _language.set(code if code in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _language.reset(token)


def gettext(message: str) -> str:
    return translations(_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_language.get()).ngettext(singular, plural, n)


_ = gettext


def direction(code: str | None = None) -> str:
    return "rtl" if (code or _language.get()) in RTL_LANGUAGES else "ltr"


def negotiate(accept_language: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The best of our languages for an Accept-Language header."""
    if not accept_language:
        return default
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")[:20]):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            weighted.append((-quality, index, primary))
    return sorted(weighted)[0][2] if weighted else default


def _format_locale() -> Locale:
    return _parsed_locale(FORMAT_LOCALES.get(_language.get(), "fr_BE"))


@functools.cache
def _parsed_locale(code: str) -> Locale:
    """Parsed once per code (a page of a thousand amounts parsed it a thousand times)."""
    try:
        return Locale.parse(code)
    except UnknownLocaleError:  # pragma: no cover - Babel ships all four
        return Locale.parse("fr_BE")


def money(cents: int, currency: str = "EUR") -> str:
    """`123456` -> `1 234,56 €` in French; integer cents in, never a float on the way.

    Babel's `format_currency` costs about 25 µs a call, most of it reading the locale's
    pattern again: a month page of a thousand members shows 7 000 amounts. So the shape of an
    amount (sign, symbol, separators) is read from Babel once per locale and currency, checked
    against Babel on amounts of every length, and then filled in with integer arithmetic; a
    locale or currency whose amounts the shape does not render exactly (other grouping,
    another number of decimals, other digits) keeps Babel."""
    code = FORMAT_LOCALES.get(_language.get(), "fr_BE")
    shape = _money_shape(code, currency)
    if shape is None:
        return _babel_money(cents, currency, _parsed_locale(code))
    return shape.format(cents)


def _babel_money(cents: int, currency: str, locale: Locale) -> str:
    return format_currency(Decimal(cents) / 100, currency, locale=locale)


@dataclass(frozen=True)
class _MoneyShape:
    prefix: str
    suffix: str
    negative_prefix: str
    negative_suffix: str
    group: str
    decimal: str

    def format(self, cents: int) -> str:
        units, hundredths = divmod(abs(cents), 100)
        number = f"{units:,}".replace(",", self.group) + f"{self.decimal}{hundredths:02d}"
        if cents < 0:
            return f"{self.negative_prefix}{number}{self.negative_suffix}"
        return f"{self.prefix}{number}{self.suffix}"


_MONEY_PROBES = tuple(
    sign * cents
    for sign in (1, -1)
    for cents in (0, 1, 5, 99, 100, 999_99, 1000_00, 9999_99, 12345_67, 123456_78, 10**14 + 1)
)


@functools.cache
def _money_shape(code: str, currency: str) -> _MoneyShape | None:
    locale = _parsed_locale(code)
    try:
        probe = _babel_money(1234567_89, currency, locale)
        negative = _babel_money(-1234567_89, currency, locale)
    except (ValueError, KeyError):  # pragma: no cover - an unknown currency: Babel decides
        return None
    found = re.search(r"1(?P<group>\D?)234(?P=group)567(?P<decimal>\D+)89", probe)
    if found is None or found.group(0) not in negative:
        return None
    number = found.group(0)
    at = negative.index(number)
    shape = _MoneyShape(
        prefix=probe[: found.start()],
        suffix=probe[found.end() :],
        negative_prefix=negative[:at],
        negative_suffix=negative[at + len(number) :],
        group=found["group"],
        decimal=found["decimal"],
    )
    if any(shape.format(c) != _babel_money(c, currency, locale) for c in _MONEY_PROBES):
        return None
    return shape


def date_short(value: date) -> str:
    return _format_date(value, format="dd/MM/yyyy", locale=_format_locale())


def datetime_short(value: datetime) -> str:
    # Times are shown in Belgian time, where our cooperatives work.
    return _format_datetime(
        value, format="dd/MM/yyyy HH:mm", tzinfo=BRUSSELS, locale=_format_locale()
    )


# A list without a conjunction ("oui : 2, non : 1"): CLDR has none for Arabic, whose own comma
# U+060C separates the items of a list.
_PLAIN_SEPARATORS = {"ar": "\u060c "}
_LIST_STYLES: dict[str, Literal["standard", "or"]] = {"and": "standard", "or": "or"}
_MARK = re.compile("\x00([0-9]+)\x00")


def join_list(items: Iterable[object], style: str = "and") -> str:
    """Items joined as the reader's language joins them, through CLDR's list patterns: "and"
    gives "A, B et C" in French, "A وB وC" in Arabic; "or" gives "A, B ou C", "A أو B"; "plain"
    joins without a conjunction: "A, B, C", in Arabic with the Arabic comma "A، B، C"."""
    values = [str(item) for item in items]
    if style == "plain" or len(values) < 2:
        return _PLAIN_SEPARATORS.get(_language.get(), ", ").join(values)
    return _format_list(values, _LIST_STYLES[style], locale=_format_locale())


def join_list_html(items: Iterable[object], style: str = "and") -> Markup:
    """`join_list` for a page: each item escaped (markup stays markup) and isolated in <bdi>,
    so that a French name in an Arabic list keeps its punctuation at its own end."""
    shown = [str(Markup("<bdi>{}</bdi>").format(value)) for value in items]
    # Placeholders no CLDR pattern contains, each replaced once (in one pass) by its item.
    joined = str(escape(join_list((f"\x00{index}\x00" for index in range(len(shown))), style)))
    return Markup(_MARK.sub(lambda found: shown[int(found[1])], joined))  # noqa: S704 - escaped


# Languages our interpreters work in that CLDR does not name.
EXTRA_LANGUAGES = {"prs": N_("Dari"), "ber": N_("Berber"), "kmr": N_("Kurmanji")}


@cache
def _known_language_codes() -> frozenset[str]:
    return frozenset(Locale.parse("en").languages) | frozenset(EXTRA_LANGUAGES)


def is_language_code(code: str) -> bool:
    """An ISO 639 code we can name (CLDR's list, plus a few CLDR lacks)."""
    return code in _known_language_codes()


def language_name(code: str) -> str:
    """An ISO 639 code by its name in the reader's language (`ps` -> `pachto` in French)."""
    if code in EXTRA_LANGUAGES:
        return gettext(EXTRA_LANGUAGES[code])
    locale = Locale.parse(FORMAT_LOCALES.get(_language.get(), "fr_BE"))
    return locale.languages.get(code, code)
