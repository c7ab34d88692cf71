"""What a person does in the browser: log in, change language, read the trail, invite, leave."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.support import (
    ARABIC_LETTERS,
    COOPERATOR,
    COORDINATOR,
    HOME,
    SLUG,
    invite,
    join,
    log_in,
    new_context,
    new_member,
    unique_email,
)

pytestmark = pytest.mark.e2e

AUDIT = f"/c/{SLUG}/audit/"


MARIAM = "Mariam Diallo"
AMINA = "Amina Yusufzai"


def _events(page: Page) -> list[str]:
    """The sentence of each event shown; in French each one starts with who acted."""
    return page.locator("#events .event__what").all_inner_texts()


def _by_mariam(events: list[str]) -> list[bool]:
    return [event.strip("\u2068").startswith(MARIAM) for event in events]


def _by_amina(events: list[str]) -> list[bool]:
    return [event.strip("\u2068").startswith(AMINA) for event in events]


def _total(page: Page) -> int:
    """The number of events the filter matches, as the page says it (all pages together)."""
    text = page.locator("#events > p").first.inner_text()
    return int(re.sub(r"\D", "", text))


def test_a_cooperator_logs_in_and_sees_the_home_page_of_the_cooperative(page: Page) -> None:
    log_in(page, COOPERATOR)
    expect(page).to_have_url(re.compile(re.escape(HOME) + "$"))
    expect(page.locator("h1")).to_have_text("Univerbal")
    expect(page.locator("main .lead")).to_contain_text("Amina Yusufzai")
    expect(page.locator("nav a[aria-current=page]")).to_have_attribute("href", HOME)
    expect(page.locator("main [role=status]")).to_be_visible()


def test_the_footer_form_switches_the_page_to_arabic_right_to_left(page: Page) -> None:
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    page.select_option("footer select[name=language]", "ar")
    page.click("footer button[type=submit]")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("main h1")).to_have_text(ARABIC_LETTERS)
    expect(page.locator("footer select[name=language]")).to_have_value("ar")


def test_the_audit_trail_lists_events_and_filters_by_who_without_javascript(
    browser: Browser, base_url: str
) -> None:
    with new_context(browser, base_url, java_script_enabled=False) as context:
        page = context.new_page()
        log_in(page, COOPERATOR, then=AUDIT)
        everyone = _events(page)
        assert len(everyone) >= 5, everyone
        total = _total(page)
        page.select_option("select[name=actor]", label=AMINA)
        page.click("form.filters button[type=submit]")
        expect(page).to_have_url(re.compile(r"[?&]actor=\d+"))
        page.wait_for_load_state()
        filtered = _events(page)
        assert filtered and all(_by_amina(filtered)), filtered
        assert _total(page) < total
        expect(page.locator("select[name=actor] option:checked")).to_have_text(AMINA)


def test_the_audit_trail_filters_by_who_with_htmx_when_the_select_changes(page: Page) -> None:
    log_in(page, COOPERATOR, then=AUDIT)
    total = _total(page)
    page.evaluate("window.stillTheSamePage = true")
    with page.expect_response(
        lambda response: response.request.headers.get("hx-request") == "true"
    ):
        page.select_option("select[name=actor]", label=AMINA)
    expect(page).to_have_url(re.compile(r"[?&]actor=\d+"))
    expect(page.locator("#events > p").first).not_to_have_text(re.compile(rf"^{total}\D"))
    filtered = _events(page)
    assert filtered and all(_by_amina(filtered)), filtered
    assert page.evaluate("window.stillTheSamePage") is True, "htmx should swap, not reload"
    expect(page.locator("#events")).to_have_count(1)
    expect(page.locator("h1")).to_have_count(1)


def test_logging_out_leads_to_the_login_page_and_closes_the_cooperative(page: Page) -> None:
    log_in(page, COOPERATOR)
    page.click("nav details.menu > summary")  # logging out is in the menu
    page.click("form[action='/logout'] button")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("input[name=password]")).to_be_visible()
    page.goto(HOME)
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_an_invited_person_opens_the_link_creates_an_account_and_lands_in_the_cooperative(
    page: Page, browser: Browser, base_url: str
) -> None:
    email = unique_email("invited")
    log_in(page, COORDINATOR)
    link = invite(page, email, "worker")
    expect(page.locator("main")).to_contain_text(email)
    with new_context(browser, base_url) as stranger:
        newcomer = stranger.new_page()
        join(newcomer, link, "Samira Haddou")
        expect(newcomer.locator("h1")).to_have_text("Univerbal")
        expect(newcomer.locator("main .lead")).to_contain_text("Samira Haddou")
        # The link works once.
        assert newcomer.goto(link).status == 404
    page.goto(f"/c/{SLUG}/members")
    expect(page.locator("table")).to_contain_text("Samira Haddou")


def test_a_suspended_member_is_logged_out_and_can_no_longer_enter_the_cooperative(
    context: BrowserContext, browser: Browser, base_url: str
) -> None:
    email = new_member(browser, base_url, "Yannick Lemaire")
    member = context.new_page()
    log_in(member, email)
    expect(member).to_have_url(re.compile(re.escape(HOME) + "$"))
    with new_context(browser, base_url) as coordinator_context:
        coordinator = coordinator_context.new_page()
        log_in(coordinator, COORDINATOR)
        coordinator.goto(f"/c/{SLUG}/members")
        row = coordinator.locator("tbody tr", has_text=email)
        row.locator("form[action$='/suspend'] button").click()
        expect(coordinator.locator("tbody tr", has_text=email)).to_have_count(1)
        expect(
            coordinator.locator("tbody tr", has_text=email).locator("form[action$='/reinstate']")
        ).to_have_count(1)
    # A suspension ends the person's sessions; logging in again does not open the cooperative.
    member.goto(HOME)
    expect(member).to_have_url(re.compile(r"/login\?next="))
    log_in(member, email)
    expect(member).to_have_url(re.compile(r"/coops$"))
    expect(member.locator(f"main a[href='{HOME}']")).to_have_count(0)
    response = member.goto(HOME)
    assert response is not None and response.status == 403
