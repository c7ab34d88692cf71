"""An audit event as a given reader may see it: other members' amounts taken out.

Pure: the caller says whose money the reader sees (`may_read`, from
governance.members.visibility) and who owns each prestation and journal entry the event
names (`Owners`, read from the trail itself by governance.audit.owners). An owner nobody
knows is treated as another member: hidden from whoever does not read everyone's money.

The stored event is never changed; a redacted copy of its data can no longer be re-hashed
by the reader, so every answer that redacts says so. The hash must not let the reader search
the hidden values either (try amounts until the hash matches: they are small numbers): every
money event is recorded with a random `salt` (SALT_KEY, governance.audit.service.record),
taken out with the amounts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Journal entries that are one member's work: their revenue and receivable lines are that
# member's money as much as their payable line is.
MEMBER_ENTRY_KINDS = frozenset({"prestation", "reversal"})

# The events that carry a member's money, and in which fields (documented in docs/privacy.md).
PRESTATION_AMOUNTS = ("amount_cents", "rate_cents", "travel_cents")
MONEY_ACTIONS = frozenset(
    {
        "prestation.recorded",
        "prestation.validated",
        "prestation.reversed",
        "prestation.imported",
        "contest.corrected",
        "period.closed",
        "payout.prepared",
        "journal.posted",
        "invoice.issued",
        "payment.recorded",
        "bank.line_matched",
        "bank.line_confirmed",
    }
)
# 128 random bits in the data of every money event: without it, the amounts hidden from a
# reader could be found again by trying values against the event's public hash.
SALT_KEY = "salt"

MayRead = Callable[[int | None], bool]


@dataclass(frozen=True)
class Owners:
    """Whose work each prestation and each journal entry is (member ids)."""

    prestations: Mapping[int, int] = field(default_factory=dict)
    entries: Mapping[int, int] = field(default_factory=dict)

    def of_prestation(self, value: Any) -> int | None:
        key = _int(value)
        return None if key is None else self.prestations.get(key)

    def of_entry(self, value: Any) -> int | None:
        key = _int(value)
        return None if key is None else self.entries.get(key)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _member_of_account(code: Any) -> int | None:
    family, _sep, rest = str(code).partition(":")
    return int(rest) if family == "payable" and rest.isdigit() else None


def _without(data: dict[str, Any], keys: tuple[str, ...]) -> tuple[dict[str, Any], bool]:
    kept = {k: v for k, v in data.items() if k not in keys}
    return kept, len(kept) != len(data)


def _pairs(data: dict[str, Any], key: str, keep: Callable[[Any], bool]) -> bool:
    """Take the [who, cents] pairs `keep` refuses out of the list `data[key]`; True if any."""
    value = data.get(key)
    if not isinstance(value, list):
        return False
    kept = [pair for pair in value if isinstance(pair, list) and pair and keep(pair[0])]
    data[key] = kept
    return len(kept) != len(value)


def redact(
    action: str, subject_id: str, data: Mapping[str, Any], may_read: MayRead, owners: Owners
) -> tuple[dict[str, Any], bool]:
    """The event's data as this reader sees it, and whether anything was taken out (then the
    salt too, without which the hidden values cannot be searched against the hash)."""
    copy, cut = _redact(action, subject_id, data, may_read, owners)
    if cut:
        copy.pop(SALT_KEY, None)
    return copy, cut


def _redact(
    action: str, subject_id: str, data: Mapping[str, Any], may_read: MayRead, owners: Owners
) -> tuple[dict[str, Any], bool]:
    copy = dict(data)
    if action not in MONEY_ACTIONS or may_read(None):
        return copy, False
    if action == "prestation.recorded":
        if may_read(_int(copy.get("member_id"))):
            return copy, False
        return _without(copy, PRESTATION_AMOUNTS)
    if action in ("prestation.validated", "prestation.reversed"):
        if may_read(owners.of_prestation(subject_id)):
            return copy, False
        return _without(copy, PRESTATION_AMOUNTS)
    if action == "prestation.imported":
        # A file of several members' work: its sums are theirs, not the cooperative's totals.
        return _without(copy, PRESTATION_AMOUNTS)
    if action == "contest.corrected":
        if may_read(owners.of_prestation(copy.get("prestation_id"))):
            return copy, False
        return _without(copy, ("amount_before", "amount_after"))
    if action == "period.closed":
        # Funds are named by a string, members by their id; funds are the cooperative's.
        cut = _pairs(copy, "shares", lambda who: isinstance(who, str) or may_read(_int(who)))
        return copy, cut
    if action == "invoice.issued":
        # An invoice of one member's work would tell that member's revenue.
        listed = copy.get("prestations")
        work = listed if isinstance(listed, list) else [None]
        if all(may_read(owners.of_prestation(p)) for p in work):
            return copy, False
        return _without(copy, ("total_cents",))
    if action == "payment.recorded":
        # What a client paid, invoice by invoice: as above, an invoice's total.
        return _without(copy, ("amount_cents", "allocations"))
    if action in ("bank.line_matched", "bank.line_confirmed"):
        # A bank line is a client's payment, a cost or one member's payout transfer.
        return _without(copy, ("amount_cents",))
    if action == "payout.prepared":
        lines = _pairs(copy, "lines", lambda who: may_read(_int(who)))
        left_out = _pairs(copy, "left_out", lambda who: may_read(_int(who)))
        return copy, lines or left_out
    # journal.posted
    if copy.get("kind") in MEMBER_ENTRY_KINDS and not may_read(owners.of_entry(subject_id)):
        return copy, _pairs(copy, "lines", lambda _code: False)
    cut = _pairs(
        copy,
        "lines",
        lambda code: _member_of_account(code) is None or may_read(_member_of_account(code)),
    )
    return copy, cut
