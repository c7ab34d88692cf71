"""Session and invitation tokens: only our own HS256 tokens, for their purpose, in time."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from jose import jwt

from governance.auth import tokens

SECRET = "a-test-secret-that-is-long-enough-0123456789abcdef"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def claims(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "sub": "7",
        "ver": 1,
        "iss": tokens.ISSUER,
        "aud": tokens.SESSION_AUDIENCE,
        "exp": datetime.now(UTC) + timedelta(hours=1),
    }
    base.update(overrides)
    return base


def b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_session_token_round_trips() -> None:
    token = tokens.issue_session(7, 3, SECRET, datetime.now(UTC), timedelta(hours=1))
    assert tokens.read_session(token, SECRET) == tokens.SessionClaims(7, 3)


def test_alg_none_is_refused() -> None:
    body = claims()
    body["exp"] = int((datetime.now(UTC) + timedelta(hours=1)).timestamp())
    token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(body)}."
    with pytest.raises(tokens.InvalidToken):
        tokens.read_session(token, SECRET)


@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
def test_another_algorithm_is_refused(algorithm: str) -> None:
    token = jwt.encode(claims(), SECRET, algorithm=algorithm)
    with pytest.raises(tokens.InvalidToken):
        tokens.read_session(token, SECRET)


def test_a_wrong_signature_is_refused() -> None:
    token = jwt.encode(claims(), "another-secret-that-is-long-enough-000000000", algorithm="HS256")
    with pytest.raises(tokens.InvalidToken):
        tokens.read_session(token, SECRET)


def test_an_expired_token_is_refused() -> None:
    token = tokens.issue_session(7, 1, SECRET, NOW - timedelta(days=2), timedelta(hours=1))
    with pytest.raises(tokens.InvalidToken):
        tokens.read_session(token, SECRET)


def test_a_token_without_expiry_is_refused() -> None:
    body = claims()
    del body["exp"]
    with pytest.raises(tokens.InvalidToken):
        tokens.read_session(jwt.encode(body, SECRET, algorithm="HS256"), SECRET)


def test_a_wrong_issuer_is_refused() -> None:
    token = jwt.encode(claims(iss="someone-else"), SECRET, algorithm="HS256")
    with pytest.raises(tokens.InvalidToken):
        tokens.read_session(token, SECRET)


def test_an_invitation_token_is_not_a_session_token() -> None:
    token = tokens.issue_invitation(5, "nonce", SECRET, datetime.now(UTC), timedelta(days=7))
    with pytest.raises(tokens.InvalidToken):
        tokens.read_session(token, SECRET)
    assert tokens.read_invitation(token, SECRET) == tokens.InvitationClaims(5, "nonce")


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "x" * 5000, "é.é.é"])
def test_garbage_is_refused(garbage: str) -> None:
    with pytest.raises(tokens.InvalidToken):
        tokens.read_session(garbage, SECRET)
