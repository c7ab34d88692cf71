"""The header on a 360 px phone: two rows at most, in French and Arabic, with and without
JavaScript, for a coordinator and a member; the menu opens by keyboard and shows the rest.

Rows are measured, not guessed: the visible items of the header (the cooperative's name, the
menu button, the links in sight) are grouped by their top offset, and the header's height is
checked against two rows of tap targets. Screenshots (closed and open) go to
test-artifacts/header/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import (
    ARABIC_COOPERATOR,
    ARTIFACTS,
    COOPERATOR,
    COORDINATOR,
    HOME,
    SLUG,
    log_in,
    new_context,
)

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
SHOTS = ARTIFACTS / "header"
ROW = 48  # px: a 44 px tap target and a little room; two rows and the padding fit 2 * ROW + 8
SAME_ROW = 12  # px: items whose tops differ by less sit on one row

_VISIBLE_ITEMS = """() => [...document.querySelectorAll(
    'header .brand, header details.menu > summary, header .nav a')]
  .filter(el => el.offsetParent !== null)
  .map(el => { const b = el.getBoundingClientRect();
               return {text: el.textContent.trim(), top: b.top, left: b.left, right: b.right}; })
"""

# Where each role's most used places stay in sight; the rest waits in the menu.
IN_SIGHT = {
    "coordinator": [HOME, f"/c/{SLUG}/work/queue", f"/c/{SLUG}/periods", f"/c/{SLUG}/invoices/"],
    "member": [HOME, f"/c/{SLUG}/work/", f"/c/{SLUG}/me/earnings", f"/c/{SLUG}/proposals/"],
}
IN_MENU = {
    "coordinator": [f"/c/{SLUG}/costs/", f"/c/{SLUG}/members", f"/c/{SLUG}/audit/", "/account"],
    "member": [f"/c/{SLUG}/periods", f"/c/{SLUG}/invoices/", f"/c/{SLUG}/audit/", "/account"],
}


def _rows(page: Page) -> list[list[str]]:
    items = sorted(page.evaluate(_VISIBLE_ITEMS), key=lambda item: item["top"])
    rows: list[list[dict[str, float | str]]] = []
    for item in items:
        if rows and abs(float(item["top"]) - float(rows[-1][0]["top"])) < SAME_ROW:
            rows[-1].append(item)
        else:
            rows.append([item])
    return [[str(item["text"]) for item in row] for row in rows]


def _tab_to_the_menu(page: Page) -> None:
    """Press Tab from the top of the page until the menu's summary has the focus."""
    page.locator("body").focus()
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('header details.menu > summary')"):
            return
    raise AssertionError("Tab never reached the menu button")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("role", ["coordinator", "member"])
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_header_takes_two_rows_on_a_phone_and_its_menu_opens_by_keyboard(
    language: str,
    role: str,
    javascript: bool,
    browser: Browser,
    base_url: str,
    request: pytest.FixtureRequest,
) -> None:
    if role == "coordinator":
        who = COORDINATOR if language == "fr" else request.getfixturevalue("arabic_coordinator")
    else:
        who = COOPERATOR if language == "fr" else ARABIC_COOPERATOR
    name = f"{language}-{role}-{'js' if javascript else 'no-js'}"
    with new_context(
        browser, base_url, language, viewport=PHONE, java_script_enabled=javascript
    ) as context:
        page = context.new_page()
        log_in(page, who)
        page.goto(HOME)
        expect(page.locator("html")).to_have_attribute("lang", language)

        # Two rows: the name and the menu button, then the places in sight.
        rows = _rows(page)
        assert len(rows) <= 2, f"{name}: the header takes {len(rows)} rows: {rows}"
        header = page.locator("header.top").bounding_box()
        assert header is not None
        assert header["height"] <= 2 * ROW + 8, f"{name}: the header is {header['height']} px"
        # Nothing in sight is cut off: the row of links does not scroll sideways.
        scroll, client = page.evaluate(
            "(() => { const n = document.querySelector('header .nav');"
            " return [n.scrollWidth, n.clientWidth]; })()"
        )
        assert scroll <= client, f"{name}: the links in sight overflow ({scroll} > {client} px)"
        in_sight = page.locator("header .nav a")
        expect(in_sight).to_have_count(len(IN_SIGHT[role]))
        for index, href in enumerate(IN_SIGHT[role]):
            expect(in_sight.nth(index)).to_have_attribute("href", href)
            expect(in_sight.nth(index)).to_be_in_viewport()
        expect(page.locator(f"header .nav a[href='{HOME}']")).to_have_attribute(
            "aria-current", "page"
        )
        # The menu button sits at the end of the reading direction.
        brand = page.locator(".brand").bounding_box()
        summary = page.locator("header details.menu > summary").bounding_box()
        assert brand is not None and summary is not None
        assert (summary["x"] > brand["x"]) == (language != "ar"), f"{name}: menu on the wrong side"

        menu = page.locator("header details.menu")
        for href in IN_MENU[role]:
            expect(menu.locator(f"a[href='{href}']")).to_be_hidden()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / f"{name}-closed.png")

        # By keyboard: Tab to the menu button, Enter, and the rest is there, Tab goes into it.
        _tab_to_the_menu(page)
        page.keyboard.press("Enter")
        expect(menu).to_have_attribute("open", "")
        for href in IN_MENU[role]:
            expect(menu.locator(f"a[href='{href}']")).to_be_visible()
            expect(menu.locator(f"a[href='{href}']")).to_be_in_viewport()
        expect(menu.locator("form[action='/logout'] button")).to_be_visible()
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('.menu__panel') !== null")
        page.screenshot(path=SHOTS / f"{name}-open.png")

        # The menu leads where it says: the audit trail, marked as the current page.
        menu.locator(f"a[href='/c/{SLUG}/audit/']").click()
        expect(page).to_have_url(f"{base_url}/c/{SLUG}/audit/")
        expect(page.locator(f"header a[href='/c/{SLUG}/audit/']")).to_have_attribute(
            "aria-current", "page"
        )
        expect(page.locator("header details.menu")).not_to_have_attribute("open", "")
        page.locator("header details.menu > summary").focus()
        page.keyboard.press("Space")
        expect(page.locator(f"header a[href='/c/{SLUG}/audit/']")).to_be_visible()
