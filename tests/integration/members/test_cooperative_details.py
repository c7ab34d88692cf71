"""The cooperative's own details: coordinators change them, everyone reads them, the invoice
PDF prints them."""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import col, select

from governance.audit.models import AuditEvent
from governance.base import clock
from governance.base.errors import Invalid
from governance.ledger.billing.invoices import issue_invoice
from governance.ledger.books.kinds import ClientKind
from governance.ledger.work import prestations
from governance.ledger.work.clients import create_client
from governance.members import details
from governance.members.models import Cooperative
from tests.cooperative_support import PAGE, UNIVERBAL

STORED = {
    "legal_name": "Univerbal SC",
    "address": "Rue Saint-Gilles 58\n4000 Liège",
    "enterprise_number": "BE0999412378",
    "iban": "BE71160410012769",
    "bic": "GKCCBEBB",
    "email": "coordination@univerbal.example",
    "phone": "+32 4 221 00 58",
}
EMPTY = dict.fromkeys(STORED, "")
# pdftotext marks right-to-left runs with bidi controls; the words are what matter.
BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


def stored(run: Any, world: Any) -> dict[str, str]:
    async def action(session: Any) -> dict[str, str]:
        async with session.begin():
            coop = await session.get(Cooperative, world.alpha)
            assert coop is not None
            return {name: getattr(coop, name) for name in STORED}

    result: dict[str, str] = run(action)
    return result


def events(run: Any) -> list[tuple[str, dict[str, Any]]]:
    async def action(session: Any) -> list[tuple[str, dict[str, Any]]]:
        async with session.begin():
            rows = await session.exec(
                select(AuditEvent)
                .where(AuditEvent.action == "cooperative.details_changed")
                .order_by(col(AuditEvent.seq))
            )
            return [(row.chain, json.loads(row.data)) for row in rows]

    result: list[tuple[str, dict[str, Any]]] = run(action)
    return result


def test_a_coordinator_saves_the_details_and_the_audit_keeps_before_and_after(
    visitor: Any, world: Any, run: Any
) -> None:
    visitor.login("carla")
    form = visitor.get(PAGE)
    assert form.status_code == 200
    assert 'name="_csrf_token"' in form.text and 'name="iban"' in form.text
    saved = visitor.post(PAGE, UNIVERBAL)
    assert saved.status_code in (302, 303), saved.text
    assert saved.headers["location"] == PAGE
    assert stored(run, world) == STORED
    [(chain, data)] = events(run)
    assert chain == f"coop:{world.alpha}"
    assert data["before"] == EMPTY and data["after"] == STORED
    assert data["changed_details"].split(",") == list(STORED)

    again = visitor.get(PAGE)
    assert "Dénomination officielle" in again.text  # French, the default language
    # The flash, and the numbers grouped for reading.
    assert again.text.count('class="flash flash--info"') == 1
    assert 'value="BE 0999.412.378"' in again.text
    assert 'value="BE71 1604 1001 2769"' in again.text
    assert "Rue Saint-Gilles 58\n4000 Liège</textarea>" in again.text

    # Saving what is already there writes nothing; one change is audited alone.
    assert visitor.post(PAGE, UNIVERBAL).status_code in (302, 303)
    assert len(events(run)) == 1
    visitor.post(PAGE, {**UNIVERBAL, "iban": "BE13 1604 1008 7339"})
    [_first, (_chain, data)] = events(run)
    assert data["before"] == {"iban": "BE71160410012769"}
    assert data["after"] == {"iban": "BE13160410087339"}
    trail = visitor.get("/c/alpha/audit/").text
    assert "IBAN" in trail and "Carla Coordinator" in trail


@pytest.mark.parametrize("persona", ["omar", "wen", "olga"])
def test_other_members_read_the_details_but_cannot_change_them(
    persona: str, visitor: Any, world: Any, run: Any
) -> None:
    run(lambda s: details.update_details(s, world.actor("carla"), UNIVERBAL))
    visitor.login(persona)
    page = visitor.get(PAGE)
    assert page.status_code == 200
    assert "BE71 1604 1001 2769" in page.text and "Univerbal SC" in page.text
    assert f'action="{PAGE}"' not in page.text and 'name="iban"' not in page.text
    refused = visitor.post(PAGE, {**UNIVERBAL, "iban": "BE13 1604 1008 7339"})
    assert refused.status_code == 403
    assert stored(run, world) == STORED
    assert len(events(run)) == 1


