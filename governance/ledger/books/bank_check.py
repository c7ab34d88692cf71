"""Whether the bank's statements reconcile the books' bank account up to a day, for the month
close's warning (docs/bank.md).

The bank's statements are imported by `ledger/bank/`, which sits above the month close; this
module reads their tables by name, so that the close can ask without importing them. A
cooperative that has never imported a statement gets no warning: it does not use them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.base.i18n import _, money

# The cooperative's setting: true, an unreconciled month is not closed; otherwise the close
# page only warns.
BLOCKS_CLOSE = "bank_reconciliation_blocks_close"

_STATEMENTS = text(
    "SELECT MAX(to_day), COUNT(*) FROM bank_statement WHERE cooperative_id = :cooperative_id"
)
_FIRST_OPENING = text(
    "SELECT opening_cents FROM bank_statement WHERE cooperative_id = :cooperative_id "
    "ORDER BY from_day, id LIMIT 1"
)
_LINES = text(
    "SELECT COALESCE(SUM(amount_cents), 0), "
    "COALESCE(SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM bank_match m WHERE m.line_id = l.id "
    "AND NOT EXISTS (SELECT 1 FROM bank_undo u WHERE u.match_id = m.id)) "
    "THEN 1 ELSE 0 END), 0) "
    "FROM bank_line l WHERE l.cooperative_id = :cooperative_id AND l.booked_on <= :day"
)
_BOOKS = text(
    "SELECT COALESCE(SUM(ll.amount), 0) FROM ledger_line ll "
    "JOIN account a ON a.id = ll.account_id "
    "JOIN journal_entry e ON e.id = ll.entry_id "
    "WHERE a.cooperative_id = :cooperative_id AND a.code = 'bank' AND e.date <= :day"
)


def _day(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


async def bank_unreconciled(session: AsyncSession, cooperative_id: int, day: dt.date) -> str | None:
    """Why the bank account is not reconciled up to `day`, or None when it is (or when the
    cooperative imports no statement)."""
    connection = await session.connection()
    params = {"cooperative_id": cooperative_id, "day": day}
    last, count = (await connection.execute(_STATEMENTS, params)).one()
    if not count:
        return None
    if _day(last) < day:
        return _(
            "The bank's statements imported stop on %(last)s: import them up to %(day)s to "
            "check the bank account before closing."
        ) % {"last": _day(last).isoformat(), "day": day.isoformat()}
    bank_total, waiting = (await connection.execute(_LINES, params)).one()
    if waiting:
        return _(
            "%(count)s bank lines up to %(day)s are not in the books yet: decide them on the "
            "bank page before closing."
        ) % {"count": int(waiting), "day": day.isoformat()}
    opening = (await connection.execute(_FIRST_OPENING, params)).scalar() or 0
    books = int((await connection.execute(_BOOKS, params)).scalar() or 0)
    bank = int(opening) + int(bank_total)
    if books != bank:
        return _(
            "On %(day)s the books' bank account is %(books)s and the bank's balance "
            "%(bank)s: the difference is explained on the bank page."
        ) % {"day": day.isoformat(), "books": money(books), "bank": money(bank)}
    return None
