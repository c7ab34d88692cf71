"""Cooperatives and their members. The package holds the membership's role and status, which
pure modules read without the tables (members.models stores them)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    COOPERATOR = "cooperator"
    WORKER = "worker"
    COORDINATOR = "coordinator"
    OBSERVER = "observer"


class MembershipStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
