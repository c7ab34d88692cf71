"""What is wrong with this server's configuration, told in English, one line each.

Pure functions of the settings and the environment (`governance check` adds what needs the
database). A problem makes `governance check` exit 1; a note is printed and changes nothing.
No line ever quotes a secret: the secret key and passwords are judged, never shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from governance.base.settings import Settings, is_local_url

MIN_SECRET_LENGTH = 32
# A random key of 32 characters or more has far more different characters than this.
MIN_DISTINCT_CHARACTERS = 10
# Found in a key someone typed or copied rather than generated.
WEAK_SECRET_PARTS = (
    "changeme",
    "change-me",
    "change_me",
    "secret",
    "password",
    "example",
    "default",
    "insecure",
    "0123456789",
    "123456",
    "abcdef",
    "qwerty",
)
# Passwords of examples and defaults (compose files, tutorials).
WEAK_PASSWORDS = frozenset(
    {"change-me", "changeme", "password", "postgres", "governance", "secret"}
)
ENVIRONMENTS = ("production", "development")


def problems(settings: Settings, environ: Mapping[str, str]) -> list[str]:
    """Every problem of the configuration that the settings and the environment show."""
    found: list[str] = []
    env = environ.get("GOVERNANCE_ENV", "").strip()
    if env and env not in ENVIRONMENTS:
        found.append(
            f"GOVERNANCE_ENV is {env!r}: only 'production' turns production mode on; this "
            "server runs in development mode"
        )
    found += _secret_key_problems(settings.secret_key)
    if any(network.prefixlen == 0 for network in settings.trusted_proxies):
        found.append(
            "GOVERNANCE_TRUSTED_PROXIES trusts every address: any client could then choose "
            "the address that login throttling counts (list only the proxy's addresses)"
        )
    if settings.production:
        found += _production_problems(settings, environ)
    return found


def notes(settings: Settings, environ: Mapping[str, str]) -> list[str]:
    """What is worth knowing but not wrong."""
    found: list[str] = []
    if settings.production and settings.database_url.startswith("sqlite"):
        found.append(
            "SQLite in production: fine for one small server, but back it up with "
            "`governance backup` (copying the file while the server runs can give a broken "
            "copy); several servers need PostgreSQL"
        )
    return found


def mail_problems(cooperatives_with_mail: Iterable[str], environ: Mapping[str, str]) -> list[str]:
    """Cooperatives that send notices by email, on a server without a mail server."""
    slugs = sorted(cooperatives_with_mail)
    if not slugs or environ.get("GOVERNANCE_SMTP_HOST", "").strip():
        return []
    return [
        f"email notices are on for {', '.join(slugs)} but GOVERNANCE_SMTP_HOST is not set: "
        "the mail waits in the outbox and nobody receives it"
    ]


def _secret_key_problems(key: str) -> list[str]:
    if len(key) < MIN_SECRET_LENGTH:
        return [
            f"GOVERNANCE_SECRET_KEY is shorter than {MIN_SECRET_LENGTH} characters: use a "
            "random one (python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
        ]
    lowered = key.lower()
    if len(set(key)) < MIN_DISTINCT_CHARACTERS or any(p in lowered for p in WEAK_SECRET_PARTS):
        return [
            "GOVERNANCE_SECRET_KEY looks typed or copied, not random (too few different "
            "characters, or a word like 'secret' or 'changeme'): use a random one "
            "(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
        ]
    return []


def _production_problems(settings: Settings, environ: Mapping[str, str]) -> list[str]:
    found: list[str] = []
    base_url = settings.base_url
    if not settings.base_url_set or is_local_url(base_url):
        found.append(
            f"GOVERNANCE_BASE_URL is {base_url}: production needs the public address that "
            "links in invitations and mails point to"
        )
    elif urlsplit(base_url).scheme != "https":
        found.append(
            f"GOVERNANCE_BASE_URL is {base_url}: production must be served over https:// "
            "(passwords and session cookies would cross the network in clear)"
        )
    if not settings.cookie_secure:
        found.append(
            "GOVERNANCE_COOKIE_SECURE is off: in production cookies must be Secure (sent over "
            "HTTPS only)"
        )
    found += _database_problems(settings.database_url, environ)
    return found


def _database_problems(database_url: str, environ: Mapping[str, str]) -> list[str]:
    if not database_url.startswith("postgresql"):
        return []
    try:
        url = make_url(database_url)
    except ArgumentError:
        return ["DATABASE_URL cannot be read as a database address"]
    host = url.host or url.query.get("host") or ""
    if isinstance(host, tuple):
        host = host[0] if host else ""
    socket = not host or host.startswith("/")
    if url.password is None or url.password == "":
        if socket or environ.get("PGPASSWORD") or environ.get("PGPASSFILE"):
            return []  # a local socket (peer authentication), or a password given apart
        return [
            "DATABASE_URL has no password (nor PGPASSWORD or PGPASSFILE): a database reached "
            "over the network must ask for one"
        ]
    if str(url.password).lower() in WEAK_PASSWORDS:
        return [
            "DATABASE_URL uses an example password: set a random one (POSTGRES_PASSWORD in "
            ".env, and ALTER USER inside the database if it already exists)"
        ]
    return []
