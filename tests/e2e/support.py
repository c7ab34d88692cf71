"""What the browser tests and the screenshot script share: the demo server, Chromium, logging in.

Plain functions and context managers, so that `screenshots.py` can use them without pytest.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from playwright.sync_api import Browser, BrowserContext, Page, expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SLUG = "univerbal"
HOME = f"/c/{SLUG}/"
PASSWORD = "univerbal-demo-2026"  # the demo's, printed by `governance demo`
COORDINATOR = "coordination@univerbal.example"
COOPERATOR = "amina@univerbal.example"
ARABIC_COOPERATOR = "khaled@univerbal.example"
LANGUAGE_COOKIE = "governance_lang"
ARABIC_LETTERS = re.compile(r"[\u0600-\u06ff]")
# The server process starts granian, whose worker imports the app: on a busy shared machine
# (two cores, the other tests beside) that took 12 s once.
STARTUP_SECONDS = 90
TIMEOUT_MS = 10_000  # generous: CI shares two cores between the server and Chromium


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(root: Path, base_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("GOVERNANCE_") and key != "DATABASE_URL"
    }
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{root / 'governance.db'}",
        GOVERNANCE_VAR_DIR=str(root),
        GOVERNANCE_SECRET_KEY=secrets.token_urlsafe(48),
        GOVERNANCE_BASE_URL=base_url,
        GOVERNANCE_DEFAULT_LANGUAGE="fr",
        GOVERNANCE_COOKIE_SECURE="0",
        # The browser tests count votes with `governance votes close-due` themselves; no
        # worker beside the server (one process less to start on a busy machine).
        GOVERNANCE_WORKER="external",
    )
    return env


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the server stopped (exit {process.returncode}):\n{log.read_text()}"
            )
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(
        f"the server did not answer /healthz within {STARTUP_SECONDS} s:\n{log.read_text()}"
    )


@contextmanager
def demo_server(root: Path) -> Iterator[str]:
    """`governance demo` into a fresh SQLite file under `root`, then `governance serve`."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = _environment(root, base_url)
    command = [sys.executable, "-m", "governance.cli"]
    demo = subprocess.run(
        [*command, "demo"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    if demo.returncode != 0:
        raise RuntimeError(f"governance demo failed:\n{demo.stdout}\n{demo.stderr}")
    log = root / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(base_url, process, log)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def new_context(
    browser: Browser, base_url: str, language: str = "fr", **options: Any
) -> BrowserContext:
    """A fresh context (no cookies); an anonymous visitor sees pages in `language`."""
    context = browser.new_context(base_url=base_url, locale="fr-BE", **options)
    context.add_cookies([{"name": LANGUAGE_COOKIE, "value": language, "url": base_url}])
    context.set_default_timeout(TIMEOUT_MS)
    return context


def log_in(page: Page, email: str, password: str = PASSWORD, then: str | None = None) -> None:
    """Log in through the form; `then` is where to go next (the default: the person's home)."""
    page.goto("/login" if then is None else f"/login?next={quote(then)}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/login"))
    # The URL changes when the next page starts to arrive; its deferred scripts run before
    # `load`. Without this wait a test could act before they listen (a flaky failure in CI:
    # a member chosen before languages.js listened kept the previous member's languages).
    page.wait_for_load_state("load")


def invite(page: Page, email: str, role: str = "cooperator") -> str:
    """As a logged-in coordinator: create an invitation and return its link."""
    page.goto(f"/c/{SLUG}/members")
    form = page.locator(f"form[action='/c/{SLUG}/members/invite']")
    form.locator("input[name=email]").fill(email)
    form.locator("select[name=role]").select_option(role)
    form.locator("button[type=submit]").click()
    link = page.locator(".link-box code")
    expect(link).to_contain_text("/invite/")
    return link.inner_text().strip()


def join(page: Page, link: str, name: str, language: str = "fr") -> None:
    """Open an invitation link as a newcomer, create the account and land in the cooperative."""
    page.goto(link)
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.select_option("select[name=language]", language)
    page.click("form[action^='/invite/'] button[type=submit]")
    expect(page).to_have_url(re.compile(re.escape(HOME) + "$"))


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.org"


def new_member(
    browser: Browser, base_url: str, name: str, role: str = "cooperator", language: str = "fr"
) -> str:
    """Invite a brand-new person (unique email) and let them join; returns their email."""
    email = unique_email(role)
    with new_context(browser, base_url) as coordinator_context:
        coordinator = coordinator_context.new_page()
        log_in(coordinator, COORDINATOR)
        link = invite(coordinator, email, role)
    with new_context(browser, base_url, language) as newcomer_context:
        join(newcomer_context.new_page(), link, name, language)
    return email


WORK = f"/c/{SLUG}/work/"
QUEUE = f"{WORK}queue"
CHU = "CHU de Liège"  # the demo client at 55,00 €/h


def unique_note(prefix: str) -> str:
    """A note no other test writes: the way to find one's own prestation in a shared database."""
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def record_prestation(
    page: Page,
    note: str,
    *,
    client: str = CHU,
    minutes: str = "90",
    languages: str = "ps",
    submit: bool = True,
) -> int:
    """As a logged-in member: fill the form (today's date) and return the prestation's id."""
    if not page.url.endswith(f"{WORK}new"):
        page.goto(f"{WORK}new")
    page.select_option("select[name=client_id]", label=client)
    page.fill("input[name=duration_minutes]", minutes)
    page.fill("input[name=languages]", languages)
    page.fill("input[name=note]", note)
    page.click(f"button[name=action][value={'submit' if submit else 'draft'}]")
    expect(page).to_have_url(re.compile(re.escape(WORK) + r"(\?.*)?$"))
    row = page.locator("tr[id^='prestation-']", has_text=note)
    expect(row).to_have_count(1)
    return int((row.get_attribute("id") or "").removeprefix("prestation-"))


def seed_work(browser: Browser, base_url: str) -> None:
    """Some work in every state for the pages to show: Amina's (fr) and Khaled's (ar)."""
    for email in (COOPERATOR, ARABIC_COOPERATOR):
        with new_context(browser, base_url) as context:
            page = context.new_page()
            log_in(page, email)
            record_prestation(page, unique_note("seed submitted"))
            record_prestation(
                page, unique_note("seed draft"), minutes="45", languages="ar, fr", submit=False
            )
            rejected = record_prestation(
                page, unique_note("seed rejected"), client="CRIPEL", minutes="120", languages="fa"
            )
        with new_context(browser, base_url) as context:
            page = context.new_page()
            log_in(page, COORDINATOR, then=QUEUE)
            page.fill(
                f"#reason-{rejected}", "Les heures ne correspondent pas à la feuille du CRIPEL."
            )
            page.locator(f"#queue-{rejected} form[action$='/reject'] button").click()
            expect(page.locator(f"#queue-{rejected}")).to_have_count(0)