def test_suspended_members_and_strangers_see_nothing(
    make_visitor: Any, world: Any, run: Any
) -> None:
    sam, bea = make_visitor(), make_visitor()
    sam.login("sam")
    bea.login("bea")
    assert sam.get(PAGE).status_code == 403
    assert sam.post(PAGE, UNIVERBAL).status_code == 403
    assert bea.get(PAGE).status_code == 404
    assert bea.post(PAGE, UNIVERBAL).status_code == 404
    assert stored(run, world) == EMPTY


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("enterprise_number", "BE 0403.170.702"),  # wrong check digits
        ("enterprise_number", "FR40303265045"),
        ("enterprise_number", ""),
        ("iban", "BE71 1604 1001 2768"),  # wrong check digits
        ("iban", "not an iban"),
        ("iban", ""),
        ("bic", "GKCC"),
        ("email", "coordination"),
        ("phone", "call me"),
        ("legal_name", "L" * 161),
        ("address", "A" * 301),
        ("address", ""),
        ("legal_name", "Univerbal\x00SC"),
    ],
)
def test_invalid_details_are_refused_with_a_message_and_nothing_changes(
    field: str, value: str, visitor: Any, world: Any, run: Any
) -> None:
    visitor.login("carla")
    response = visitor.post(PAGE, {**UNIVERBAL, field: value})
    assert response.status_code == 422
    assert f'id="f-{field}-error"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert stored(run, world) == EMPTY
    assert events(run) == []


def test_messages_are_in_the_persons_language(visitor: Any, world: Any) -> None:
    visitor.login("carla")  # French, the default
    response = visitor.post(PAGE, {**UNIVERBAL, "enterprise_number": "123"})
    assert response.status_code == 422
    assert "Veuillez corriger les champs indiqués ci-dessous." in response.text
    assert "Ce n&#39;est pas un numéro d&#39;entreprise ou de TVA belge valide." in response.text


def test_parse_details_cleans_what_people_type() -> None:
    clean = details.parse_details(
        {**UNIVERBAL, "enterprise_number": "٠٩٩٩٤١٢٣٧٨", "bic": "", "phone": ""}
    )
    assert clean.enterprise_number == "BE0999412378"
    assert clean.address == "Rue Saint-Gilles 58\n4000 Liège"
    assert clean.bic == "" and clean.phone == ""
    with pytest.raises(Invalid) as refused:
        details.parse_details({})
    assert set(refused.value.fields) == {"address", "enterprise_number", "iban", "email"}
    assert details.format_enterprise_number("BE0999412378") == "BE 0999.412.378"
    assert details.format_iban("BE71160410012769") == "BE71 1604 1001 2769"


@given(
    st.fixed_dictionaries(
        {
            name: st.one_of(
                st.text(max_size=400),
                st.sampled_from([UNIVERBAL[name], "٠٩٩٩٤١٢٣٧٨", "𝟗" * 12, "\r\n" * 50]),
            )
            for name in UNIVERBAL
        }
    )
)
def test_whatever_is_typed_is_refused_or_fits_the_columns(data: dict[str, str]) -> None:
    try:
        clean = details.parse_details(data)
    except Invalid as refused:
        assert refused.fields
        return
    for name, value in vars(clean).items():
        column = Cooperative.model_fields[name].metadata
        limit = next(m.max_length for m in column if hasattr(m, "max_length"))
        assert len(value) <= limit, (name, value)
        assert "\x00" not in value


# --- The invoice PDF -------------------------------------------------------------------------


