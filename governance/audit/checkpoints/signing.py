"""Ed25519 signatures over audit chain heads, as pure functions (no database).

Keys and signatures travel as lowercase hex: a private key is its 32 raw bytes (64 hex
digits), a public key its 32 raw bytes (64), a signature its 64 bytes (128).

What is signed is `message(...)`, one fixed ASCII line::

    governance-checkpoint:v2:<cooperative id>:<label>:<seq>:<head hash>:<previous>

with the cooperative's database id and the sequence number in decimal without leading zeros,
the label the month closed (YYYY-MM) or the day of a daily checkpoint (YYYY-MM-DD), and the
head hash and `previous` (the hash of the cooperative's checkpoint before this one, GENESIS
for its first) as 64 lowercase hex digits. No field can hold a colon, so the line reads one way
only. A checkpoint's own hash is the SHA-256 of its line (`checkpoint_hash`): each checkpoint
signs the one before it, and they form a chain of their own.

Checkpoints made before the chain (migration 0011) signed the v1 line, without `previous`::

    governance-checkpoint:v1:<cooperative id>:<month YYYY-MM>:<seq>:<head hash>

A statement prints the values plus the signature and the public key, which is all
`check_printed` needs: a member checks a statement offline with
`governance audit check-statement` (with `--previous` for a v2 checkpoint).
"""

from __future__ import annotations

import hashlib
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from governance.language.months import is_month

PREFIX = "governance-checkpoint:v1"
PREFIX_V2 = "governance-checkpoint:v2"
GENESIS = "0" * 64  # the `previous` of a cooperative's first checkpoint
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX128 = re.compile(r"[0-9a-f]{128}")
_LABEL = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?")


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
    if not is_month(month):
        raise ValueError("the month is YYYY-MM")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise ValueError("the sequence number is a positive integer")
    if not isinstance(head_hash, str) or not _HEX64.fullmatch(head_hash):
        raise ValueError("the head hash is 64 lowercase hex digits")
    return f"{PREFIX}:{cooperative_id}:{month}:{seq}:{head_hash}".encode("ascii")


def message_v2(cooperative_id: int, label: str, seq: int, head_hash: str, previous: str) -> bytes:
    """The line signed by a checkpoint of the chain: `message`'s fields, a label that is a
    month (YYYY-MM) or a day (YYYY-MM-DD), and the previous checkpoint's hash.

    Raises ValueError on anything that is not exactly of the documented form.
    """
    if not isinstance(label, str) or not _LABEL.fullmatch(label):
        raise ValueError("the label is YYYY-MM or YYYY-MM-DD")
    if not isinstance(previous, str) or not _HEX64.fullmatch(previous):
        raise ValueError("the previous checkpoint's hash is 64 lowercase hex digits")
    message(cooperative_id, label[:7], seq, head_hash)  # refuses the other fields' faults
    return f"{PREFIX_V2}:{cooperative_id}:{label}:{seq}:{head_hash}:{previous}".encode("ascii")


def signed_line(
    cooperative_id: int, label: str, seq: int, head_hash: str, previous: str | None
) -> bytes:
    """The v2 line when the checkpoint links to a previous one, else the v1 line."""
    if previous is None:
        return message(cooperative_id, label, seq, head_hash)
    return message_v2(cooperative_id, label, seq, head_hash, previous)


def checkpoint_hash(signed: bytes) -> str:
    """A checkpoint's own hash: SHA-256 of the line it signed, as hex."""
    return hashlib.sha256(signed).hexdigest()


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
    previous: str | None = None,
) -> bool:
    """Whether a checkpoint printed on a statement is signed by `public_key`. Never raises.

    `previous` (the previous checkpoint's hash) is printed on the statements of checkpoints
    made since the checkpoints form a chain; without it the v1 line is checked. Hex may be
    typed in either case and with surrounding spaces. This says the values belong together;
    the member still compares `public_key` with the cooperative's key on its details page (or
    on earlier statements).
    """
    try:
        link = previous.strip().lower() if previous is not None else None
        signed = signed_line(cooperative_id, month.strip(), seq, head_hash.strip().lower(), link)
        return verify(public_key.strip(), signed, signature.strip())
    except (ValueError, AttributeError, TypeError):
        return False
