"""A cooperative's day kinds: set by a coordinator (audited), refused to others; a member's
project day left empty is one day at the day rate, half a day is half of it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from governance.audit.models import AuditEvent
from governance.base import clock
from governance.base.errors import Invalid, PermissionDenied
from governance.ledger.work import prestations
from governance.ledger.work.day_work import Day, set_work_kinds
from governance.members.models import Cooperative

KINDS = ["project_day", "fixed_price", "other"]
DAYS = {"project_day": Day(minutes=480, rate_cents=56_000)}


def test_day_kinds_set_by_a_coordinator_and_used_when_recording(
    run: Any, world: Any, chu: int
) -> None:
    with pytest.raises(PermissionDenied):
        run(lambda s: set_work_kinds(s, world.actor("omar"), KINDS, DAYS))
    for kinds, days in (
        ([], {}),
        (["Project Day"], {}),
        (["other"], DAYS),
        (KINDS, {"project_day": Day(minutes=0, rate_cents=1)}),
        (KINDS, {"project_day": Day(minutes=480, rate_cents=0)}),
    ):
        with pytest.raises(Invalid):
            run(lambda s, k=kinds, d=days: set_work_kinds(s, world.actor("carla"), k, d))
    run(lambda s: set_work_kinds(s, world.actor("carla"), KINDS, DAYS))

    async def check(session: Any) -> Any:
        async with session.begin():
            coop = await session.get(Cooperative, world.alpha)
            events = (
                await session.exec(
                    select(AuditEvent).where(
                        AuditEvent.cooperative_id == world.alpha,
                        AuditEvent.action == "cooperative.work_kinds_changed",
                    )
                )
            ).all()
        return coop.settings, events

    settings, events = run(check)
    assert settings["prestation_kinds"] == KINDS
    assert settings["day_kinds"] == {"project_day": {"minutes": 480, "rate_cents": 56_000}}
    assert len(events) == 1  # the refusals changed nothing

    today = clock.today()

    async def record(session: Any, extra: dict[str, str]) -> Any:
        data = {"client_id": str(chu), "date": today.isoformat(), "kind": "project_day"}
        work, _ = await prestations.record_prestation(
            session, world.actor("omar"), {**data, **extra}, language="fr", today=today
        )
        return work

    whole = run(lambda s: record(s, {}))
    assert (whole.duration_minutes, whole.amount_cents, whole.rate_cents) == (480, 56_000, None)
    half = run(lambda s: record(s, {"days": "0,5"}))
    assert (half.duration_minutes, half.amount_cents) == (240, 28_000)
    hourly = run(lambda s: record(s, {"duration_minutes": "90"}))  # the client's hourly rate
    assert (hourly.duration_minutes, hourly.amount_cents, hourly.rate_cents) == (90, 8250, 5500)
    with pytest.raises(Invalid) as refused:
        run(lambda s: record(s, {"days": "trois"}))
    assert "days" in refused.value.fields
    with pytest.raises(Invalid):  # "on_site" is no longer one of the cooperative's kinds
        run(lambda s: record(s, {"kind": "on_site", "duration_minutes": "60"}))
