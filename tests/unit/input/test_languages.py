"""Languages typed by name become ISO codes; the record form's list; closed months' notices."""

from __future__ import annotations

import datetime as dt

import pytest

from governance.base import i18n
from governance.base.errors import Invalid
from governance.input.languages import choices, fold, name_of, not_understood, parse_languages
from governance.ledger.work.late_work import Calendar, notice_for, notices_by_month
from governance.ledger.work.prestation_input import parse_input
from governance.ledger.work.work_dates import window_of
from governance.ledger.work.work_form import language_field, usual_codes


def codes(text: str | list[str], reader: str) -> tuple[str, ...]:
    parsed = parse_languages([text] if isinstance(text, str) else text, reader)
    assert parsed.unknown == (), parsed
    return parsed.codes


@pytest.mark.parametrize(
    ("typed", "reader", "expected"),
    [
        ("pachto, persan", "fr", ("ps", "fa")),
        ("Pachtô ; PERSAN", "fr", ("ps", "fa")),  # case and accents do not matter
        ("pachto persan", "fr", ("ps", "fa")),  # one-word names separated by a space
        ("arabe marocain, tigrigna", "fr", ("ary", "ti")),  # names of several words
        ("dari, kurmanji", "fr", ("prs", "kmr")),  # the languages CLDR does not name
        ("Pashto, Persian", "fr", ("ps", "fa")),  # English names on a French page
        ("البشتو، الفارسية", "ar", ("ps", "fa")),  # Arabic comma
        ("فارسية", "ar", ("fa",)),  # without the article
        ("العربيه", "ar", ("ar",)),  # ta marbuta typed as ha
        ("الفَارِسِيّة", "ar", ("fa",)),  # with vowel marks
        ("Pasjtoe, Perzisch", "nl", ("ps", "fa")),
        ("pashto\npersian", "en", ("ps", "fa")),
        ("ps, persan, AR", "fr", ("ps", "fa", "ar")),  # names and codes mixed
        ("ps fa", "fr", ("ps", "fa")),  # codes as before
        ("persan, fa, Persian", "fr", ("fa",)),  # once each
        ("", "fr", ()),
    ],
)
def test_names_and_codes_become_codes(typed: str, reader: str, expected: tuple[str, ...]) -> None:
    assert codes(typed, reader) == expected


def test_chosen_codes_and_typed_names_add_up() -> None:
    assert codes(["ps", "prs", "persan, arabe"], "fr") == ("ps", "prs", "fa", "ar")


def test_what_is_not_understood_is_kept_as_typed() -> None:
    parsed = parse_languages(["pachto, Elfique , xx", "pac"], "fr")
    assert parsed.codes == ("ps",)
    assert parsed.unknown == ("Elfique", "xx", "pac")


def test_names_of_another_reader_are_not_guessed() -> None:
    # French names are understood on a French page, not on a Dutch one (English is, everywhere).
    assert parse_languages(["persan"], "nl").unknown == ("persan",)
    assert codes("Persian", "nl") == ("fa",)


def test_the_message_names_what_was_not_understood_in_the_readers_words() -> None:
    with i18n.language("fr"):
        message = not_understood(("elfique", "xx"), "fr")
    assert "« elfique »" in message and "« xx »" in message
    assert "pachto, persan" in message  # the example, in French


def test_fold_ignores_case_accents_and_arabic_spellings() -> None:
    assert fold("  PachTÔ  ") == "pachto"
    assert fold("أمازيغية") == fold("امازيغيه")


def test_the_list_is_every_language_once_named_in_the_readers_language() -> None:
    for reader in ("fr", "en", "nl", "ar"):
        listed = choices(reader)
        assert len({c.code for c in listed}) == len(listed) > 500
        assert all(c.name and c.name != c.code for c in listed if c.code in ("ps", "fa", "prs"))
    french = {c.code: c for c in choices("fr")}
    assert (french["ps"].name, french["ps"].english) == ("pachto", "Pashto")
    assert french["prs"].name.lower() == "dari"
    assert name_of("fa", "ar") == "الفارسية"
    names = [fold(c.name) for c in choices("fr")]
    assert names == sorted(names)


