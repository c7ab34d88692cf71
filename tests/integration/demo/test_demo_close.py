"""The demo cooperative's months: earlier ones closed and paid, the last full one ready; closing
it issues statements that each equal the ledger, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from governance.audit.checkpoints.checkpoints import verify_checkpoints
from governance.audit.service import verify_chain
from governance.auth.models import Person
from governance.base import clock
from governance.demo.univerbal import DEMO_SLUG, create_demo
from governance.ledger.books.models import Account, JournalEntry, LedgerLine, Period
from governance.ledger.closing import closing
from governance.ledger.closing.models import PeriodClose, Statement
from governance.ledger.payouts.models import PayoutBatch
from governance.ledger.sharing.figures import counted_lines
from governance.ledger.work.models import Prestation
from governance.members.access import Actor
from governance.members.models import Cooperative
from tests.closing_support import everyone_read

TODAY = dt.date(2026, 11, 27)


def test_the_demo_closes_october_and_every_statement_equals_the_ledger(
    run: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    run(lambda s: create_demo(s, TODAY))

    async def before(session: Any) -> Any:
        async with session.begin():
            coop = (
                await session.exec(select(Cooperative).where(Cooperative.slug == DEMO_SLUG))
            ).one()
            periods = dict(
                (
                    await session.exec(
                        select(Period.month, Period.state).where(Period.cooperative_id == coop.id)
                    )
                ).all()
            )
            batches = (
                await session.exec(
                    select(PayoutBatch.state).where(PayoutBatch.cooperative_id == coop.id)
                )
            ).all()
            waiting = (
                await session.exec(
                    select(func.count())
                    .select_from(Prestation)
                    .where(
                        Prestation.cooperative_id == coop.id,
                        Prestation.status == "submitted",
                        col(Prestation.date) < dt.date(2026, 11, 1),
                    )
                )
            ).one()
            coordinator = (
                await session.exec(
                    select(Person).where(Person.email == "coordination@univerbal.example")
                )
            ).one()
        return coop.id, periods, list(batches), waiting, coordinator.id

    coop_id, periods, batches, waiting, coordinator_id = run(before)
    assert periods["2026-09"] == "closed"
    assert periods["2026-10"] == "open" and periods["2026-11"] == "open"
    assert batches == ["sent"]
    assert waiting == 0  # October is ready to close

    actor = Actor(person_id=coordinator_id, cooperative_id=coop_id)
    run(lambda s: closing.start_review(s, actor, "2026-10", today=TODAY))
    run(lambda s: everyone_read(s, coop_id, "2026-10"))
    run(lambda s: closing.finalize(s, actor, "2026-10"))

    async def check(session: Any) -> None:
        async with session.begin():
            for month in ("2026-09", "2026-10"):
                closed = (
                    await session.exec(
                        select(PeriodClose).where(
                            PeriodClose.cooperative_id == coop_id, PeriodClose.month == month
                        )
                    )
                ).one()
                lines = dict(
                    (
                        await session.exec(
                            select(Account.code, LedgerLine.amount)
                            .join(Account, col(Account.id) == LedgerLine.account_id)
                            .where(LedgerLine.entry_id == closed.entry_id)
                        )
                    ).all()
                )
                statements = (
                    await session.exec(
                        select(Statement).where(
                            Statement.cooperative_id == coop_id, Statement.month == month
                        )
                    )
                ).all()
                assert statements
                for statement in statements:
                    # The statement's share is the close entry's credit on the member's payable.
                    assert -lines.get(f"payable:{statement.member_id}", 0) == statement.share_cents
                    counted = await counted_lines(session, coop_id, month, statement.member_id)
                    assert sum(p["amount_cents"] for p in counted) == statement.revenue_cents
                funds = sum(-v for k, v in lines.items() if k.startswith("fund:"))
                shares = sum(s.share_cents for s in statements)
                assert funds + shares == closed.distribution["distributable_cents"]
                entry = await session.get(JournalEntry, closed.entry_id)
                assert entry is not None and entry.period == month
            assert (await verify_chain(session, coop_id)).problem is None
            assert await verify_checkpoints(session, coop_id) == []

    run(check)
