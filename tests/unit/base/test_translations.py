"""Every message in the code and templates is translated, and the translations are safe to format.

The messages are extracted afresh from the source with the same configuration as
`scripts/update_catalogues.sh` (babel.cfg), so a new `_("...")` without a translation fails here
until someone runs the script and translates it (see docs/translations.md).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from governance.base import i18n
from governance.base.settings import LANGUAGES

ROOT = Path(__file__).resolve().parents[3]
# A %-conversion as Python's `%` operator reads it, or an escaped `%%`.
PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


@cache
def extracted() -> dict[str, Message]:
    """Messages found in the source right now, keyed by their (singular) msgid."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    catalog = Catalog()
    # Like `pybabel extract`: Babel's default keywords, plus those babel.cfg adds (`N_`).
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=DEFAULT_KEYWORDS
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return {_key(message): message for message in catalog if message.id}


@cache
def catalogue(language: str) -> Catalog:
    with (ROOT / "governance" / "locales" / language / "LC_MESSAGES" / "messages.po").open(
        "rb"
    ) as handle:
        return read_po(handle, locale=language)


def _key(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple | list) else message.id


def _forms(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if isinstance(value, tuple | list):
        return list(value)
    return [value or ""]


def _placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text) if match.group(0) != "%%")


def _has_a_stray_percent_sign(text: str) -> bool:
    return "%" in PLACEHOLDER.sub("", text)


def _untranslated(language: str) -> list[str]:
    po = catalogue(language)
    missing = []
    for key, message in sorted(extracted().items()):
        translated = po.get(key)
        if translated is None or _forms(translated.id)[1:] != _forms(message.id)[1:]:
            missing.append(key)
            continue
        forms = _forms(translated.string)
        expected = po.num_plurals if message.pluralizable else 1
        if len(forms) != expected or not all(form.strip() for form in forms):
            missing.append(key)
    return missing


def test_the_source_has_messages_to_translate() -> None:
    # Guards the other tests: a broken babel.cfg would extract nothing and pass them all.
    assert "Log in" in extracted()  # a template
    assert "This field is required." in extracted()  # Python code
    assert "cooperator" in extracted()  # marked with N_


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_message_has_a_french_and_english_translation(language: str) -> None:
    missing = _untranslated(language)
    assert not missing, (
        f"{len(missing)} message(s) without a {language} translation; run "
        f"scripts/update_catalogues.sh and translate them in "
        f"governance/locales/{language}/LC_MESSAGES/messages.po:\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("language", ["nl", "ar"])
def test_every_message_has_a_dutch_and_arabic_translation(language: str) -> None:
    missing = _untranslated(language)
    assert not missing, (
        f"{len(missing)} message(s) without a {language} translation; run "
        f"scripts/update_catalogues.sh and translate them in "
        f"governance/locales/{language}/LC_MESSAGES/messages.po:\n" + "\n".join(missing)
    )


def test_there_is_a_catalogue_for_every_language_of_the_interface() -> None:
    assert set(LANGUAGES) == {"fr", "en", "nl", "ar"}
    for language in LANGUAGES:
        assert catalogue(language).locale_identifier == language


def test_arabic_has_six_plural_forms() -> None:
    po = catalogue("ar")
    assert po.num_plurals == 6
    assert po.plural_expr.startswith("(n == 0 ? 0 : n == 1 ? 1 : n == 2 ? 2 :")


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_of_their_message(language: str) -> None:
    wrong = []
    for message in catalogue(language):
        if not message.id:
            continue
        expected = _placeholders(_forms(message.id)[-1])
        for index, form in enumerate(_forms(message.string)):
            # Arabic says zero, one and two in words ("سطران"): those forms may leave the
            # count out (formatting with a mapping ignores a key the text does not use).
            allowed = [expected]
            if language == "ar" and isinstance(message.id, tuple | list) and index <= 2:
                allowed.append([p for p in expected if not p.startswith("%(num)")])
            if form and (_placeholders(form) not in allowed or _has_a_stray_percent_sign(form)):
                wrong.append(f"{_key(message)!r} -> {form!r}")
    assert not wrong, "Placeholders differ from the message id:\n" + "\n".join(wrong)


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_contain_no_html_special_characters(language: str) -> None:
    # Jinja marks a translated string as safe HTML before formatting it: `<`, `&` or `"` in a
    # translation would reach the page unescaped (and `"` would end an attribute).
    wrong = [
        form
        for message in catalogue(language)
        if message.id
        for form in _forms(message.string)
        if any(character in form for character in '<>&"')
    ]
    assert not wrong, "\n".join(wrong)


class _AnyValue(dict[str, object]):
    """Placeholders this test does not list by name format as the number 1 (fits %s and %d)."""

    def __missing__(self, key: str) -> object:
        return 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_formats_without_error(language: str) -> None:
    translations = i18n.translations(language)
    values = {"name": "Amina", "role": "x", "email": "a@example.org", "count": 3, "num": 3}
    values |= {"status": 404, "minutes": 15, "before": "x", "after": "y", "date": "27/11/2026"}
    values |= {"actor": "Carla", "month": "2026-11", "state": "x", "hours": 2}
    values = _AnyValue(values)  # type: ignore[assignment]
    for key, message in extracted().items():
        if message.pluralizable:
            for n in (0, 1, 2, 3, 11, 100, 1_000_000):
                text = translations.ngettext(key, _forms(message.id)[1], n)
                assert text % values
        elif message.python_format:
            assert translations.gettext(key) % values


def test_french_money_reads_like_in_belgium() -> None:
    with i18n.language("fr"):
        formatted = i18n.money(123456)
    # Babel's fr_BE groups thousands with a narrow no-break space (U+202F) and puts a
    # no-break space (U+00A0) before the euro sign; both keep the amount on one line.
    assert formatted == "1\u202f234,56\u00a0€"
    assert re.sub(r"\s", " ", formatted) == "1 234,56 €"


def test_arabic_pages_are_right_to_left() -> None:
    assert i18n.direction("ar") == "rtl"
    assert i18n.direction("fr") == "ltr"


def test_french_is_the_default_and_is_translated() -> None:
    assert i18n.DEFAULT_LANGUAGE == "fr"
    with i18n.language("fr"):
        assert i18n.gettext("Log in") == "Se connecter"
        assert i18n.ngettext("%(num)d event", "%(num)d events", 2) % {"num": 2} == "2 événements"
