"""Lists joined in the reader's language (governance.base.i18n.join_list), for text and for
pages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from governance.base import i18n


@pytest.mark.parametrize(
    ("language", "style", "joined"),
    [
        ("fr", "and", "octobre 2026, novembre 2026 et décembre 2026"),
        ("en", "and", "octobre 2026, novembre 2026 and décembre 2026"),
        ("nl", "and", "octobre 2026, novembre 2026 en décembre 2026"),
        ("ar", "and", "octobre 2026 وnovembre 2026 وdécembre 2026"),
        ("fr", "or", "octobre 2026, novembre 2026 ou décembre 2026"),
        ("ar", "or", "octobre 2026 أو novembre 2026 أو décembre 2026"),
        ("fr", "plain", "octobre 2026, novembre 2026, décembre 2026"),
        ("ar", "plain", "octobre 2026، novembre 2026، décembre 2026"),
    ],
)
def test_a_list_is_joined_with_the_readers_punctuation(
    language: str, style: str, joined: str
) -> None:
    with i18n.language(language):
        assert i18n.join_list(["octobre 2026", "novembre 2026", "décembre 2026"], style) == joined


def test_arabic_months_are_joined_without_a_latin_comma() -> None:
    months = ["أكتوبر 2026", "نوفمبر 2026"]
    with i18n.language("ar"):
        assert i18n.join_list(months) == "أكتوبر 2026 ونوفمبر 2026"
        assert i18n.join_list(months, "plain") == "أكتوبر 2026، نوفمبر 2026"
        assert "," not in i18n.join_list([*months, "ديسمبر 2026"])


def test_one_item_or_none_is_not_joined() -> None:
    with i18n.language("fr"):
        assert i18n.join_list([]) == ""
        assert i18n.join_list(["Amina"]) == "Amina"


def test_on_a_page_each_item_is_escaped_and_isolated() -> None:
    with i18n.language("ar"):
        shown = i18n.join_list_html(["<b>Amina</b>", "Faut-il ?"])
    assert str(shown) == "<bdi>&lt;b&gt;Amina&lt;/b&gt;</bdi> و<bdi>Faut-il ?</bdi>"


@given(st.lists(st.text(max_size=20), max_size=6), st.sampled_from(["fr", "en", "nl", "ar"]))
def test_every_item_appears_once_escaped_whatever_it_holds(items: list[str], language: str) -> None:
    with i18n.language(language):
        shown = str(i18n.join_list_html(items, "and"))
    for item in items:
        escaped = str(escape(item))
        assert f"<bdi>{escaped}</bdi>" in shown
    assert shown.count("<bdi>") == len(items)
