"""The month close in a browser: the coordinator starts the review, a member contests a line on
a phone, the coordinator corrects it and closes, the member downloads the PDF statement.

Closing a month changes what every other page shows, so this test runs on a demo server of its
own rather than the session's shared one. The month closed is the demo's last full month (the
earlier ones are closed already); its work is invoiced, and a correction needs a line that no
invoice holds, so the member first records a session of that month the coordinator validates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, expect

from governance.base import clock
from tests.e2e.review_support import everyone_reads
from tests.e2e.support import (
    COOPERATOR,
    COORDINATOR,
    QUEUE,
    SLUG,
    WORK,
    demo_server,
    log_in,
    new_context,
    record_prestation,
    unique_note,
)

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
PERIODS = f"/c/{SLUG}/periods"


@pytest.fixture(scope="module")
def closing_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with demo_server(tmp_path_factory.mktemp("e2e-month-close")) as url:
        yield url


def _last_full_month() -> dt.date:
    """The 15th of the month before the server's (Belgian) today: the month to close."""
    return (clock.today().replace(day=1) - dt.timedelta(days=1)).replace(day=15)


def _no_sideways_scroll(page: Page) -> None:
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"{page.url} scrolls sideways on a phone ({scroll} > {client} px)"


def _no_serious_axe_violation(page: Page) -> None:
    violations = Axe().run(page).response["violations"]
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} "
        + "; ".join(", ".join(map(str, n["target"])) for n in v["nodes"])
        for v in violations
        if v["impact"] in {"serious", "critical"}
    ]
    assert not blocking, f"axe on {page.url}:\n" + "\n".join(blocking)


def test_a_month_is_reviewed_contested_on_a_phone_corrected_closed_and_its_statement_downloaded(
    browser: Browser, closing_server: str
) -> None:
    base_url = closing_server
    day = _last_full_month()
    month = f"{day:%Y-%m}"
    period = f"{PERIODS}/{month}"
    comment = f"J'ai travaillé deux heures, pas une et demie. ({unique_note('contest')})"
    reason = "Vérifié avec la feuille de présence du CHU : deux heures."

    with new_context(browser, base_url, viewport=PHONE) as member_context:
        member = member_context.new_page()
        log_in(member, COOPERATOR)
        # A session of the month to close, recorded before its review: on no invoice yet.
        member.goto(f"{WORK}new")
        member.fill("input[name=date]", day.isoformat())
        prestation = record_prestation(member, unique_note("late"))

        with new_context(browser, base_url) as coordinator_context:
            coordinator = coordinator_context.new_page()
            log_in(coordinator, COORDINATOR, then=QUEUE)
            coordinator.locator(
                f"#queue-{prestation} form[action$='/work/validate'] button"
            ).click()
            expect(coordinator.locator(f"#queue-{prestation}.done")).to_be_visible()

            # The list offers the review of the oldest month that is over and not closed.
            coordinator.click(f"nav a[href='{PERIODS}']")
            expect(coordinator).to_have_url(re.compile(re.escape(PERIODS) + "$"))
            start = coordinator.locator(f"form[action='{period}/review'] button[type=submit]")
            expect(start).to_have_count(1)
            start.click()
            expect(coordinator).to_have_url(re.compile(re.escape(period) + "$"))
            expect(coordinator.locator("main [role=status]").first).to_be_visible()
            expect(coordinator.locator("#review-progress")).to_be_visible()

            # The member checks the draft on her phone and contests the new line.
            member.click("nav details.menu > summary")  # a member's months are in the menu
            member.click(f"nav a[href='{PERIODS}']")
            member.click(f"main a[href='{period}']")
            expect(member).to_have_url(re.compile(re.escape(period) + "$"))
            line = member.locator(f"#line-{prestation}")
            expect(line).to_contain_text(re.compile(r"82,50\s€"))  # 90 minutes at 55,00 €/h
            _no_sideways_scroll(member)
            line.locator("details.fold > summary").click()
            box = line.locator("textarea[name=comment]")
            expect(box).to_be_visible()
            _fits_and_passes_axe(member, box)
            box.fill(comment)
            line.locator("button[type=submit]").click()
            expect(member).to_have_url(re.compile(re.escape(period) + "$"))
            thread = member.locator(f"#line-{prestation} .thread")
            expect(thread).to_contain_text(comment)
            expect(member.locator(f"#line-{prestation} textarea")).to_have_count(0)
            contest_id = int((thread.get_attribute("id") or "").removeprefix("contest-"))
            _no_sideways_scroll(member)

            # The coordinator sees the contest, corrects the amount, and closes.
            coordinator.reload()
            card = coordinator.locator(f"article:has(#contest-{contest_id})")
            expect(card).to_contain_text(comment)
            _no_serious_axe_violation(coordinator)
            correct = card.locator(f"form[action$='/contests/{contest_id}/correct']")
            card.locator(
                f"details:has(form[action$='/contests/{contest_id}/correct']) > summary"
            ).click()
            correct.locator("input[name=amount]").fill("110,00")
            correct.locator("textarea[name=reason]").fill(reason)
            correct.locator("button[type=submit]").click()
            expect(coordinator).to_have_url(re.compile(re.escape(period) + "$"))
            expect(coordinator.locator(f"#contest-{contest_id}")).to_contain_text(reason)
            # The review's minimum time (72 h) has not passed: the close waits until every
            # member concerned has marked their draft read.
            expect(coordinator.locator("#close-later")).to_be_visible()
            expect(coordinator.locator("#close-link")).to_have_count(0)
            assert everyone_reads(browser, base_url, month) >= 2
            coordinator.reload()
            # Closing asks for confirmation on a page that says what cannot be undone.
            coordinator.locator("#close-link").click()
            expect(coordinator).to_have_url(re.compile(re.escape(period) + "/close$"))
            expect(coordinator.locator("#undone-title")).to_be_visible()
            coordinator.check("#f-checked")
            coordinator.locator("form#close button[type=submit]").click()
            expect(coordinator).to_have_url(re.compile(re.escape(period) + "$"))
            expect(coordinator.locator("form#close")).to_have_count(0)
            expect(
                coordinator.locator(f"main a[href='/c/{SLUG}/statements/{month}']")
            ).to_be_visible()

        # The member reads the answer and downloads her statement.
        member.reload()
        answer = member.locator(f"#contest-{contest_id}")
        expect(answer).to_contain_text(reason)
        expect(answer).to_contain_text(re.compile(r"110,00\s€"))
        _no_sideways_scroll(member)
        pdf = member.locator("main a[href$='/statement.pdf']")
        with member.expect_download() as download:
            pdf.click()
        path = download.value.path()
        with open(path, "rb") as handle:
            assert handle.read(5) == b"%PDF-"


def _fits_and_passes_axe(page: Page, box: Locator) -> None:
    """The open contest form fits the phone's width, and the page passes axe."""
    width = page.evaluate("document.documentElement.clientWidth")
    found = box.bounding_box()
    assert found is not None
    assert found["x"] >= 0 and found["x"] + found["width"] <= width, (found, width)
    _no_serious_axe_violation(page)
