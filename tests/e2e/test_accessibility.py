"""Every page, in French and in Arabic, passes axe without a serious or critical violation."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from tests.e2e.support import (
    ARABIC_COOPERATOR,
    COOPERATOR,
    COORDINATOR,
    SLUG,
    invite,
    log_in,
    new_context,
    unique_email,
)

pytestmark = pytest.mark.e2e

BLOCKING = {"serious", "critical"}


@dataclass(frozen=True)
class Visit:
    path: str
    who: str  # "anonymous", "member" (Amina / Khaled) or "coordinator"
    status: int = 200


PAGES = {
    "login": Visit("/login", "anonymous"),
    "coops": Visit("/coops", "member"),
    "account": Visit("/account", "member"),
    "home": Visit(f"/c/{SLUG}/", "member"),
    "members": Visit(f"/c/{SLUG}/members", "coordinator"),
    "audit": Visit(f"/c/{SLUG}/audit/", "member"),
    # `seeded_work` gives the member work in every state and the queue something to validate.
    "work": Visit(f"/c/{SLUG}/work/", "member"),
    "work-new": Visit(f"/c/{SLUG}/work/new", "member"),
    "work-queue": Visit(f"/c/{SLUG}/work/queue", "coordinator"),
    "work-import": Visit(f"/c/{SLUG}/work/import", "coordinator"),
    "clients": Visit(f"/c/{SLUG}/clients/", "coordinator"),
    "client": Visit(f"/c/{SLUG}/clients/1", "coordinator"),
    "books": Visit(f"/c/{SLUG}/books/", "member"),
    "client-new": Visit(f"/c/{SLUG}/clients/new", "coordinator"),
    "costs": Visit(f"/c/{SLUG}/costs/", "member"),
    "cost-new": Visit(f"/c/{SLUG}/costs/new", "coordinator"),
    "invoices": Visit(f"/c/{SLUG}/invoices/", "coordinator"),
    "payment-new": Visit(f"/c/{SLUG}/payments/new", "coordinator"),
    "invitation": Visit("{invitation}", "anonymous"),
    "not-found": Visit("/c/nope/", "member", status=404),
}


@pytest.fixture(scope="module")
def invitation(browser: Browser, base_url: str) -> str:
    """One pending invitation link; opening it does not use it up."""
    with new_context(browser, base_url) as context:
        page = context.new_page()
        log_in(page, COORDINATOR)
        return invite(page, unique_email("axe"))


def _who(visit: Visit, language: str, request: pytest.FixtureRequest) -> str | None:
    if visit.who == "anonymous":
        return None
    if visit.who == "coordinator":
        return COORDINATOR if language == "fr" else request.getfixturevalue("arabic_coordinator")
    return COOPERATOR if language == "fr" else ARABIC_COOPERATOR


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize("name", list(PAGES))
def test_the_page_has_no_serious_accessibility_violation(
    name: str,
    language: str,
    browser: Browser,
    base_url: str,
    invitation: str,
    request: pytest.FixtureRequest,
) -> None:
    visit = PAGES[name]
    if name.startswith("work"):
        request.getfixturevalue("seeded_work")
    with new_context(browser, base_url, language) as context:
        page: Page = context.new_page()
        who = _who(visit, language, request)
        path = visit.path.format(invitation=invitation)
        if who is None:
            response = page.goto(path)
            assert response is not None and response.status == visit.status
        else:
            with page.expect_response(base_url + path) as landing:
                log_in(page, who, then=path)
            assert landing.value.status == visit.status
            page.wait_for_load_state()
        html = page.locator("html")
        assert html.get_attribute("lang") == language
        assert html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        violations = Axe().run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe on {name} ({language}):\n{_describe(blocking)}"
