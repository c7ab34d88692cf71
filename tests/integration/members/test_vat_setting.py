"""The cooperative's VAT status on its details page: a coordinator chooses the legal mention its
invoices print, saved in the settings and audited; bad input is refused with a message in the
reader's language and changes nothing."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest
from sqlmodel import col, select

from governance.audit.models import AuditEvent
from governance.base import i18n
from governance.members import vat
from governance.members.models import Cooperative
from tests.cooperative_support import PAGE, UNIVERBAL


def settings_of(run: Any, world: Any) -> dict[str, Any]:
    async def action(session: Any) -> dict[str, Any]:
        async with session.begin():
            coop = await session.get(Cooperative, world.alpha)
            assert coop is not None
            return dict(coop.settings)

    result: dict[str, Any] = run(action)
    return result


def vat_events(run: Any) -> list[dict[str, Any]]:
    async def action(session: Any) -> list[dict[str, Any]]:
        async with session.begin():
            rows = await session.exec(
                select(AuditEvent)
                .where(AuditEvent.action == "cooperative.vat_changed")
                .order_by(col(AuditEvent.seq))
            )
            return [json.loads(row.data) for row in rows]

    result: list[dict[str, Any]] = run(action)
    return result


def french(message: str) -> str:
    with i18n.language("fr"):
        return i18n.gettext(message)


def test_a_coordinator_chooses_a_mention_and_the_audit_keeps_it(
    visitor: Any, world: Any, run: Any
) -> None:
    visitor.login("carla")
    form = visitor.get(PAGE).text
    assert 'name="vat_mention"' in form and 'value="art44"' in form
    assert french("VAT exemption: article 44 § 2 of the Belgian VAT Code.") in form
    saved = visitor.post(PAGE, {**UNIVERBAL, "vat_status": "exempt", "vat_mention": "art56bis"})
    assert saved.status_code in (302, 303), saved.text
    assert settings_of(run, world)["vat"] == {"status": "exempt", "mention": "art56bis", "text": ""}
    [event] = vat_events(run)
    assert event["before"] == {} and event["after"]["mention"] == "art56bis"
    assert 'value="art56bis" id="f-vat_mention-art56bis" checked' in visitor.get(PAGE).text

    own = "Exonération de TVA, article 44 § 2, 2° du Code de la TVA"
    again = {**UNIVERBAL, "vat_status": "exempt", "vat_mention": "other", "vat_text": f"  {own} "}
    assert visitor.post(PAGE, again).status_code in (302, 303)
    assert settings_of(run, world)["vat"]["text"] == own
    assert visitor.post(PAGE, again).status_code in (302, 303)  # the same: nothing written
    assert len(vat_events(run)) == 2
    with i18n.language("fr"):
        assert vat.mention(settings_of(run, world)) == own

    # A member reads the mention, without a form.
    visitor.login("omar")
    page = visitor.get(PAGE).text
    assert own in page and 'name="vat_mention"' not in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"vat_status": "exempt", "vat_mention": "art99"},
            "vat_mention",
            "Choose the legal mention the invoices print about VAT.",
        ),
        (
            {"vat_status": "exempt", "vat_mention": "other", "vat_text": "   "},
            "vat_text",
            "Write the legal mention the invoices print about VAT.",
        ),
        (
            {"vat_status": "standard", "vat_mention": "art44"},
            "vat_status",
            "Choose the cooperative's VAT status.",
        ),
        (
            {"vat_status": "subject", "vat_rate": "19"},
            "vat_rate",
            # French already: the rates are a list in the reader's words.
            "Choisissez un taux de TVA : 21\u00a0%, 12\u00a0% ou 6\u00a0%.",
        ),
    ],
)
def test_bad_vat_input_is_refused_and_changes_nothing(
    fields: dict[str, str], field: str, message: str, visitor: Any, world: Any, run: Any
) -> None:
    visitor.login("carla")
    before = settings_of(run, world)
    refused = visitor.post(PAGE, {**UNIVERBAL, **fields})
    assert refused.status_code == 422
    assert html.unescape(refused.text).count(french(message)) == 1
    assert f'id="f-{field}-error"' in refused.text
    assert settings_of(run, world) == before and vat_events(run) == []


def test_a_mention_too_long_is_refused() -> None:
    from governance.base.errors import Invalid

    with pytest.raises(Invalid) as refused:
        vat.parse({"vat_status": "exempt", "vat_mention": "other", "vat_text": "x" * 201})
    assert set(refused.value.fields) == {"vat_text"}
    assert vat.parse({"vat_status": "exempt", "vat_mention": ""}) is None  # not chosen yet
