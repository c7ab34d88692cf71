"""Invoicing tests share: a client with validated work, issuing and listing invoices, the
credit notes written, a member's language, an invoice's PDF and its text.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from governance.audit.models import AuditEvent
from governance.auth.models import Person
from governance.base import clock
from governance.ledger.billing.models import Invoice, InvoiceLine
from governance.ledger.books.kinds import ClientKind
from governance.ledger.work import prestations
from governance.ledger.work.clients import create_client
from tests.pdf_support import BIDI_MARKS

BASE = "/c/alpha"


def _client_with_work(run: Any, world: Any, name: str = "Clinique") -> tuple[int, list[int]]:
    """A client with three validated prestations this month: its id and theirs."""
    today = clock.today()

    async def action(session: Any) -> tuple[int, list[int]]:
        client = await create_client(
            session,
            world.actor("carla"),
            name=name,
            kind=ClientKind.HOSPITAL,
            default_rate_cents=6000,
        )
        ids = []
        for minutes in MINUTES:
            work, _ = await prestations.record_prestation(
                session,
                world.actor("omar"),
                {
                    "client_id": str(client.id),
                    "date": today.replace(day=1).isoformat(),
                    "duration_minutes": str(minutes),
                    "kind": "on_site",
                },
                language="fr",
                today=today,
                submit=True,
            )
            ids.append(work.id)
        await prestations.validate_prestations(session, world.actor("carla"), ids)
        assert client.id is not None
        return client.id, ids

    return run(action)  # type: ignore[no-any-return]


def _issue(carla: Any, client_id: int) -> None:
    month = clock.today().strftime("%Y-%m")
    done = carla.post(f"{BASE}/invoices/", {"client_id": str(client_id), "month": month})
    assert done.status_code in (302, 303), done.text


def _invoices(run: Any) -> list[Invoice]:
    async def action(session: Any) -> list[Invoice]:
        async with session.begin():
            return list((await session.exec(select(Invoice).order_by(Invoice.id))).all())

    return run(action)  # type: ignore[no-any-return]


def _written(run: Any) -> tuple[int, int, int]:
    """Invoices, invoice lines and audit events: what a refusal must leave as it was."""

    async def action(session: Any) -> tuple[int, int, int]:
        async with session.begin():
            counts = []
            for table in (Invoice, InvoiceLine, AuditEvent):
                counts.append(
                    int((await session.exec(select(func.count()).select_from(table))).one())
                )
            return counts[0], counts[1], counts[2]

    return run(action)  # type: ignore[no-any-return]


def text_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return " ".join(BIDI_MARKS.sub("", out).split())


def speak(run: Any, world: Any, who: str, language: str) -> None:
    async def action(session: Any) -> None:
        async with session.begin():
            person = await session.get(Person, world.ids[who])
            person.language = language
            session.add(person)

    run(action)


def pdf_of(visitor: Any, invoice_id: int) -> bytes:
    response = visitor.get(f"/c/alpha/invoices/{invoice_id}/pdf")
    assert response.status_code == 200, response.text
    content: bytes = response.content
    return content


MINUTES = (60, 90, 30)  # at 60,00 € an hour: 60,00 + 90,00 + 30,00 = 180,00 €


TODAY = dt.date(2026, 11, 27)


async def validated_work(
    session: Any, world: Any, client_id: int, day: str, minutes: int = 60
) -> int:
    prestation, _ = await prestations.record_prestation(
        session,
        world.actor("omar"),
        {
            "client_id": str(client_id),
            "date": day,
            "duration_minutes": str(minutes),
            "kind": "on_site",
        },
        language="fr",
        today=TODAY,
        submit=True,
    )
    await prestations.validate_prestations(session, world.actor("carla"), [prestation.id])
    assert prestation.id is not None
    return prestation.id
