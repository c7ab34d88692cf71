"""DESIGN's golden October, built and closed: what the month-close and statement tests share.

Omar 800,00 €, Wen 400,00 €, Carla 60,01 € of validated work for one client, one cost of
100,00 €, the "mixed 80/20" rule (reserve 10 %, training 5 %): reserve 116,00 €, training
58,00 €, Omar 566,56 €, Wen 316,15 €, Carla 103,30 €.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import select

from governance.ledger.books.kinds import ClientKind, PeriodState
from governance.ledger.books.models import Period
from governance.ledger.closing import closing, reviews
from governance.ledger.costs import costs
from governance.ledger.sharing import rule_versions
from governance.ledger.work import prestations
from governance.ledger.work.clients import create_client
from governance.members.access import Actor

TODAY = dt.date(2026, 11, 5)
MONTH = "2026-10"
SHARES = {"omar": 56656, "wen": 31615, "carla": 10330}
FUNDS = {"reserve": 11600, "training": 5800}


async def record_work(
    session: Any,
    world: Any,
    who: str,
    client_id: int,
    day: str,
    amount: str,
    travel: str | None = None,
) -> int:
    """A prestation of `who`, submitted and validated by Carla (the coordinator)."""
    form = {"client_id": str(client_id), "date": day, "fixed_amount": amount, "kind": "on_site"}
    if travel is not None:
        form["travel"] = travel
    prestation, _ = await prestations.record_prestation(
        session, world.actor(who), form, language="fr", today=TODAY, submit=True
    )
    await prestations.validate_prestations(session, world.actor("carla"), [prestation.id])
    assert prestation.id is not None
    return prestation.id


async def build_october(
    session: Any, world: Any, travel: dict[str, str] | None = None
) -> dict[str, int]:
    """The golden October, still open; returns each member's prestation id.

    `travel` adds travel costs to members' prestations (`{"omar": "12,50"}`): they are owed to
    the member on top of the share and change none of the golden figures.
    """
    travel = travel or {}
    async with session.begin():
        await rule_versions.set_initial_rule(
            session, world.alpha, "mixed_80_20", "2026-01", world.ids["carla"]
        )
    client = await create_client(
        session, world.actor("carla"), name="CHU", kind=ClientKind.HOSPITAL
    )
    ids = {
        "omar": await record_work(
            session, world, "omar", client.id, "2026-10-03", "800", travel.get("omar")
        ),
        "wen": await record_work(
            session, world, "wen", client.id, "2026-10-09", "400", travel.get("wen")
        ),
        "carla": await record_work(
            session, world, "carla", client.id, "2026-10-20", "60,01", travel.get("carla")
        ),
    }
    await costs.record_cost(
        session,
        world.actor("carla"),
        {"date": "2026-10-15", "category": "rent", "supplier": "Lux", "amount": "100"},
        language="fr",
        today=TODAY,
    )
    return ids


async def everyone_read(session: Any, cooperative_id: int, month: str = MONTH) -> list[int]:
    """Every member concerned by `month`'s review marks their draft as read, so that the close
    need not wait for the minimum review time; nothing when the month is not under review.
    Returns who marked it."""
    async with session.begin():
        state = (
            await session.exec(
                select(Period.state).where(
                    Period.cooperative_id == cooperative_id, Period.month == month
                )
            )
        ).first()
        if state != PeriodState.REVIEW:
            return []
        members = await reviews.concerned_members(session, cooperative_id, month)
    for member in members:
        await reviews.mark_read(session, Actor(member, cooperative_id), month)
    return members


async def close_month(session: Any, world: Any, month: str = MONTH, today: dt.date = TODAY) -> Any:
    """Review and close `month` as Carla (on `today`), every member having read their draft;
    returns the PeriodClose."""
    await closing.start_review(session, world.actor("carla"), month, today=today)
    await everyone_read(session, world.alpha, month)
    return await closing.finalize(session, world.actor("carla"), month)


async def closed_october(session: Any, world: Any) -> Any:
    """The golden October, closed; returns the PeriodClose."""
    await build_october(session, world)
    return await close_month(session, world)
