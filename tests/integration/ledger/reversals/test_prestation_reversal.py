"""Reversing a validated prestation: the opposite entry, the refusals, the pages and the API."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from typing import Any

import pytest
from sqlalchemy import create_engine, func, text
from sqlmodel import col, select

from governance.audit.describe import describe
from governance.audit.models import AuditEvent
from governance.base import clock, db, i18n
from governance.base.errors import Conflict, DomainError, Invalid, NotFound, PermissionDenied
from governance.base.settings import Settings
from governance.ledger.billing import credit_notes, invoices
from governance.ledger.books.models import Account, JournalEntry, LedgerLine
from governance.ledger.reversals import reversals
from governance.ledger.work import prestations
from governance.ledger.work.models import Prestation

TODAY = dt.date(2026, 11, 27)


async def validated(
    session: Any,
    world: Any,
    client_id: int,
    day: str,
    *,
    minutes: int = 120,
    travel: str = "",
    today: dt.date = TODAY,
) -> int:
    """Omar's prestation, submitted and validated by Carla: 55,00 € an hour."""
    prestation, _ = await prestations.record_prestation(
        session,
        world.actor("omar"),
        {
            "client_id": str(client_id),
            "date": day,
            "duration_minutes": str(minutes),
            "kind": "on_site",
            "travel": travel,
        },
        language="fr",
        today=today,
        submit=True,
    )
    await prestations.validate_prestations(session, world.actor("carla"), [prestation.id])
    assert prestation.id is not None
    return prestation.id


CHU_FIXTURE = "chu_client"  # which `chu` these tests use (tests/integration/conftest.py)


@pytest.fixture
def work(run: Any, world: Any, chu: int) -> int:
    """A validated prestation of 110,00 € and 12,00 € of travel, dated 20 November."""
    return run(lambda s: validated(s, world, chu, "2026-11-20", travel="12,00"))


def reverse(run: Any, world: Any, prestation_id: int, reason: str, who: str = "carla") -> Any:
    return run(
        lambda s: reversals.reverse_prestation(
            s, world.actor(who), prestation_id, reason, today=TODAY
        )
    )


def books(run: Any) -> dict[str, Any]:
    """Every entry's lines, each account's balance, the prestations and the audit actions."""

    async def action(session: Any) -> dict[str, Any]:
        async with session.begin():
            lines = (
                await session.exec(
                    select(LedgerLine.entry_id, Account.code, LedgerLine.amount).join(
                        Account, col(Account.id) == LedgerLine.account_id
                    )
                )
            ).all()
            entries = (await session.exec(select(JournalEntry))).all()
            rows = (await session.exec(select(Prestation))).all()
            events = (await session.exec(select(AuditEvent).order_by(col(AuditEvent.seq)))).all()
        balances: dict[str, int] = {}
        by_entry: dict[int, int] = {}
        for entry_id, code, amount in lines:
            balances[code] = balances.get(code, 0) + amount
            by_entry[entry_id] = by_entry.get(entry_id, 0) + amount
        return {
            "balances": balances,
            "by_entry": by_entry,
            "entries": {e.id: e for e in entries},
            "prestations": {p.id: p for p in rows},
            "events": list(events),
        }

    return run(action)


def test_a_reversal_cancels_the_validation_entry(run: Any, world: Any, chu: int, work: int) -> None:
    before = books(run)
    assert before["balances"][f"receivable:{chu}"] == 12200
    done = reverse(run, world, work, "  Wrong client: it was the CPAS  ")
    assert done.status == "reversed"
    assert done.rejection_reason == "Wrong client: it was the CPAS"
    assert done.decided_by_id == world.ids["carla"]
    after = books(run)
    balances = after["balances"]
    assert balances[f"receivable:{chu}"] == 0
    assert balances["revenue"] == 0
    assert balances[f"payable:{world.ids['omar']}"] == 0
    assert sum(balances.values()) == 0
    assert all(total == 0 for total in after["by_entry"].values())
    original = after["entries"][done.entry_id]
    (reversal,) = [e for e in after["entries"].values() if e.reverses_id == original.id]
    assert (reversal.kind, reversal.date, reversal.period) == ("reversal", TODAY, "2026-11")
    assert reversal.author_id == world.ids["carla"]
    # The original entry is still there, unchanged: nothing is edited in the journal.
    assert original.kind == "prestation" and original.reverses_id is None
    event = after["events"][-1]
    assert (event.action, event.subject_id) == ("prestation.reversed", str(work))
    data = json.loads(event.data)
    assert data["reason"] == "Wrong client: it was the CPAS"
    assert (data["entry_id"], data["reverses_id"]) == (reversal.id, original.id)
    assert data["date"] == "2026-11-27"
    assert "Wrong client: it was the CPAS" in describe(event.action, event.data, "Carla")
    # The reversing entry is audited like every entry.
    assert "journal.posted" in [e.action for e in after["events"][-2:]]


def test_a_reason_of_exactly_500_characters_is_kept(run: Any, world: Any, work: int) -> None:
    assert reverse(run, world, work, "é" * 500).rejection_reason == "é" * 500


