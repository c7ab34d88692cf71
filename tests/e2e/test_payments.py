"""Recording a client's payment in a browser: the client first, then only that client's unpaid
invoices, with JavaScript (htmx swaps the second step in, no reload) and without (the first
step's button reloads the page with ?client=ID). Nothing is recorded: the demo stays as it is.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import CHU, COORDINATOR, SLUG, log_in, new_context

pytestmark = pytest.mark.e2e

NEW = f"/c/{SLUG}/payments/new"
OTHER = "CPAS de Liège"


def _offered_clients(page: Page) -> set[str]:
    """The invoices offered, by the client the invoices page names for each of them."""
    ids = page.locator("#payment-step input[name=invoice_ids]").evaluate_all(
        "boxes => boxes.map(box => box.value)"
    )
    page.goto(f"/c/{SLUG}/invoices/")
    return {
        page.locator(f"#invoice-{number} td").nth(1).inner_text().strip("\u2068\u2069 ")
        for number in ids
    }


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_after_choosing_a_client_only_its_unpaid_invoices_are_offered(
    javascript: bool, browser: Browser, base_url: str
) -> None:
    with new_context(browser, base_url, java_script_enabled=javascript) as context:
        page = context.new_page()
        log_in(page, COORDINATOR, then=NEW)
        expect(page.locator("#payment-step input[name=invoice_ids]")).to_have_count(0)
        if javascript:
            page.evaluate("window.stillTheSamePage = true")
        page.select_option("select[name=client]", label=OTHER)
        if not javascript:
            page.click("form.payment-client button[type=submit]")
            expect(page).to_have_url(re.compile(re.escape(NEW) + r"\?client=\d+$"))
        step = page.locator("#payment-step")
        expect(step.locator("input[name=client_id]")).to_have_count(1)
        expect(step.locator("input[name=invoice_ids]").first).to_be_visible()
        if javascript:
            assert page.evaluate("window.stillTheSamePage") is True, "htmx should swap, not reload"
            expect(page).to_have_url(re.compile(re.escape(NEW) + "$"))
        assert _offered_clients(page) == {OTHER}

        page.goto(NEW)
        page.select_option("select[name=client]", label=CHU)
        if not javascript:
            page.click("form.payment-client button[type=submit]")
        expect(page.locator("#payment-step input[name=client_id]")).to_have_count(1)
        assert _offered_clients(page) <= {CHU}
