"""A vote on the distribution rule in a browser, from the draft to the month it changes.

The coordinator drafts the `equal` rule from the demo's last full month (still open, ready to
close) and opens the vote; French-speaking cooperators see their own difference in the
comparison, Dilan gives his proxy to Nadia who votes for both, Amina changes her vote on a
phone. `governance votes close-due`, run a week ahead against the server's database, closes the
vote; the bulletin board's JSON recounts with `governance votes verify`; the month then closes
under the adopted rule.

Adopting a rule and closing a month change what every other page shows, so this test runs on a
demo server of its own rather than the session's shared one.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from babel.dates import format_date
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from governance.base import clock
from tests.e2e.review_support import everyone_reads
from tests.e2e.screenshots import SCREENSHOTS
from tests.e2e.support import (
    COOPERATOR,
    COORDINATOR,
    ROOT,
    SLUG,
    _environment,
    demo_server,
    log_in,
    new_context,
)

pytestmark = pytest.mark.e2e

PHONE: ViewportSize = {"width": 360, "height": 740}
LAPTOP: ViewportSize = {"width": 1280, "height": 800}
PROPOSALS = f"/c/{SLUG}/proposals"
PERIODS = f"/c/{SLUG}/periods"
CHLOE = "chloe@univerbal.example"
DILAN = "dilan@univerbal.example"
NADIA = "nadia@univerbal.example"
TITLE = "Partager le revenu à parts égales"
BODY = """Chacun·e reçoit **la même part** du pot des membres.

- le fonds de réserve garde ses 10 % ;
- toutes et tous les membres actifs partagent le reste."""
# The `equal` key at 100 %: "Part égale pour chaque membre 100 %" on the month's page, with a
# colon on the statement (the demo's rule in force counts it at 20 %, beside the revenue).
EQUAL_KEY = re.compile(r"Part égale pour chaque membre\s:?\s?100\s%")
REVENUE_KEY = "Chiffre d'affaires apporté"
CLI = [sys.executable, "-m", "governance.cli"]
# A rule vote stays open at least 7 days (docs/votes.md): it closes in a week and an hour,
# counted a week and 4 hours ahead (before the demo's own open vote, which closes in 8 days).
A_WEEK_AHEAD = str((7 * 24 + 4) * 3600)


@pytest.fixture(scope="module")
def voting_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The demo served from a SQLite file of its own: the URL and the folder holding it."""
    root = tmp_path_factory.mktemp("e2e-votes")
    with demo_server(root) as url:
        yield url, root


def _last_full_month() -> str:
    """The month before the (Belgian) current one: still open in the demo, ready to close."""
    return f"{clock.today().replace(day=1) - dt.timedelta(days=1):%Y-%m}"


def _closing() -> tuple[str, str]:
    """A week and an hour from now, in Liège time: the minimum of a vote that moves money, and
    near enough for a shift of a week and 4 hours to pass it."""
    at = (clock.now() + dt.timedelta(hours=7 * 24 + 1)).astimezone(clock.BRUSSELS)
    return at.date().isoformat(), at.strftime("%H:%M")


