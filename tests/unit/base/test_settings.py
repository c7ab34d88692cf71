"""Settings from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from governance.base.settings import Settings, SettingsError, normalise_database_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///var/x.db", "sqlite+aiosqlite:///var/x.db"),
        ("sqlite+aiosqlite:////tmp/x.db", "sqlite+aiosqlite:////tmp/x.db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ],
)
def test_database_urls_are_normalised(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def test_an_unknown_database_is_refused() -> None:
    with pytest.raises(SettingsError):
        normalise_database_url("mysql://u@h/db")


def test_production_refuses_to_start_without_a_secret_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GOVERNANCE_ENV", "production")
    monkeypatch.setenv("GOVERNANCE_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("GOVERNANCE_SECRET_KEY", raising=False)
    with pytest.raises(SettingsError, match="GOVERNANCE_SECRET_KEY"):
        Settings.from_env()


def test_development_generates_a_secret_key_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("GOVERNANCE_ENV", raising=False)
    monkeypatch.delenv("GOVERNANCE_SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("GOVERNANCE_VAR_DIR", str(tmp_path))
    first = Settings.from_env()
    second = Settings.from_env()
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first.database_url == f"sqlite+aiosqlite:///{tmp_path / 'governance.db'}"
    assert first.cookie_secure is False


def test_production_cookies_are_secure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVERNANCE_ENV", "production")
    monkeypatch.setenv("GOVERNANCE_SECRET_KEY", "k" * 48)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("GOVERNANCE_BASE_URL", "https://coop.example.org/")
    settings = Settings.from_env()
    assert settings.cookie_secure is True
    assert settings.base_url == "https://coop.example.org"


@pytest.mark.parametrize(
    ("base_url", "reason"),
    [
        ("", "GOVERNANCE_BASE_URL is not set"),
        ("http://localhost:8000", "public address"),
        ("http://127.0.0.1", "public address"),
        ("https://[::1]:8443", "public address"),
        ("coop.example.org", "must start with https://"),
    ],
)
def test_production_refuses_a_missing_or_local_base_url(
    monkeypatch: pytest.MonkeyPatch, base_url: str, reason: str
) -> None:
    monkeypatch.setenv("GOVERNANCE_ENV", "production")
    monkeypatch.setenv("GOVERNANCE_SECRET_KEY", "k" * 48)
    monkeypatch.setenv("GOVERNANCE_BASE_URL", base_url)
    with pytest.raises(SettingsError, match=reason):
        Settings.from_env()


def test_trusted_proxies_are_addresses_or_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVERNANCE_TRUSTED_PROXIES", "10.0.0.5, 172.16.0.0/12 ::1")
    found = [str(n) for n in Settings.from_env().trusted_proxies]
    assert found == ["10.0.0.5/32", "172.16.0.0/12", "::1/128"]
    monkeypatch.setenv("GOVERNANCE_TRUSTED_PROXIES", "10.0.0.5, proxy.local")
    with pytest.raises(SettingsError, match=r"'proxy\.local' is not an address"):
        Settings.from_env()


def test_worker_mode_and_log_format_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings.from_env().worker == "internal"
    monkeypatch.setenv("GOVERNANCE_WORKER", "External")
    monkeypatch.setenv("GOVERNANCE_LOG_FORMAT", "json")
    settings = Settings.from_env()
    assert (settings.worker, settings.log_format) == ("external", "json")
    monkeypatch.setenv("GOVERNANCE_WORKER", "cron")
    with pytest.raises(SettingsError, match="GOVERNANCE_WORKER must be one of"):
        Settings.from_env()


def test_a_short_secret_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVERNANCE_SECRET_KEY", "short")
    with pytest.raises(SettingsError):
        Settings.from_env()
