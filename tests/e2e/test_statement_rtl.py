"""A member reading his statement in Arabic on a phone: the page's reconciliation adds up,
with and without JavaScript, and the PDF he downloads reads from the right (pdftotext)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.support import ARABIC_COOPERATOR, SLUG, log_in, new_context
from tests.pdf_support import A4_WIDTH, ar, at_right_margin, find, lines_of, on_the_left

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils"),
]

PHONE = {"width": 360, "height": 740}


@pytest.mark.parametrize("javascript", [True, False])
def test_an_arabic_statement_adds_up_on_a_phone_and_its_pdf_reads_from_the_right(
    browser: Browser, base_url: str, tmp_path: Path, javascript: bool
) -> None:
    with new_context(
        browser, base_url, language="ar", viewport=PHONE, java_script_enabled=javascript
    ) as context:
        page = context.new_page()
        log_in(page, ARABIC_COOPERATOR)
        page.goto(f"/c/{SLUG}/statements")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        link = page.locator("main a[href*='/members/']").last
        link.click()
        tables = page.locator("main table.reconciliation")
        expect(tables.first).to_be_visible()
        for index in range(tables.count()):
            cents = [
                int(value or 0)
                for value in tables.nth(index)
                .locator("tr[data-cents]")
                .evaluate_all("rows => rows.map(r => r.dataset.cents)")
            ]
            if cents:  # every line before the total adds up to it
                assert sum(cents[:-1]) == cents[-1], cents
        # The table stays three columns wide on the phone, the amounts on the left.
        row = tables.first.locator("tr").first
        label, amount = row.locator("th").bounding_box(), row.locator("td").last.bounding_box()
        assert label and amount and amount["x"] + amount["width"] <= label["x"] + 1
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        pdf = page.request.get(page.url + "/statement.pdf")
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
        lines = lines_of(pdf.body(), tmp_path)
        heading = find(lines, ar("What is owed"))
        assert at_right_margin(heading) and heading.x_max <= A4_WIDTH
        assert on_the_left(find(lines, ar("Amount")))
        assert at_right_margin(find(lines, ar("Work of the month")))
