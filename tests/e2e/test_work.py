"""Work: a member records a prestation, a coordinator validates or rejects it, the member sees it.

Every test finds its own prestations by a unique note (the database is shared by the session)
and then by their ids (`#prestation-<id>` in the member's list, `#queue-<id>` in the queue), so
that nothing depends on the words of a translation.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import (
    COOPERATOR,
    COORDINATOR,
    QUEUE,
    WORK,
    log_in,
    new_context,
    record_prestation,
    unique_note,
)

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
EUR_82_50 = re.compile(r"82,50\s€")  # 90 minutes at the CHU's 55,00 €/h


def _status(page: Page, prestation_id: int, status: str) -> None:
    expect(page.locator(f"#prestation-{prestation_id} .status")).to_have_class(
        re.compile(rf"\bstatus--{status}\b")
    )


def _no_sideways_scroll(page: Page) -> None:
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"{page.url} scrolls sideways on a phone ({scroll} > {client} px)"


def test_a_member_records_a_prestation_on_a_phone_and_the_coordinator_validates_it(
    browser: Browser, base_url: str
) -> None:
    note = unique_note("phone")
    with new_context(browser, base_url, viewport=PHONE) as member_context:
        member = member_context.new_page()
        log_in(member, COOPERATOR)
        member.click(f"nav a[href='{WORK}']")
        expect(member).to_have_url(re.compile(re.escape(WORK) + "$"))
        expect(member.locator(f"nav a[href='{WORK}']")).to_have_attribute("aria-current", "page")
        _no_sideways_scroll(member)
        member.click(f"main a[href='{WORK}new']")
        # The form opens on today's date (the server's Belgian today: this month).
        expect(member.locator("input[name=date]")).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
        expect(member.locator("input[name=date]")).to_have_attribute("type", "date")
        _no_sideways_scroll(member)
        prestation = record_prestation(member, note)
        _status(member, prestation, "submitted")
        row = member.locator(f"#prestation-{prestation}")
        expect(row).to_contain_text(EUR_82_50)
        expect(row).to_contain_text(note)
        _no_sideways_scroll(member)

        with new_context(browser, base_url) as coordinator_context:
            coordinator = coordinator_context.new_page()
            log_in(coordinator, COORDINATOR, then=QUEUE)
            queued = coordinator.locator(f"#queue-{prestation}")
            expect(queued).to_contain_text(note)
            expect(queued).to_contain_text(EUR_82_50)
            coordinator.evaluate("window.stillTheSamePage = true")
            with coordinator.expect_response(
                lambda response: (
                    response.request.headers.get("hx-request") == "true"
                    and response.url.endswith("/work/validate")
                )
            ) as answer:
                queued.locator("form[action$='/work/validate'] button").click()
            assert answer.value.status == 200
            expect(coordinator.locator(f"#queue-{prestation}.done")).to_be_visible()
            expect(coordinator.locator(f"#queue-{prestation} [role=status]")).to_contain_text(
                EUR_82_50
            )
            assert coordinator.evaluate("window.stillTheSamePage") is True, "htmx should swap"
            expect(coordinator).to_have_url(re.compile(re.escape(QUEUE) + "$"))
            expect(coordinator.locator(f"#queue-{prestation}")).to_have_count(1)
            expect(coordinator.locator("h1")).to_have_count(1)
            # The queue, opened again, no longer holds it.
            coordinator.reload()
            expect(coordinator.locator("h1")).to_be_visible()
            expect(coordinator.locator(f"#queue-{prestation}")).to_have_count(0)

        member.reload()
        _status(member, prestation, "validated")
        expect(row).to_contain_text(EUR_82_50)
        expect(row.locator(f"form[action$='/work/{prestation}/submit']")).to_have_count(0)


def test_the_coordinator_validates_the_chosen_prestations_at_once_without_javascript(
    browser: Browser, base_url: str
) -> None:
    with new_context(browser, base_url) as member_context:
        member = member_context.new_page()
        log_in(member, COOPERATOR)
        chosen = [record_prestation(member, unique_note("bulk")) for _ in range(2)]
        left = record_prestation(member, unique_note("bulk, left"), minutes="30")

        with new_context(browser, base_url, java_script_enabled=False) as coordinator_context:
            coordinator = coordinator_context.new_page()
            log_in(coordinator, COORDINATOR, then=QUEUE)
            for prestation in chosen:
                coordinator.check(f"#pick-{prestation}")
            coordinator.click("main button[type=submit][form=bulk]")
            expect(coordinator).to_have_url(re.compile(re.escape(QUEUE) + "$"))
            coordinator.wait_for_load_state()
            expect(coordinator.locator("main [role=status]").first).to_be_visible()
            for prestation in chosen:
                expect(coordinator.locator(f"#queue-{prestation}")).to_have_count(0)
            expect(coordinator.locator(f"#queue-{left}")).to_have_count(1)
            expect(coordinator.locator(f"#pick-{left}")).not_to_be_checked()

        member.reload()
        for prestation in chosen:
            _status(member, prestation, "validated")
            expect(member.locator(f"#prestation-{prestation}")).to_contain_text(EUR_82_50)
        _status(member, left, "submitted")


def test_a_rejected_prestation_shows_the_member_the_coordinators_reason(
    browser: Browser, base_url: str
) -> None:
    reason = f"Pas de feuille de présence signée ({unique_note('reason')})."
    with new_context(browser, base_url) as member_context:
        member = member_context.new_page()
        log_in(member, COOPERATOR)
        prestation = record_prestation(member, unique_note("reject"))

        with new_context(browser, base_url) as coordinator_context:
            coordinator = coordinator_context.new_page()
            log_in(coordinator, COORDINATOR, then=QUEUE)
            row = coordinator.locator(f"#queue-{prestation}")
            reject = row.locator("form[action$='/reject'] button")
            # Without a reason the browser keeps the form: the reason is required.
            reject.click()
            assert coordinator.eval_on_selector(
                f"#reason-{prestation}", "el => el.validity.valueMissing"
            )
            expect(row).to_have_count(1)
            coordinator.fill(f"#reason-{prestation}", reason)
            reject.click()
            expect(coordinator).to_have_url(re.compile(re.escape(QUEUE) + "$"))
            expect(coordinator.locator(f"#queue-{prestation}")).to_have_count(0)

        member.reload()
        _status(member, prestation, "rejected")
        expect(member.locator(f"#prestation-{prestation} .status")).to_contain_text(reason)


def test_a_draft_waits_in_the_members_list_until_she_submits_it(
    browser: Browser, base_url: str
) -> None:
    with new_context(browser, base_url) as member_context:
        member = member_context.new_page()
        log_in(member, COOPERATOR)
        prestation = record_prestation(member, unique_note("draft"), submit=False)
        _status(member, prestation, "draft")
        with new_context(browser, base_url) as coordinator_context:
            coordinator = coordinator_context.new_page()
            log_in(coordinator, COORDINATOR, then=QUEUE)
            expect(coordinator.locator("h1")).to_be_visible()
            expect(coordinator.locator(f"#queue-{prestation}")).to_have_count(0)
            member.locator(f"#prestation-{prestation} form[action$='/submit'] button").click()
            expect(member).to_have_url(re.compile(re.escape(WORK) + "$"))
            _status(member, prestation, "submitted")
            expect(member.locator(f"#prestation-{prestation} form")).to_have_count(0)
            coordinator.reload()
            expect(coordinator.locator(f"#queue-{prestation}")).to_have_count(1)


def test_the_month_filter_keeps_only_the_work_of_that_month(
    browser: Browser, base_url: str
) -> None:
    with new_context(browser, base_url) as member_context:
        member = member_context.new_page()
        log_in(member, COOPERATOR)
        prestation = record_prestation(member, unique_note("month"))
        day = member.locator(f"#prestation-{prestation} time").get_attribute("datetime") or ""
        year, month = int(day[:4]), int(day[5:7])
        before = f"{year - (month == 1)}-{(month - 2) % 12 + 1:02d}"
        for shown, value in ((True, day[:7]), (False, before)):
            member.fill("input[name=month]", value)
            member.click("form.filters button[type=submit]")
            expect(member).to_have_url(re.compile(rf"[?&]month={value}$"))
            expect(member.locator("input[name=month]")).to_have_value(value)
            expect(member.locator(f"#prestation-{prestation}")).to_have_count(int(shown))
            dates = member.locator("tr[id^='prestation-'] time").evaluate_all(
                "times => times.map(t => t.getAttribute('datetime'))"
            )
            assert all(d.startswith(value) for d in dates), (value, dates)
