"""What an operator relies on: the real client behind a trusted proxy (login throttling per
client), /healthz against the database, a friendly 503 when the database is down, HSTS in
production."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from typing import Any

import httpx
import pytest

from governance.base.settings import Settings, trusted_proxies
from governance.proxies import client_address
from tests.world import EMAILS, PASSWORD

PROXY = "127.0.0.1"
TRUSTED = trusted_proxies("127.0.0.1, 10.0.0.0/8")


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("127.0.0.1", "203.0.113.5", "203.0.113.5"),
        ("127.0.0.1", "198.51.100.1, 203.0.113.5", "203.0.113.5"),  # the left is the visitor's
        ("127.0.0.1", "203.0.113.5, 10.1.2.3", "203.0.113.5"),  # two proxies of ours
        ("127.0.0.1", "[2001:db8::1]:4711", "2001:db8::1"),
        ("127.0.0.1", "", "127.0.0.1"),
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
        ("192.0.2.9", "203.0.113.5", "192.0.2.9"),  # not a proxy of ours: ignored
    ],
)
def test_the_client_is_the_right_most_untrusted_address(
    peer: str, forwarded: str, expected: str
) -> None:
    assert client_address(peer, forwarded, TRUSTED) == expected


def test_no_trusted_proxy_believes_no_header() -> None:
    assert client_address("127.0.0.1", "203.0.113.5", ()) == "127.0.0.1"


def _app(settings: Settings, **changes: Any) -> Any:
    from governance.app import create_app

    return create_app(dataclasses.replace(settings, **changes))


def _run(app: Any, scenario: Any) -> Any:
    """`scenario(client_for)` inside the app's lifespan; client_for(peer) is an httpx client
    whose connections come from `peer`."""
    from litestar.testing import TestClient

    def client_for(peer: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(peer, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    with TestClient(app=app) as test_client:
        return test_client.blocking_portal.call(scenario, client_for)


async def _login(client: httpx.AsyncClient, password: str, forwarded: str) -> int:
    page = await client.get("/login")
    token = page.cookies.get("csrftoken") or client.cookies["csrftoken"]
    response = await client.post(
        "/login",
        data={"email": EMAILS["carla"], "password": password, "_csrf_token": token},
        headers={"x-forwarded-for": forwarded},
    )
    return response.status_code


def test_wrong_passwords_of_one_client_behind_the_proxy_lock_out_no_other(
    settings: Settings, world: Any
) -> None:
    app = _app(settings, trusted_proxies=TRUSTED)

    async def scenario(client_for: Any) -> tuple[list[int], int, int]:
        async with client_for(PROXY) as proxy:
            wrong = [await _login(proxy, "not the password", "203.0.113.5") for _ in range(6)]
        async with client_for(PROXY) as proxy:
            other = await _login(proxy, PASSWORD, "198.51.100.7")
        async with client_for(PROXY) as proxy:
            same = await _login(proxy, PASSWORD, "203.0.113.5")
        return wrong, other, same

    wrong, other, same = _run(app, scenario)
    assert wrong == [400] * 5 + [429]
    assert other in (302, 303)  # another member behind the same proxy logs in
    assert same == 429  # the client who guessed stays throttled


def test_an_untrusted_peer_cannot_choose_its_address(settings: Settings, world: Any) -> None:
    app = _app(settings, trusted_proxies=TRUSTED)

    async def scenario(client_for: Any) -> list[int]:
        codes = []
        for attempt in range(6):
            async with client_for("192.0.2.9") as visitor:
                # A new made-up address each time: ignored, the peer's own address counts.
                codes.append(await _login(visitor, "not the password", f"203.0.113.{attempt}"))
        return codes

    assert _run(app, scenario) == [400] * 5 + [429]


def test_health_answers_after_a_real_query(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_with_the_database_down_health_and_pages_answer_503(settings: Settings) -> None:
    # Nothing listens on port 9 here: every connection is refused.
    app = _app(
        settings,
        database_url="postgresql+psycopg://postgres@127.0.0.1:9/governance",
        check_migrations=False,
    )

    async def scenario(client_for: Any) -> tuple[Any, Any, Any]:
        async with client_for("192.0.2.1") as visitor:
            health = await visitor.get("/healthz")
            login = await visitor.get("/login")
            token = login.cookies.get("csrftoken") or visitor.cookies["csrftoken"]
            tried = await visitor.post(
                "/login",
                data={"email": EMAILS["carla"], "password": PASSWORD, "_csrf_token": token},
            )
            api = await visitor.get("/api/c/alpha/members", cookies={"governance_session": "x"})
        return health, tried, api

    health, tried, api = _run(app, scenario)
    assert health.status_code == 503
    assert health.json() == {"status": "unavailable", "reason": "database unreachable"}
    assert tried.status_code == 503
    assert "indisponible" in tried.text  # French, the default language: a page, not a trace
    assert "psycopg" not in tried.text and "127.0.0.1:9" not in tried.text
    assert api.status_code in (401, 503)


def test_production_sends_hsts_and_development_does_not(settings: Settings) -> None:
    from litestar.testing import TestClient

    production = dataclasses.replace(settings, production=True, cookie_secure=True)
    with TestClient(app=_app(production)) as client:
        assert "max-age=31536000" in client.get("/login").headers["strict-transport-security"]
    with TestClient(app=_app(settings)) as client:
        assert "strict-transport-security" not in client.get("/login").headers


def test_a_forwarded_https_scheme_is_believed_from_the_proxy_only(settings: Settings) -> None:
    """Behind the proxy the app knows the visitor came over HTTPS (absolute links, cookies)."""
    from litestar import Litestar, Request, get
    from litestar.middleware import DefineMiddleware

    from governance.proxies import ForwardedHeaders

    @get("/where", sync_to_thread=False)
    def where(request: Request) -> str:
        return f"{request.url.scheme} {request.client.host if request.client else ''}"

    bare = Litestar([where], middleware=[DefineMiddleware(ForwardedHeaders, trusted=TRUSTED)])

    async def ask(peer: str) -> str:
        transport = httpx.ASGITransport(app=bare, client=(peer, 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            headers = {"x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.5"}
            return (await client.get("/where", headers=headers)).text

    assert asyncio.run(ask(PROXY)) == "https 203.0.113.5"
    assert re.fullmatch(r"http 192\.0\.2\.9", asyncio.run(ask("192.0.2.9")))


def test_a_bug_in_a_query_is_a_500_with_its_trace_and_without_the_values(
    settings: Settings, world: Any
) -> None:
    """Only an unreachable database is a 503: a query that no longer fits the schema is a
    bug, logged with its traceback as a 500, and the log never holds the query's values."""
    import logging

    from sqlalchemy import create_engine, text

    from governance.base import db

    def rename(old: str, new: str) -> None:
        engine = create_engine(db.sync_url(settings.database_url))
        with engine.begin() as connection:
            connection.execute(text(f"ALTER TABLE login_attempt RENAME COLUMN {old} TO {new}"))
        engine.dispose()

    rename("address", "renamed")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    keep = Keep()
    logging.getLogger("governance").addHandler(keep)
    try:

        async def scenario(client_for: Any) -> Any:
            async with client_for("192.0.2.1") as visitor:
                return await _login(visitor, "the secret password", "")

        status = _run(_app(settings), scenario)
    finally:
        logging.getLogger("governance").removeHandler(keep)
        rename("renamed", "address")  # PostgreSQL: the next tests of this worker share it
    assert status == 500
    logged = "\n".join(
        record.getMessage() + str(record.exc_info and record.exc_info[1]) for record in records
    )
    assert "unhandled error on POST /login" in logged
    assert EMAILS["carla"] not in logged and "the secret password" not in logged
