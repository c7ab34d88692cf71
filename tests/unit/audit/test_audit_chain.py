"""The hash chain: canonical JSON, hashes, and what verification names when it breaks."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.audit.chain import (
    GENESIS,
    EventPayload,
    StoredEvent,
    canonical,
    event_hash,
    verify,
)


def make_chain(count: int, chain: str = "coop:1") -> list[StoredEvent]:
    events: list[StoredEvent] = []
    prev = GENESIS
    for seq in range(1, count + 1):
        payload = EventPayload(
            chain=chain,
            seq=seq,
            at=f"2026-11-27T10:00:{seq % 60:02d}.000000Z",
            cooperative_id=1,
            actor_id=seq % 3 or None,
            action="member.added",
            subject_type="membership",
            subject_id=str(seq),
            data=canonical({"name": f"Person {seq}", "n": seq}),
        )
        digest = event_hash(prev, payload)
        events.append(StoredEvent(payload=payload, prev_hash=prev, hash=digest))
        prev = digest
    return events


def relink(event: StoredEvent, prev_hash: str) -> StoredEvent:
    return StoredEvent(
        payload=event.payload, prev_hash=prev_hash, hash=event_hash(prev_hash, event.payload)
    )


def test_canonical_json_sorts_keys_and_has_no_spaces() -> None:
    assert canonical({"b": 1, "a": [1, "é"]}) == '{"a":[1,"é"],"b":1}'


def test_canonical_json_refuses_floats() -> None:
    with pytest.raises(TypeError):
        canonical({"amount": 12.5})


def test_an_untouched_chain_verifies() -> None:
    assert verify(make_chain(20)) is None
    assert verify([]) is None


def test_a_changed_event_is_named() -> None:
    events = make_chain(10)
    events[4] = replace(events[4], payload=replace(events[4].payload, data='{"name":"Mallory"}'))
    problem = verify(events)
    assert problem is not None and (problem.seq, problem.reason) == (5, "changed")


def test_a_changed_and_rehashed_event_is_named() -> None:
    events = make_chain(10)
    forged = replace(events[4].payload, data='{"name":"Mallory"}')
    events[4] = StoredEvent(
        payload=forged, prev_hash=events[4].prev_hash, hash=event_hash(events[4].prev_hash, forged)
    )
    problem = verify(events)
    assert problem is not None and (problem.seq, problem.reason) == (5, "changed")


def test_a_missing_event_is_named() -> None:
    events = make_chain(10)
    del events[6]
    problem = verify(events)
    assert problem is not None and (problem.seq, problem.reason) == (7, "missing")


def test_two_swapped_events_are_named_as_reordered() -> None:
    events = make_chain(10)
    third, fourth = events[2], events[3]
    events[2] = replace(fourth, payload=replace(fourth.payload, seq=3))
    events[3] = replace(third, payload=replace(third.payload, seq=4))
    problem = verify(events)
    assert problem is not None and (problem.seq, problem.reason) == (3, "reordered")


def test_an_inserted_event_is_named() -> None:
    events = make_chain(8)
    forged_payload = replace(events[3].payload, data='{"name":"Ghost"}')
    forged = StoredEvent(
        payload=forged_payload,
        prev_hash=events[2].hash,
        hash=event_hash(events[2].hash, forged_payload),
    )
    shifted = [replace(e, payload=replace(e.payload, seq=e.seq + 1)) for e in events[3:]]
    shifted[0] = StoredEvent(
        payload=shifted[0].payload, prev_hash=forged.hash, hash=shifted[0].hash
    )
    problem = verify([*events[:3], forged, *shifted])
    assert problem is not None and (problem.seq, problem.reason) == (4, "inserted")


def test_a_duplicated_sequence_number_is_named_as_inserted() -> None:
    events = make_chain(5)
    problem = verify([*events[:3], events[2], *events[3:]])
    assert problem is not None and problem.reason == "inserted"


@given(st.integers(min_value=1, max_value=30), st.data())
def test_any_single_change_to_any_event_is_caught(count: int, data: st.DataObject) -> None:
    events = make_chain(count)
    index = data.draw(st.integers(min_value=0, max_value=count - 1))
    field = data.draw(st.sampled_from(["at", "action", "subject_id", "data", "actor_id"]))
    value = {
        "at": "2020-01-01T00:00:00.000000Z",
        "action": "x.y",
        "subject_id": "999",
        "data": '{"x":1}',
        "actor_id": 4242,
    }[field]
    events[index] = replace(events[index], payload=replace(events[index].payload, **{field: value}))
    problem = verify(events)
    assert problem is not None and problem.seq == index + 1


def test_the_previous_hash_is_part_of_an_events_hash() -> None:
    event = make_chain(1)[0]
    assert relink(event, "f" * 64).hash != event.hash
