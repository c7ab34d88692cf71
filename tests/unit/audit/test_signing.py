"""Ed25519 checkpoint signatures: the canonical message, round trips, and refusals."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.audit.checkpoints import signing

HEAD = "ab" * 32
PRIVATE = signing.new_private_key()
PUBLIC = signing.public_key_of(PRIVATE)
MESSAGE = signing.message(7, "2026-11", 42, HEAD)
SIGNATURE = signing.sign(PRIVATE, MESSAGE)


def flip(hex_text: str, index: int = 0) -> str:
    """The same hex with one digit changed."""
    digit = "1" if hex_text[index] == "0" else "0"
    return hex_text[:index] + digit + hex_text[index + 1 :]


def test_the_message_is_the_documented_line() -> None:
    line = signing.message(7, "2026-11", 42, HEAD)
    assert line == b"governance-checkpoint:v1:7:2026-11:42:" + HEAD.encode()


def test_keys_and_signatures_are_hex_of_the_documented_sizes() -> None:
    assert len(PRIVATE) == 64 and len(PUBLIC) == 64 and len(SIGNATURE) == 128
    assert int(PRIVATE, 16) >= 0 and int(PUBLIC, 16) >= 0 and int(SIGNATURE, 16) >= 0
    assert signing.new_private_key() != PRIVATE


def test_a_signature_verifies_with_its_public_key() -> None:
    assert signing.verify(PUBLIC, MESSAGE, SIGNATURE)
    assert signing.public_key_of(PRIVATE) == PUBLIC


@pytest.mark.parametrize(
    "other",
    [
        signing.message(8, "2026-11", 42, HEAD),
        signing.message(7, "2026-12", 42, HEAD),
        signing.message(7, "2026-11", 41, HEAD),
        signing.message(7, "2026-11", 42, "ac" + HEAD[2:]),
        MESSAGE + b" ",
    ],
)
def test_a_tampered_message_is_refused(other: bytes) -> None:
    assert not signing.verify(PUBLIC, other, SIGNATURE)


@pytest.mark.parametrize("index", [0, 31, 63, 64, 127])
def test_a_tampered_signature_is_refused(index: int) -> None:
    assert not signing.verify(PUBLIC, MESSAGE, flip(SIGNATURE, index))


def test_another_key_is_refused() -> None:
    other = signing.public_key_of(signing.new_private_key())
    assert not signing.verify(other, MESSAGE, SIGNATURE)
    assert not signing.verify(flip(PUBLIC, 5), MESSAGE, SIGNATURE)


@pytest.mark.parametrize(
    ("public", "signature"),
    [
        ("", SIGNATURE),
        (PUBLIC, ""),
        (PUBLIC[:-2], SIGNATURE),
        (PUBLIC + "00", SIGNATURE),
        (PUBLIC, SIGNATURE[:-2]),
        (PUBLIC, SIGNATURE + "00"),
        ("zz" + PUBLIC[2:], SIGNATURE),
        (PUBLIC, "zz" + SIGNATURE[2:]),
        (PUBLIC[:32] + " " + PUBLIC[33:], SIGNATURE),
        ("\x00" * 64, SIGNATURE),
        ("é" * 64, SIGNATURE),
        (None, SIGNATURE),
        (PUBLIC, 12),
    ],
    ids=lambda value: type(value).__name__,  # the key is random: stable ids for xdist workers
)
def test_malformed_input_is_not_valid_and_never_raises(public: Any, signature: Any) -> None:
    assert signing.verify(public, MESSAGE, signature) is False


def test_a_message_that_is_not_bytes_is_not_valid() -> None:
    assert signing.verify(PUBLIC, MESSAGE.decode(), SIGNATURE) is False  # type: ignore[arg-type]


@given(public=st.text(max_size=130), signature=st.text(max_size=130), signed=st.binary())
def test_verify_never_raises(public: str, signature: str, signed: bytes) -> None:
    assert signing.verify(public, signed, signature) in (True, False)


def test_uppercase_hex_verifies() -> None:
    assert signing.verify(PUBLIC.upper(), MESSAGE, SIGNATURE.upper())


@pytest.mark.parametrize(
    ("coop", "month", "seq", "head"),
    [
        (0, "2026-11", 1, HEAD),
        (True, "2026-11", 1, HEAD),
        (1, "2026-13", 1, HEAD),
        (1, "2026-1", 1, HEAD),
        (1, "2026-11:", 1, HEAD),
        (1, "2026-11", 0, HEAD),
        (1, "2026-11", 1, HEAD.upper()),
        (1, "2026-11", 1, HEAD[:-1]),
        (1, "2026-11", 1, HEAD + ":1"),
    ],
)
def test_the_message_refuses_malformed_fields(coop: Any, month: str, seq: int, head: str) -> None:
    with pytest.raises(ValueError):
        signing.message(coop, month, seq, head)


def test_a_malformed_private_key_is_refused() -> None:
    for bad in ("", "zz" * 32, PRIVATE[:-2], PRIVATE.upper()):
        with pytest.raises(ValueError):
            signing.public_key_of(bad)
        with pytest.raises(ValueError):
            signing.sign(bad, MESSAGE)


def test_a_printed_checkpoint_is_checked_offline() -> None:
    assert signing.check_printed(7, "2026-11", 42, HEAD, SIGNATURE, PUBLIC)
    # As a member might type it: upper case, stray spaces.
    assert signing.check_printed(
        7, " 2026-11 ", 42, f" {HEAD.upper()} ", f"{SIGNATURE.upper()} ", f" {PUBLIC}"
    )
    assert not signing.check_printed(7, "2026-11", 43, HEAD, SIGNATURE, PUBLIC)
    assert not signing.check_printed(7, "2026-10", 42, HEAD, SIGNATURE, PUBLIC)
    assert not signing.check_printed(6, "2026-11", 42, HEAD, SIGNATURE, PUBLIC)
    assert not signing.check_printed(7, "2026-11", 42, HEAD, flip(SIGNATURE), PUBLIC)
    assert not signing.check_printed(7, "nov", 42, HEAD, SIGNATURE, PUBLIC)
    assert not signing.check_printed(7, "2026-11", 42, "nothex", SIGNATURE, PUBLIC)
    assert not signing.check_printed(7, None, 42, HEAD, SIGNATURE, PUBLIC)  # type: ignore[arg-type]
