"""A payout batch's state, without the tables (payouts.models stores it). Pure module."""

from __future__ import annotations

from enum import StrEnum


class PayoutState(StrEnum):
    PREPARED = "prepared"
    SENT = "sent"
    CANCELLED = "cancelled"
