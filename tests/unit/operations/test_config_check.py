"""config_check: what is wrong with a configuration, from the settings and the environment."""

from __future__ import annotations

import ipaddress

import pytest

from governance.base.settings import Settings
from governance.operations.config_check import mail_problems, notes, problems

GOOD_KEY = "pQ3v_Zr8kT1xWm9sLb4yNc7hGd2fJa6e-Ru0oKiEuYtVnXw5"
POSTGRES = "postgresql+psycopg://governance:Vq8rT2mZ4kLp9xWs@db:5432/governance"


def production(**changes: object) -> Settings:
    values: dict[str, object] = {
        "database_url": POSTGRES,
        "secret_key": GOOD_KEY,
        "production": True,
        "cookie_secure": True,
        "base_url": "https://coop.example.org",
        "base_url_set": True,
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


def test_a_sound_production_has_no_problem_and_no_note() -> None:
    assert problems(production(), {}) == []
    assert notes(production(), {}) == []


def test_a_sound_development_has_no_problem() -> None:
    settings = Settings(database_url="sqlite+aiosqlite:///var/governance.db", secret_key=GOOD_KEY)
    assert problems(settings, {}) == []


def test_production_over_plain_http() -> None:
    (problem,) = problems(production(base_url="http://coop.example.org"), {})
    assert "GOVERNANCE_BASE_URL is http://coop.example.org" in problem
    assert "https://" in problem


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "https://localhost"])
def test_production_on_a_local_address(url: str) -> None:
    (problem,) = problems(production(base_url=url), {})
    assert "public address" in problem


def test_production_without_its_base_url() -> None:
    (problem,) = problems(production(base_url="http://127.0.0.1:8000", base_url_set=False), {})
    assert "GOVERNANCE_BASE_URL" in problem


def test_development_may_use_http_and_plain_cookies() -> None:
    settings = production(production=False, base_url="http://127.0.0.1:8000", cookie_secure=False)
    assert problems(settings, {}) == []


def test_production_cookies_must_be_secure() -> None:
    (problem,) = problems(production(cookie_secure=False), {})
    assert "GOVERNANCE_COOKIE_SECURE" in problem


@pytest.mark.parametrize(
    "key",
    [
        "tiny-Key-7",
        "x" * 48,
        "abababababababababababababababababababab",
        "change-me-change-me-change-me-change-me",
        "my-very-own-SECRET-for-the-cooperative-2026",
        "Kx0123456789Kx0123456789Kx0123456789Kx0123456789",
    ],
)
def test_a_weak_secret_key_is_a_problem_and_is_not_shown(key: str) -> None:
    found = problems(production(secret_key=key), {})
    assert len(found) == 1
    assert "GOVERNANCE_SECRET_KEY" in found[0]
    assert key not in found[0]


def test_a_weak_secret_key_matters_in_development_too() -> None:
    settings = Settings(database_url="sqlite+aiosqlite:///x.db", secret_key="a" * 40)
    assert len(problems(settings, {})) == 1


def test_a_mistyped_environment_name() -> None:
    settings = production(production=False)
    (problem,) = problems(settings, {"GOVERNANCE_ENV": "prod"})
    assert "'prod'" in problem and "development mode" in problem
    assert problems(settings, {"GOVERNANCE_ENV": "development"}) == []


def test_trusting_every_address_as_a_proxy() -> None:
    everyone = (ipaddress.ip_network("0.0.0.0/0"),)
    (problem,) = problems(production(trusted_proxies=everyone), {})
    assert "GOVERNANCE_TRUSTED_PROXIES" in problem
    some = (ipaddress.ip_network("172.30.80.0/24"),)
    assert problems(production(trusted_proxies=some), {}) == []


def test_a_database_without_password_over_the_network() -> None:
    url = "postgresql+psycopg://governance@db:5432/governance"
    (problem,) = problems(production(database_url=url), {})
    assert "DATABASE_URL has no password" in problem
    assert problems(production(database_url=url), {"PGPASSWORD": "x"}) == []
    assert problems(production(database_url=url), {"PGPASSFILE": "/run/pgpass"}) == []


def test_a_database_on_a_local_socket_needs_no_password() -> None:
    url = "postgresql+psycopg://governance@/governance?host=/var/run/postgresql"
    assert problems(production(database_url=url), {}) == []


def test_an_example_database_password_is_a_problem_and_is_not_shown() -> None:
    url = "postgresql+psycopg://governance:change-me@db:5432/governance"
    (problem,) = problems(production(database_url=url), {})
    assert "example password" in problem
    assert "change-me" not in problem
    assert url not in problem


def test_no_problem_quotes_the_database_password() -> None:
    url = "postgresql+psycopg://governance:password@db:5432/governance"
    settings = production(database_url=url, base_url="http://coop.example.org")
    for line in problems(settings, {}):
        assert url not in line and ":password@" not in line


def test_sqlite_in_production_is_a_note_not_a_problem() -> None:
    settings = production(database_url="sqlite+aiosqlite:////srv/governance/governance.db")
    assert problems(settings, {}) == []
    (note,) = notes(settings, {})
    assert "SQLite in production" in note and "governance backup" in note


def test_mail_on_without_a_mail_server() -> None:
    (problem,) = mail_problems(["beta", "alpha"], {})
    assert "alpha, beta" in problem and "GOVERNANCE_SMTP_HOST" in problem
    assert mail_problems(["alpha"], {"GOVERNANCE_SMTP_HOST": "smtp.example.org"}) == []
    assert mail_problems([], {}) == []
    assert mail_problems(["alpha"], {"GOVERNANCE_SMTP_HOST": "  "}) != []
