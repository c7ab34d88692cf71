"""The books' tests share: the record form, the dates and memo of the test ledger, reading
through a service function, switching a cooperative's open books, validating some work.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from governance.ledger.books.kinds import ClientKind
from governance.ledger.work import prestations
from governance.ledger.work.clients import create_client
from governance.members.models import Cooperative


def read(run: Any, function: Any, reader: Any, *args: Any, **kwargs: Any) -> Any:
    async def action(session: Any) -> Any:
        return await function(session, reader, *args, **kwargs)

    return run(action)


def set_open_books(run: Any, cooperative_id: int, value: Any) -> None:
    async def action(session: Any) -> None:
        async with session.begin():
            cooperative = await session.get(Cooperative, cooperative_id)
            cooperative.settings = {**cooperative.settings, "open_books": value}
            session.add(cooperative)

    run(action)


TODAY = dt.date(2026, 11, 27)


TRICKY_MEMO = '=HYPERLINK("x"); wrong client\nsee ticket'


def form(client_id: int, day: str, **extra: Any) -> dict[str, Any]:
    return {
        "client_id": str(client_id),
        "date": day,
        "duration_minutes": "90",
        "kind": "on_site",
        "languages": "ps",
        **extra,
    }


def validate_some(run: Any, world: Any, count: int) -> None:
    async def flow(session: Any) -> None:
        client = await create_client(
            session, world.actor("carla"), name="CHU", kind=ClientKind.HOSPITAL
        )
        ids = []
        for minutes in range(30, 30 + 15 * count, 15):
            draft, _ = await prestations.record_prestation(
                session,
                world.actor("omar"),
                {
                    "client_id": str(client.id),
                    "date": "2026-11-20",
                    "kind": "on_site",
                    "duration_minutes": str(minutes),
                    "rate": "55,00",
                    "travel": "3,10",
                },
                language="fr",
                today=dt.date(2026, 11, 27),
                submit=True,
            )
            ids.append(draft.id)
        await prestations.validate_prestations(session, world.actor("carla"), ids)

    run(flow)
