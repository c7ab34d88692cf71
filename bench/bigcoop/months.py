"""One month of the big cooperative's life, on the clock of that month (`clock.shifted`): its
work in bulk (`work.fill_month`), its rent through `costs.record_cost`, then early the next
month each client's invoice (`billing.invoices.issue_invoice`), the review
(`closing.start_review`), and once the review's minimum time is over the close
(`closing.finalize`), the clients' payments (`billing.payments.record_payment`) and the
members' payout (`payouts.prepare_batch`, `payouts.confirm_sent`). Every step but the work
goes through the services, audited as they audit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from bench.bigcoop.work import fill_month
from governance.base import clock
from governance.base.db import make_sessionmaker
from governance.language.months import Month
from governance.ledger.billing import invoices, payments
from governance.ledger.closing import closing
from governance.ledger.costs.costs import record_cost
from governance.ledger.payouts import payouts
from governance.members.access import Actor

RENT = ("rent", "Immo Meuse SPRL", "1200,00")


@contextlib.contextmanager
def at(moment: dt.datetime) -> Iterator[None]:
    """The clock at `moment` (local time in Liège when naive) inside."""
    if moment.tzinfo is None:
        moment = clock.from_local(moment)
    with clock.shifted(moment - clock.now()):
        yield


@dataclass
class Phases:
    """Seconds spent in each kind of step, summed over the months."""

    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @contextlib.contextmanager
    def timed(self, name: str, count: int = 1) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
            self.counts[name] = self.counts.get(name, 0) + count


@dataclass(frozen=True)
class Coop:
    """What every month needs: the cooperative, its coordinator, members and clients."""

    cooperative_id: int
    coordinator: Actor
    member_ids: list[int]
    clients: list[tuple[int, int]]  # (id, hourly rate in cents)


async def live_month(
    engine: AsyncEngine, coop: Coop, month: str, index: int, per_month: int, phases: Phases
) -> int:
    """The month's life up to its payout; its income in cents."""
    sessions = make_sessionmaker(engine)
    actor = coop.coordinator
    this, following = Month.parse(month), Month.parse(month).next
    last_evening = dt.datetime.combine(this.last_day, dt.time(18, 0))
    with at(last_evening):
        today = clock.today()
        with phases.timed("prestations (bulk + events)", per_month):
            async with sessions() as session, session.begin():
                income = await fill_month(
                    session,
                    coop.cooperative_id,
                    actor.person_id,
                    coop.member_ids,
                    coop.clients,
                    month,
                    per_month,
                    index * 13,
                    clock.now() - dt.timedelta(days=20),
                )
        with phases.timed("costs (service)"):
            async with sessions() as session:
                await record_cost(
                    session,
                    actor,
                    {
                        "date": this.first_day.replace(day=5).isoformat(),
                        "category": RENT[0],
                        "supplier": RENT[1],
                        "amount": RENT[2],
                    },
                    language="fr",
                    today=today,
                )
    second = following.first_day.replace(day=2)
    issued = []
    with at(dt.datetime.combine(second, dt.time(9, 0))):
        with phases.timed("invoices (service)", len(coop.clients)):
            for client_id, _rate in coop.clients:
                async with sessions() as session:
                    issued.append(
                        await invoices.issue_invoice(session, actor, client_id, month, second)
                    )
        with phases.timed("review (service)"):
            async with sessions() as session:
                await closing.start_review(session, actor, month, today=second)
    fifth = following.first_day.replace(day=5)
    with at(dt.datetime.combine(fifth, dt.time(10, 0))):
        with phases.timed("close (service)"):
            async with sessions() as session:
                await closing.finalize(session, actor, month)
        with phases.timed("payments (service)", len(issued)):
            for invoice in issued:
                cents = invoice.total_cents
                async with sessions() as session:
                    await payments.record_payment(
                        session,
                        actor,
                        {
                            "client_id": str(invoice.client_id),
                            "date": fifth.isoformat(),
                            "amount": f"{cents // 100},{cents % 100:02d}",
                            "reference": invoices.structured(invoice.communication),
                            "invoice_ids": [str(invoice.id)],
                        },
                        language="fr",
                        today=fifth,
                    )
        with phases.timed("payouts (service)"):
            async with sessions() as session:
                prepared = await payouts.prepare_batch(session, actor, fifth, today=fifth)
            async with sessions() as session:
                await payouts.confirm_sent(session, actor, prepared.batch.id or 0, today=fifth)
    return income
