"""Settings, read once from the environment into one dataclass."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

# Templates, static files, catalogues and samples ship inside the package (a wheel stands alone).
PACKAGE_DIR = Path(__file__).resolve().parent.parent  # governance/
# Development data lives beside the checkout (or the working directory of an installed wheel).
VAR_DIR = Path.cwd() / "var"
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{VAR_DIR / 'governance.db'}"
LANGUAGES = ("fr", "en", "nl", "ar")
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})  # noqa: S104 (a name)
WORKER_MODES = ("internal", "external")
LOG_FORMATS = ("plain", "json")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsError(RuntimeError):
    """The environment does not describe a service that can start."""


def normalise_database_url(url: str) -> str:
    """Accept the plain `sqlite:///` and `postgresql://` forms and pick the async drivers."""
    url = url.strip()
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url.removeprefix("sqlite:///")
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    if url.startswith(("sqlite+aiosqlite:///", "postgresql+psycopg://", "postgresql+asyncpg://")):
        return url
    raise SettingsError(
        "DATABASE_URL must start with sqlite:///, sqlite+aiosqlite:///, postgresql:// "
        "or postgresql+psycopg://"
    )


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(production: bool, var_dir: Path) -> str:
    key = os.environ.get("GOVERNANCE_SECRET_KEY", "").strip()
    if key:
        if len(key) < 32:
            raise SettingsError("GOVERNANCE_SECRET_KEY must be at least 32 characters long")
        return key
    if production:
        raise SettingsError(
            "GOVERNANCE_SECRET_KEY is not set: production mode refuses to start without it"
        )
    # Development: one random key per checkout, kept in ./var/ (never committed).
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def trusted_proxies(value: str) -> tuple[Network, ...]:
    """GOVERNANCE_TRUSTED_PROXIES: addresses or networks separated by commas or spaces."""
    networks = []
    for item in value.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise SettingsError(
                f"GOVERNANCE_TRUSTED_PROXIES: {item!r} is not an address or a network "
                "(e.g. 10.0.0.5 or 172.16.0.0/12)"
            ) from None
    return tuple(networks)


def is_local_url(url: str) -> bool:
    """True for an address only this machine can open (localhost, 127.0.0.1, ...)."""
    host = (urlsplit(url).hostname or "").lower()
    return host in LOCAL_HOSTS or host.startswith("127.")


def _base_url(production: bool) -> tuple[str, bool]:
    """(the public address, whether it was set). Production refuses a missing or local one."""
    value = os.environ.get("GOVERNANCE_BASE_URL", "").strip().rstrip("/")
    if value and not value.startswith(("http://", "https://")):
        raise SettingsError("GOVERNANCE_BASE_URL must start with https:// or http://")
    if production and not value:
        raise SettingsError(
            "GOVERNANCE_BASE_URL is not set: production needs the public address that "
            "invitation links point to (e.g. https://coop.example.org)"
        )
    if production and is_local_url(value):
        raise SettingsError(
            f"GOVERNANCE_BASE_URL is {value}: in production it must be the public address "
            "(invitation links would point to the member's own machine)"
        )
    return (value or "http://127.0.0.1:8000"), bool(value)


def _choice(name: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, "").strip().lower() or choices[0]
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}")
    return value


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = field(default="", repr=False)
    production: bool = False
    cookie_secure: bool = False
    default_language: str = "fr"
    base_url: str = "http://127.0.0.1:8000"
    # False when GOVERNANCE_BASE_URL was not set (development): `serve` fills in its address.
    base_url_set: bool = False
    # Whose X-Forwarded-For / X-Forwarded-Proto are believed (none by default).
    trusted_proxies: tuple[Network, ...] = ()
    # "internal": `serve` runs the timed jobs itself; "external": a `governance worker` does.
    worker: str = "internal"
    log_format: str = "plain"
    token_ttl_hours: int = 12
    invitation_ttl_days: int = 7
    login_max_failures: int = 5
    login_window_minutes: int = 15
    # Test-only: check the schema without requiring `governance migrate` first.
    check_migrations: bool = True

    @classmethod
    def from_env(cls) -> Settings:
        production = os.environ.get("GOVERNANCE_ENV", "development").strip() == "production"
        var_dir = Path(os.environ.get("GOVERNANCE_VAR_DIR", str(VAR_DIR)))
        url = os.environ.get("DATABASE_URL", "").strip()
        if not url:
            var_dir.mkdir(parents=True, exist_ok=True)
            url = f"sqlite+aiosqlite:///{var_dir / 'governance.db'}"
        language = os.environ.get("GOVERNANCE_DEFAULT_LANGUAGE", "fr").strip() or "fr"
        if language not in LANGUAGES:
            raise SettingsError(f"GOVERNANCE_DEFAULT_LANGUAGE must be one of {LANGUAGES}")
        secret_key = _secret_key(production, var_dir)
        base_url, base_url_set = _base_url(production)
        return cls(
            database_url=normalise_database_url(url),
            secret_key=secret_key,
            production=production,
            cookie_secure=_flag("GOVERNANCE_COOKIE_SECURE", production),
            default_language=language,
            base_url=base_url,
            base_url_set=base_url_set,
            trusted_proxies=trusted_proxies(os.environ.get("GOVERNANCE_TRUSTED_PROXIES", "")),
            worker=_choice("GOVERNANCE_WORKER", WORKER_MODES),
            log_format=_choice("GOVERNANCE_LOG_FORMAT", LOG_FORMATS),
        )
