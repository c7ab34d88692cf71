"""Corrections a member can follow, through the pages: a contest corrected in any field (date,
duration, kind, client, amount), labelled with the contest on the statement and the month page;
an invoiced line credited alone by a partial credit note and billed again as corrected; a
reversal shown with its reason on the earnings page and the month that counts it; an import
row dated in a closed month saying where it will count; the queue's work and travel apart."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

from sqlmodel import col, select

from governance.ledger.billing import invoices
from governance.ledger.billing.credit_notes import live_invoice_of
from governance.ledger.billing.models import Invoice, InvoiceKind, InvoiceLine
from governance.ledger.books.kinds import ClientKind
from governance.ledger.books.models import Client
from governance.ledger.work import prestations
from governance.ledger.work.clients import create_client
from governance.ledger.work.models import Contest, Prestation
from governance.ledger.work.statuses import ContestStatus, PrestationStatus
from tests.closing_support import TODAY, build_october, close_month, everyone_read
from tests.imports_support import csv_bytes, upload

MONTH = "2026-10"
OCTOBER = f"/c/alpha/periods/{MONTH}"


async def _extra_line(session: Any, world: Any) -> tuple[int, int, int, dict[str, int]]:
    """October as in closing_support plus Wen's 1 h 30 for 110 € at the CHU, and a second
    client: (Wen's extra prestation, the CHU's id, the second client's id, October's ids)."""
    ids = await build_october(session, world)
    async with session.begin():
        chu = (await session.exec(select(Client).where(Client.name == "CHU"))).one()
    other = await create_client(
        session, world.actor("carla"), name="CPAS Namur", kind=ClientKind.HOSPITAL
    )
    work, _ = await prestations.record_prestation(
        session,
        world.actor("wen"),
        {
            "client_id": str(chu.id),
            "date": "2026-10-14",
            "duration_minutes": "90",
            "fixed_amount": "110",
            "kind": "on_site",
        },
        language="fr",
        today=TODAY,
        submit=True,
    )
    await prestations.validate_prestations(session, world.actor("carla"), [work.id])
    assert work.id is not None and chu.id is not None and other.id is not None
    return work.id, chu.id, other.id, ids


def contest(visitor: Any, prestation_id: int, run: Any) -> int:
    sent = visitor.post(
        f"{OCTOBER}/contests", {"comment": "It was one hour", "prestation_id": str(prestation_id)}
    )
    assert sent.status_code == 303

    async def read(session: Any) -> int:
        async with session.begin():
            found = (
                await session.exec(select(Contest.id).where(Contest.prestation_id == prestation_id))
            ).one()
            return int(found)

    return int(run(read))


def row(page: str, row_id: str) -> str:
    found = re.search(rf'<tr id="{row_id}">.*?</tr>', page, re.S)
    assert found, f"no row {row_id}"
    return found.group(0)


def test_a_contest_corrected_in_duration_is_credited_alone_and_billed_again(
    run: Any, world: Any, people: Any
) -> None:
    carla, wen = people["carla"], people["wen"]
    extra, chu, _other, october = run(lambda s: _extra_line(s, world))
    first = run(lambda s: invoices.issue_invoice(s, world.actor("carla"), chu, MONTH, TODAY))
    assert carla.post(f"{OCTOBER}/review").status_code == 303
    contest_id = contest(wen, extra, run)
    form = carla.get(OCTOBER).text
    # The form is pre-filled with the line as recorded.
    assert re.search(r'name="duration_minutes"[^>]*value="90"', form)
    assert 'value="2026-10-14"' in form and 'value="110.00"' in form
    # A date outside the month under review: refused, in words, nothing changes.
    refused = carla.post(
        f"/c/alpha/contests/{contest_id}/correct",
        {"date": "2026-11-02", "duration_minutes": "60", "amount": "75", "reason": "One hour"},
    )
    assert refused.status_code == 422
    assert "The corrected date must be in October 2026" in refused.text
    done = carla.post(
        f"/c/alpha/contests/{contest_id}/correct",
        {
            "date": "2026-10-14",
            "duration_minutes": "60",
            "kind": "on_site",
            "client_id": str(chu),
            "amount": "75",
            "travel": "0",
            # Written on two lines in the month page's text area: the credit note prints one.
            "reason": "One hour,\r\nas the CHU confirmed",
        },
    )
    assert done.status_code == 303, done.text

    async def after(session: Any) -> tuple[Any, ...]:
        async with session.begin():
            fixed = (await session.exec(select(Contest).where(Contest.id == contest_id))).one()
            corrected = await session.get(Prestation, fixed.correction_id)
            notes = (
                await session.exec(select(Invoice).where(Invoice.corrects_id == first.id))
            ).all()
            note_lines = (
                await session.exec(
                    select(InvoiceLine).where(
                        col(InvoiceLine.invoice_id).in_([n.id for n in notes])
                    )
                )
            ).all()
            billed = await live_invoice_of(session, october["omar"])
            credited = await live_invoice_of(session, extra)
            return fixed, corrected, notes, note_lines, billed, credited

    fixed, corrected, notes, note_lines, billed, credited = run(after)
    assert fixed.status == ContestStatus.CORRECTED
    assert corrected.duration_minutes == 60 and corrected.amount_cents == 7500
    assert len(notes) == 1 and notes[0].kind == InvoiceKind.CREDIT_NOTE
    assert notes[0].reason == "One hour, as the CHU confirmed"
    assert [(line.prestation_id, line.amount_cents) for line in note_lines] == [(extra, -11000)]
    assert billed is not None and billed.id == first.id  # the other lines stay billed
    assert credited is None  # the contested line is credited
    again = run(lambda s: invoices.issue_invoice(s, world.actor("carla"), chu, MONTH, TODAY))

    async def lines_of(session: Any) -> list[tuple[int | None, int]]:
        async with session.begin():
            found = await session.exec(
                select(InvoiceLine).where(InvoiceLine.invoice_id == again.id)
            )
            return [(line.prestation_id, line.amount_cents) for line in found.all()]

    assert run(lines_of) == [(corrected.id, 7500)]  # the re-issued invoice: the corrected line
    if shutil.which("pdftotext"):
        reissued = carla.get(f"/c/alpha/invoices/{again.id}/pdf")
        assert reissued.status_code == 200
        words = subprocess.run(
            ["pdftotext", "-layout", "-", "-"],
            input=reissued.content,
            capture_output=True,
            check=True,
        ).stdout.decode()
        assert "1 h 00" in words and "1 h 30" not in words
    run(lambda s: close_month_after_review(s, world))
    own = f"/c/alpha/statements/{MONTH}/members/{world.ids['wen']}"
    page = wen.get(own).text
    new_row = row(page, f"prestation-{corrected.id}")
    assert "1 h 00" in new_row and "1 h 30" not in new_row
    assert f"contest #{contest_id}" in new_row and f"#contest-{contest_id}" in new_row
    contested_row = row(page, f"prestation-{extra}")
    assert "1 h 30" in contested_row
    assert f"Contested: replaced by the correction of contest #{contest_id}" in contested_row
    old_row = row(page, f"prestation-{extra}-reversal")
    assert f"Cancelled by the correction of contest #{contest_id}" in old_row
    assert "Reversal: cancels work counted before" not in old_row
    month_page = wen.get(OCTOBER).text
    assert f"Cancelled by the correction of contest #{contest_id}" in month_page
    assert f"Corrected line (contest #{contest_id})" in month_page
    if shutil.which("pdftotext"):
        pdf = wen.get(own + "/statement.pdf")
        assert pdf.status_code == 200
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf.content, capture_output=True, check=True
        ).stdout.decode()
        assert f"Cancelled by the correction of contest #{contest_id}" in text
        assert "1 h 00" in text


def test_a_contest_corrected_in_date_kind_and_client(run: Any, world: Any, people: Any) -> None:
    carla, wen = people["carla"], people["wen"]
    extra, _chu, other, _ids = run(lambda s: _extra_line(s, world))
    assert carla.post(f"{OCTOBER}/review").status_code == 303
    contest_id = contest(wen, extra, run)
    done = carla.post(
        f"/c/alpha/contests/{contest_id}/correct",
        {
            "date": "2026-10-21",
            "duration_minutes": "",
            "kind": "translation",
            "client_id": str(other),
            "amount": "110",
            "reason": "A translation for the CPAS, sent on the 21st",
        },
    )
    assert done.status_code == 303
    page = wen.get(OCTOBER).text
    assert "21/10/2026" in page and "Translation" in page and "CPAS Namur" in page
    assert "A translation for the CPAS, sent on the 21st" in page

    async def corrected(session: Any) -> Prestation:
        async with session.begin():
            fixed = (await session.exec(select(Contest).where(Contest.id == contest_id))).one()
            found = await session.get(Prestation, fixed.correction_id)
            assert found is not None
            return found

    line = run(corrected)
    assert (line.date.isoformat(), line.kind, line.client_id, line.duration_minutes) == (
        "2026-10-21",
        "translation",
        other,
        None,
    )
    run(lambda s: close_month_after_review(s, world))
    statement = wen.get(f"/c/alpha/statements/{MONTH}/members/{world.ids['wen']}").text
    new_row = row(statement, f"prestation-{line.id}")
    assert "21/10/2026" in new_row and "Translation" in new_row and "CPAS Namur" in new_row


async def close_month_after_review(session: Any, world: Any) -> None:
    from governance.ledger.closing import closing

    await everyone_read(session, world.alpha)
    await closing.finalize(session, world.actor("carla"), MONTH)


def test_a_reversal_shows_with_its_reason_on_earnings_and_the_month_that_counts_it(
    run: Any, world: Any, people: Any
) -> None:
    carla, omar = people["carla"], people["omar"]
    ids = run(lambda s: build_october(s, world, travel={"omar": "8,40"}))
    run(lambda s: close_month(s, world))
    reason = "The CHU cancelled the session"
    done = carla.post(f"/c/alpha/work/{ids['omar']}/reverse", {"reason": reason})
    assert done.status_code in (302, 303)
    earnings = omar.get("/c/alpha/me/earnings").text
    item = re.search(rf'<li id="reversal-{ids["omar"]}">.*?</li>', earnings, re.S)
    assert item, "no reversal on the earnings page"
    assert reason in item.group(0) and "/c/alpha/periods/2026-11" in item.group(0)
    assert "8.40" in item.group(0) or "8,40" in item.group(0)
    november = omar.get("/c/alpha/periods/2026-11").text
    assert f'id="reversal-{ids["omar"]}"' in november and reason in november
    assert reason in carla.get("/c/alpha/periods/2026-11").text


def test_an_invoiced_prestation_is_reversed_with_a_credit_note_for_its_line(
    run: Any, world: Any, people: Any
) -> None:
    carla = people["carla"]
    extra, chu, _other, _ids = run(lambda s: _extra_line(s, world))
    first = run(lambda s: invoices.issue_invoice(s, world.actor("carla"), chu, MONTH, TODAY))
    refused = carla.post(f"/c/alpha/work/{extra}/reverse", {"reason": "Never happened"})
    assert refused.status_code == 409 and "Credit this line on its invoice" in refused.text
    done = carla.post(
        f"/c/alpha/work/{extra}/reverse", {"reason": "Never happened", "credit_line": "1"}
    )
    assert done.status_code in (302, 303)

    async def state(session: Any) -> tuple[str, int]:
        async with session.begin():
            work = await session.get(Prestation, extra)
            notes = (
                await session.exec(select(Invoice).where(Invoice.corrects_id == first.id))
            ).all()
            return work.status, len(notes)

    assert run(state) == (PrestationStatus.REVERSED, 1)


def test_an_import_row_in_a_closed_month_says_where_it_will_count(
    run: Any, world: Any, people: Any
) -> None:
    carla = people["carla"]
    run(lambda s: build_october(s, world))
    run(lambda s: close_month(s, world))
    preview = upload(
        carla,
        csv_bytes("12/10/2026;omar@alpha.example;CHU;60;;50,00;;on_site;;"),
    )
    assert preview.status_code == 200
    line = re.search(r'<tr id="line-2">.*?</tr>', preview.text, re.S)
    assert line, preview.text[:2000]
    assert "October 2026 is closed: this work will be counted in November 2026" in line.group(0)


def test_the_queue_shows_work_and_travel_apart(run: Any, world: Any, people: Any) -> None:
    carla = people["carla"]

    async def submitted(session: Any) -> int:
        client = await create_client(
            session, world.actor("carla"), name="CHU", kind=ClientKind.HOSPITAL
        )
        work, _ = await prestations.record_prestation(
            session,
            world.actor("omar"),
            {
                "client_id": str(client.id),
                "date": "2026-11-03",
                "fixed_amount": "100",
                "travel": "12,50",
                "kind": "on_site",
            },
            language="fr",
            today=TODAY,
            submit=True,
        )
        assert work.id is not None
        return work.id

    work_id = run(submitted)
    queue = row(carla.get("/c/alpha/work/queue").text, f"queue-{work_id}")
    assert re.search(r'data-label="Work"><span class="money">[^<]*100[.,]00</span></td>', queue)
    assert re.search(r'data-label="Travel"><span class="money">[^<]*12[.,]50</span></td>', queue)
    # Nothing adds them up (the row's form carries a random CSRF token: inputs are left out).
    assert "112" not in re.sub(r"<input[^>]*>", "", queue)
