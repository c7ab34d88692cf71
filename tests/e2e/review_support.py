"""Browser tests that close a month: every member concerned marks their draft read first, so
that the close need not wait for the minimum review time (72 hours; docs/month-close.md)."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from governance.demo.univerbal import PEOPLE
from governance.members import Role
from tests.e2e.support import SLUG, log_in, new_context


def everyone_reads(browser: Browser, base_url: str, month: str) -> int:
    """Each cooperator and worker of the demo cooperative marks their draft of `month` read
    from their month page (those who have already, or have no draft, are skipped); how many
    marked it now."""
    period = f"/c/{SLUG}/periods/{month}"
    marked = 0
    for person in PEOPLE:
        if person.role not in (Role.COOPERATOR, Role.WORKER):
            continue
        with new_context(browser, base_url) as context:
            page = context.new_page()
            log_in(page, person.email, then=period)
            button = page.locator("form#mark-read button[type=submit]")
            if button.count() == 0:
                continue
            button.click()
            expect(page).to_have_url(re.compile(re.escape(period) + "$"))
            expect(page.locator("form#mark-read")).to_have_count(0)
            marked += 1
    return marked
