"""Screens of issue 15 at 360 px, checked through the pages: a member who owes the cooperative
(a travel cost taken back after it was paid) reads it in words on their earnings page and on
the home page, never as a bare negative "owed to you"; the CSV preview names the member above
the e-mail, the kind in the reader's words and the duration as hours and minutes; the queue's
card labels break between words only."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from governance.base import clock
from governance.ledger.books.kinds import ClientKind
from governance.ledger.payouts import payouts
from governance.ledger.work import prestations
from governance.ledger.work.clients import create_client
from governance.members import bank
from governance.members.models import Cooperative
from tests.closing_support import TODAY, build_october, close_month
from tests.imports_support import csv_bytes, upload


def section(page: str, section_id: str) -> str:
    found = re.search(rf'<section[^>]*id="{section_id}".*?</section>', page, re.S)
    assert found, f"no section {section_id}"
    return found.group(0)


async def _paid_out(session: Any, world: Any) -> None:
    """October closed and everything owed paid out to Omar (Wen and Carla have no IBAN)."""
    await close_month(session, world)
    async with session.begin():
        cooperative = await session.get(Cooperative, world.alpha)
        cooperative.iban, cooperative.bic = "BE68539007547034", "GKCCBEBB"
        cooperative.legal_name = "Alpha SC"
        session.add(cooperative)
    await bank.set_bank_details(
        session, world.ids["omar"], "BE71096123456769", "GKCCBEBB", "Omar Cooperator"
    )
    prepared = await payouts.prepare_batch(
        session, world.actor("carla"), clock.today() + dt.timedelta(days=2)
    )
    assert prepared.batch.id is not None
    await payouts.confirm_sent(session, world.actor("carla"), prepared.batch.id)


def test_travel_taken_back_after_payout_is_owed_back_in_words(
    run: Any,
    world: Any,
    people: Any,
) -> None:
    carla, omar = people["carla"], people["omar"]
    ids = run(lambda s: build_october(s, world, travel={"omar": "8,40"}))
    run(lambda s: _paid_out(s, world))
    before = omar.get("/c/alpha/me/earnings").text
    assert 'id="owed-back"' not in before and "Owed to you today" in before
    reason = "The CHU cancelled the session"
    done = carla.post(f"/c/alpha/work/{ids['omar']}/reverse", {"reason": reason})
    assert done.status_code in (302, 303)

    earnings = omar.get("/c/alpha/me/earnings").text
    assert "Owed to you today" not in earnings  # no negative "owed to you"
    owed = section(earnings, "owed-back")
    assert "You owe the cooperative" in owed and "€8.40" in owed
    assert "-€8.40" not in earnings and "€-8.40" not in earnings
    assert f"Work #{ids['omar']} of " in owed
    assert "travel costs" in owed and reason in owed
    assert f'href="#reversal-{ids["omar"]}"' in owed
    assert "your share when a month is closed" in owed and "no transfer is made" in owed

    home = omar.get("/c/alpha/").text
    card = section(home, "todo-owed")
    assert "You owe the cooperative" in card and "8.40" in card
    why = re.search(r'<p id="todo-owed-why">(.*?)</p>', card, re.S)
    assert why and f"Work #{ids['omar']} was cancelled after its travel costs" in why.group(1)
    assert "taken from what the cooperative will owe you next" in card

    # Wen, still owed her share (no IBAN, not paid), reads the usual card.
    wen = people["wen"].get("/c/alpha/me/earnings").text
    assert 'id="owed-back"' not in wen and "Owed to you today" in wen


def test_the_import_preview_names_member_kind_and_duration_in_the_readers_words(
    run: Any,
    world: Any,
    people: Any,
) -> None:
    carla = people["carla"]
    run(lambda s: build_october(s, world))
    preview = upload(
        carla,
        csv_bytes(
            "12/11/2026;omar@alpha.example;CHU;75;;50,00;;on_site;;",
            "13/11/2026;nobody@alpha.example;CHU;90;;50,00;;on_site;;",
        ),
    )
    assert preview.status_code == 200, preview.text[:2000]
    line = re.search(r'<tr id="line-2">.*?</tr>', preview.text, re.S)
    assert line, preview.text[:2000]
    cells = dict(re.findall(r'<td data-label="([^"]+)"[^>]*>(.*?)</td>', line.group(0), re.S))
    assert "Omar Cooperator" in cells["Member"] and "omar@alpha.example" in cells["Member"]
    assert 'class="import-email"' in cells["Member"]
    assert "On site" in cells["Kind"] and "on_site" not in cells["Kind"]
    assert "1 h 15" in cells["Duration"] and "75" not in cells["Duration"]
    # A row with an error shows the file's cells as they are, the e-mail still wrapping.
    bad = re.search(r'<tr id="line-3">.*?</tr>', preview.text, re.S)
    assert bad and "nobody@alpha.example" in bad.group(0) and "import-email" in bad.group(0)
    assert ">90<" in bad.group(0) or "90</bdi>" in bad.group(0)


def test_the_queue_labels_break_between_words(run: Any, world: Any, people: Any) -> None:
    carla = people["carla"]

    async def submitted(session: Any) -> None:
        client = await create_client(
            session, world.actor("carla"), name="CHU", kind=ClientKind.HOSPITAL
        )
        fields = {"client_id": str(client.id), "date": "2026-11-03", "fixed_amount": "100"}
        fields |= {"travel": "12,50", "kind": "on_site"}
        await prestations.record_prestation(
            session, world.actor("omar"), fields, language="fr", today=TODAY, submit=True
        )

    run(submitted)
    page = carla.get("/c/alpha/work/queue").text
    assert 'class="ledger-table ledger-table--words"' in page and 'data-label="Travel"' in page
    link = re.search(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert link
    css = carla.get(link.group(1)).text
    rule = re.search(r"\.ledger-table--words td::before \{([^}]*)\}", css)
    assert rule and "overflow-wrap: normal" in rule.group(1) and "hyphens: none" in rule.group(1)
