"""A month's review on a phone (360 px), in French and in Arabic: members read the home page's
notice and contest a line from it (the Arabic one without JavaScript), one marks her draft
read; the coordinator sees the read and contested counts and cannot close before the minimum
review time. Screenshots under test-artifacts/i14/review/.

Starting a review freezes a month for every other page, so this test runs on a demo server of
its own (as tests/e2e/test_month_close.py does); the month is the demo's last full month.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from governance.base import clock
from tests.e2e.support import (
    ARABIC_COOPERATOR,
    ARTIFACTS,
    COOPERATOR,
    COORDINATOR,
    HOME,
    SLUG,
    demo_server,
    log_in,
    new_context,
    new_member,
)

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
SHOTS = ARTIFACTS / "i14" / "review"


@pytest.fixture(scope="module")
def review_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with demo_server(tmp_path_factory.mktemp("e2e-review")) as url:
        yield url


def _month() -> str:
    """The demo's last full month (the server's Belgian today's previous month)."""
    return f"{(clock.today().replace(day=1) - dt.timedelta(days=1)):%Y-%m}"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _fits(page: Page) -> None:
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"{page.url} scrolls sideways on a phone ({scroll} > {client} px)"


def _no_serious_axe_violation(page: Page) -> None:
    violations = Axe().run(page).response["violations"]
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in violations
        if v["impact"] in {"serious", "critical"}
    ]
    assert not blocking, f"axe on {page.url}:\n" + "\n".join(blocking)


def _contest_from_the_notice(page: Page, month: str, comment: str) -> None:
    """From the home page's notice, follow "Contest a line" and contest the first line."""
    period = f"/c/{SLUG}/periods/{month}"
    page.goto(HOME)
    notice = page.locator("#review-notice")
    expect(notice).to_be_visible()
    assert notice.get_attribute("data-kind") == "member"
    assert notice.get_attribute("data-month") == month
    _fits(page)
    notice.locator(f"a[href='{period}#lines']").click()
    expect(page).to_have_url(re.compile(re.escape(period) + "#lines$"))
    line = page.locator("tr[id^='line-']:has(textarea[name=comment])").first
    line.locator("details.fold > summary").click()
    box = line.locator("textarea[name=comment]")
    expect(box).to_be_visible()
    box.fill(comment)
    line_id = line.get_attribute("id")
    line.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(period) + "$"))
    expect(page.locator(f"#{line_id} .thread")).to_contain_text(comment)
    _fits(page)


def test_members_contest_from_the_notice_and_the_coordinator_cannot_close_yet(
    browser: Browser, review_server: str
) -> None:
    base_url = review_server
    month = _month()
    period = f"/c/{SLUG}/periods/{month}"
    arabic_coordinator = new_member(
        browser, base_url, "ليلى حداد", role="coordinator", language="ar"
    )

    with new_context(browser, base_url) as context:
        coordinator = context.new_page()
        log_in(coordinator, COORDINATOR, then=period)
        coordinator.locator(f"form[action='{period}/review'] button[type=submit]").click()
        expect(coordinator).to_have_url(re.compile(re.escape(period) + "$"))
        expect(coordinator.locator("#review-progress")).to_be_visible()

    # French, on a phone: the notice, then a contest from it; the page passes axe.
    with new_context(browser, base_url, viewport=PHONE) as context:
        amina = context.new_page()
        log_in(amina, COOPERATOR)
        expect(amina.locator(f"#review-notice form[action='{period}/read']")).to_be_visible()
        _no_serious_axe_violation(amina)
        _shot(amina, "e2e-member-home-360-fr")
        _contest_from_the_notice(amina, month, "Il manque la séance du mardi.")

    # Arabic, on a phone, without JavaScript: a contest from the notice, then "Mark as read".
    with new_context(browser, base_url, "ar", viewport=PHONE, java_script_enabled=False) as context:
        khaled = context.new_page()
        log_in(khaled, ARABIC_COOPERATOR)
        expect(khaled.locator("html")).to_have_attribute("dir", "rtl")
        _shot(khaled, "e2e-member-home-360-ar")
        _contest_from_the_notice(khaled, month, "الساعات أقل مما عملت.")
        khaled.goto(HOME)
        khaled.locator(f"#review-notice form[action='{period}/read'] button").click()
        expect(khaled).to_have_url(re.compile(re.escape(HOME) + "$"))
        expect(khaled.locator(f"#review-notice form[action='{period}/read']")).to_have_count(0)
        expect(khaled.locator("#review-notice")).to_be_visible()

    # The coordinators, on a phone, in French and in Arabic: the counts, and no way to close.
    for language, email in (("fr", COORDINATOR), ("ar", arabic_coordinator)):
        with new_context(browser, base_url, language, viewport=PHONE) as context:
            page = context.new_page()
            log_in(page, email)
            notice = page.locator("#review-notice")
            expect(notice).to_have_attribute("data-kind", "coordinator")
            assert notice.get_attribute("data-read") == "1"
            assert notice.get_attribute("data-contested") == "2"
            members = int(notice.get_attribute("data-members") or 0)
            assert members >= 2
            page.goto(period)
            progress = page.locator("#review-progress")
            expect(progress).to_have_attribute("data-read", "1")
            expect(progress).to_have_attribute("data-contested", "2")
            expect(progress).to_have_attribute("data-can-close", "no")
            expect(progress.locator("li")).to_have_count(members)
            expect(progress.locator(".review-progress__unread")).to_have_count(members - 1)
            expect(page.locator("#close-later")).to_be_visible()
            expect(page.locator("#close-link")).to_have_count(0)
            _fits(page)
            _shot(page, f"e2e-coordinator-month-360-{language}")
            # The confirmation page says why it cannot close yet, and offers no button.
            page.goto(f"{period}/close")
            expect(page.locator("#close-later")).to_be_visible()
            expect(page.locator("#f-checked")).to_have_count(0)
            expect(page.locator("#undone-title")).to_be_visible()
            _fits(page)
            if language == "ar":
                expect(page.locator("html")).to_have_attribute("dir", "rtl")
                _shot(page, "e2e-coordinator-close-360-ar")
