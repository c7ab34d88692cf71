"""Witnesses: heads of the audit chain that members saved, checked against the chain as stored.

A witness is what `GET /c/<coop>/checkpoints.json` gives (a JSON list of objects carrying at
least `seq` and `head`), or one such object. Whoever runs the database also holds the signing
key, so a history rewritten with every hash recomputed and every checkpoint signed again
passes every check inside the database; it fails against a head saved before the rewrite.
Pure functions: `governance audit verify --witness FILE` reads the file and the chain.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_HEX64 = re.compile(r"[0-9a-f]{64}")
MAX_SEQ = 2**62


class WitnessError(ValueError):
    """The witness file is not a list of {seq, head}: the message says where and why."""


@dataclass(frozen=True)
class SavedHead:
    seq: int
    head: str


def _head(item: Any, where: str) -> SavedHead:
    if not isinstance(item, dict):
        raise WitnessError(f"{where}: expected an object with seq and head")
    seq, head = item.get("seq"), item.get("head")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq <= MAX_SEQ:
        raise WitnessError(f"{where}: seq must be a positive whole number, not {seq!r}")
    if not isinstance(head, str) or not _HEX64.fullmatch(head.strip().lower()):
        raise WitnessError(f"{where}: head must be 64 hex digits, not {head!r}")
    return SavedHead(seq=seq, head=head.strip().lower())


def parse(text: str) -> list[SavedHead]:
    """The heads in a witness file's text. Raises WitnessError, naming what is wrong."""
    try:
        value = json.loads(text)
    except ValueError as error:
        raise WitnessError(f"not JSON ({error})") from None
    if isinstance(value, dict):
        return [_head(value, "the object")]
    if not isinstance(value, list):
        raise WitnessError("expected a JSON list of {seq, head} objects, or one such object")
    if not value:
        raise WitnessError("the list is empty: no head to check")
    return [_head(item, f"item {index + 1}") for index, item in enumerate(value)]


def compare(saved: list[SavedHead], chain: Mapping[int, str], last: int) -> list[str]:
    """What the chain as stored says against each saved head; [] when it holds them all.

    `chain` maps the sequence numbers asked for to their stored hash; `last` is the chain's
    last sequence number (0: empty).
    """
    problems: list[str] = []
    for head in sorted(saved, key=lambda item: item.seq):
        found = chain.get(head.seq)
        if found is None and head.seq > last:
            problems.append(
                f"seq {head.seq} is missing: the chain ends at {last}: events were deleted "
                "after you saved this head"
            )
        elif found is None:
            problems.append(
                f"seq {head.seq} is missing from the chain (which goes on to {last}): "
                "an event was deleted"
            )
        elif found != head.head:
            problems.append(
                f"seq {head.seq}: the chain has hash {found}, your witness says {head.head}: "
                "history was rewritten after you saved it"
            )
    return problems
