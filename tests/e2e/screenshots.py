"""Full-page screenshots of the main pages on a phone (360 px) and a laptop (1280 px), fr and ar.

`test_layout.py` calls `capture` on every e2e run; run this file alone to get the pictures
without the tests: `uv run python -m tests.e2e.screenshots` writes them into
test-artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    COORDINATOR,
    SLUG,
    demo_server,
    log_in,
    new_context,
    new_member,
)

SCREENSHOTS = ARTIFACTS / "screenshots"
WIDTHS = (360, 1280)
# The login page first: it is seen before logging in.
PAGES = {
    "login": "/login",
    "home": f"/c/{SLUG}/",
    "members": f"/c/{SLUG}/members",
    "audit": f"/c/{SLUG}/audit/",
}


def capture(
    browser: Browser, base_url: str, language: str, coordinator: str
) -> Iterator[tuple[str, int, Page]]:
    """Visit each page at each width as `coordinator`, save it, and yield the page to check."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with new_context(browser, base_url, language, viewport={"width": 360, "height": 740}) as ctx:
        page = ctx.new_page()
        for name, path in PAGES.items():
            if name != "login" and "/login" in page.url:
                log_in(page, coordinator)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 740 if width < 800 else 800})
                page.goto(path)
                page.screenshot(path=SCREENSHOTS / f"{name}-{language}-{width}.png", full_page=True)
                yield name, width, page


def main() -> None:
    with (
        tempfile.TemporaryDirectory() as root,
        demo_server(Path(root)) as base_url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        arabic = new_member(browser, base_url, "ليلى حداد", role="coordinator", language="ar")
        for language, coordinator in (("fr", COORDINATOR), ("ar", arabic)):
            for _ in capture(browser, base_url, language, coordinator):
                pass
        browser.close()
    print(f"screenshots in {SCREENSHOTS}")


if __name__ == "__main__":
    main()
