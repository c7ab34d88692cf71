"""Reading a spreadsheet's CSV export and checking its rows: pure functions, no database."""

from __future__ import annotations

import codecs
import datetime as dt
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance.base import i18n
from governance.base.errors import Invalid
from governance.ledger.imports.checks import check_rows
from governance.ledger.imports.csv_reader import CsvRow, name_key, read_csv
from governance.ledger.work.prestation_input import PrestationInput
from tests.imports_support import check, lookups, text

HEADER = "date;membre;client;duree_minutes;tarif;montant_fixe;deplacement;type;langues;note"
ROW = "20/11/2026;amina@coop.example;CHU de Liège;90;55,00;;;on_site;ps fa;Pédiatrie"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with i18n.language("en"):
        yield


def clean(line: str) -> PrestationInput:
    (result,) = check(line)
    assert result.clean is not None, result.errors
    return result.clean


def errors_of(*lines: str, **changes: object) -> list[str]:
    return [str(e) for r in check(*lines, **changes) for e in r.errors]


# --- encodings ------------------------------------------------------------------------------


def test_utf8_with_a_bom_is_read_and_named() -> None:
    csv_file = read_csv(codecs.BOM_UTF8 + text(ROW).encode())
    assert csv_file.encoding == "UTF-8 (BOM)"
    assert csv_file.columns["date"] == "date"  # the BOM is not part of the first column's name
    assert csv_file.rows[0].cells["note"] == "Pédiatrie"


def test_utf8_without_a_bom() -> None:
    csv_file = read_csv(text(ROW).encode())
    assert csv_file.encoding == "UTF-8"
    assert csv_file.rows[0].cells["client"] == "CHU de Liège"


def test_an_excel_export_in_windows_1252_keeps_its_accents() -> None:
    csv_file = read_csv(text(ROW.replace("Pédiatrie", "Café «€»")).encode("cp1252"))
    assert csv_file.encoding == "Windows-1252"
    assert csv_file.rows[0].cells["client"] == "CHU de Liège"
    assert csv_file.rows[0].cells["note"] == "Café «€»"


def test_bytes_that_windows_1252_does_not_know_are_read_as_latin_1() -> None:
    csv_file = read_csv(text(ROW).encode("latin-1") + b"\x81")
    assert csv_file.encoding == "ISO-8859-1 (Latin-1)"
    assert csv_file.rows[0].cells["client"] == "CHU de Liège"


def test_excel_unicode_text_is_utf16_with_tabs() -> None:
    csv_file = read_csv(text(ROW).replace(";", "\t").encode("utf-16"))
    assert (csv_file.encoding, csv_file.delimiter) == ("UTF-16", "\t")
    assert csv_file.rows[0].cells["rate"] == "55,00"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "This file is empty."),
        (b" \r\n\r\n", "This file is empty."),
        (b"PK\x03\x04\x14\x00", "This is a spreadsheet file, not CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1", "This is a spreadsheet file, not CSV"),
        (b"date;membre\x00;client", "This file cannot be read as text"),
        (codecs.BOM_UTF8 + b"date;\xe9", "This file says it is UTF-8 but is not"),
        (HEADER.encode(), "This file has no rows to import."),
        ((HEADER + "\r\n;;;\r\n\r\n").encode(), "This file has no rows to import."),
    ],
)
def test_a_file_that_is_not_a_csv_export_says_why(data: bytes, message: str) -> None:
    with pytest.raises(Invalid) as refused:
        read_csv(data)
    assert message in refused.value.message


# --- separators and columns -----------------------------------------------------------------


def test_a_comma_file_with_quoted_decimal_commas() -> None:
    line = '20/11/2026,amina@coop.example,CHU de Liège,90,"55,00",,"3,20",on_site,"ps, fa",'
    csv_file = read_csv(text(line).replace(HEADER, HEADER.replace(";", ",")).encode())
    assert csv_file.delimiter == ","
    assert csv_file.rows[0].cells["rate"] == "55,00"
    assert csv_file.rows[0].cells["languages"] == "ps, fa"


def test_an_unquoted_decimal_comma_in_a_comma_file_names_the_line() -> None:
    header = HEADER.replace(";", ",")
    csv_file = read_csv(f"{header}\n20/11/2026,a@b.c,CHU,90,55,00,,,on_site,ps,\n".encode())
    assert csv_file.rows[0].problem.startswith("This line has 11 cells, but the first line has 10.")
    assert "between quotes" in csv_file.rows[0].problem
    result = check_rows(csv_file.rows, lookups(), csv_file.columns)[0]
    assert [str(e) for e in result.errors] == [f"line 2: {csv_file.rows[0].problem}"]


def test_excel_sep_line_chooses_the_separator() -> None:
    csv_file = read_csv(("sep=,\r\n" + text(ROW).replace(";", ",")).encode())
    assert csv_file.delimiter == ","
    assert csv_file.rows[0].line == 3


