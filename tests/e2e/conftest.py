"""Browser tests: one demo server and one Chromium for the whole session, a fresh context per test.

The server's database is shared by every e2e test: a test never changes what another relies on
(the demo accounts keep their language and status; newcomers get unique email addresses).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.e2e.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    demo_server,
    new_context,
    new_member,
    seed_work,
)

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's folder: its SQLite file is `governance.db` (tests only read it)."""
    return tmp_path_factory.mktemp("e2e-server")


@pytest.fixture(scope="session")
def base_url(demo_root: Path) -> Iterator[str]:
    """A demo cooperative served on a free port of 127.0.0.1, from a temporary SQLite file."""
    with demo_server(demo_root) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    """A fresh browser context (no cookies) whose anonymous pages are in French."""
    with new_context(browser, base_url) as fresh:
        yield fresh


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture(scope="session")
def arabic_coordinator(browser: Browser, base_url: str) -> str:
    """A coordinator whose profile is in Arabic, so no demo account has to change language."""
    return new_member(browser, base_url, "ليلى حداد", role="coordinator", language="ar")


@pytest.fixture(scope="session")
def seeded_work(browser: Browser, base_url: str) -> None:
    """Amina's and Khaled's work in every state, one of each still waiting in the queue."""
    seed_work(browser, base_url)
