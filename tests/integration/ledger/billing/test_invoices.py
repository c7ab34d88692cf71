"""Invoices, credit notes and payments."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from stdnum.be import ogm_vcs

from governance.base import db
from governance.base.errors import Conflict, Invalid, PermissionDenied
from governance.base.settings import Settings
from governance.ledger.billing import credit_notes, invoices, payments
from governance.ledger.books.kinds import ClientKind
from governance.ledger.work.clients import create_client
from tests.billing_support import TODAY, validated_work

CHU_FIXTURE = "chu_with_work"  # which `chu` these tests use (tests/integration/conftest.py)


def issue(run: Any, world: Any, client_id: int, month: str, who: str = "carla") -> Any:
    return run(lambda s: invoices.issue_invoice(s, world.actor(who), client_id, month, TODAY))


def test_an_invoice_takes_the_months_validated_work(run: Any, world: Any, chu: int) -> None:
    invoice = issue(run, world, chu, "2026-10")
    assert (invoice.year, invoice.number, invoice.total_cents) == (2026, 1, 5500 + 8250)
    assert ogm_vcs.is_valid(invoice.communication)
    assert invoices.structured(invoice.communication).startswith("+++")
    with pytest.raises(Invalid):
        issue(run, world, chu, "2026-10")  # nothing left to invoice
    assert issue(run, world, chu, "2026-11").number == 2


def test_only_coordinators_invoice(run: Any, world: Any, chu: int) -> None:
    with pytest.raises(PermissionDenied):
        issue(run, world, chu, "2026-10", who="omar")


def test_a_credit_note_cancels_and_frees_the_work(run: Any, world: Any, chu: int) -> None:
    invoice = issue(run, world, chu, "2026-10")
    note = run(
        lambda s: credit_notes.cancel_invoice(
            s, world.actor("carla"), invoice.id, TODAY, reason="Wrong month"
        )
    )
    assert (note.kind, note.number, note.total_cents) == ("credit_note", 2, -invoice.total_cents)
    with pytest.raises(Conflict):
        run(
            lambda s: credit_notes.cancel_invoice(
                s, world.actor("carla"), invoice.id, TODAY, reason="Wrong month"
            )
        )
    again = issue(run, world, chu, "2026-10")
    assert (again.number, again.total_cents) == (3, invoice.total_cents)


def test_payments_partial_and_over(run: Any, world: Any, chu: int) -> None:
    october = issue(run, world, chu, "2026-10")
    november = issue(run, world, chu, "2026-11")

    def pay(amount: str, *ids: int) -> Any:
        data = {
            "client_id": str(chu),
            "date": "2026-11-26",
            "amount": amount,
            "reference": "virement",
            "invoice_ids": [str(i) for i in ids],
        }
        return run(
            lambda s: payments.record_payment(
                s, world.actor("carla"), data, language="fr", today=TODAY
            )
        )

    partial = pay("100,00", october.id)
    assert (partial.allocated_cents, partial.unallocated_cents) == (10000, 0)
    over = pay("200,00", october.id, november.id)
    assert over.allocated_cents == (13750 - 10000) + 5500
    assert over.unallocated_cents == 20000 - over.allocated_cents
    views = {v.invoice.id: v for v in run(lambda s: invoices.invoices_of(s, world.actor("olga")))}
    assert views[october.id].outstanding_cents == 0
    assert views[november.id].outstanding_cents == 0
    with pytest.raises(Invalid):
        pay("10,00", october.id)  # already paid: not an open invoice any more


def test_twenty_concurrent_invoices_get_gap_free_numbers(
    settings: Settings, run: Any, world: Any
) -> None:
    async def prepare(session: Any) -> list[int]:
        ids = []
        for n in range(20):
            client = await create_client(
                session,
                world.actor("carla"),
                name=f"Client {n}",
                kind=ClientKind.COMPANY,
                default_rate_cents=1000,
            )
            await validated_work(session, world, client.id, "2026-11-03")
            ids.append(client.id)
        return ids

    clients = run(prepare)

    async def scenario() -> list[int]:
        engine = db.make_engine(settings.database_url)
        maker = db.make_sessionmaker(engine)

        async def one(client_id: int) -> int:
            async with maker() as session:
                invoice = await invoices.issue_invoice(
                    session, world.actor("carla"), client_id, "2026-11", TODAY
                )
                return invoice.number

        numbers = await asyncio.gather(*(one(c) for c in clients))
        await engine.dispose()
        return list(numbers)

    assert sorted(asyncio.run(scenario())) == list(range(1, 21))


def test_two_invoices_of_one_client_and_month_at_once_bill_the_work_once(
    settings: Settings, run: Any, world: Any, chu: int
) -> None:
    async def prepare(session: Any) -> None:
        for day in ("2026-11-03", "2026-11-04"):
            await validated_work(session, world, chu, day)

    run(prepare)

    async def scenario() -> list[str]:
        engine = db.make_engine(settings.database_url)
        maker = db.make_sessionmaker(engine)

        async def one() -> str:
            async with maker() as session:
                try:
                    invoice = await invoices.issue_invoice(
                        session, world.actor("carla"), chu, "2026-11", TODAY
                    )
                except Invalid:
                    return "nothing left"
                return f"invoice {invoice.number}: {invoice.total_cents}"

        outcomes = sorted(await asyncio.gather(*(one() for _ in range(5))))
        await engine.dispose()
        return outcomes

    outcomes = asyncio.run(scenario())
    assert outcomes[1:] == ["nothing left"] * 4
    assert outcomes[0].startswith("invoice 1: ")