def test_columns_are_found_in_french_or_english_in_any_case_and_order() -> None:
    header = "Note;KIND;Durée (minutes);Client;Member_Email;Date;Rate;Travel;Languages;Début"
    line = "Pédiatrie;on_site;90;CHU de Liège;amina@coop.example;20/11/2026;55;2,5;ps;14:30"
    csv_file = read_csv(f"{header}\n{line}\n".encode())
    assert csv_file.columns["duration_minutes"] == "Durée (minutes)"
    assert csv_file.columns["start_time"] == "Début"
    assert csv_file.rows[0].cells["member_email"] == "amina@coop.example"
    (result,) = check_rows(csv_file.rows, lookups(), csv_file.columns)
    assert result.errors == [] and result.clean is not None
    assert result.clean.start_time == dt.time(14, 30)
    assert result.clean.travel_cents == 250


def test_names_are_compared_without_case_accents_or_punctuation() -> None:
    assert name_key("Durée (minutes)") == "duree_minutes"
    assert name_key("\ufeffE-mail ") == "e_mail"
    assert name_key("MONTANT FIXE") == "montant_fixe"


def test_missing_columns_are_named() -> None:
    with pytest.raises(Invalid) as refused:
        read_csv(b"date;client;note\n20/11/2026;CHU;x\n")
    assert refused.value.message == (
        "These columns are missing: membre (member_email), type (kind), "
        "duree_minutes (duration_minutes) or montant_fixe (fixed_amount)."
    )


def test_one_missing_column_is_named_alone() -> None:
    with pytest.raises(Invalid) as refused:
        read_csv(HEADER.replace("client;", "").encode() + b"\n1;2\n")
    assert refused.value.message == "This column is missing: client."


def test_a_column_given_twice_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        read_csv((HEADER + ";rate\n" + ROW + ";55\n").encode())
    assert "tarif and rate say the same thing" in refused.value.message


def test_other_columns_are_ignored_and_listed() -> None:
    csv_file = read_csv((HEADER + ";Total;\n" + ROW + ";82,50;\n").encode())
    assert csv_file.ignored == ("Total",)
    assert "Total" not in csv_file.rows[0].cells


def test_empty_lines_are_skipped_and_line_numbers_stay_the_files() -> None:
    csv_file = read_csv(text("", ROW, ";;;;;;;;;", "   ", ROW, "").encode())
    assert [row.line for row in csv_file.rows] == [3, 6]
    assert csv_file.empty_lines == 4
    assert all(not r.errors for r in check_rows(csv_file.rows, lookups(), csv_file.columns))


def test_a_quoted_cell_over_two_lines_keeps_the_next_rows_line() -> None:
    multi = ROW.replace("Pédiatrie", '"two\nlines"')
    csv_file = read_csv(text(multi, ROW).encode())
    assert [row.line for row in csv_file.rows] == [2, 4]


def test_more_rows_than_the_limit_is_refused_with_the_limit() -> None:
    with pytest.raises(Invalid) as refused:
        read_csv(text(*[ROW] * 4).encode(), max_rows=3)
    assert refused.value.message == "This file has more than 3 rows: split it into smaller files."
    assert len(read_csv(text(*[ROW] * 3).encode(), max_rows=3).rows) == 3


def test_a_runaway_quote_names_its_line() -> None:
    runaway = ROW.replace("Pédiatrie", '"' + "x" * 200_000)
    with pytest.raises(Invalid) as refused:
        read_csv(text(ROW, runaway).encode())
    assert refused.value.message == "Line 3 cannot be read as CSV: check the quotes in it."


# --- checking rows ----------------------------------------------------------------------------


def test_a_good_row_is_cleaned_like_the_record_form() -> None:
    (result,) = check(ROW)
    assert result.errors == [] and result.clean is not None
    prestation = result.clean
    assert (prestation.member_id, prestation.client_id, prestation.amount_cents) == (2, 10, 8250)
    assert prestation.languages == ("ps", "fa")
    assert result.status == "ok"


@pytest.mark.parametrize(
    ("rate", "cents"), [("55,00", 8250), ("55.00", 8250), ("55", 8250), ("€ 50,5", 7575)]
)
def test_rates_with_a_decimal_comma_or_point(rate: str, cents: int) -> None:
    assert clean(ROW.replace("55,00", rate)).amount_cents == cents


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        ("55,5,5", "Enter an amount like 12,50."),
        ("55,555", "Use at most two decimals (cents)."),
        ("-5", "The amount cannot be negative."),
        ("abc", "Enter an amount like 12,50."),
    ],
)
def test_a_bad_number_names_its_line_and_column(rate: str, message: str) -> None:
    assert errors_of(ROW.replace("55,00", rate)) == [f"line 2, column tarif: {message}"]


def test_the_clients_rate_is_used_when_the_rate_is_empty() -> None:
    assert clean(ROW.replace("55,00", "")).amount_cents == 8250
    assert errors_of(ROW.replace("55,00", "").replace("CHU de Liège", "No rate")) == [
        "line 2, column tarif: Give an hourly rate."
    ]