def test_a_second_reversal_is_refused(run: Any, world: Any, work: int) -> None:
    reverse(run, world, work, "Counted twice")
    written = books(run)
    with pytest.raises(Conflict):
        reverse(run, world, work, "Again")
    after = books(run)
    assert len(after["entries"]) == len(written["entries"])
    assert len(after["events"]) == len(written["events"])


@pytest.mark.parametrize("who", ["omar", "wen", "olga", "sam"])
def test_only_a_coordinator_reverses(run: Any, world: Any, work: int, who: str) -> None:
    written = books(run)
    with pytest.raises(PermissionDenied):
        reverse(run, world, work, "Not mine to undo", who=who)
    after = books(run)
    assert after["prestations"][work].status == "validated"
    assert len(after["entries"]) == len(written["entries"])


def test_only_validated_work_is_reversed(run: Any, world: Any, chu: int) -> None:
    async def draft(session: Any) -> int:
        prestation, _ = await prestations.record_prestation(
            session,
            world.actor("omar"),
            {
                "client_id": str(chu),
                "date": "2026-11-20",
                "duration_minutes": "60",
                "kind": "phone",
            },
            language="fr",
            today=TODAY,
        )
        assert prestation.id is not None
        return prestation.id

    pid = run(draft)
    with pytest.raises(Conflict):
        reverse(run, world, pid, "Not even submitted")
    run(lambda s: prestations.submit_prestation(s, world.actor("omar"), pid))
    with pytest.raises(Conflict):
        reverse(run, world, pid, "Not validated yet")


def test_another_cooperatives_prestation_is_not_found(run: Any, world: Any, work: int) -> None:
    with pytest.raises(NotFound):
        run(
            lambda s: reversals.reverse_prestation(
                s, world.actor("bea", "beta"), work, "Not ours", today=TODAY
            )
        )
    with pytest.raises(NotFound):
        reverse(run, world, 999_999, "No such prestation")


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501, "bad\x00byte"])
def test_a_missing_or_bad_reason_writes_nothing(
    run: Any, world: Any, work: int, reason: str
) -> None:
    written = books(run)
    with pytest.raises(Invalid) as caught:
        reverse(run, world, work, reason)
    assert "reason" in caught.value.fields
    after = books(run)
    assert after["prestations"][work].status == "validated"
    assert len(after["entries"]) == len(written["entries"])
    assert len(after["events"]) == len(written["events"])


def test_invoiced_work_is_reversed_only_once_the_invoice_is_cancelled(
    run: Any, world: Any, chu: int, work: int
) -> None:
    invoice = run(lambda s: invoices.issue_invoice(s, world.actor("carla"), chu, "2026-11", TODAY))
    with pytest.raises(Conflict) as caught:
        reverse(run, world, work, "Wrong client")
    assert invoice.reference in caught.value.message
    assert books(run)["prestations"][work].status == "validated"
    run(
        lambda s: credit_notes.cancel_invoice(
            s, world.actor("carla"), invoice.id, TODAY, reason="Wrong client"
        )
    )
    assert reverse(run, world, work, "Wrong client").status == "reversed"
    # Reversed work is no longer there to invoice.
    with pytest.raises(Invalid):
        run(lambda s: invoices.issue_invoice(s, world.actor("carla"), chu, "2026-11", TODAY))
    assert books(run)["balances"][f"receivable:{chu}"] == 0


