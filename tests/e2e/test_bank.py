"""A coordinator on a phone imports the bank's statement of the month, confirms what the app
proposes, says which invoice the loose payment pays, and sees the books equal the bank.

The file is written from the served demo's own books (Redém'arts, which the demo imports no
statement for), as the bank would have written it: governance/demo/bank_statements.py.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import select

from governance.base import clock, db
from governance.demo.bank_statements import camt_file, month_statement
from governance.demo.redemarts import COORDINATOR, SLUG
from governance.members.models import Cooperative
from tests.e2e.support import ARTIFACTS, log_in, new_context

pytestmark = pytest.mark.e2e

BANK = f"/c/{SLUG}/bank/"
SHOTS = ARTIFACTS / "bank"


def _statement_file(demo_root: Path) -> bytes:
    """This month's statement of Redém'arts, read from the served database."""

    async def main() -> bytes:
        engine = db.make_engine(f"sqlite+aiosqlite:///{demo_root / 'governance.db'}")
        try:
            async with db.make_sessionmaker(engine)() as session, session.begin():
                coop = (
                    await session.exec(select(Cooperative).where(Cooperative.slug == SLUG))
                ).one()
                statement = await month_statement(session, coop.id or 0, clock.today())
        finally:
            await engine.dispose()
        return camt_file(statement, "02")

    # Playwright's sync API runs an event loop in this thread: read in another one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def test_a_coordinator_imports_confirms_and_reaches_zero_on_a_phone(
    browser: Browser, base_url: str, demo_root: Path, tmp_path: Path
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    upload = tmp_path / "extrait-de-compte.xml"
    upload.write_bytes(_statement_file(demo_root))
    with new_context(browser, base_url, viewport={"width": 360, "height": 800}) as context:
        page = context.new_page()
        log_in(page, COORDINATOR, then=BANK)
        page.set_input_files("input[name=file]", str(upload))
        page.click("form[action$='/bank/import'] button[type=submit]")
        expect(page.locator("#import-summary")).to_be_visible()
        expect(page.locator("#import-summary")).to_contain_text("extrait-de-compte.xml")
        page.screenshot(path=SHOTS / "bank-imported-fr-360.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the bank page scrolls sideways at 360 px ({width} px)"
        lines = page.locator("article.bank-line")
        for _ in range(40):  # each click decides one line; the demo's month has a dozen
            left = lines.count()
            if left == 0:
                break
            first = lines.first
            confirm = first.locator("form.proposal button.primary")
            if confirm.count():
                confirm.first.click()
            else:  # the loose payment: the coordinator says which invoice it pays
                first.locator("select[name=invoice_id]").select_option(index=0)
                first.locator("form.proposal button[type=submit]").click()
            expect(lines).to_have_count(left - 1)
        expect(page.locator("article.bank-line")).to_have_count(0)
        expect(page.locator("#difference")).to_contain_text("0,00")
        expect(page.locator("#reconciliation .flash")).to_be_visible()
        page.screenshot(path=SHOTS / "bank-reconciled-fr-360.png", full_page=True)
