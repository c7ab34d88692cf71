"""What must hold after a close, checked on its copy of the database in the parent."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bench.close import AGGREGATE_SQL, MONTH, Filled
from governance.audit.service import verify_chain
from governance.base.db import make_engine, make_sessionmaker
from governance.ledger.books.models import Period
from governance.ledger.closing.models import PeriodClose, Statement


async def check(url: str, filled: Filled) -> dict[str, Any]:
    """What must hold after the close: what was found, and `problems` (what does not hold)."""
    problems: list[str] = []
    found: dict[str, Any] = {"problems": problems}
    c = filled.cooperative_id
    engine = make_engine(url, read_only=url.startswith("sqlite"))
    try:
        sessions = make_sessionmaker(engine)
        async with sessions() as session, session.begin():
            connection = await session.connection()
            state = (
                await connection.execute(
                    select(Period.state).where(Period.cooperative_id == c, Period.month == MONTH)
                )
            ).scalar_one()
            if state != "closed":
                problems.append(f"the period is {state}, not closed")
            aggregated: list[Any] = list(
                (await connection.exec_driver_sql(AGGREGATE_SQL.format(c=c))).all()
            )
            bare = {
                int(m): (int(cents), int(minutes), int(n)) for m, cents, minutes, n in aggregated
            }
            income = sum(cents for cents, _, _ in bare.values())
            expenses = int(
                (
                    await connection.exec_driver_sql(
                        "SELECT COALESCE(SUM(amount_cents), 0) FROM cost "
                        f"WHERE cooperative_id = {c}"
                    )
                ).scalar_one()
            )
            if (income, expenses) != (filled.income_cents, filled.expense_cents):
                problems.append("the month's rows are not the rows filled")
            statements = (
                await connection.execute(
                    select(Statement.member_id, Statement.share_cents).where(
                        Statement.cooperative_id == c, Statement.month == MONTH
                    )
                )
            ).all()
            found.update(
                period_state=state, statements=len(statements), members_with_prestations=len(bare)
            )
            if len(statements) != len(bare):
                problems.append(
                    f"{len(statements)} statements for {len(bare)} members with prestations"
                )
            closed = (
                await connection.execute(
                    select(PeriodClose.distribution).where(
                        PeriodClose.cooperative_id == c, PeriodClose.month == MONTH
                    )
                )
            ).scalar_one_or_none()
            if closed is None:
                problems.append("no period_close row")
            else:
                shares = closed["shares"]
                funds = sum(s["cents"] for s in shares if s["fund"] is not None)
                paid = sum(int(share) for _, share in statements)
                if paid + funds != income - expenses:
                    problems.append(
                        f"shares {paid} + funds {funds} != income {income} - expenses {expenses}"
                    )
                if sum(s["cents"] for s in shares) != income - expenses:
                    problems.append("the close's shares do not add up to income - expenses")
                figures = {
                    m["member_id"]: (m["revenue_cents"], m["minutes"], m["prestations"])
                    for m in closed["members"]
                    if m["prestations"]
                }
                if figures != bare:
                    problems.append("the close's member figures differ from the bare aggregate")
            left = (
                await connection.exec_driver_sql(
                    "SELECT COALESCE(SUM(l.amount), 0) FROM ledger_line l "
                    "JOIN account a ON a.id = l.account_id "
                    f"WHERE l.cooperative_id = {c} AND l.period = '{MONTH}' "
                    "AND a.type IN ('income', 'expense')"
                )
            ).scalar_one()
            if int(left) != 0:
                problems.append(f"income and expense accounts not zeroed by the close ({left})")
        async with sessions() as session, session.begin():
            verification = await verify_chain(session, c)
            found["audit_events"] = verification.count
            if verification.problem is not None:
                problems.append(f"audit chain: {verification.problem}")
    finally:
        await engine.dispose()
    return found
