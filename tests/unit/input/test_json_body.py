"""JSON bodies are read strictly: JSON's own types, no unknown key, every fault named; the
amounts they carry (integer cents) read the same in every language once handed to a service."""

from __future__ import annotations

import pytest

from governance.base import i18n
from governance.base.errors import Invalid
from governance.input.json_body import decode_body, field_errors, refused_parameters
from governance.input.money import format_cents, parse_amount
from governance.ledger.billing.api import ClientIn
from governance.ledger.work.api import PrestationIn

PRESTATION = b'{"client_id": 1, "date": "2026-11-20", "kind": "phone", "rate_cents": 5406}'


def test_a_good_body_is_read_with_its_types() -> None:
    body = decode_body(PRESTATION, PrestationIn)
    assert body.client_id == 1 and body.rate_cents == 5406 and body.languages == []
    assert body.as_form()["rate"] == "54.06" and body.as_form()["date"] == "2026-11-20"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"client_id": [1, 2], "date": "2026-11-20", "kind": "phone"}', "client_id"),
        (b'{"client_id": "1", "date": "2026-11-20", "kind": "phone"}', "client_id"),
        (b'{"client_id": 1.0, "date": "2026-11-20", "kind": "phone"}', "client_id"),
        (b'{"client_id": true, "date": "2026-11-20", "kind": "phone"}', "client_id"),
        (b'{"client_id": 0, "date": "2026-11-20", "kind": "phone"}', "client_id"),
        (b'{"client_id": 1, "date": "20/11/2026", "kind": "phone"}', "date"),
        (b'{"client_id": 1, "date": "2026-11-20", "kind": ["phone"]}', "kind"),
        (b'{"client_id": 1, "date": "2026-11-20", "kind": "phone", "rate": "50,00"}', "rate"),
        (
            b'{"client_id": 1, "date": "2026-11-20", "kind": "p", "rate_cents": ["5000"]}',
            "rate_cents",
        ),
        (b'{"client_id": 1, "date": "2026-11-20", "kind": "p", "rate_cents": 50.5}', "rate_cents"),
        (b'{"client_id": 1, "date": "2026-11-20", "kind": "p", "languages": "fr"}', "languages"),
        (b'{"client_id": 1, "date": "2026-11-20", "kind": "p", "languages": [1]}', "languages"),
        (b'{"date": "2026-11-20", "kind": "phone"}', "client_id"),
    ],
)
def test_each_fault_is_refused_on_its_field(raw: bytes, field: str) -> None:
    with pytest.raises(Invalid) as refused:
        decode_body(raw, PrestationIn)
    assert field in refused.value.fields
    assert refused.value.status_code == 422


def test_every_field_at_fault_is_named_at_once() -> None:
    errors = field_errors({"name": 3, "default_rate": 5000, "vat_number": None}, ClientIn)
    assert errors.keys() == {"name", "default_rate", "kind"}


@pytest.mark.parametrize(
    "raw", [b"", b"{not json", b"[1]", b'"text"', b"null", b"[" * 100_000 + b"]" * 100_000]
)
def test_what_is_not_a_json_object_is_refused(raw: bytes) -> None:
    with pytest.raises(Invalid):
        decode_body(raw, ClientIn)


def test_the_messages_speak_the_callers_language() -> None:
    i18n.set_language("en")
    assert field_errors({"kind": "x"}, ClientIn)["name"] == "This field is required."
    i18n.set_language("fr")
    assert field_errors({"kind": "x"}, ClientIn)["name"] != "This field is required."


def test_litestars_refusals_point_at_the_body_or_the_parameters() -> None:
    assert refused_parameters([{"key": "limit", "message": "x", "source": "query"}])[0] == 400
    status, fields = refused_parameters([{"key": "rate", "message": "x", "source": "body"}])
    assert status == 422 and list(fields) == ["rate"]


@pytest.mark.parametrize("language", ["fr", "en", "nl", "ar"])
@pytest.mark.parametrize("cents", [0, 5, 1250, 5406, 123456, 100_000_000])
def test_cents_handed_to_a_service_read_alike_in_every_language(language: str, cents: int) -> None:
    assert parse_amount(format_cents(cents), language, allow_zero=True) == cents
