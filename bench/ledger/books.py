"""The books benchmarks on a million ledger lines: the trial balance against a bare GROUP BY,
and the account's page 1 000 against its page 1."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.common import best_of
from bench.databases import Store, count, engine_for, lines_added_without_trigger
from bench.ledger import (
    GOALS,
    LINE_BATCH,
    PAGE,
    World,
    build_world,
)
from governance.base import clock
from governance.base.db import make_sessionmaker
from governance.ledger.books import reading
from governance.ledger.books.journal import account_type
from governance.ledger.books.models import Account, JournalEntry, LedgerLine


def _period(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


async def fill_ledger(engine: AsyncEngine, world: World, lines: int) -> dict[str, int]:
    """`lines` ledger lines (balanced pairs receivable:<client> / revenue), core inserts.

    Returns account code -> account id.
    """
    now = clock.now()
    today = clock.today()
    codes = ["revenue", "bank"] + [f"receivable:{cid}" for cid in world.client_ids.values()]
    accounts: dict[str, int] = {}
    async with engine.begin() as connection:
        for code in codes:
            result = await connection.execute(
                insert(Account.__table__).returning(Account.__table__.c.id),  # type: ignore[attr-defined]
                {
                    "cooperative_id": world.cooperative_id,
                    "code": code,
                    "type": account_type(code).value,
                    "created_at": now,
                },
            )
            accounts[code] = int(result.scalar_one())
    receivables = [accounts[f"receivable:{cid}"] for cid in world.client_ids.values()]
    entries_n = lines // 2
    entry_table = JournalEntry.__table__  # type: ignore[attr-defined]
    line_table = LedgerLine.__table__  # type: ignore[attr-defined]
    per_batch = LINE_BATCH // 2
    balances = dict.fromkeys(accounts.values(), 0)  # running balance per account, as posted
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # The fill is not measured: skip the per-row running-balance trigger (its check
            # is the account page's `problems` below); it would triple the fill time.
            await connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for first in range(0, entries_n, per_batch):
            entries = []
            pairs = []
            for e in range(first, min(first + per_batch, entries_n)):
                entry_id = e + 1
                day = today - dt.timedelta(days=(e * 13) % 730)
                period = _period(day)
                amount = 1000 + (e % 97) * 125
                entries.append(
                    {
                        "id": entry_id,
                        "cooperative_id": world.cooperative_id,
                        "period": period,
                        "date": day,
                        "kind": "prestation",
                        "memo": f"Prestation {entry_id}",
                        "author_id": world.coordinator_id,
                        "idempotency_key": f"bench:{entry_id}",
                        "created_at": now,
                    }
                )
                common = {"entry_id": entry_id, "cooperative_id": world.cooperative_id}
                receivable = receivables[e % len(receivables)]
                balances[receivable] += amount
                balances[accounts["revenue"]] -= amount
                pairs.append(
                    {
                        "id": 2 * e + 1,
                        **common,
                        "period": period,
                        "account_id": receivable,
                        "amount": amount,
                        "balance": balances[receivable],
                    }
                )
                pairs.append(
                    {
                        "id": 2 * e + 2,
                        **common,
                        "period": period,
                        "account_id": accounts["revenue"],
                        "amount": -amount,
                        "balance": balances[accounts["revenue"]],
                    }
                )
            await connection.execute(insert(entry_table), entries)
            await connection.execute(insert(line_table), pairs)
        await lines_added_without_trigger(connection, 1, 2 * entries_n + 1)
    if engine.dialect.name == "postgresql":
        async with engine.begin() as connection:
            await connection.exec_driver_sql("ANALYZE")
            for table in ("journal_entry", "ledger_line"):
                await connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
    else:
        async with engine.begin() as connection:
            await connection.exec_driver_sql("ANALYZE")
    return accounts


async def bench_books(dbs: Store, lines: int) -> list[dict[str, Any]]:
    url = dbs.fresh("books")
    async with engine_for(url) as engine:
        world = await build_world(engine)
        started = time.perf_counter()
        accounts = await fill_ledger(engine, world, lines)
        fill_seconds = time.perf_counter() - started
        line_count = await count(engine, select(func.count()).select_from(LedgerLine.__table__))  # type: ignore[attr-defined]
    print(f"  filled {line_count:,} ledger lines in {fill_seconds:.1f} s", flush=True)

    results = []
    reader = reading.Operator(world.cooperative_id)
    async with engine_for(url, read_only=True) as engine:
        sessions = make_sessionmaker(engine)

        # ---- 2. trial balance vs bare GROUP BY
        bare_sql = text(
            "SELECT account_id, SUM(amount) FROM ledger_line "
            "WHERE cooperative_id = :c GROUP BY account_id"
        )
        bare_rows: list[Any] = []

        async def bare() -> None:
            async with sessions() as session, session.begin():
                connection = await session.connection()
                bare_rows[:] = (
                    await connection.execute(bare_sql, {"c": world.cooperative_id})
                ).all()

        balance: list[reading.BalanceRow] = []

        async def trial() -> None:
            async with sessions() as session:
                balance[:] = await reading.trial_balance(session, reader, None)

        await bare()  # warm the cache once each, then best of 3
        await trial()
        bare_best, bare_all = await best_of(3, bare)
        trial_best, trial_all = await best_of(3, trial)
        problems = []
        bare_sums = {int(a): int(s) for a, s in bare_rows}
        by_code = {row.account: row.balance_cents for row in balance}
        if sum(bare_sums.values()) != 0 or sum(by_code.values()) != 0:
            problems.append("the books do not balance")
        if {code: by_code.get(code) for code in accounts if accounts[code] in bare_sums} != {
            code: bare_sums[aid] for code, aid in accounts.items() if aid in bare_sums
        }:
            problems.append("trial_balance and the bare GROUP BY disagree")
        results.append(
            {
                "name": "trial_balance",
                "lines": line_count,
                "accounts": len(balance),
                "seconds": trial_best,
                "baseline_seconds": bare_best,
                "all_seconds": trial_all,
                "baseline_all_seconds": bare_all,
                "ratio": trial_best / bare_best,
                "ratio_meaning": "trial_balance time ÷ bare GROUP BY time, best of 3 "
                "(lower is better)",
                "goal": f"<= {GOALS['trial_balance']}",
                "problems": problems,
            }
        )

        # ---- 3. account page 1 vs page 1000
        code = "revenue"
        account_id = accounts[code]
        want = 999 * PAGE  # lines before page 1000
        async with engine.connect() as connection:
            own = (
                await connection.execute(
                    text("SELECT count(*) FROM ledger_line WHERE account_id = :a"),
                    {"a": account_id},
                )
            ).scalar_one()
            skip = min(want, max(0, int(own) - PAGE))
            after_id = (
                await connection.execute(
                    text(
                        "SELECT id FROM ledger_line WHERE account_id = :a "
                        "ORDER BY id LIMIT 1 OFFSET :o"
                    ),
                    {"a": account_id, "o": skip - 1},
                )
            ).scalar_one()
            opening = (
                await connection.execute(
                    text(
                        "SELECT COALESCE(SUM(amount), 0) FROM ledger_line "
                        "WHERE account_id = :a AND id <= :after"
                    ),
                    {"a": account_id, "after": after_id},
                )
            ).scalar_one()
        page_number = skip // PAGE + 1
        pages: dict[str, reading.AccountPage] = {}

        async def first_page() -> None:
            async with sessions() as session:
                pages["first"] = await reading.account_lines(session, reader, code, limit=PAGE)

        async def far_page() -> None:
            async with sessions() as session:
                pages["far"] = await reading.account_lines(
                    session, reader, code, after_id=int(after_id), limit=PAGE
                )

        await first_page()
        await far_page()
        first_best, first_all = await best_of(5, first_page)
        far_best, far_all = await best_of(5, far_page)
        problems = []
        if page_number != 1000:
            problems.append(f"the account has {own} lines: measured page {page_number}, not 1000")
        if len(pages["first"].lines) != PAGE or len(pages["far"].lines) != PAGE:
            problems.append("a page did not have 50 lines")
        if pages["far"].opening_balance != int(opening):
            problems.append(
                f"page {page_number} opens at {pages['far'].opening_balance}, "
                f"not at the sum of the earlier lines ({int(opening)})"
            )
        results.append(
            {
                "name": "account_page",
                "account": code,
                "account_lines": int(own),
                "page": page_number,
                "after_id": int(after_id),
                "seconds": far_best,
                "baseline_seconds": first_best,
                "all_seconds": far_all,
                "baseline_all_seconds": first_all,
                "ratio": far_best / first_best,
                "ratio_meaning": f"page {page_number} time ÷ page 1 time, best of 5 "
                "(lower is better)",
                "goal": f"<= {GOALS['account_page']}",
                "problems": problems,
            }
        )
    return results