def test_work_of_a_closed_month_is_reversed_in_todays_period(
    run: Any, world: Any, chu: int, settings: Settings
) -> None:
    october = run(lambda s: validated(s, world, chu, "2026-10-15"))
    engine = create_engine(db.sync_url(settings.database_url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE period SET state = 'closed' WHERE month = '2026-10'"))
    done = reverse(run, world, october, "Counted in the wrong month")
    entries = books(run)["entries"].values()
    (reversal,) = [e for e in entries if e.reverses_id == done.entry_id]
    assert (reversal.date, reversal.period) == (TODAY, "2026-11")
    # When today's own period is no longer open, nothing can be written.
    other = run(lambda s: validated(s, world, chu, "2026-11-03"))
    with engine.begin() as connection:
        connection.execute(text("UPDATE period SET state = 'review' WHERE month = '2026-11'"))
    engine.dispose()
    with pytest.raises(Invalid) as caught:
        reverse(run, world, other, "Too late")
    assert "2026-11" in caught.value.message
    assert books(run)["prestations"][other].status == "validated"


def test_concurrent_reversals_give_one(settings: Settings, world: Any, work: int) -> None:
    """Several coordinators' clicks at once: one reversal, the others a clear refusal."""

    async def scenario() -> tuple[list[Any], int]:
        engine = db.make_engine(settings.database_url)
        maker = db.make_sessionmaker(engine)

        async def one(reason: str) -> Any:
            async with maker() as session:
                try:
                    return await reversals.reverse_prestation(
                        session, world.actor("carla"), work, reason, today=TODAY
                    )
                except DomainError as error:
                    return error

        results = await asyncio.gather(*(one(f"click {n}") for n in range(4)))
        async with maker() as session, session.begin():
            count = (
                await session.exec(
                    select(func.count()).where(col(JournalEntry.reverses_id).is_not(None))
                )
            ).one()
        await engine.dispose()
        return list(results), int(count)

    results, reversals_written = asyncio.run(scenario())
    assert reversals_written == 1
    assert sum(isinstance(r, Prestation) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 3


# Through the pages and the API.


@pytest.fixture
def page_work(run: Any, world: Any, chu: int) -> int:
    today = clock.today()
    return run(lambda s: validated(s, world, chu, today.isoformat(), today=today))


def in_french(message: str) -> str:
    with i18n.language("fr"):
        return i18n.gettext(message)


def test_a_coordinator_reverses_from_the_work_page(
    make_visitor: Any, world: Any, page_work: int
) -> None:
    carla, omar = make_visitor(), make_visitor()
    carla.login("carla")
    omar.login("omar")
    action = f'action="/c/alpha/work/{page_work}/reverse"'
    assert action in carla.get("/c/alpha/work/").text
    assert action not in omar.get("/c/alpha/work/").text
    month = clock.today().strftime("%Y-%m")
    done = carla.post(
        f"/c/alpha/work/{page_work}/reverse", {"reason": "Client mix-up", "month": month}
    )
    assert done.status_code in (302, 303), done.text
    assert done.headers["location"] == f"/c/alpha/work/?month={month}"
    shown = carla.get(f"/c/alpha/work/?month={month}").text
    assert in_french("The prestation has been reversed: it no longer counts in the books.") in (
        shown
    )
    assert action not in shown  # nothing left to reverse
    # The total is the chosen month's (all its pages): the work list pages by keyset.
    mine = omar.get(f"/c/alpha/work/?month={month}").text
    row = mine[mine.index(f'id="prestation-{page_work}"') :]
    assert "status--reversed" in row
    assert in_french("reversed") in row and "Client mix-up" in row
    # Reversed work no longer counts in the total.
    total = re.search(r"<p>Total[^<]*<span class=\"money\">([^<]+)</span>", mine)
    assert total and total.group(1).startswith("0,00")
    assert "Client mix-up" in carla.get("/c/alpha/audit/").text
    # Sent again (a double click): a clear refusal on the same page.
    again = carla.post(f"/c/alpha/work/{page_work}/reverse", {"reason": "Client mix-up"})
    assert again.status_code == 409
    assert in_french("This prestation has already been reversed.") in again.text


def test_the_work_page_keeps_a_refused_reason_and_says_why(
    visitor: Any, world: Any, page_work: int
) -> None:
    visitor.login("carla")
    refused = visitor.post(f"/c/alpha/work/{page_work}/reverse", {"reason": "   "})
    assert refused.status_code == 422
    assert in_french("This field is required.") in refused.text
    assert f'id="reverse-error-{page_work}"' in refused.text
    assert '<details class="reverse" open>' in refused.text
    too_long = visitor.post(f"/c/alpha/work/{page_work}/reverse", {"reason": "y" * 501})
    assert too_long.status_code == 422
    assert 'value="' + "y" * 501 + '"' in too_long.text  # kept, to be shortened
    assert "status--validated" in visitor.get("/c/alpha/work/").text


def test_members_cannot_reverse_through_the_page(
    make_visitor: Any, world: Any, page_work: int
) -> None:
    for who in ("omar", "olga"):
        member = make_visitor()
        member.login(who)
        response = member.post(f"/c/alpha/work/{page_work}/reverse", {"reason": "Mine"})
        assert response.status_code == 403


def test_the_api_reverses_once(make_visitor: Any, world: Any, page_work: int) -> None:
    carla, omar = make_visitor(), make_visitor()
    carla.login("carla")
    omar.login("omar")
    url = f"/api/c/alpha/prestations/{page_work}/reverse"
    assert omar.post_json(url, {"reason": "Mine"}).status_code == 403
    for body in ({}, {"reason": ""}, {"reason": 12}, {"reason": "z" * 501}):
        refused = carla.post_json(url, body)
        assert refused.status_code == 422, body
        assert "reason" in refused.json()["errors"]
    assert carla.post_json(url, ["reason"]).status_code == 422  # not an object: no field
    done = carla.post_json(url, {"reason": "Duplicate of another line"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "reversed"
    assert done.json()["rejection_reason"] == "Duplicate of another line"
    again = carla.post_json(url, {"reason": "Duplicate of another line"})
    assert again.status_code == 409
    listed = {p["id"]: p for p in omar.get("/api/c/alpha/prestations").json()}
    assert listed[page_work]["status"] == "reversed"


def test_the_api_of_another_cooperative_does_not_find_it(
    visitor: Any, world: Any, page_work: int
) -> None:
    visitor.login("bea")
    response = visitor.post_json(f"/api/c/beta/prestations/{page_work}/reverse", {"reason": "x"})
    assert response.status_code == 404
    assert (
        visitor.post_json(
            f"/api/c/alpha/prestations/{page_work}/reverse", {"reason": "x"}
        ).status_code
        == 404
    )
