"""What the members' JSON API answers: the logged-in person and a cooperative's members."""

from __future__ import annotations

import msgspec


class MembershipOut(msgspec.Struct):
    cooperative: str  # its slug, as in /api/c/<slug>/...
    name: str
    role: str
    status: str


class MeOut(msgspec.Struct):
    id: int
    name: str
    email: str
    language: str
    memberships: list[MembershipOut]


class MemberOut(msgspec.Struct, omit_defaults=True):
    """A member; `email` only for those who manage members (left out otherwise)."""

    membership_id: int
    person_id: int
    name: str
    role: str
    status: str
    email: str | None = None
