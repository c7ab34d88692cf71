"""Each ledger line carries its account's running balance; the database refuses a wrong one."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from governance.base import db
from governance.base.settings import Settings
from governance.ledger.books.models import LedgerLine
from tests.books_support import validate_some

RUNNING = (
    "SELECT line.id, line.balance, (SELECT SUM(earlier.amount) FROM ledger_line AS earlier "
    "WHERE earlier.account_id = line.account_id AND earlier.id <= line.id) "
    "FROM ledger_line AS line ORDER BY line.id"
)


def running_rows(settings: Settings) -> list[Any]:
    engine = create_engine(db.sync_url(settings.database_url))
    with engine.connect() as connection:
        rows = list(connection.execute(text(RUNNING)))
    engine.dispose()
    return rows


def test_every_line_carries_the_running_balance_of_its_account(
    run: Any, world: Any, settings: Settings
) -> None:
    validate_some(run, world, 4)
    rows = running_rows(settings)
    assert len(rows) == 12
    assert all(balance == expected for _id, balance, expected in rows)


def test_a_line_with_a_wrong_balance_is_refused(run: Any, world: Any, settings: Settings) -> None:
    validate_some(run, world, 1)
    engine = create_engine(db.sync_url(settings.database_url))
    insert = (
        "INSERT INTO ledger_line (entry_id, cooperative_id, period, account_id, amount, balance) "
        "SELECT entry_id, cooperative_id, period, account_id, amount, {balance} "
        "FROM ledger_line ORDER BY id LIMIT 1"
    )
    for wrong in ("balance", "amount", "0", "balance + amount + 1"):
        with pytest.raises(DBAPIError, match="balance"), engine.begin() as connection:
            connection.execute(text(insert.format(balance=wrong)))
    # The right one goes in (then the transaction is rolled back: lines are append-only).
    with engine.connect() as connection:
        connection.execute(text(insert.format(balance="balance + amount")))
        connection.rollback()
    engine.dispose()


def test_the_migration_fills_the_balances_of_existing_lines(
    run: Any, world: Any, settings: Settings
) -> None:
    validate_some(run, world, 3)
    config = db.alembic_config(settings.database_url)
    command.downgrade(config, "0005")
    command.upgrade(config, "head")
    rows = running_rows(settings)
    assert len(rows) == 9
    assert all(balance == expected for _id, balance, expected in rows)


def _copies_of_the_latest_line(settings: Settings, balances: list[str]) -> list[dict[str, Any]]:
    """Rows like the latest line, with these balance expressions (evaluated in SQL)."""
    engine = create_engine(db.sync_url(settings.database_url))
    with engine.connect() as connection:
        rows = [
            dict(
                connection.execute(
                    text(
                        "SELECT entry_id, cooperative_id, period, account_id, amount, "
                        f"{balance} AS balance FROM ledger_line ORDER BY id DESC LIMIT 1"
                    )
                )
                .mappings()
                .one()
            )
            for balance in balances
        ]
    engine.dispose()
    return rows


@pytest.mark.parametrize("wrong", ["first", "middle", "last"])
def test_a_bulk_insert_is_refused_when_any_of_its_balances_is_wrong(
    run: Any, world: Any, settings: Settings, wrong: str
) -> None:
    """One statement for many rows (COPY on PostgreSQL): the check covers every row."""
    validate_some(run, world, 1)
    good = ["balance + amount", "balance + 2 * amount", "balance + 3 * amount"]
    position = {"first": 0, "middle": 1, "last": 2}[wrong]
    balances = list(good)
    balances[position] = "balance + 2 * amount + 1" if position == 0 else "balance"
    rows = _copies_of_the_latest_line(settings, balances)

    async def insert(session: Any) -> None:
        async with session.begin():
            await db.bulk_insert(session, LedgerLine.__table__, rows)

    with pytest.raises(IntegrityError, match="balance"):
        run(insert)
    assert len(running_rows(settings)) == 3  # nothing was written

    async def insert_right(session: Any) -> None:
        await session.begin()
        await db.bulk_insert(
            session, LedgerLine.__table__, _copies_of_the_latest_line(settings, good)
        )
        await session.rollback()  # lines are append-only: leave the journal as it was

    run(insert_right)


def test_a_line_slipped_in_below_the_latest_line_of_its_account_is_refused(
    run: Any, world: Any, settings: Settings
) -> None:
    """Its balance may follow the line before it, it would still break the line after it."""
    validate_some(run, world, 2)
    engine = create_engine(db.sync_url(settings.database_url))
    insert = (
        "INSERT INTO ledger_line (id, entry_id, cooperative_id, period, account_id, amount, "
        "balance) SELECT -1, entry_id, cooperative_id, period, account_id, amount, amount "
        "FROM ledger_line ORDER BY id LIMIT 1"
    )
    with pytest.raises(IntegrityError, match="balance"), engine.begin() as connection:
        connection.execute(text(insert))
    engine.dispose()
    assert len(running_rows(settings)) == 6
