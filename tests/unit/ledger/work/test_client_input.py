"""Reading a client form: every input is either clean or refused with field messages."""

from __future__ import annotations

from typing import Any

import pytest

from governance.base.errors import Invalid
from governance.ledger.books.kinds import ClientKind
from governance.ledger.work.clients import ClientInput, parse_client


def parse(language: str = "fr", **fields: str) -> ClientInput:
    return parse_client({"name": "CHU de Liège", "kind": "hospital", **fields}, language)


def refused(language: str = "fr", **fields: Any) -> dict[str, str]:
    with pytest.raises(Invalid) as caught:
        parse(language, **fields)
    return caught.value.fields


def test_a_name_and_a_kind_are_enough() -> None:
    clean = parse()
    assert clean == ClientInput(
        name="CHU de Liège",
        kind=ClientKind.HOSPITAL,
        vat_number=None,
        address="",
        default_rate_cents=0,
    )


@pytest.mark.parametrize(
    "typed", ["BE 0403.170.701", "0403170701", "403170701", "be0403170701", "0403 170 701"]
)
def test_a_belgian_number_is_kept_in_its_compact_form(typed: str) -> None:
    assert parse(vat_number=typed).vat_number == "BE0403170701"


def test_arabic_indic_digits_are_read_as_digits() -> None:
    assert parse(vat_number="٠٤٠٣١٧٠٧٠١").vat_number == "BE0403170701"


@pytest.mark.parametrize(
    "typed", ["BE 0403.170.702", "1234", "FR40303265045", "abc", "BE 0403.170.701.1", "x" * 31]
)
def test_a_wrong_number_is_refused_on_its_field(typed: str) -> None:
    assert set(refused(vat_number=typed)) == {"vat_number"}


def test_an_empty_number_means_none() -> None:
    assert parse(vat_number="   ").vat_number is None


@pytest.mark.parametrize(
    ("typed", "language", "cents"),
    [
        ("55", "fr", 5500),
        ("55,50", "fr", 5550),
        ("€ 62.5", "en", 6250),
        ("0", "fr", 0),
        ("", "fr", 0),
    ],
)
def test_the_usual_rate_is_read_as_typed(typed: str, language: str, cents: int) -> None:
    assert parse(language, default_rate=typed).default_rate_cents == cents


@pytest.mark.parametrize("typed", ["-5", "12,345", "abc", "2 000 000"])
def test_a_wrong_rate_is_refused(typed: str) -> None:
    assert set(refused(default_rate=typed)) == {"default_rate"}


def test_a_name_is_required_and_at_most_160_characters() -> None:
    assert set(refused(name="  ")) == {"name"}
    assert set(refused(name="x" * 161)) == {"name"}
    assert parse(name="x" * 160).name == "x" * 160


def test_a_unicode_name_is_kept_as_typed() -> None:
    for name in ("مستشفى الحسن", "Ośrodek Integracji", "CPAS de Liège", "Ｃｏｍｐａｎｙ 株式会社"):
        assert parse(name=f"  {name} ").name == name


def test_a_name_with_control_characters_is_refused() -> None:
    assert set(refused(name="CHU\x00")) == {"name"}


def test_only_known_kinds_are_accepted() -> None:
    assert parse(kind="integration_office").kind is ClientKind.INTEGRATION_OFFICE
    assert set(refused(kind="embassy")) == {"kind"}


def test_an_address_is_at_most_300_characters() -> None:
    assert parse(address="Rue des Déportés 1, 4000 Liège").address.startswith("Rue")
    assert set(refused(address="a" * 301)) == {"address"}


def test_every_bad_field_is_named_at_once() -> None:
    fields = refused(name="", kind="x", vat_number="123", address="a" * 400, default_rate="y")
    assert set(fields) == {"name", "kind", "vat_number", "address", "default_rate"}