def test_a_fixed_amount_replaces_duration_and_rate() -> None:
    assert clean(ROW.replace("90;55,00;", ";;250,00")).amount_cents == 25000


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@coop.example", "No member of this cooperative has this e-mail address."),
        ("sam@coop.example", "This membership is suspended."),
        ("olga@coop.example", "An observer does not record work."),
        ("", "This field is required."),
    ],
)
def test_a_member_must_work_in_this_cooperative(email: str, message: str) -> None:
    line = ROW.replace("amina@coop.example", email)
    assert errors_of(line) == [f"line 2, column membre: {message}"]


def test_members_are_found_by_email_in_any_case() -> None:
    assert clean(ROW.replace("amina@coop.example", "Amina@Coop.Example")).member_id == 2


def test_clients_are_found_by_exact_name_in_any_case() -> None:
    assert clean(ROW.replace("CHU de Liège", "chu DE LIÈGE")).client_id == 10
    assert errors_of(ROW.replace("CHU de Liège", "CHU")) == [
        "line 2, column client: No client of this cooperative has this name: add it first."
    ]
    assert errors_of(ROW.replace("CHU de Liège", "Old Clinic")) == [
        "line 2, column client: This client is archived."
    ]


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("15/09/2026", "The period 2026-09 is under review: nothing dated in it can change."),
        ("31/12/2026", "This date is too far in the future."),
        ("31/02/2026", "Enter a date like 27/11/2026."),
    ],
)
def test_dates_under_review_or_too_far_ahead_are_refused(day: str, message: str) -> None:
    assert errors_of(ROW.replace("20/11/2026", day)) == [f"line 2, column date: {message}"]


def test_work_of_a_closed_month_is_accepted_as_a_later_adjustment() -> None:
    assert clean(ROW.replace("20/11/2026", "15/10/2026")).date == dt.date(2026, 10, 15)


@pytest.mark.parametrize(
    "day", ["20/11/2026", "2026-11-20", "20-11-26", "20/11/26", "20.11.2026", "20/11/2026 00:00"]
)
def test_dates_as_spreadsheets_write_them(day: str) -> None:
    assert clean(ROW.replace("20/11/2026", day)).date == dt.date(2026, 11, 20)


@pytest.mark.parametrize("kind", ["on_site", "ON_SITE", "Sur place", "On site", "Ter plaatse"])
def test_kinds_by_code_or_by_their_name_in_any_language(kind: str) -> None:
    assert clean(ROW.replace("on_site", kind)).kind == "on_site"


def test_an_unknown_kind_lists_the_codes() -> None:
    assert errors_of(ROW.replace("on_site", "dance")) == [
        "line 2, column type: Use one of: on_site, phone, video, translation, project_day, "
        "training, other."
    ]


def test_every_error_of_a_row_is_listed_in_the_files_column_order() -> None:
    line = "32/11/2026;nobody@coop.example;CHU;x;;;-1;dance;zz-top-language;"
    assert errors_of(line) == [
        "line 2, column date: Enter a date like 27/11/2026.",
        "line 2, column membre: No member of this cooperative has this e-mail address.",
        "line 2, column client: No client of this cooperative has this name: add it first.",
        "line 2, column duree_minutes: Enter a whole number.",
        "line 2, column deplacement: The amount cannot be negative.",
        "line 2, column type: Use one of: on_site, phone, video, translation, project_day, "
        "training, other.",
        "line 2, column langues: Use language codes like ar, ps, fr.",
    ]


def test_a_formula_quote_from_our_own_export_is_removed() -> None:
    assert clean(ROW.replace("Pédiatrie", "'=1+1")).note == "=1+1"


def test_identical_rows_get_different_keys_that_do_not_depend_on_the_line() -> None:
    first = check(ROW, ROW)
    assert first[0].key != first[1].key
    later = check("", "", ROW, ROW)
    assert [r.key for r in later] == [r.key for r in first]
    other = check(ROW.replace("90", "60"), ROW, ROW)
    assert [r.key for r in other][1:] == [r.key for r in first]
    assert all(r.key.startswith("csv:") for r in first)


def test_rows_that_mean_the_same_get_the_same_key() -> None:
    (one,) = check(ROW)
    (two,) = check(ROW.replace("55,00", "55.0").replace("chu", "CHU"))
    assert one.key == two.key


def test_a_row_with_an_error_gets_no_key() -> None:
    (result,) = check(ROW.replace("90", "x"))
    assert result.key == "" and result.clean is None
    assert result.status == "error"


def test_check_rows_takes_rows_built_elsewhere() -> None:
    cells = dict(
        zip(
            ["date", "member_email", "client", "duration_minutes", "kind"],
            ["2026-11-20", "amina@coop.example", "CHU de Liège", "30", "phone"],
            strict=True,
        )
    )
    (result,) = check_rows([CsvRow(7, cells)], lookups(), {})
    assert result.clean is not None and result.line == 7


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=200).map(lambda t: (HEADER + "\n" + t).encode()))
def test_any_bytes_are_read_or_refused_with_a_message(data: bytes) -> None:
    try:
        csv_file = read_csv(data)
    except Invalid as error:
        assert error.message
        return
    for result in check_rows(csv_file.rows, lookups(), csv_file.columns):
        assert result.clean is not None or result.errors
