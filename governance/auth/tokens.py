"""Every use of JOSE in the service: session tokens and invitation tokens (HS256 only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from jose import JWTError, jwt

ALGORITHM = "HS256"
ISSUER = "governance"
SESSION_AUDIENCE = "governance:session"
INVITATION_AUDIENCE = "governance:invitation"


class InvalidToken(Exception):
    """The token is malformed, forged, expired or meant for something else."""


@dataclass(frozen=True)
class SessionClaims:
    person_id: int
    token_version: int


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
    return claims


def issue_session(
    person_id: int, token_version: int, secret: str, now: datetime, ttl: timedelta
) -> str:
    return _encode(
        {"sub": str(person_id), "ver": token_version}, secret, SESSION_AUDIENCE, now, ttl
    )


def read_session(token: str, secret: str) -> SessionClaims:
    claims = _decode(token, secret, SESSION_AUDIENCE)
    try:
        return SessionClaims(person_id=int(claims["sub"]), token_version=int(claims["ver"]))
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidToken("missing claims") from error


def issue_invitation(
    invitation_id: int, nonce: str, secret: str, now: datetime, ttl: timedelta
) -> str:
    return _encode({"inv": invitation_id, "nonce": nonce}, secret, INVITATION_AUDIENCE, now, ttl)


def read_invitation(token: str, secret: str) -> InvitationClaims:
    claims = _decode(token, secret, INVITATION_AUDIENCE)
    try:
        return InvitationClaims(invitation_id=int(claims["inv"]), nonce=str(claims["nonce"]))
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidToken("missing claims") from error