def _invoice(run: Any, world: Any) -> int:
    today = clock.today()

    async def action(session: Any) -> int:
        client = await create_client(
            session,
            world.actor("carla"),
            name="CHU",
            kind=ClientKind.HOSPITAL,
            default_rate_cents=5500,
        )
        work, _ = await prestations.record_prestation(
            session,
            world.actor("omar"),
            {
                "client_id": str(client.id),
                "date": today.replace(day=1).isoformat(),
                "duration_minutes": "120",
                "kind": "on_site",
            },
            language="fr",
            today=today,
            submit=True,
        )
        await prestations.validate_prestations(session, world.actor("carla"), [work.id])
        assert client.id is not None
        invoice = await issue_invoice(
            session, world.actor("carla"), client.id, today.strftime("%Y-%m"), today
        )
        assert invoice.id is not None
        return invoice.id

    result: int = run(action)
    return result


def _pdf_text(visitor: Any, invoice_id: int) -> str:
    from governance.ledger.billing.invoice_pdf import FONT

    if not FONT.exists():
        pytest.skip("fonts-dejavu-core is not installed")
    response = visitor.get(f"/c/alpha/invoices/{invoice_id}/pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],
        input=response.content,
        capture_output=True,
        check=True,
    )
    return out.stdout.decode().translate(BIDI_CONTROLS)


def test_the_invoice_pdf_prints_the_cooperatives_details(
    visitor: Any, world: Any, run: Any
) -> None:
    invoice_id = _invoice(run, world)
    visitor.login("carla")
    before = _pdf_text(visitor, invoice_id)
    assert "Alpha" in before  # no legal name yet: the usual name
    assert "IBAN" not in before
    assert visitor.post(PAGE, UNIVERBAL).status_code in (302, 303)
    text = _pdf_text(visitor, invoice_id)
    for expected in (
        "Univerbal SC",
        "Rue Saint-Gilles 58",
        "4000 Liège",
        "BE 0999.412.378",
        "BE71 1604 1001 2769",
        "GKCCBEBB",
        "coordination@univerbal.example",
        "+32 4 221 00 58",
    ):
        assert expected in text, expected
    assert re.search(r"\+\+\+\d{3}/\d{4}/\d{5}\+\+\+", text)


def test_hostile_details_are_escaped_on_the_page_and_printed_literally(
    make_visitor: Any, world: Any, run: Any
) -> None:
    invoice_id = _invoice(run, world)
    carla, omar = make_visitor(), make_visitor()
    carla.login("carla")
    hostile = {
        **UNIVERBAL,
        "legal_name": '<script>alert("x")</script> & Co',
        "address": "=cmd|' /C calc'!A0\nشارع الحرية 12\n4000 لييج",
        "phone": "(04) 221.00.58",
    }
    assert carla.post(PAGE, hostile).status_code in (302, 303)
    omar.login("omar")
    for visitor in (carla, omar):
        page = visitor.get(PAGE).text
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in page
        assert "شارع الحرية 12" in page
        assert "=cmd|&#39; /C calc&#39;!A0" in page
    text = _pdf_text(carla, invoice_id)
    assert '<script>alert("x")</script> & Co' in text
    assert "=cmd|' /C calc'!A0" in text
    assert "شارع الحرية" in text and "لييج" in text


def test_the_home_and_members_pages_link_to_the_details(visitor: Any, world: Any) -> None:
    visitor.login("carla")
    assert f'href="{PAGE}"' in visitor.get("/c/alpha/").text
    assert f'href="{PAGE}"' in visitor.get("/c/alpha/members").text


def test_the_demo_details_are_valid() -> None:
    from governance.demo.univerbal import COOP_DETAILS

    for values in COOP_DETAILS.values():
        clean = details.parse_details(values)
        assert clean.enterprise_number.startswith("BE0999")
        assert clean.iban.startswith("BE") and clean.iban[4:7] == "160"


@pytest.mark.parametrize("language", ["fr", "en", "nl", "ar"])
def test_the_page_works_in_every_language(
    language: str, visitor: Any, world: Any, run: Any
) -> None:
    visitor.login("carla")
    visitor.post("/account/profile", {"name": "Carla Coordinator", "language": language})
    assert visitor.get(PAGE).status_code == 200
    assert visitor.post(PAGE, {**UNIVERBAL, "iban": "x"}).status_code == 422
    assert stored(run, world) == EMPTY