def test_the_field_ticks_the_usual_languages_first_and_gives_back_what_was_not_understood() -> None:
    usual = usual_codes([["ps", "fa"], ["fa", "ar"], ["fa"]], own=["ti"])
    assert usual == ["ti", "fa", "ps", "ar"]
    field = language_field("fr", usual, chosen=["ti"])
    assert [c.code for c in field.usual] == usual
    assert not {c.code for c in field.others} & set(usual)
    assert field.selected == {"ti"} and field.typed == "" and field.example == "pachto, persan"
    again = language_field("fr", usual, posted=["ps", "persan, elfique"])
    assert again.selected == {"ps", "fa"} and again.typed == "elfique"


FORM = {"client_id": "1", "date": "2026-11-20", "duration_minutes": "60", "kind": "on_site"}


def test_the_form_takes_names_the_api_only_codes() -> None:
    data = {**FORM, "languages": ["ps", "persan"]}
    with i18n.language("fr"):
        clean = parse_input(
            data,
            actor_person_id=1,
            language="fr",
            kinds=["on_site"],
            client_rate=1,
            language_names=True,
        )
        assert clean.languages == ("ps", "fa")
        with pytest.raises(Invalid) as refused:
            parse_input(data, actor_person_id=1, language="fr", kinds=["on_site"], client_rate=1)
    assert "languages" in refused.value.fields


def test_more_than_ten_languages_are_refused() -> None:
    many = "ar, fr, nl, en, de, es, it, pt, ps, fa, ti"
    with pytest.raises(Invalid) as refused:
        parse_input(
            {**FORM, "languages": many},
            actor_person_id=1,
            language="fr",
            kinds=["on_site"],
            client_rate=1,
            language_names=True,
        )
    assert "10" in refused.value.fields["languages"]


def test_a_closed_month_is_counted_in_the_first_open_month_after_the_last_closed() -> None:
    nothing_closed = Calendar({"2026-10": "open"})
    assert nothing_closed.counted_in(dt.date(2026, 10, 3)) is None
    calendar = Calendar({"2026-09": "closed", "2026-10": "closed", "2026-11": "review"})
    assert calendar.counted_in(dt.date(2026, 10, 3)) == "2026-12"
    assert calendar.counted_in(dt.date(2026, 8, 31)) == "2026-12"  # any month before too
    assert calendar.counted_in(dt.date(2026, 11, 3)) is None  # under review: refused
    assert calendar.counted_in(dt.date(2026, 12, 3)) is None  # its own month
    assert Calendar({"2026-10": "closed"}).counted_in(dt.date(2026, 10, 3)) == "2026-11"


def test_the_notice_says_which_month_is_closed_and_which_counts_the_work() -> None:
    calendar = Calendar({"2026-10": "closed", "2026-11": "review"})
    with i18n.language("en"):
        late = notice_for(calendar, dt.date(2026, 10, 14))
        frozen = notice_for(calendar, dt.date(2026, 11, 14))
    assert late is not None and late.kind == "late"
    assert late.text == (
        "October 2026 is closed: this work will be counted in December 2026 as a late adjustment."
    )
    assert frozen is not None and frozen.kind == "frozen" and "November 2026" in frozen.text
    assert notice_for(calendar, dt.date(2026, 12, 1)) is None
    with i18n.language("fr"):
        french = notice_for(calendar, dt.date(2026, 10, 14))
    assert french is not None
    assert french.text.startswith("Octobre 2026") and "décembre 2026" in french.text
    with i18n.language("ar"):
        arabic = notice_for(calendar, dt.date(2026, 10, 14))
    assert arabic is not None and "أكتوبر" in arabic.text and "ديسمبر" in arabic.text


def test_the_form_knows_the_notice_of_every_month_it_accepts() -> None:
    calendar = Calendar({"2026-10": "closed", "2026-11": "review"})
    window = window_of({"prestation_max_age_days": 100}, dt.date(2026, 12, 7))
    with i18n.language("en"):
        notices = notices_by_month(calendar, window)
    assert sorted(notices) == ["2026-08", "2026-09", "2026-10", "2026-11"]
    assert notices["2026-11"].kind == "frozen"
    assert {n.kind for m, n in notices.items() if m != "2026-11"} == {"late"}


def test_a_long_paste_is_named_briefly() -> None:
    with i18n.language("fr"):
        message = not_understood([f"x{n}" * 30 for n in range(1000)], "fr")
    assert len(message) < 600 and "x0" in message and "x999" not in message


def test_invisible_characters_are_neither_compared_nor_given_back() -> None:
    parsed = parse_languages(["pach\u200bto, \u202eelfique\u202c"], "fr")
    assert parsed.codes == ("ps",) and parsed.unknown == ("elfique",)
