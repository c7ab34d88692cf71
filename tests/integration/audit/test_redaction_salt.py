"""The amounts hidden from a reader cannot be found again by trying values against the
event's public hash (issue 13's review): every money event carries a random salt, which the
reader who may not read the amounts does not get either."""

from __future__ import annotations

from typing import Any

from governance.audit.chain import EventPayload, canonical, chain_key, event_hash
from governance.audit.redaction import SALT_KEY
from tests.closing_support import closed_october


def _trail(visitor: Any) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    url = "/api/c/alpha/audit"
    while True:
        body = visitor.get(url).json()
        events += body["events"]
        if body["next_before"] is None:
            return events
        url = f"/api/c/alpha/audit?before={body['next_before']}"


def _hash(event: dict[str, Any], data: dict[str, Any], cooperative_id: int) -> str:
    payload = EventPayload(
        chain=chain_key(cooperative_id),
        seq=event["seq"],
        at=event["at"],
        cooperative_id=cooperative_id,
        actor_id=event["actor_id"],
        action=event["action"],
        subject_type=event["subject_type"],
        subject_id=event["subject_id"],
        data=canonical(data),
    )
    return event_hash(event["prev_hash"], payload)


def test_the_hidden_amounts_alone_do_not_give_back_the_hash(
    make_visitor: Any, world: Any, run: Any
) -> None:
    run(lambda session: closed_october(session, world))
    carla, wen = make_visitor(), make_visitor()
    carla.login("carla")  # coordinator: reads every amount
    wen.login("wen")  # worker: reads their own only
    full = {e["seq"]: e for e in _trail(carla)}
    seen = _trail(wen)
    redacted = [e for e in seen if e["redacted"]]
    assert {e["action"] for e in redacted} >= {"prestation.validated", "period.closed"}
    for event in redacted:
        truth = full[event["seq"]]
        assert truth["hash"] == event["hash"] and not truth["redacted"]
        # The coordinator's copy gives the hash back: the reconstruction is right...
        assert _hash(event, truth["data"], world.alpha) == event["hash"]
        # ...but the worker, even guessing every hidden value right, lacks the salt.
        assert SALT_KEY not in event["data"]
        guessed = {k: v for k, v in truth["data"].items() if k != SALT_KEY}
        assert _hash(event, guessed, world.alpha) != event["hash"], event["action"]
