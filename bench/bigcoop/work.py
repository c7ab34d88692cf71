"""A month of the big cooperative's work, in bulk: each member records and submits their
prestations (as `work.prestations.record_prestation(submit=True)` would), a coordinator
validates them (as `validate_prestations` would: an entry Dr `receivable:<client>` / Cr
`revenue` through the same `journal.prestation_postings`, the same memo code), and the audit
events those services write are appended to the chain in bulk, with the hashes they would
have had: `prestation.recorded` (the member), then for each validation `journal.posted` and
`prestation.validated` (the coordinator).

The rows go in with `db.bulk_insert` (COPY on PostgreSQL, executemany on SQLite), the period
and the accounts through the books' own `open_period_for` and `accounts_for`, the running
balances from `latest_balances` onwards, as the triggers want them (on PostgreSQL the per-row
triggers are skipped while filling, as in bench/cooperative.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bench.bigcoop.chain import BulkChain, advance_sequences
from bench.cooperative import KINDS, month_day
from bench.databases import lines_added_without_trigger, next_id
from governance.base.db import bulk_insert
from governance.language.months import Month
from governance.ledger.books.journal import prestation_postings
from governance.ledger.books.memos import Memo
from governance.ledger.books.models import JournalEntry, LedgerLine
from governance.ledger.books.posting import accounts_for, latest_balances, open_period_for
from governance.ledger.work.models import Prestation
from governance.ledger.work.statuses import PrestationStatus

BATCH = 5_000  # prestations per batch of rows


async def fill_month(
    session: AsyncSession,
    cooperative_id: int,
    coordinator_id: int,
    member_ids: list[int],
    clients: list[tuple[int, int]],
    month: str,
    per_month: int,
    offset: int,
    at: dt.datetime,
) -> int:
    """`per_month` validated prestations of `month` with their entries, lines and audit events,
    in the caller's transaction; the income in cents. `offset` varies who works for whom from
    one month to the next. Events are timed from `at` on, a millisecond apart."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
    period = await open_period_for(session, cooperative_id, Month.parse(month).first_day)
    codes = ["revenue"] + [f"receivable:{cid}" for cid, _ in clients]
    accounts, new = await accounts_for(session, cooperative_id, codes)
    balances = await latest_balances(session, sorted(set(accounts.values())), new)
    ids = {name: await next_id(connection, name) for name in ("journal_entry", "ledger_line")}
    prestation_id = await next_id(connection, "prestation")
    entry_id, line_id = ids["journal_entry"], ids["ledger_line"]
    chain = await BulkChain.open(session, cooperative_id)
    members_n = len(member_ids)
    income = 0
    tick = dt.timedelta(milliseconds=1)
    for first in range(0, per_month, BATCH):
        prestations: list[dict[str, Any]] = []
        entries: list[dict[str, Any]] = []
        lines: list[dict[str, Any]] = []
        batch = range(first, min(first + BATCH, per_month))
        for i in batch:
            j = i + offset
            member_id = member_ids[i % members_n]
            client_id, rate = clients[(j // 7) % len(clients)]
            day = month_day(month, j)
            minutes = 15 * (1 + j % 12)
            amount = minutes * rate // 60
            recorded_at = at + tick * i
            row: dict[str, Any] = {
                "id": prestation_id + i,
                "cooperative_id": cooperative_id,
                "member_id": member_id,
                "client_id": client_id,
                "date": day,
                "start_time": None,
                "duration_minutes": minutes,
                "rate_cents": rate,
                "amount_cents": amount,
                "travel_cents": 0,
                "kind": KINDS[j % len(KINDS)],
                "languages": ["fa"],
                "note": "",
                "status": PrestationStatus.VALIDATED.value,
                "rejection_reason": "",
                "idempotency_key": None,
                "request_fingerprint": "",
                "created_by_id": member_id,
                "created_at": recorded_at,
                "decided_by_id": coordinator_id,
                "decided_at": recorded_at,
                "entry_id": entry_id + i,
            }
            prestations.append(row)
            income += amount
            chain.append(
                at=recorded_at,
                actor_id=member_id,
                action="prestation.recorded",
                subject_type="prestation",
                subject_id=row["id"],
                data={
                    "member_id": member_id,
                    "client_id": client_id,
                    "date": day.isoformat(),
                    "duration_minutes": minutes,
                    "rate_cents": rate,
                    "amount_cents": amount,
                    "travel_cents": 0,
                    "kind": row["kind"],
                    "status": PrestationStatus.SUBMITTED.value,
                },
            )
        # The coordinator validates the batch: an entry, its lines, two events each.
        for row in prestations:
            memo = Memo("prestation", {"prestation": row["id"]})
            postings = prestation_postings(
                row["client_id"], row["member_id"], row["amount_cents"], 0
            )
            entries.append(
                {
                    "id": row["entry_id"],
                    "cooperative_id": cooperative_id,
                    "period": period.month,
                    "date": row["date"],
                    "kind": "prestation",
                    "memo": memo.english(),
                    "memo_code": memo.code,
                    "memo_args": dict(memo.args),
                    "author_id": coordinator_id,
                    "idempotency_key": None,
                    "reverses_id": None,
                    "created_at": row["decided_at"],
                }
            )
            for posting in postings:
                account_id = accounts[posting.account]
                balances[account_id] += posting.amount
                lines.append(
                    {
                        "id": line_id,
                        "entry_id": row["entry_id"],
                        "cooperative_id": cooperative_id,
                        "period": period.month,
                        "account_id": account_id,
                        "amount": posting.amount,
                        "balance": balances[account_id],
                    }
                )
                line_id += 1
            chain.append(
                at=row["decided_at"],
                actor_id=coordinator_id,
                action="journal.posted",
                subject_type="journal_entry",
                subject_id=row["entry_id"],
                data={
                    "kind": "prestation",
                    "date": row["date"].isoformat(),
                    "period": period.month,
                    "reverses_id": None,
                    "lines": [[p.account, p.amount] for p in postings],
                },
            )
            chain.append(
                at=row["decided_at"],
                actor_id=coordinator_id,
                action="prestation.validated",
                subject_type="prestation",
                subject_id=row["id"],
                data={"entry_id": row["entry_id"], "amount_cents": row["amount_cents"]},
            )
        await bulk_insert(session, JournalEntry.__table__, entries)  # type: ignore[attr-defined]
        await bulk_insert(session, LedgerLine.__table__, lines)  # type: ignore[attr-defined]
        await bulk_insert(session, Prestation.__table__, prestations)  # type: ignore[attr-defined]
        await chain.flush(session)
    await chain.flush(session, force=True)
    await lines_added_without_trigger(connection, ids["ledger_line"], line_id)
    await advance_sequences(
        session, ("journal_entry", "ledger_line", "prestation", "audit_event", "account")
    )
    return income
