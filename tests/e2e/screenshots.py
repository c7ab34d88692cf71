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
    ARABIC_COOPERATOR,
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    COOPERATOR,
    COORDINATOR,
    QUEUE,
    SLUG,
    WORK,
    demo_server,
    log_in,
    new_context,
    new_member,
    seed_work,
)

SCREENSHOTS = ARTIFACTS / "screenshots"
WIDTHS = (360, 1280)
# The login page first: it is seen before logging in.
PAGES = {
    "login": "/login",
    "home": f"/c/{SLUG}/",
    "members": f"/c/{SLUG}/members",
    "audit": f"/c/{SLUG}/audit/",
    "work-queue": QUEUE,
}
# Seen by a member: her own work (a coordinator's list holds everyone's) and the form she fills.
MEMBER_PAGES = {
    "work": WORK,
    "work-new": f"{WORK}new",
}


def capture(
    browser: Browser, base_url: str, language: str, coordinator: str, member: str | None = None
) -> Iterator[tuple[str, int, Page]]:
    """Visit each page at each width (as `coordinator`, then `member`), save it, yield it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visits = [(coordinator, PAGES)] + ([(member, MEMBER_PAGES)] if member else [])
    for who, pages in visits:
        with new_context(
            browser, base_url, language, viewport={"width": 360, "height": 740}
        ) as context:
            page = context.new_page()
            for name, path in pages.items():
                if name != "login" and (page.url == "about:blank" or "/login" in page.url):
                    log_in(page, who)
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 740 if width < 800 else 800})
                    page.goto(path)
                    shot = SCREENSHOTS / f"{name}-{language}-{width}.png"
                    page.screenshot(path=shot, full_page=True)
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
        seed_work(browser, base_url)
        arabic = new_member(browser, base_url, "ليلى حداد", role="coordinator", language="ar")
        for language, coordinator, member in (
            ("fr", COORDINATOR, COOPERATOR),
            ("ar", arabic, ARABIC_COOPERATOR),
        ):
            for _ in capture(browser, base_url, language, coordinator, member):
                pass
        browser.close()
    print(f"screenshots in {SCREENSHOTS}")


if __name__ == "__main__":
    main()
