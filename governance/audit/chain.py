"""The hash chain, as pure functions: canonical JSON, event hashes and verification.

Canonical JSON is the standard library's `json.dumps` with the options fixed here, not a
canonicalisation package: the bytes that are hashed must stay the same for as long as the chain
lives, so their rule is written in this file and no library upgrade can change it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

GENESIS = "0" * 64

# The chain of the deployment; each cooperative has its own (`chain_key`).
SYSTEM_CHAIN = "system"

# What a checkpoint marks: a month close, or a day with new events (governance/worker.py).
CLOSE = "close"
DAILY = "daily"


def chain_key(cooperative_id: int | None) -> str:
    return SYSTEM_CHAIN if cooperative_id is None else f"coop:{cooperative_id}"


BreakReason = Literal["changed", "missing", "reordered", "inserted"]


def canonical(value: Any, *, check: bool = True) -> str:
    """Sorted keys, no spaces, UTF-8 kept as is; floats are refused (amounts are integers).

    `check=False` skips the walk that refuses floats, for values typed so that they cannot
    hold one (it is a sixth of the time of a 5 000-row CSV import).
    """
    if check:
        _refuse_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("audit data must not hold floats: use integer cents or strings")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("audit data keys must be strings")
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


@dataclass(frozen=True, slots=True)
class EventPayload:
    """Everything about an event that its hash covers."""

    chain: str
    seq: int
    at: str
    cooperative_id: int | None
    actor_id: int | None
    action: str
    subject_type: str
    subject_id: str
    data: str  # canonical JSON text

    def as_dict(self) -> dict[str, Any]:
        return {
            "chain": self.chain,
            "seq": self.seq,
            "at": self.at,
            "cooperative_id": self.cooperative_id,
            "actor_id": self.actor_id,
            "action": self.action,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "data": json.loads(self.data),
        }


def event_hash(prev_hash: str, payload: EventPayload) -> str:
    """SHA-256 over the previous hash followed by the event's canonical JSON."""
    # `data` was made canonical (floats refused) when the event was recorded, or is read back
    # from the chain: no second walk over it.
    text = prev_hash + canonical(payload.as_dict(), check=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredEvent:
    payload: EventPayload
    prev_hash: str
    hash: str

    @property
    def seq(self) -> int:
        return self.payload.seq


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    reason: BreakReason
    detail: str


def verify(events: Iterable[StoredEvent]) -> ChainBreak | None:
    """The first place where the chain is not whole, or None.

    `events` is the chain as stored, ordered by sequence number. A deleted last event cannot
    be seen from the chain alone: the signed checkpoints of the month close cover that.
    """
    verifier = ChainVerifier()
    verifier.feed(events)
    return verifier.finish()


class ChainVerifier:
    """`verify` fed the chain in order, batch after batch, in constant memory.

    It keeps the last two events, the count and the head. When an event does not link to the
    one before it, whether it links to an event stored *later* ("reordered") can only be told
    by what follows: the verifier then watches the rest of the chain for that hash and names
    the break in `finish`. Every batch must follow the previous one in (seq, id) order.
    """

    __slots__ = (
        "_pending",
        "_previous",
        "_problem",
        "_sought",
        "_sought_by",
        "_two_before",
        "count",
        "head",
    )

    def __init__(self) -> None:
        self.count = 0  # events fed
        self.head = GENESIS  # hash of the last event fed
        self._previous: StoredEvent | None = None
        self._two_before = GENESIS  # hash of the event before the previous one
        self._problem: ChainBreak | None = None
        # A link to an unknown hash: the break it is unless a later event has that hash.
        self._sought: str | None = None
        self._sought_by = 0  # the sequence number of the event that links to it
        self._pending: ChainBreak | None = None

    def feed(self, events: Iterable[StoredEvent]) -> None:
        for event in events:
            if self._problem is None:
                if self._sought is None:
                    self._problem = self._check(event)
                elif event.hash == self._sought:
                    self._problem = ChainBreak(
                        self._sought_by,
                        "reordered",
                        "this event links to an event stored after it",
                    )
            self._two_before = self._previous.hash if self._previous is not None else GENESIS
            self._previous = event
            self.count += 1
        if self._previous is not None:
            self.head = self._previous.hash

    def finish(self) -> ChainBreak | None:
        """The first break of everything fed, or None."""
        if self._problem is None and self._pending is not None:
            return self._pending
        return self._problem

    def _check(self, event: StoredEvent) -> ChainBreak | None:
        previous = self._previous
        if previous is not None and event.seq == previous.seq:
            return ChainBreak(event.seq, "inserted", "two events carry this sequence number")
        expected_seq = previous.seq + 1 if previous is not None else 1
        if event.seq > expected_seq:
            return ChainBreak(expected_seq, "missing", "no event carries this sequence number")
        expected_prev = previous.hash if previous is not None else GENESIS
        if event.prev_hash != expected_prev:
            if previous is not None and event.prev_hash == self._two_before:
                return ChainBreak(
                    previous.seq, "inserted", "this event was put between two linked events"
                )
            # "reordered" if a later event has this hash (told as the rest is fed), else:
            self._sought, self._sought_by = event.prev_hash, event.seq
            if previous is None:
                self._pending = ChainBreak(
                    event.seq, "changed", "the first event does not start the chain"
                )
            else:
                self._pending = ChainBreak(
                    previous.seq,
                    "changed",
                    "this event was rewritten: the next one links elsewhere",
                )
            return None
        if event_hash(event.prev_hash, event.payload) != event.hash:
            if self.count >= 2 and _was_shifted_by_insertion(event, self._two_before):
                return ChainBreak(
                    event.seq - 1, "inserted", "an event was put here and the later ones renumbered"
                )
            return ChainBreak(event.seq, "changed", "the content does not match its hash")
        return None


def _was_shifted_by_insertion(event: StoredEvent, hash_two_before: str) -> bool:
    """True if the event is intact but for having been moved one place down the chain."""
    original = replace(event.payload, seq=event.seq - 1)
    return event_hash(hash_two_before, original) == event.hash
