"""Every statement of the demo explains itself: its reconciliation lines add up on the page and
equal the ledger, for every member and every closed month of every cooperative the database
holds (the list is read, not written here: more demo cooperatives are checked as they come)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from sqlmodel import col, select

from governance.base import clock, i18n
from governance.demo.univerbal import create_demo
from governance.ledger.books import reading
from governance.ledger.books.models import LedgerLine
from governance.ledger.closing.models import PeriodClose, Statement
from governance.ledger.statements import statements
from governance.ledger.statements.statement_files import to_csv
from governance.ledger.statements.statement_reconciliation import adds_up, month_lines, since_lines
from governance.members.access import Actor
from governance.members.models import Cooperative, Membership


async def _cases(session: Any) -> list[tuple[Actor, str, int]]:
    """(a coordinator of the cooperative, month, member) for every statement of every close."""
    async with session.begin():
        coordinators = dict(
            (
                await session.exec(
                    select(Membership.cooperative_id, Membership.person_id).where(
                        Membership.role == "coordinator"
                    )
                )
            ).all()
        )
        rows = (
            await session.exec(
                select(Statement.cooperative_id, Statement.month, Statement.member_id)
                .join(
                    PeriodClose,
                    (col(PeriodClose.cooperative_id) == Statement.cooperative_id)
                    & (col(PeriodClose.month) == Statement.month),
                )
                .order_by(col(Statement.cooperative_id), col(Statement.month))
            )
        ).all()
    return [
        (Actor(person_id=coordinators[coop], cooperative_id=coop), month, member)
        for coop, month, member in rows
    ]


async def _payable_by_period(session: Any, actor: Actor, member_id: int) -> dict[str, int]:
    """What the cooperative owes the member at the end of each period, from the trial balances
    of the books (the public ledger read, not the statements' own queries)."""
    async with session.begin():
        periods = sorted(
            (
                await session.exec(
                    select(LedgerLine.period)
                    .where(LedgerLine.cooperative_id == actor.cooperative_id)
                    .distinct()
                )
            ).all()
        )
    owed, running = {}, 0
    for period in periods:
        rows = await reading.trial_balance(session, actor, period)
        running -= sum(r.balance_cents for r in rows if r.account == f"payable:{member_id}")
        owed[period] = running
    return owed


@pytest.mark.parametrize("today", [dt.date(2026, 11, 27), dt.date(2026, 12, 7)])
def test_every_demo_statement_adds_up_and_equals_the_ledger(
    run: Any, monkeypatch: Any, today: dt.date
) -> None:
    monkeypatch.setattr(clock, "today", lambda: today)
    run(lambda s: create_demo(s, today))
    cases = run(_cases)
    assert len({(a.cooperative_id, m) for a, m, _ in cases}) >= 1, "the demo has a closed month"
    ledgers: dict[tuple[int, int], dict[str, int]] = {}
    payments = 0
    for actor, month, member_id in cases:
        view = run(lambda s, a=actor, m=month, i=member_id: statements.member_statement(s, a, m, i))
        owed = view.reconciliation
        key = (actor.cooperative_id, member_id)
        if key not in ledgers:
            ledgers[key] = run(lambda s, a=actor, i=member_id: _payable_by_period(s, a, i))
        by_period = ledgers[key]
        earlier = [p for p in by_period if p < month]
        with i18n.language("fr"):
            during, since = month_lines(owed), since_lines(owed)
        # On the page: every line before a total adds up to it.
        assert adds_up(during) and adds_up(since), (month, member_id, during, since)
        # The ledger: at the start, at the end of the month, today.
        assert owed.opening_cents == (by_period[earlier[-1]] if earlier else 0)
        assert owed.closing_cents == by_period.get(month, owed.opening_cents)
        assert owed.today_cents == by_period[max(by_period)] == view.balance_cents
        assert owed.share_cents == view.share.cents
        # Every payment is a payout of the ledger counted in that month, with its batch.
        for payment in owed.paid:
            assert payment.period == month and payment.batch_id is not None
        for payment in owed.paid_since:
            assert payment.period > month and payment.batch_id is not None
        payments += len(owed.paid) + len(owed.paid_since)
        # The key by key explanation adds up to the share, and no amount has four decimals.
        if view.share.keys:
            parts = sum(k.cents for k in view.share.keys) + view.share.keys_rounding
            assert parts == view.share.cents
        assert (
            view.pool_cents == view.distributable_cents - sum(f.share.cents for f in view.funds)
            or view.distributable_cents <= 0
        )
        with i18n.language("fr"):
            text = to_csv(view)
        for row in csv.DictReader(io.StringIO(text)):  # exactly two decimals, everywhere
            assert re.fullmatch(r"-?\d+\.\d\d", row["amount"]), row
            assert not re.search(r"\d[.,]\d{3,}\s?€", row["label"]), row
    assert payments > 0, "the demo pays its members: the payment lines are checked too"


def test_the_demo_cooperatives_are_read_from_the_database(run: Any, monkeypatch: Any) -> None:
    """Not a hard-coded list: every cooperative with a close is among the cases above."""
    today = dt.date(2026, 12, 7)
    monkeypatch.setattr(clock, "today", lambda: today)
    run(lambda s: create_demo(s, today))

    async def closed(session: Any) -> set[int]:
        async with session.begin():
            rows = await session.exec(select(PeriodClose.cooperative_id).distinct())
            return set(rows.all())

    async def all_coops(session: Any) -> set[int]:
        async with session.begin():
            return {c for c in (await session.exec(select(Cooperative.id))).all() if c}

    with_close = run(closed)
    assert with_close <= run(all_coops)
    assert {a.cooperative_id for a, _m, _i in run(_cases)} == with_close
