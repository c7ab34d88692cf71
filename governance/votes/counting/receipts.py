"""Receipts as a voter types them, and the receipts a vote no longer counts.

A receipt is written `K7QM-2XRT-9BWD`; typed back from a note or a phone it may come in lower
case, with spaces or without dashes: `receipt_key` keeps only its letters and digits, upper
case, so that all these find it.

Changing a vote gives the ballot a new receipt; taking a proxy back withdraws the ballot the
holder cast with it. The old receipt is kept in `replaced_receipt` (the proposal, the receipt
and why; no voter, no choice, no time: governance/votes/models.py), so that the board can say
"this receipt was replaced when you changed your vote" instead of "not found". Such a receipt
is tied to no choice on the board: keeping it tells nobody who chose what, even in a secret
vote. Append-only.

Pure module: the reads and writes of `replaced_receipt` are in governance/votes/reads.py
(`search`) and governance/votes/ballots.py (`remember`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

# What a search may be: the 12 characters and their dashes, plus some spaces around.
MAX_TYPED = 40


class Replaced(StrEnum):
    CHANGED = "changed"  # the voter (or their proxy holder) changed the vote
    WITHDRAWN = "withdrawn"  # the giver took their proxy back: the holder's ballot is gone


def receipt_key(typed: str) -> str:
    """ "k7qm 2xrt-9bwd" -> "K7QM2XRT9BWD": letters and digits only, upper case."""
    return "".join(c for c in typed[:MAX_TYPED].upper() if c.isascii() and c.isalnum())


def find_on_board(typed: str, receipts: Iterable[str]) -> str | None:
    """The receipt of the board that `typed` names, however it was typed; None if none."""
    key = receipt_key(typed)
    if not key:
        return None
    return next((r for r in receipts if receipt_key(r) == key), None)


def written(typed: str) -> str:
    """How a receipt is printed: "k7qm2xrt9bwd" -> "K7QM-2XRT-9BWD" when it has a receipt's
    12 letters and digits; anything else as typed (trimmed), so the reader sees what was
    searched."""
    key = receipt_key(typed)
    if len(key) != 12:
        return " ".join(typed[:MAX_TYPED].split())
    return "-".join(key[i : i + 4] for i in range(0, 12, 4))


@dataclass(frozen=True)
class Search:
    """What the board's search found: `typed` as the reader typed it (trimmed), the board's
    receipt it names (`found`), or why the vote no longer counts it (`replaced`); neither:
    no such receipt. `shown` is the receipt as the answer prints it: written the way
    receipts are given (`K7QM-2XRT-9BWD`) whatever the case found, not as typed."""

    typed: str
    found: str | None = None
    replaced: Replaced | None = None
    shown: str = ""
