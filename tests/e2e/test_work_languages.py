"""Recording work on a phone, choosing languages by name, with and without JavaScript; work
dated in a closed month is recorded with a notice naming the month that will count it.

The demo's Amina works in Pashto, Persian and French, Khaled in Arabic and French: the form
opens with those chosen. The months the tests date work in are read from the form itself (its
date field carries each month's notice), not assumed, since other tests close months too.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import (
    ARABIC_COOPERATOR,
    COOPERATOR,
    COORDINATOR,
    WORK,
    log_in,
    new_context,
    unique_note,
)

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
FORM = f"{WORK}new"


def _chosen(page: Page) -> list[str]:
    return page.eval_on_selector(
        "#f-languages", "s => Array.from(s.selectedOptions).map(o => o.value)"
    )


def _closed_month(page: Page) -> tuple[str, str]:
    """A month of the form's window that is closed, and the notice the form gives for it."""
    notices = json.loads(page.get_attribute("#f-date", "data-month-notices") or "{}")
    late = sorted(month for month, notice in notices.items() if notice["kind"] == "late")
    assert late, f"the demo has no closed month in the form's window: {notices}"
    return late[-1], notices[late[-1]]["text"]


def _send(page: Page, note: str) -> int:
    page.fill("input[name=duration_minutes]", "60")
    page.fill("input[name=note]", note)
    page.click("button[name=action][value=submit]")
    expect(page).to_have_url(re.compile(re.escape(WORK) + r"(\?recorded=\d+)?$"))
    row = page.locator("tr[id^='prestation-']", has_text=note)
    expect(row).to_have_count(1)
    return int((row.get_attribute("id") or "").removeprefix("prestation-"))


def _no_sideways_scroll(page: Page) -> None:
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"{page.url} scrolls sideways on a phone ({scroll} > {client} px)"


def test_a_member_chooses_languages_by_name_in_the_filtered_list_on_a_phone(
    browser: Browser, base_url: str
) -> None:
    note = unique_note("languages by name")
    with new_context(browser, base_url, viewport=PHONE) as context:
        page = context.new_page()
        log_in(page, COOPERATOR, then=FORM)
        # Her usual languages are chosen; the plain list gave way to one search field.
        assert sorted(_chosen(page)) == ["fa", "fr", "ps"]
        expect(page.locator("#f-languages")).to_be_hidden()
        combobox = page.get_by_role("combobox", name="Langues")
        expect(combobox).to_be_visible()
        expect(page.locator(".language-chip")).to_have_count(3)
        # Typing filters the list; Enter takes the first match.
        combobox.fill("dari")
        listbox = page.get_by_role("listbox")
        expect(listbox).to_be_visible()
        expect(listbox.get_by_role("option").first).to_have_text(re.compile("^dari", re.I))
        combobox.press("Enter")
        # A click takes another; English names are understood too.
        combobox.fill("Tigriny")
        listbox.get_by_role("option", name=re.compile("^tigrigna", re.I)).click()
        # French is removed with its chip's button.
        page.get_by_role("button", name=re.compile("français", re.I)).click()
        assert sorted(_chosen(page)) == ["fa", "prs", "ps", "ti"]
        expect(combobox).to_have_value("")
        _no_sideways_scroll(page)
        # A closed month's date: the notice shows as soon as it is chosen.
        month, notice = _closed_month(page)
        page.fill("#f-date", f"{month}-14")
        expect(page.locator("#f-date-notice")).to_have_text(notice)
        expect(page.locator("#f-date-notice")).to_be_visible()
        prestation = _send(page, note)
        expect(page).to_have_url(re.compile(rf"\?recorded={prestation}$"))
        expect(page.locator("#late-notice")).to_have_text(notice)
        row = page.locator(f"#prestation-{prestation}")
        for name in ("pachto", "persan", "dari", "tigrigna"):
            expect(row).to_contain_text(re.compile(name, re.I))
        expect(row).not_to_contain_text("français")
        expect(row.locator(".note.late")).to_be_visible()
        _no_sideways_scroll(page)


def test_without_javascript_a_member_picks_from_the_list_and_types_names(
    browser: Browser, base_url: str
) -> None:
    note = unique_note("languages without script")
    with new_context(browser, base_url, viewport=PHONE, java_script_enabled=False) as context:
        page = context.new_page()
        log_in(page, COOPERATOR, then=FORM)
        assert sorted(_chosen(page)) == ["fa", "fr", "ps"]
        expect(page.locator("#f-languages")).to_be_visible()
        page.select_option("#f-languages", value=["ps", "ar"])
        page.fill("#f-languages-typed", "Tigrigna, persan, elfique")
        _no_sideways_scroll(page)
        page.click("button[name=action][value=submit]")
        # Not understood: the form comes back, naming it, the rest kept.
        error = page.locator("#f-languages-error")
        expect(error).to_contain_text("elfique")
        assert sorted(_chosen(page)) == ["ar", "fa", "ps", "ti"]
        expect(page.locator("#f-languages-typed")).to_have_value("elfique")
        page.fill("#f-languages-typed", "")
        # A closed month's date: recorded, and the list says which month counts it.
        month, notice = _closed_month(page)
        page.fill("#f-date", f"{month}-14")
        prestation = _send(page, note)
        expect(page.locator("#late-notice")).to_have_text(notice)
        row = page.locator(f"#prestation-{prestation}")
        for name in ("pachto", "arabe", "persan", "tigrigna"):
            expect(row).to_contain_text(re.compile(name, re.I))


def test_an_arabic_reader_types_arabic_names(browser: Browser, base_url: str) -> None:
    note = unique_note("arabic names")
    with new_context(browser, base_url, viewport=PHONE) as context:
        page = context.new_page()
        log_in(page, ARABIC_COOPERATOR, then=FORM)
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        assert sorted(_chosen(page)) == ["ar", "fr"]
        combobox = page.get_by_role("combobox", name="اللغات")
        # A name typed in full and followed by a comma (an Arabic one) is chosen at once.
        combobox.fill("البشتو، ")
        expect(page.locator(".language-chip")).to_have_count(3)
        combobox.fill("فارس")
        page.get_by_role("listbox").get_by_role("option", name="الفارسية", exact=True).click()
        assert sorted(_chosen(page)) == ["ar", "fa", "fr", "ps"]
        _no_sideways_scroll(page)
        prestation = _send(page, note)
        row = page.locator(f"#prestation-{prestation}")
        for name in ("البشتو", "الفارسية", "العربية"):
            expect(row).to_contain_text(name)


def test_a_coordinator_recording_for_a_member_gets_that_members_languages(
    browser: Browser, base_url: str
) -> None:
    with new_context(browser, base_url, viewport=PHONE) as context:
        page = context.new_page()
        log_in(page, COORDINATOR, then=FORM)
        page.select_option("#f-member_id", label="خالد المصري")
        assert sorted(_chosen(page)) == ["ar", "fr"]
        page.select_option("#f-member_id", label="Amina Yusufzai")
        assert sorted(_chosen(page)) == ["fa", "fr", "ps"]
        # Once changed by hand, the languages stay when another member is chosen.
        page.get_by_role("button", name=re.compile("français", re.I)).click()
        page.select_option("#f-member_id", label="خالد المصري")
        assert sorted(_chosen(page)) == ["fa", "ps"]
