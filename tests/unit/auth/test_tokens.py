"""Session and invitation tokens: only our own HS256 tokens, for their purpose, in time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from jose import jwt

from governance.auth import tokens

SECRET = "a-test-secret-that-is-long-enough-0123456789abcdef"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SID = "s" * 32
NONCE = "n" * 32


def claims(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "sub": "7",
        "ver": 1,
        "sid": SID,
        "iss": tokens.ISSUER,
        "aud": tokens.SESSION_AUDIENCE,
        "exp": datetime.now(UTC) + timedelta(hours=1),
    }
    base.update(overrides)
    return base


def b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_session_token_round_trips() -> None:
    token = tokens.issue_session(7, 3, SID, SECRET, datetime.now(UTC), timedelta(hours=1))
    assert tokens.read_session(token, SECRET) == tokens.SessionClaims(7, 3, SID)


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
    token = tokens.issue_session(7, 1, SID, SECRET, NOW - timedelta(days=2), timedelta(hours=1))
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
    token = tokens.issue_invitation(5, NONCE, SECRET, datetime.now(UTC), timedelta(days=7))
    with pytest.raises(tokens.InvalidToken):
        tokens.read_session(token, SECRET)
    assert tokens.read_invitation(token, SECRET) == tokens.InvitationClaims(5, NONCE)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "x" * 5000, "é.é.é"])
def test_garbage_is_refused(garbage: str) -> None:
    with pytest.raises(tokens.InvalidToken):
        tokens.read_session(garbage, SECRET)


def signed(**overrides: object) -> str:
    """A token signed with the real key: only its claims are wrong."""
    return jwt.encode(claims(**overrides), SECRET, algorithm="HS256")


def test_a_well_formed_signed_session_token_is_read() -> None:
    # The control for the refusals below: the same claims with sound values pass.
    assert tokens.read_session(signed(), SECRET) == tokens.SessionClaims(7, 1, SID)
    assert tokens.read_session(signed(sub=str(2**31 - 1), ver=0), SECRET).person_id == 2**31 - 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"sub": "1" * 30},
        {"sub": str(2**31)},
        {"sub": "-3"},
        {"sub": "0"},
        {"sub": "007"},
        {"sub": " 7"},
        {"sub": "7.0"},
        {"sub": "٧"},  # an Arabic-Indic seven: int() reads it, a row id is ASCII
        {"sub": None},
        {"ver": 2**70},
        {"ver": -1},
        {"ver": True},
        {"ver": "1"},
        {"ver": 1.0},
        {"ver": None},
        {"sid": None},
        {"sid": "short"},
        {"sid": "s" * 31 + "!"},
        {"sid": "s" * 33},
        {"sid": 12345},
        {"sid": ["s" * 32]},
    ],
    ids=repr,
)
def test_a_signed_session_token_with_an_impossible_claim_is_refused(
    overrides: dict[str, object],
) -> None:
    body = claims()
    for name, value in overrides.items():
        if value is None:
            del body[name]
        else:
            body[name] = value
    token = jwt.encode(body, SECRET, algorithm="HS256")
    with pytest.raises(tokens.InvalidToken):
        tokens.read_session(token, SECRET)


def invitation(**overrides: object) -> str:
    body: dict[str, object] = {
        "inv": 5,
        "nonce": NONCE,
        "iss": tokens.ISSUER,
        "aud": tokens.INVITATION_AUDIENCE,
        "exp": datetime.now(UTC) + timedelta(days=1),
    }
    body.update(overrides)
    return jwt.encode(body, SECRET, algorithm="HS256")


def test_a_well_formed_signed_invitation_token_is_read() -> None:
    assert tokens.read_invitation(invitation(), SECRET) == tokens.InvitationClaims(5, NONCE)


@pytest.mark.parametrize(
    "overrides",
    [
        {"inv": 2**70},
        {"inv": 2**31},
        {"inv": 0},
        {"inv": -5},
        {"inv": "5"},
        {"inv": 5.0},
        {"inv": True},
        {"inv": [5]},
        {"nonce": "é" * 32},  # compare_digest raises on non-ASCII text
        {"nonce": "n" * 65},
        {"nonce": ""},
        {"nonce": 12345678901234567890},
        {"nonce": {"a": 1}},
    ],
    ids=repr,
)
def test_a_signed_invitation_token_with_an_impossible_claim_is_refused(
    overrides: dict[str, object],
) -> None:
    with pytest.raises(tokens.InvalidToken):
        tokens.read_invitation(invitation(**overrides), SECRET)


def signed_text(payload: str) -> str:
    """A token whose payload is this exact JSON text, signed with the real key."""
    header = b64({"alg": "HS256", "typ": "JWT"})
    body = base64.urlsafe_b64encode(payload.encode()).rstrip(b"=").decode()
    signature = hmac.new(SECRET.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


@pytest.mark.parametrize(
    "extra",
    [
        '"exp": Infinity',  # Python's json reads it; int(inf) overflows inside python-jose
        '"exp": 9999999999, "iat": Infinity',
        '"exp": 9999999999, "nbf": -Infinity',
        '"exp": 9999999999, "x": ' + "[" * 1300 + "]" * 1300,  # deeper than the recursion limit
    ],
    ids=["exp", "iat", "nbf", "nesting"],
)
def test_a_signed_token_that_python_jose_chokes_on_is_refused(extra: str) -> None:
    payload = (
        f'{{"sub": "7", "ver": 1, "sid": "{SID}", "iss": "{tokens.ISSUER}", '
        f'"aud": "{tokens.SESSION_AUDIENCE}", {extra}}}'
    )
    token = signed_text(payload)
    assert len(token) <= 4096
    with pytest.raises(tokens.InvalidToken):
        tokens.read_session(token, SECRET)


def test_the_hand_signed_token_of_the_test_above_is_read_when_sound() -> None:
    payload = (
        f'{{"sub": "7", "ver": 1, "sid": "{SID}", "iss": "{tokens.ISSUER}", '
        f'"aud": "{tokens.SESSION_AUDIENCE}", "exp": 9999999999}}'
    )
    assert tokens.read_session(signed_text(payload), SECRET) == tokens.SessionClaims(7, 1, SID)
