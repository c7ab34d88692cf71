"""The main pages fit a 360 px phone and a 1280 px laptop, mirrored in Arabic (screenshots kept)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.screenshots import capture
from tests.e2e.support import ARABIC_COOPERATOR, COOPERATOR, COORDINATOR

pytestmark = pytest.mark.e2e

MIN_TARGET = 24  # px, WCAG 2.2 "target size (minimum)"

_SMALL_TARGETS = f"""() => [...document.querySelectorAll(
    'button, select, input:not([type=hidden]), nav a, a.button')]
  .filter(el => el.offsetParent !== null)
  .map(el => [el, el.getBoundingClientRect()])
  .filter(([, box]) => box.width < {MIN_TARGET} || box.height < {MIN_TARGET})
  .map(([el, box]) => `${{el.outerHTML.slice(0, 80)}} ${{box.width}}x${{box.height}}`)
"""


def _check(page: Page, name: str, width: int, language: str) -> list[str]:
    where = f"{name} ({language}, {width} px)"
    problems = []
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if scroll > client:
        problems.append(f"{where}: the page scrolls sideways ({scroll} > {client} px)")
    problems += [f"{where}: small tap target {t}" for t in page.evaluate(_SMALL_TARGETS)]
    brand = page.locator(".brand").bounding_box()
    assert brand is not None
    starts_right = brand["x"] > width / 2
    if starts_right != (language == "ar"):
        problems.append(f"{where}: the header does not start on the reading side")
    return problems


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_main_pages_fit_a_phone_and_a_laptop_in_both_directions(
    language: str,
    browser: Browser,
    base_url: str,
    seeded_work: None,
    request: pytest.FixtureRequest,
) -> None:
    coordinator = COORDINATOR if language == "fr" else request.getfixturevalue("arabic_coordinator")
    member = COOPERATOR if language == "fr" else ARABIC_COOPERATOR
    problems: list[str] = []
    for name, width, page in capture(browser, base_url, language, coordinator, member):
        problems += _check(page, name, width, language)
    assert not problems, "\n".join(problems)
