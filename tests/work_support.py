"""Client tests share: the CHU's form, adding a client, reading it back and its audit events."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import col, select

from governance.audit.models import AuditEvent
from governance.ledger.books.models import Client
from governance.ledger.work import clients

CHU = {
    "name": "CHU de Liège",
    "kind": "hospital",
    "vat_number": "BE 0403.170.701",
    "address": "Avenue de l'Hôpital 1, 4000 Liège",
    "default_rate": "55,00",
}


def add(run: Any, actor: Any, **fields: str) -> int:
    async def action(session: Any) -> int:
        client = await clients.add_client(session, actor, {**CHU, **fields}, "fr")
        assert client.id is not None
        return client.id

    return int(run(action))


def stored(run: Any, client_id: int) -> Client:
    async def action(session: Any) -> Client:
        async with session.begin():
            found = await session.get(Client, client_id)
        assert found is not None
        return found

    result: Client = run(action)
    return result


def audit_of(run: Any, client_id: int) -> list[tuple[str, dict[str, Any]]]:
    async def action(session: Any) -> list[tuple[str, dict[str, Any]]]:
        async with session.begin():
            events = await session.exec(
                select(AuditEvent)
                .where(AuditEvent.subject_type == "client")
                .where(AuditEvent.subject_id == str(client_id))
                .order_by(col(AuditEvent.seq))
            )
            return [(event.action, json.loads(event.data)) for event in events]

    result: list[tuple[str, dict[str, Any]]] = run(action)
    return result
