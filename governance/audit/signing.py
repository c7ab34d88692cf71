"""Ed25519 signatures over audit chain heads, as pure functions (no database).

Keys and signatures travel as lowercase hex: a private key is its 32 raw bytes (64 hex
digits), a public key its 32 raw bytes (64), a signature its 64 bytes (128).

What is signed is `message(...)`, one fixed ASCII line::

    governance-checkpoint:v1:<cooperative id>:<month YYYY-MM>:<seq>:<head hash>

with the cooperative's database id and the sequence number in decimal without leading zeros,
and the head hash as 64 lowercase hex digits. No field can hold a colon, so the line reads one
way only. A statement prints the same five values plus the signature and the public key, which
is all `check_printed` needs: a member checks a statement offline with
`governance audit check-statement`.
"""

from __future__ import annotations

import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "governance-checkpoint:v1"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX128 = re.compile(r"[0-9a-f]{128}")
_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


def new_private_key() -> str:
    """A fresh private key, as the hex of its 32 raw bytes."""
    return Ed25519PrivateKey.generate().private_bytes_raw().hex()


def public_key_of(private_hex: str) -> str:
    """The public key of a private key, both as hex. Raises ValueError if it is malformed."""
    if not _HEX64.fullmatch(private_hex):
        raise ValueError("a private key is 64 lowercase hex digits")
    private = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private_hex))
    return private.public_key().public_bytes_raw().hex()


def message(cooperative_id: int, month: str, seq: int, head_hash: str) -> bytes:
    """The canonical bytes signed for the chain head `head_hash` at `seq`, closing `month`.

    Raises ValueError on anything that is not exactly of the documented form.
    """
    if (
        isinstance(cooperative_id, bool)
        or not isinstance(cooperative_id, int)
        or cooperative_id < 1
    ):
        raise ValueError("the cooperative id is a positive integer")
    if not isinstance(month, str) or not _MONTH.fullmatch(month):
        raise ValueError("the month is YYYY-MM")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise ValueError("the sequence number is a positive integer")
    if not isinstance(head_hash, str) or not _HEX64.fullmatch(head_hash):
        raise ValueError("the head hash is 64 lowercase hex digits")
    return f"{PREFIX}:{cooperative_id}:{month}:{seq}:{head_hash}".encode("ascii")


def sign(private_hex: str, signed: bytes) -> str:
    """The Ed25519 signature of `signed`, as hex. Raises ValueError for a malformed key."""
    if not _HEX64.fullmatch(private_hex):
        raise ValueError("a private key is 64 lowercase hex digits")
    private = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private_hex))
    return private.sign(signed).hex()


def verify(public_hex: str, signed: bytes, signature_hex: str) -> bool:
    """True only if `signature_hex` is the signature of `signed` by `public_hex`.

    Never raises: a key or signature that is not well-formed hex of the right length, or a
    message that is not bytes, is simply not valid.
    """
    if not isinstance(public_hex, str) or not isinstance(signature_hex, str):
        return False
    if not isinstance(signed, bytes):
        return False
    public_hex, signature_hex = public_hex.lower(), signature_hex.lower()
    if not _HEX64.fullmatch(public_hex) or not _HEX128.fullmatch(signature_hex):
        return False
    try:
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
        public.verify(bytes.fromhex(signature_hex), signed)
    except (InvalidSignature, ValueError):
        return False
    return True


def check_printed(
    cooperative_id: int,
    month: str,
    seq: int,
    head_hash: str,
    signature: str,
    public_key: str,
) -> bool:
    """Whether a checkpoint printed on a statement is signed by `public_key`. Never raises.

    Hex may be typed in either case and with surrounding spaces. This says the values belong
    together; the member still compares `public_key` with the cooperative's key on its
    details page (or on earlier statements).
    """
    try:
        signed = message(cooperative_id, month.strip(), seq, head_hash.strip().lower())
        return verify(public_key.strip(), signed, signature.strip())
    except (ValueError, AttributeError, TypeError):
        return False