def _cli(
    root: Path, base_url: str, *args: str, shift: str = ""
) -> subprocess.CompletedProcess[str]:
    """The `governance` command on the demo server's database (as the server's environment)."""
    env = _environment(root, base_url)
    if shift:
        env["GOVERNANCE_CLOCK_SHIFT_SECONDS"] = shift
    return subprocess.run(
        [*CLI, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def _member_page(browser: Browser, base_url: str, email: str, then: str, **options: Any) -> Page:
    """A member logged in, in a context of their own, on the page `then`."""
    context = new_context(browser, base_url, **options)
    page = context.new_page()
    log_in(page, email, then=then)
    expect(page).to_have_url(re.compile(re.escape(then) + "$"))
    return page


def _no_sideways_scroll(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways at {width} px ({scroll} px wide)"


def _submit_and_wait(page: Page, button: Locator) -> None:
    """Click a form's button and wait for the page the redirect leads to: the same URL, so
    only a mark left on the old document tells them apart."""
    page.evaluate("window.beforeTheForm = true")
    button.click()
    page.wait_for_function("window.beforeTheForm === undefined")
    page.wait_for_load_state()


def _vote(page: Page, choice: str, *, section: str = "#vote", key: str = "own") -> str:
    """Tick `choice` in a ballot form, send it, and return the receipt shown afterwards."""
    form = page.locator(f"{section} form[action$='/ballot']")
    form.locator(f"#choice-{key}-{choice}").check()
    _submit_and_wait(page, form.locator("button[type=submit]"))
    expect(page.locator("main [role=status]").first).to_be_visible()
    expect(page.locator(f"{section} #choice-{key}-{choice}")).to_be_checked()
    receipt = page.locator(f"{section} code.receipt")
    expect(receipt).to_have_text(re.compile(r"\S+"))
    return receipt.inner_text().strip()


def _draft_and_open(coordinator: Page, month: str) -> int:
    """The coordinator checks the month is next to review, drafts the rule and opens the vote."""
    coordinator.goto(PERIODS)
    expect(coordinator.locator(f"#period-{month}")).to_be_visible()
    expect(
        coordinator.locator(f"form[action='{PERIODS}/{month}/review'] button[type=submit]")
    ).to_have_count(1)

    coordinator.goto(f"{PROPOSALS}/new")
    coordinator.select_option("select[name=kind]", "distribution_rule")
    coordinator.fill("input[name=title]", TITLE)
    coordinator.fill("textarea[name=body]", BODY)
    coordinator.select_option("select[name=method]", "approval")
    coordinator.select_option("select[name=quorum]", "1/2")
    coordinator.select_option("select[name=threshold]", "1/2")
    coordinator.select_option("select[name=visibility]", "public")
    coordinator.fill("input[name=start_month]", month)
    coordinator.fill("textarea[name=rule_json]", "equal")
    coordinator.locator(f"form[action='{PROPOSALS}/'] button[type=submit]").click()
    expect(coordinator).to_have_url(re.compile(re.escape(PROPOSALS) + r"/\d+$"))
    proposal_id = int(coordinator.url.rsplit("/", 1)[1])
    expect(coordinator.locator("h1")).to_have_text(TITLE)
    expect(coordinator.locator("main .lead")).to_contain_text("Brouillon")
    expect(coordinator.locator("article.markdown strong")).to_have_text("la même part")

    day, time = _closing()
    opening = coordinator.locator("#open form")
    opening.locator("input[name=closes_on]").fill(day)
    opening.locator("input[name=closes_time]").fill(time)
    opening.locator("button[type=submit]").click()
    expect(coordinator).to_have_url(re.compile(rf"{re.escape(PROPOSALS)}/{proposal_id}$"))
    expect(coordinator.locator("main .lead")).to_contain_text("Vote ouvert")
    expect(coordinator.locator("#open")).to_have_count(0)
    expect(coordinator.locator("#vote form[action$='/ballot']")).to_be_visible()
    return proposal_id


# Each comparison card's labels drawn as real elements (a pseudo-element has no box): a
# span styled like the cell's ::before, measured against the amount's text beside it.
_LABELS_OVER_AMOUNTS = """() => {
  const sheet = document.styleSheets[0];  // CSSOM: the CSP forbids a <style> element
  const cells = [...document.querySelectorAll('#comparison td.money[data-label]')];
  const styles = cells.map(td => getComputedStyle(td, '::before'));
  const copied = ['float', 'width', 'margin-inline-start', 'white-space', 'overflow-wrap',
    'font-size', 'font-weight', 'line-height', 'display'];
  const spans = cells.map((td, i) => {
    const span = document.createElement('span');
    span.textContent = td.dataset.label;
    for (const name of copied) span.style.setProperty(name, styles[i].getPropertyValue(name));
    return span;
  });
  const hidden = sheet.insertRule(
    '#comparison td::before { content: none !important; }', sheet.cssRules.length);
  cells.forEach((td, i) => td.prepend(spans[i]));
  const overlaps = cells.flatMap((td, i) => {
    const range = document.createRange();
    range.setStartAfter(spans[i]);
    range.setEnd(td, td.childNodes.length);
    const value = range.getBoundingClientRect();
    const label = document.createRange();
    label.selectNodeContents(spans[i]);  // the text itself, even where it overflows its box
    return [...label.getClientRects()]
      .filter(line => line.left < value.right && value.left < line.right
        && line.top < value.bottom && value.top < line.bottom)
      .map(() => `${td.dataset.label} over ${td.textContent.slice(td.dataset.label.length)}`);
  });
  spans.forEach(span => span.remove());
  sheet.deleteRule(hidden);
  return overlaps;
}"""


def _labels_beside_amounts(page: Page) -> None:
    """On a phone the comparison's labels sit beside the amounts, never over them, and the
    page does not scroll sideways."""
    expect(page.locator("#comparison td.money").first).to_be_visible()
    assert page.evaluate(_LABELS_OVER_AMOUNTS) == []
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, (scroll, client)


def _sees_own_difference(page: Page, name: str) -> None:
    mine = page.locator("#comparison tr.me")
    expect(mine).to_have_count(1)
    expect(mine).to_have_attribute("id", "my-difference")
    expect(mine.locator("th")).to_have_text(f"{name} (vous)")


def test_a_rule_is_voted_by_proxy_and_on_a_phone_closed_verified_and_applied_to_the_month(
    browser: Browser, voting_server: tuple[str, Path], tmp_path: Path
) -> None:
    base_url, root = voting_server
    month = _last_full_month()

    with new_context(browser, base_url) as coordinator_context:
        coordinator = coordinator_context.new_page()
        log_in(coordinator, COORDINATOR)
        proposal_id = _draft_and_open(coordinator, month)
        proposal = f"{PROPOSALS}/{proposal_id}"

        # Members see their own difference; Amina is on a phone, Chloé on a laptop.
        amina = _member_page(browser, base_url, COOPERATOR, proposal, viewport=PHONE)
        chloe = _member_page(browser, base_url, CHLOE, proposal)
        try:
            _sees_own_difference(amina, "Amina Yusufzai")
            _labels_beside_amounts(amina)
            _sees_own_difference(chloe, "Chloé Lambert")
            dilan_id = amina.locator("#f-holder_id option", has_text="Dilan").get_attribute("value")
            assert dilan_id and dilan_id.isdigit(), dilan_id

            _nadia_votes_for_dilan_and_herself(browser, base_url, proposal, dilan_id)

            # Amina votes no on her phone, then changes her mind: a new receipt.
            expect(amina.locator("#vote button[type=submit]")).to_have_text("Voter")
            first = _vote(amina, "no")
            expect(amina.locator("#vote button[type=submit]")).to_have_text("Changer mon vote")
            second = _vote(amina, "yes")
            assert second != first, "a changed vote gets a new receipt"
            _no_sideways_scroll(amina, 360)
            _screenshots(amina)

            _vote(chloe, "abstain")
            _vote(coordinator, "yes")
            coordinator.reload()
            expect(coordinator.locator("main")).to_contain_text("5 membres ont participé")
            expect(coordinator.locator("main")).to_contain_text(
                "Amina Yusufzai, Chloé Lambert, Dilan Şahin, Mariam Diallo et Nadia Benali"
            )
        finally:
            amina.context.close()
            chloe.context.close()

        # A week later the timer closes the vote: 5 of 8 took part, 4 yes, no "no".
        closed = _cli(root, base_url, "votes", "close-due", shift=A_WEEK_AHEAD)
        assert closed.returncode == 0, closed.stdout + closed.stderr
        assert closed.stdout.strip() == "1 vote(s) closed", closed.stdout
        _result_and_board(coordinator, proposal, kept=second, replaced=first)

        # Anyone can recount the downloaded board.
        download = coordinator_context.request.get(f"{proposal}/board.json")
        assert download.ok, download.status
        board = tmp_path / f"board-{SLUG}-{proposal_id}.json"
        board.write_bytes(download.body())
        verified = _cli(root, base_url, "votes", "verify", str(board))
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert verified.stdout.startswith("ok: the recount of 5 ballots"), verified.stdout

        _close_the_month_under_the_new_rule(coordinator, month)


def _nadia_votes_for_dilan_and_herself(
    browser: Browser, base_url: str, proposal: str, dilan_id: str
) -> None:
    """Dilan gives his proxy to Nadia; she votes for him, then for herself; he sees it."""
    dilan = _member_page(browser, base_url, DILAN, proposal)
    try:
        dilan.locator("#proxy select[name=holder_id]").select_option(label="Nadia Benali")
        dilan.locator("#proxy button[type=submit]").click()
        expect(dilan.locator("#proxy")).to_contain_text(
            "Vous avez donné votre procuration à Nadia Benali"
        )
        nadia = _member_page(browser, base_url, NADIA, proposal)
        try:
            held = nadia.locator(f"#proxy-{dilan_id}")
            expect(held.locator("h2")).to_have_text("Procuration donnée par Dilan Şahin")
            for_dilan = _vote(nadia, "yes", section=f"#proxy-{dilan_id}", key=dilan_id)
            own = _vote(nadia, "yes")
            assert for_dilan != own
        finally:
            nadia.context.close()
        dilan.reload()
        expect(dilan.locator("#vote")).to_contain_text(
            "Nadia Benali a voté pour vous avec votre procuration."
        )
        expect(dilan.locator("#vote code.receipt")).to_have_text(for_dilan)
    finally:
        dilan.context.close()


def _result_and_board(coordinator: Page, proposal: str, *, kept: str, replaced: str) -> None:
    """The closed proposal shows its result; its board lists the five ballots, by receipt."""
    coordinator.reload()
    expect(coordinator.locator("main .lead")).to_contain_text("Adoptée")
    result = coordinator.locator("#result")
    expect(result.locator("h2")).to_have_text("Résultat")
    expect(coordinator.locator("#vote")).to_have_count(0)
    result.locator(f"a[href='{proposal}/board']").click()
    expect(coordinator).to_have_url(re.compile(re.escape(f"{proposal}/board") + "$"))
    rows = coordinator.locator("table tbody tr")
    expect(rows).to_have_count(5)
    expect(coordinator.locator("table")).to_contain_text(kept)
    expect(coordinator.locator("table")).not_to_contain_text(replaced)
    expect(rows.filter(has_text="Amina Yusufzai")).to_contain_text("Oui")
    expect(rows.filter(has_text="Dilan Şahin")).to_contain_text("Oui")
    expect(rows.filter(has_text="Chloé Lambert")).to_contain_text("Je m'abstiens")


def _close_the_month_under_the_new_rule(coordinator: Page, month: str) -> None:
    """Review and close the month: its draft and its statement share by the `equal` key."""
    period = f"{PERIODS}/{month}"
    coordinator.goto(PERIODS)
    coordinator.locator(f"form[action='{period}/review'] button[type=submit]").click()
    expect(coordinator).to_have_url(re.compile(re.escape(period) + "$"))
    expect(coordinator.locator("#review-progress")).to_be_visible()
    draft_rule = coordinator.locator(
        "section.card", has=coordinator.locator("h3", has_text="La règle")
    )
    expect(draft_rule).to_contain_text(EQUAL_KEY)
    expect(draft_rule).not_to_contain_text(REVENUE_KEY)
    # The members read their drafts (the close would otherwise wait 72 hours), then the
    # coordinator confirms the close on its own page.
    origin = urlsplit(coordinator.url)
    assert coordinator.context.browser is not None
    everyone_reads(coordinator.context.browser, f"{origin.scheme}://{origin.netloc}", month)
    coordinator.reload()
    coordinator.locator("#close-link").click()
    coordinator.check("#f-checked")
    coordinator.locator("form#close button[type=submit]").click()
    expect(coordinator).to_have_url(re.compile(re.escape(period) + "$"))
    expect(coordinator.locator("form#close")).to_have_count(0)
    coordinator.locator(f"main a[href='/c/{SLUG}/statements/{month}']").click()
    expect(coordinator).to_have_url(re.compile(rf"/statements/{month}$"))
    rule = coordinator.locator("section[aria-labelledby=rule-title]")
    expect(rule).to_contain_text(EQUAL_KEY)
    expect(rule).not_to_contain_text(REVENUE_KEY)
    since = format_date(dt.date.fromisoformat(f"{month}-01"), "LLLL y", locale="fr_BE")
    expect(rule).to_contain_text(f"En vigueur depuis {since}")


def _screenshots(page: Page) -> None:
    """The proposal page after voting, at 360 and 1280 px, into test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "proposal-vote-fr-360.png", full_page=True)
    page.set_viewport_size(LAPTOP)
    _no_sideways_scroll(page, 1280)
    page.screenshot(path=SCREENSHOTS / "proposal-vote-fr-1280.png", full_page=True)
    page.set_viewport_size(PHONE)
