"""Every use of JOSE in the service: session tokens and invitation tokens (HS256 only).

A signed token is only as good as what it says: ids outside what a row can hold (negative, a
30-digit `sub`, `inv` = 2**70), a `bool` where an integer belongs, a session id of the wrong
shape are refused here as InvalidToken, so that no caller ever hands them to the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from jose import JWTError, jwt

ALGORITHM = "HS256"
ISSUER = "governance"
SESSION_AUDIENCE = "governance:session"
INVITATION_AUDIENCE = "governance:invitation"

# Row ids and counters are 32-bit integers on PostgreSQL.
MAX_ROW_ID = 2**31 - 1
# `sub` is a decimal string (JWT wants a string): 1 to 10 digits, no sign, no leading zero.
_SUBJECT = re.compile(r"[1-9][0-9]{0,9}")
# Session ids and invitation nonces are secrets.token_urlsafe output (base64url, no padding).
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{32}")
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")


class InvalidToken(Exception):
    """The token is malformed, forged, expired or meant for something else."""


@dataclass(frozen=True)
class SessionClaims:
    person_id: int
    token_version: int
    session_id: str


@dataclass(frozen=True)
class InvitationClaims:
    invitation_id: int
    nonce: str


def _encode(
    claims: dict[str, Any], secret: str, audience: str, now: datetime, ttl: timedelta
) -> str:
    body = {**claims, "iss": ISSUER, "aud": audience, "iat": now, "exp": now + ttl}
    return jwt.encode(body, secret, algorithm=ALGORITHM)


def _decode(token: str, secret: str, audience: str) -> dict[str, Any]:
    if not token or len(token) > 4096:
        raise InvalidToken("empty or oversized token")
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM:
            raise InvalidToken("unexpected algorithm")
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=ISSUER,
            options={"require_exp": True, "require_iss": True, "require_aud": True},
        )
    except JWTError as error:
        raise InvalidToken(str(error)) from error
    except (ValueError, TypeError, OverflowError, RecursionError) as error:
        # python-jose lets these through: "exp": Infinity (json reads it), deep nesting.
        raise InvalidToken(type(error).__name__) from error
    return claims


def _row_id(value: object, name: str, minimum: int = 1) -> int:
    """A JSON integer (never a bool, a float or a string) that a row id can be."""
    if type(value) is not int or not minimum <= value <= MAX_ROW_ID:
        raise InvalidToken(f"{name} is not a row id")
    return value


def _shaped(value: object, pattern: re.Pattern[str], name: str) -> str:
    if not isinstance(value, str) or pattern.fullmatch(value) is None:
        raise InvalidToken(f"{name} has the wrong shape")
    return value


def issue_session(
    person_id: int,
    token_version: int,
    session_id: str,
    secret: str,
    now: datetime,
    ttl: timedelta,
) -> str:
    return _encode(
        {"sub": str(person_id), "ver": token_version, "sid": session_id},
        secret,
        SESSION_AUDIENCE,
        now,
        ttl,
    )


def read_session(token: str, secret: str) -> SessionClaims:
    claims = _decode(token, secret, SESSION_AUDIENCE)
    subject = _shaped(claims.get("sub"), _SUBJECT, "sub")
    person_id = int(subject)
    if person_id > MAX_ROW_ID:
        raise InvalidToken("sub is not a row id")
    return SessionClaims(
        person_id=person_id,
        token_version=_row_id(claims.get("ver"), "ver", minimum=0),
        session_id=_shaped(claims.get("sid"), _SESSION_ID, "sid"),
    )


def issue_invitation(
    invitation_id: int, nonce: str, secret: str, now: datetime, ttl: timedelta
) -> str:
    return _encode({"inv": invitation_id, "nonce": nonce}, secret, INVITATION_AUDIENCE, now, ttl)


def read_invitation(token: str, secret: str) -> InvitationClaims:
    claims = _decode(token, secret, INVITATION_AUDIENCE)
    return InvitationClaims(
        invitation_id=_row_id(claims.get("inv"), "inv"),
        nonce=_shaped(claims.get("nonce"), _NONCE, "nonce"),
    )
