"""Password hashing with argon2id at OWASP's minimum cost (m=19 MiB, t=2, p=1) or above."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 256

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# A hash computed once, verified when the email is unknown, so that both cases take as long.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


@dataclass(frozen=True)
class Check:
    ok: bool
    needs_rehash: bool = False


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str | None, password: str) -> Check:
    """Verify; say whether the stored hash was made with other parameters and must be redone."""
    try:
        _hasher.verify(password_hash or _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return Check(ok=False)
    if password_hash is None:
        return Check(ok=False)
    return Check(ok=True, needs_rehash=_hasher.check_needs_rehash(password_hash))
