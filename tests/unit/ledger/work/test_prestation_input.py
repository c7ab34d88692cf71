"""Reading a prestation form: every input is either clean or refused with field messages."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance.base.errors import Invalid
from governance.ledger.work.prestation_input import DEFAULT_KINDS, parse_input

FIELDS = [
    "client_id",
    "member_id",
    "date",
    "start_time",
    "duration_minutes",
    "rate",
    "fixed_amount",
    "travel",
    "kind",
    "languages",
    "note",
]


def parse(data: dict[str, object], client_rate: int | None = 5500) -> object:
    return parse_input(
        data, actor_person_id=7, language="fr", kinds=DEFAULT_KINDS, client_rate=client_rate
    )


def test_a_fixed_amount_needs_no_rate() -> None:
    clean = parse(
        {"client_id": "3", "date": "20/11/2026", "fixed_amount": "250", "kind": "translation"},
        client_rate=None,
    )
    assert clean.amount_cents == 25000  # type: ignore[attr-defined]
    assert clean.date == dt.date(2026, 11, 20)  # type: ignore[attr-defined]


def test_the_clients_rate_is_the_default() -> None:
    clean = parse(
        {"client_id": "3", "date": "2026-11-20", "duration_minutes": "45", "kind": "phone"}
    )
    assert clean.amount_cents == 4125  # type: ignore[attr-defined]


def test_a_third_of_an_hour_is_rounded_once_half_up() -> None:
    clean = parse(
        {
            "client_id": "3",
            "date": "2026-11-20",
            "duration_minutes": "20",
            "rate": "0,05",
            "kind": "phone",
        }
    )
    assert clean.amount_cents == 2  # type: ignore[attr-defined]  (1,666… cents -> 2)


def test_an_exact_half_cent_rounds_up_even_when_minutes_over_60_repeat() -> None:
    clean = parse(
        {
            "client_id": "3",
            "date": "2026-11-20",
            "duration_minutes": "5",
            "rate": "54,06",
            "kind": "phone",
        }
    )
    assert clean.amount_cents == 451  # type: ignore[attr-defined]  (exactly 450,5 cents)


def test_languages_are_deduplicated_and_lowercased() -> None:
    clean = parse(
        {
            "client_id": "3",
            "date": "2026-11-20",
            "duration_minutes": "60",
            "kind": "video",
            "languages": "PS, fa ps",
        }
    )
    assert clean.languages == ("ps", "fa")  # type: ignore[attr-defined]


@pytest.mark.parametrize("field", ["client_id", "date", "kind"])
def test_a_missing_required_field_is_named(field: str) -> None:
    data = {"client_id": "3", "date": "2026-11-20", "duration_minutes": "60", "kind": "video"}
    del data[field]
    with pytest.raises(Invalid) as caught:
        parse(data)
    assert field in caught.value.fields


values = st.one_of(
    st.text(max_size=60),
    st.integers().map(str),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "12,50",
            "1.234,56",
            "1e9",
            "NaN",
            "2026-02-30",
            "25:61",
            "on_site",
            "ps",
            "٣٤٫٥",
            "99999999999999",
        ]
    ),
    st.lists(st.text(max_size=5), max_size=3),
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(FIELDS), values))
def test_any_input_is_clean_or_invalid_never_an_error(data: dict[str, object]) -> None:
    try:
        clean = parse(data)
    except Invalid as error:
        assert error.fields
    else:
        assert 0 < clean.amount_cents <= 100_000_000  # type: ignore[attr-defined]
        assert clean.travel_cents >= 0  # type: ignore[attr-defined]
