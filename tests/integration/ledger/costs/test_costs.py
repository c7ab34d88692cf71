"""Costs: recorded by coordinators, posted as Dr expense / Cr bank, read by everyone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlmodel import select

from governance.base.errors import Invalid, PermissionDenied
from governance.ledger.books.models import Account, LedgerLine
from governance.ledger.costs import costs

TODAY = dt.date(2026, 11, 27)


def record(run: Any, actor: Any, **data: str) -> Any:
    form = {
        "date": "2026-11-26",
        "category": "rent",
        "supplier": "Régie des Bâtiments",
        "amount": "450,00",
        **data,
    }

    async def action(session: Any) -> Any:
        return await costs.record_cost(session, actor, form, language="fr", today=TODAY)

    return run(action)


def test_a_cost_posts_expense_against_the_bank(run: Any, world: Any) -> None:
    cost = record(run, world.actor("carla"))

    async def lines(session: Any) -> Any:
        async with session.begin():
            rows = await session.exec(
                select(Account.code, LedgerLine.amount)
                .join(Account, Account.id == LedgerLine.account_id)
                .where(LedgerLine.entry_id == cost.entry_id)
            )
            return sorted(rows.all())

    assert run(lines) == [("bank", -45000), ("expense:rent", 45000)]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "0"),
        ("amount", "-3"),
        ("amount", "12,345"),
        ("category", "caviar"),
        ("supplier", ""),
        ("date", "2026-11-28"),
        ("date", "hier"),
        ("date", "0001-01-01"),
        ("date", "2025-11-26"),  # a year and a day before TODAY: older than work may be
    ],
)
def test_bad_costs_are_refused(run: Any, world: Any, field: str, value: str) -> None:
    with pytest.raises(Invalid) as caught:
        record(run, world.actor("carla"), **{field: value})
    assert field in caught.value.fields


def test_only_coordinators_record_costs(run: Any, world: Any) -> None:
    with pytest.raises(PermissionDenied):
        record(run, world.actor("omar"))


def test_the_cost_pages(make_visitor: Any, world: Any) -> None:
    carla, omar = make_visitor(), make_visitor()
    carla.login("carla")
    assert carla.get("/c/alpha/costs/new").status_code == 200
    done = carla.post(
        "/c/alpha/costs/",
        {
            "date": "2026-11-02",
            "category": "insurance",
            "supplier": "Ethias <b>",
            "amount": "1.200,50",
        },
    )
    assert done.status_code in (302, 303), done.text
    omar.login("omar")
    listing = omar.get("/c/alpha/costs/").text
    assert "Ethias &lt;b&gt;" in listing
    assert "1\u202f200,50" in listing or "1 200,50" in listing
    assert omar.get("/c/alpha/costs/new").status_code == 403
