"""What the operator sees: the request log, compression, static caching, the favicon, HEAD
and `governance check`."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import secrets
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from governance import request_log
from governance.app import create_app
from governance.base.settings import Settings
from governance.cli import main
from tests.authorization_support import ROUTES
from tests.world import PASSWORD, Visitor


class Records(logging.Handler):
    """Every record that reaches the logger it is attached to, at any level."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def root_records() -> Iterator[Records]:
    handler = Records()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def _server_lines(err: str) -> str:
    """Standard error without the test client's own lines (httpx logs the URLs it asks)."""
    return "\n".join(line for line in err.splitlines() if "httpx" not in line)


def _request_lines(err: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    return [line for line in lines if line["logger"] == "governance.request"]


# The request log.


def test_one_json_line_per_request_with_the_route_and_nothing_secret(
    settings: Settings, world: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(replace(settings, log_format="json"))
    with TestClient(app=app) as client:
        visitor = Visitor(client)
        visitor.login("omar")
        capsys.readouterr()
        response = visitor.get("/c/alpha/proposals/999999?token=abc.def.ghi&q=private")
        assert response.status_code == 404
        visitor.post("/account/password", {"current_password": PASSWORD, "new_password": "x"})
        err = _server_lines(capsys.readouterr().err)
    lines = _request_lines(err)
    assert [(line["method"], line["route"], line["status"]) for line in lines] == [
        ("GET", "/c/{slug}/proposals/{proposal_id}", 404),
        ("POST", "/account/password", 400),
    ]
    for line in lines:
        assert set(line) >= {"time", "level", "method", "route", "status", "duration_ms"}
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
        assert line["level"] == "INFO"
    for secret in (PASSWORD, "abc.def.ghi", "private", *visitor.jar.values()):
        assert secret not in err


def test_plain_lines_and_a_path_when_no_route_matched(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(replace(settings, log_format="plain"))
    with TestClient(app=app) as client:
        capsys.readouterr()
        assert client.get("/no/such/page?password=hunter2").status_code == 404
        assert client.get("/invite/TOKEN-OF-A-MISTYPED-LINK/x").status_code == 404
        assert client.get("/healthz").status_code == 200  # health checks are not logged
        err = _server_lines(capsys.readouterr().err)
    request_lines = [line for line in err.splitlines() if "governance.request" in line]
    assert len(request_lines) == 2
    assert re.search(r"INFO governance\.request: GET /no/… 404 \d+\.\dms$", err, re.M)
    assert re.search(r"INFO governance\.request: GET /invite/… 404 \d+\.\dms$", err, re.M)
    assert "hunter2" not in err and "TOKEN-OF" not in err


def test_logging_is_configured_once_however_many_apps(settings: Settings) -> None:
    for _ in range(3):
        create_app(settings)
    ours = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, request_log._StderrHandler)
    ]
    assert len(ours) == 1


def test_governance_lines_share_the_json_format(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    create_app(replace(settings, log_format="json"))
    capsys.readouterr()
    logging.getLogger("governance.worker").warning("3 votes counted")
    line = json.loads(capsys.readouterr().err.strip())
    assert line["logger"] == "governance.worker"
    assert line["level"] == "WARNING"
    assert line["message"] == "3 votes counted"


# Downloads: PDF untouched by gzip, and the PDF library keeps quiet.


@pytest.fixture
def invoice_pdf_path(chu: int, visitor: Any) -> str:
    from governance.ledger.billing.invoice_pdf import FONT

    if not FONT.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{FONT} is missing: .ci/run installs fonts-dejavu-core")
        pytest.skip("fonts-dejavu-core is not installed")
    client_id = chu
    visitor.login("carla")
    month = dt.date.today().strftime("%Y-%m")
    visitor.post("/c/alpha/invoices/", {"client_id": str(client_id), "month": month})
    found = re.search(r"/c/alpha/invoices/\d+/pdf", visitor.get("/c/alpha/invoices/").text)
    assert found
    return found.group(0)


def test_a_pdf_download_is_neither_gzipped_nor_noisy(
    visitor: Any, invoice_pdf_path: str, root_records: Records
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        # The filters configure_logging installed, again: simplefilter put "default" first.
        request_log.configure_logging(visitor.client.app.state.settings)
        pdf = visitor.get(invoice_pdf_path, headers={"accept-encoding": "gzip"})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert "content-encoding" not in pdf.headers
    assert pdf.content.startswith(b"%PDF-")
    chatter = [r for r in root_records.records if r.name.split(".")[0] in ("fpdf", "fontTools")]
    assert chatter == []
    assert [w for w in caught if "font" in str(w.message).lower()] == []


# Compression.


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/login", "text/html"),
        ("/static/style.css", "text/css"),
        ("/static/htmx-2.0.11.min.js", "text/javascript"),
        ("/schema/openapi.json", "application/"),
    ],
)
def test_text_comes_gzipped_when_asked(client: Any, path: str, kind: str) -> None:
    response = client.get(path, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(kind)
    assert response.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in response.headers["vary"].lower()
    assert len(response.content) > 1024  # decoded by the client
    plain = client.get(path, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == response.content


def test_compressed_pages_keep_the_security_headers(visitor: Any, world: Any) -> None:
    visitor.login("omar")
    response = visitor.get("/c/alpha/", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"


# Static files and the favicon.


def test_pages_link_static_files_by_content_hash(client: Any) -> None:
    page = client.get("/login").text
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    names = {re.sub(r"\.[0-9a-f]{8}\.", ".", link.removeprefix("/static/")) for link in links}
    assert names == {"style.css", "htmx-2.0.11.min.js", "favicon.svg"}
    assert '<link rel="icon" href="/static/favicon.' in page
    for link in links:
        assert re.search(r"\.[0-9a-f]{8}\.\w+$", link), link
        response = client.get(link)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_the_hash_is_the_files_content(client: Any) -> None:
    import hashlib

    from governance.static_assets import STATIC_DIR, static_url

    digest = hashlib.sha256((STATIC_DIR / "votes.js").read_bytes()).hexdigest()[:8]
    assert static_url("votes.js") == f"/static/votes.{digest}.js"


def test_plain_names_still_work_with_a_short_cache(client: Any) -> None:
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert (
        response.content
        == Path(__file__).parents[3].joinpath("governance/static/style.css").read_bytes()
    )


@pytest.mark.parametrize(
    "path",
    [
        "/static/style.00000000.css",
        "/static/nothing.css",
        "/static/%2e%2e/app.py",
        "/static/..%2fsettings.py",
    ],
)
def test_only_the_static_files_are_served(client: Any, path: str) -> None:
    assert client.get(path).status_code == 404


def test_the_favicon(client: Any) -> None:
    from governance.static_assets import static_url

    response = client.get("/favicon.ico", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == static_url("favicon.svg")
    icon = client.get(response.headers["location"])
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.content.startswith(b"<svg")


# HEAD.


@pytest.mark.parametrize("persona", ["anonymous", "omar"])
def test_head_answers_like_get_on_every_get_route(persona: str, visitor: Any, world: Any) -> None:
    if persona != "anonymous":
        visitor.login(persona)
    failures = []
    for (method, _template), (path_of, _data, _expected) in ROUTES.items():
        if method != "GET":
            continue
        path = path_of(world)
        get = visitor.get(path)
        head = visitor.request("HEAD", path)
        if head.status_code != get.status_code:
            failures.append(f"HEAD {path}: {head.status_code}, GET gave {get.status_code}")
        if head.content:
            failures.append(f"HEAD {path}: a body of {len(head.content)} bytes")
        if head.headers.get("content-type") != get.headers.get("content-type"):
            failures.append(f"HEAD {path}: another content type")
    assert not failures, "\n".join(failures)


def test_head_keeps_the_length_get_would_send(client: Any) -> None:
    get = client.get("/static/style.css", headers={"accept-encoding": "identity"})
    head = client.head("/static/style.css", headers={"accept-encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]


# governance check.


@pytest.fixture
def check_env(settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A sound development configuration on the test database; returns its secret key."""
    key = secrets.token_urlsafe(48)
    for name in list(os.environ):
        if name.startswith("GOVERNANCE_") and not name.startswith("GOVERNANCE_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("GOVERNANCE_SECRET_KEY", key)
    monkeypatch.setenv("GOVERNANCE_VAR_DIR", str(tmp_path))
    return key


def test_check_says_ok_for_a_sound_configuration(
    check_env: str, world: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "configuration: ok"


def test_check_lists_the_problems_and_shows_no_secret(
    check_env: str,
    world: Any,
    run: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from governance.mail.outbox import set_email_notices

    run(lambda session: set_email_notices(session, world.actor("carla"), True))
    monkeypatch.setenv("GOVERNANCE_ENV", "production")
    monkeypatch.setenv("GOVERNANCE_BASE_URL", "http://coop.example.org")
    monkeypatch.setenv("GOVERNANCE_COOKIE_SECURE", "false")
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    problems = [line for line in out.splitlines() if line.startswith("problem: ")]
    assert any("https://" in line for line in problems)
    assert any("GOVERNANCE_COOKIE_SECURE" in line for line in problems)
    assert any("alpha" in line and "GOVERNANCE_SMTP_HOST" in line for line in problems)
    assert re.search(r"^configuration: \d+ problems$", out, re.M)
    assert check_env not in out


def test_check_reports_settings_that_cannot_start(
    check_env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GOVERNANCE_SECRET_KEY", "too short")
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "problem: GOVERNANCE_SECRET_KEY must be at least 32 characters long" in out
    assert "too short" not in out
