"""The streaming verifier names exactly what the whole-list verification named, however the
chain is cut into batches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from governance.audit.chain import (
    GENESIS,
    ChainBreak,
    ChainVerifier,
    StoredEvent,
    _was_shifted_by_insertion,
    event_hash,
    verify,
)
from tests.unit.audit.test_audit_chain import make_chain


def whole_list_verify(events: Sequence[StoredEvent]) -> ChainBreak | None:
    """`chain.verify` as it was before it streamed (every event in memory), the reference."""
    position_of = {event.hash: index for index, event in enumerate(events)}
    for index, event in enumerate(events):
        previous = events[index - 1] if index else None
        if previous is not None and event.seq == previous.seq:
            return ChainBreak(event.seq, "inserted", "two events carry this sequence number")
        expected_seq = previous.seq + 1 if previous is not None else 1
        if event.seq > expected_seq:
            return ChainBreak(expected_seq, "missing", "no event carries this sequence number")
        expected_prev = previous.hash if previous is not None else GENESIS
        if event.prev_hash != expected_prev:
            before_previous = events[index - 2].hash if index >= 2 else GENESIS
            if previous is not None and event.prev_hash == before_previous:
                return ChainBreak(
                    previous.seq, "inserted", "this event was put between two linked events"
                )
            if position_of.get(event.prev_hash, -1) > index:
                return ChainBreak(
                    event.seq, "reordered", "this event links to an event stored after it"
                )
            if previous is None:
                return ChainBreak(event.seq, "changed", "the first event does not start the chain")
            return ChainBreak(
                previous.seq, "changed", "this event was rewritten: the next one links elsewhere"
            )
        if event_hash(event.prev_hash, event.payload) != event.hash:
            if index >= 2 and _was_shifted_by_insertion(event, events[index - 2].hash):
                return ChainBreak(
                    event.seq - 1, "inserted", "an event was put here and the later ones renumbered"
                )
            return ChainBreak(event.seq, "changed", "the content does not match its hash")
    return None


def streamed(events: list[StoredEvent], cuts: list[int]) -> tuple[ChainBreak | None, int, str]:
    verifier = ChainVerifier()
    start = 0
    for cut in [*sorted({min(c, len(events)) for c in cuts}), len(events)]:
        verifier.feed(events[start:cut])
        start = max(start, cut)
    return verifier.finish(), verifier.count, verifier.head


def tamper(events: list[StoredEvent], how: str, i: int, j: int) -> list[StoredEvent]:
    events = list(events)
    if not events:
        return events
    i, j = i % len(events), j % len(events)
    if how == "delete":
        del events[i]
    elif how == "duplicate":
        events.insert(i, events[i])
    elif how == "swap":
        events[i], events[j] = events[j], events[i]
    elif how == "swap_renumbered":
        a, b = events[i], events[j]
        events[i] = replace(b, payload=replace(b.payload, seq=a.seq))
        events[j] = replace(a, payload=replace(a.payload, seq=b.seq))
    elif how == "change":
        events[i] = replace(events[i], payload=replace(events[i].payload, data='{"x":1}'))
    elif how == "relink":
        events[i] = replace(events[i], prev_hash=events[j].hash)
    elif how == "relink_rehash":
        prev = events[j].hash
        events[i] = StoredEvent(events[i].payload, prev, event_hash(prev, events[i].payload))
    elif how == "insert_renumbered":
        forged = replace(events[i].payload, data='{"name":"Ghost"}')
        prev = events[i - 1].hash if i else GENESIS
        ghost = StoredEvent(forged, prev, event_hash(prev, forged))
        shifted = [replace(e, payload=replace(e.payload, seq=e.seq + 1)) for e in events[i:]]
        shifted[0] = replace(shifted[0], prev_hash=ghost.hash)
        events = [*events[:i], ghost, *shifted]
    return events


HOW = [
    "none",
    "delete",
    "duplicate",
    "swap",
    "swap_renumbered",
    "change",
    "relink",
    "relink_rehash",
    "insert_renumbered",
]


@settings(max_examples=400)
@given(
    count=st.integers(min_value=0, max_value=12),
    how=st.lists(st.sampled_from(HOW), min_size=1, max_size=2),
    i=st.integers(min_value=0, max_value=20),
    j=st.integers(min_value=0, max_value=20),
    cuts=st.lists(st.integers(min_value=0, max_value=14), max_size=4),
)
def test_streaming_names_the_same_break_as_the_whole_list(
    count: int, how: list[str], i: int, j: int, cuts: list[int]
) -> None:
    events = make_chain(count)
    for step in how:
        events = tamper(events, step, i, j)
        i, j = j + 1, i + 3
    expected = whole_list_verify(events)
    problem, fed, head = streamed(events, cuts)
    assert problem == expected
    assert verify(events) == expected
    assert fed == len(events)
    assert head == (events[-1].hash if events else GENESIS)


def test_a_link_to_a_later_event_is_told_once_that_event_is_fed() -> None:
    events = make_chain(8)
    events[2] = replace(events[2], prev_hash=events[6].hash)
    verifier = ChainVerifier()
    verifier.feed(events[:4])
    assert verifier.finish() == ChainBreak(
        2, "changed", "this event was rewritten: the next one links elsewhere"
    )
    verifier.feed(events[4:])
    assert verifier.finish() == ChainBreak(
        3, "reordered", "this event links to an event stored after it"
    )
