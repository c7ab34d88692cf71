"""Which characters a field refuses (governance/input/text.py, docs/text.md), and the form
reader's
messages for them."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.base.errors import Invalid
from governance.base.i18n import language
from governance.input.forms import Form
from governance.input.text import (
    DIRECTION_CONTROLS,
    DIRECTION_MARKS,
    Level,
    Problem,
    isolate,
    problem,
)

BIDI = sorted(DIRECTION_CONTROLS | DIRECTION_MARKS)
INVISIBLE = ["\u200b", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u2061", "\U000e0041", "\u3164"]


def form_error(name: str, value: str, **kwargs: object) -> str | None:
    form = Form({name: value})
    if name == "email":
        form.email()
    elif name == "slug":
        form.slug()
    elif name == "iban":
        form.iban("iban")
    else:
        form.text(name, max_length=200, **kwargs)  # type: ignore[arg-type]
    return form.errors.get(name)


def test_the_attack_email_is_refused_with_a_message_about_direction() -> None:
    with language("en"):
        message = form_error("email", "a\u202e@b.example")
    assert message is not None and "direction" in message


def test_the_attack_name_with_a_zero_width_space_is_refused() -> None:
    with language("en"):
        message = form_error("name", "Mariam\u200b Diallo")
    assert message is not None and "invisible" in message


@pytest.mark.parametrize("char", BIDI)
@pytest.mark.parametrize("level", [Level.IDENTIFIER, Level.NAME])
def test_every_direction_control_and_mark_is_refused_in_names_and_identifiers(
    char: str, level: Level
) -> None:
    assert problem(f"Ana{char}Lopez", level) == Problem.DIRECTION


@pytest.mark.parametrize("char", sorted(DIRECTION_CONTROLS))
def test_embeddings_overrides_and_isolates_are_refused_even_in_free_text(char: str) -> None:
    assert problem(f"Bonjour\n{char}مرحبا", Level.FREE) == Problem.DIRECTION


@pytest.mark.parametrize("char", sorted(DIRECTION_MARKS))
def test_direction_marks_are_kept_in_free_text(char: str) -> None:
    assert problem(f"Le prix: 12 €{char} السعر", Level.FREE) is None


@pytest.mark.parametrize("char", INVISIBLE)
@pytest.mark.parametrize("level", list(Level))
def test_invisible_characters_are_refused_at_every_level(char: str, level: Level) -> None:
    assert problem(f"Ana{char}Lopez", level) == Problem.INVISIBLE


@pytest.mark.parametrize("level", list(Level))
def test_control_characters_are_refused(level: Level) -> None:
    assert problem("Ana\x00Lopez", level) == Problem.CONTROL
    assert problem("Ana\x1bLopez", level) == Problem.CONTROL


def test_line_breaks_only_in_free_text() -> None:
    assert problem("Rue Haute 1\n1000 Bruxelles", Level.FREE) is None
    assert problem("Rue Haute 1\n1000 Bruxelles", Level.NAME) == Problem.CONTROL
    assert problem("Rue Haute 1\u20281000", Level.NAME) == Problem.CONTROL


def test_a_persian_name_keeps_its_zero_width_non_joiner_between_letters() -> None:
    # "Mohammad-Reza" as often written in Persian, and a plural with its ZWNJ.
    assert problem("محمد\u200cرضا", Level.NAME) is None
    assert problem("کتاب\u200cها", Level.NAME) is None


@pytest.mark.parametrize(
    "value",
    [
        "Mariam\u200cDiallo",  # between Latin letters it changes nothing but what is compared
        "\u200cمحمد",  # at the start
        "محمد\u200c",  # at the end
        "محمد\u200c رضا",  # next to a space
        "محمد\u200c\u200cرضا",  # two in a row
    ],
)
def test_a_joiner_where_it_joins_nothing_is_refused_in_a_name(value: str) -> None:
    assert problem(value, Level.NAME) == Problem.INVISIBLE


def test_a_joiner_is_refused_in_an_identifier_even_between_arabic_letters() -> None:
    assert problem("محمد\u200cرضا@example.org", Level.IDENTIFIER) == Problem.INVISIBLE


def test_emoji_sequences_are_kept_in_names() -> None:
    assert problem("Équipe 👩\u200d💻", Level.NAME) is None  # woman technologist
    assert problem("Coop ❤\ufe0f", Level.NAME) is None  # red heart as a picture
    assert problem("Ana\ufe0fLopez", Level.NAME) == Problem.INVISIBLE


def test_a_no_break_space_is_refused_in_an_identifier_only() -> None:
    assert problem("BE71\u00a00961", Level.IDENTIFIER) == Problem.INVISIBLE
    assert problem("Jean\u00a0Dupont", Level.NAME) is None


def test_ordinary_names_in_the_cooperatives_languages_pass() -> None:
    names = ["Mariam Diallo", "Zoë Van den Berghe", "مريم ديالو", "Ахмад", "José-María", "李雷"]
    for name in names:
        assert problem(name, Level.NAME) is None


def test_the_form_normalises_to_nfc() -> None:
    form = Form({"name": "Zoe\u0308"})
    assert form.text("name", max_length=50) == "Zoë"
    assert form.errors == {}


def test_a_multiline_field_still_refuses_a_tab_and_keeps_its_lines() -> None:
    assert form_error("address", "Rue\tHaute", multiline=True) is not None
    form = Form({"address": "Rue Haute 1\r\n1000 Bruxelles\u200f"})
    assert form.text("address", max_length=200, multiline=True) == (
        "Rue Haute 1\n1000 Bruxelles\u200f"
    )
    assert form.errors == {}


def test_identifiers_refuse_invisible_characters_before_their_own_format() -> None:
    with language("en"):
        assert "invisible" in (form_error("iban", "BE71\u200b096123456769") or "")
        assert form_error("slug", "univ\u200berbal") is not None


def test_the_messages_are_in_the_readers_language() -> None:
    with language("fr"):
        french = form_error("name", "a\x00b")
    with language("en"):
        english = form_error("name", "a\x00b")
    assert french and english and french != english


def test_done_raises_invalid_naming_the_field() -> None:
    form = Form({"name": "a\u2066b"})
    form.text("name", max_length=10)
    with pytest.raises(Invalid) as caught:
        form.done()
    assert set(caught.value.fields) == {"name"}


@given(st.text(max_size=40))
def test_a_clean_name_has_no_format_or_control_character_outside_allowed_joiners(
    value: str,
) -> None:
    if problem(value, Level.NAME) is None:
        for index, char in enumerate(value):
            category = unicodedata.category(char)
            assert category not in {"Cc", "Cs", "Zl", "Zp"}
            if category == "Cf":
                assert char in "\u200c\u200d" and 0 < index < len(value) - 1


@given(st.text(max_size=40))
def test_levels_are_nested_strictest_first(value: str) -> None:
    if problem(value, Level.IDENTIFIER) is None:
        assert problem(value, Level.NAME) is None
    if problem(value, Level.NAME) is None and "\t" not in value:
        assert problem(value, Level.FREE) is None


@given(st.text(max_size=40))
def test_an_isolated_value_is_one_balanced_isolate(value: str) -> None:
    isolated = isolate(value)
    assert isolated[0] == "\u2068" and isolated[-1] == "\u2069"
    assert not DIRECTION_CONTROLS & set(isolated[1:-1])
