"""Writing to the journal inside a caller's transaction: accounts, periods, entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import lock_cooperative, record
from governance.base import clock
from governance.base.db import bulk_insert, dialect_of
from governance.base.errors import Conflict, Invalid, NotFound
from governance.base.i18n import _
from governance.language.months import Month
from governance.ledger.books.journal import (
    Posting,
    account_type,
    check_balanced,
    month_of,
    reversal,
)
from governance.ledger.books.kinds import PeriodState, state_name
from governance.ledger.books.memos import Memo
from governance.ledger.books.models import Account, JournalEntry, LedgerLine, Period


async def insert_missing(session: AsyncSession, model: Any, values: dict[str, Any]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two requests creating the same row both succeed."""
    dialect = dialect_of(session)
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    connection = await session.connection()
    await connection.execute(insert(model).values(**values).on_conflict_do_nothing())


async def period_for(session: AsyncSession, cooperative_id: int, day: dt.date) -> Period:
    """The period of `day`, created open on first use."""
    month = month_of(day)
    query = select(Period).where(Period.cooperative_id == cooperative_id, Period.month == month)
    period = (await session.exec(query)).first()
    if period is None:
        await insert_missing(
            session,
            Period,
            {
                "cooperative_id": cooperative_id,
                "month": month,
                "state": PeriodState.OPEN.value,
                "created_at": clock.now(),
            },
        )
        period = (await session.exec(query)).one()
    return period


async def existing_period(session: AsyncSession, cooperative_id: int, month: str) -> Period:
    """The month's period; NotFound when nothing was ever recorded in it (never created here)."""
    period = (
        await session.exec(
            select(Period).where(Period.cooperative_id == cooperative_id, Period.month == month)
        )
    ).first()
    if period is None:
        raise NotFound(_("This period does not exist."))
    return period


def next_month(month: str) -> str:
    return str(Month.parse(month).next)


async def _period_of_month(session: AsyncSession, cooperative_id: int, month: str) -> Period:
    return await period_for(session, cooperative_id, dt.date(int(month[:4]), int(month[5:7]), 1))


async def open_period_for(
    session: AsyncSession,
    cooperative_id: int,
    day: dt.date,
    field: str = "date",
) -> Period:
    """The period that takes what is dated `day`.

    The period of `day` when it is open. When it is closed, or earlier than the last closed
    month, the first open period after the last closed one: what is dated there is an
    adjustment of a later month, never a change to a closed one (nor a past month opened
    anew). When it is under review (frozen until its close), Invalid naming the period.
    """
    latest_closed = (
        await session.exec(
            select(Period.month)
            .where(Period.cooperative_id == cooperative_id, Period.state == PeriodState.CLOSED)
            .order_by(col(Period.month).desc())
            .limit(1)
        )
    ).first()
    month = month_of(day)
    if latest_closed is not None and month <= latest_closed:
        # Closed, or a month never opened before the last close (a gap, a typo in the year):
        # either way an adjustment of the first open period after the last closed one.
        month = latest_closed
        period = await _period_of_month(session, cooperative_id, month)
        while period.state != PeriodState.OPEN:
            month = next_month(month)
            period = await _period_of_month(session, cooperative_id, month)
        return period
    period = await period_for(session, cooperative_id, day)
    if period.state == PeriodState.REVIEW:
        message = _("The period %(month)s is %(state)s: nothing dated in it can change.") % {
            "month": period.month,
            "state": state_name(period.state),
        }
        raise Invalid(message, {field: message})
    return period


# Above this many codes, accounts_for reads all the cooperative's accounts rather than a list.
MANY_ACCOUNTS = 50


async def _account_ids(
    session: AsyncSession, cooperative_id: int, codes: Sequence[str]
) -> dict[str, int]:
    """Id by code of those of `codes` that exist. Above MANY_ACCOUNTS codes (a close: a line
    per member) all the cooperative's accounts are read, one parameter instead of a thousand
    codes to bind and send."""
    query = select(Account.code, Account.id).where(Account.cooperative_id == cooperative_id)
    if len(codes) <= MANY_ACCOUNTS:
        query = query.where(col(Account.code).in_(codes))
    wanted = set(codes)
    return {
        code: id_
        for code, id_ in (await session.exec(query)).all()
        if id_ is not None and code in wanted
    }


async def accounts_for(
    session: AsyncSession, cooperative_id: int, codes: Sequence[str]
) -> tuple[dict[str, int], set[int]]:
    """Account id by code, creating the missing accounts (three statements whatever the count),
    and the ids of the accounts created here (no line yet)."""
    wanted = sorted(set(codes))
    found = await _account_ids(session, cooperative_id, wanted)
    missing = [code for code in wanted if code not in found]
    if not missing:
        return found, set()
    # Accounts are created here only, under the cooperative's lock (post): no one else can
    # create the same code meanwhile, so the rows go in as one bulk insert.
    now = clock.now()
    rows = [
        {
            "cooperative_id": cooperative_id,
            "code": code,
            "type": account_type(code).value,
            "created_at": now,
        }
        for code in missing
    ]
    await bulk_insert(session, Account.__table__, rows)  # type: ignore[attr-defined]
    new = await _account_ids(session, cooperative_id, missing)
    # Under the cooperative's lock nobody else writes lines: a new account has none.
    return found | new, set(new.values())


async def latest_balances(
    session: AsyncSession, account_ids: Sequence[int], new: set[int]
) -> dict[int, int]:
    """Each account's balance after its latest line: 0 for the `new` accounts (no line yet),
    one index lookup on (account_id, id) for each of the others."""
    balances = dict.fromkeys(new, 0)
    for account_id in account_ids:
        if account_id not in new:
            balances[account_id] = await balance_of(session, account_id)
    return balances


async def balance_of(session: AsyncSession, account_id: int, up_to_id: int | None = None) -> int:
    """The account's balance after its latest line (up to line `up_to_id` if given): one
    index lookup on (account_id, id); 0 before any line."""
    # The account as a range, ordered like the (account_id, id) index: with `account_id = x`
    # a generic plan (prepared statements) may walk the primary key backwards through the
    # whole journal for an account without lines.
    query = select(LedgerLine.balance).where(
        col(LedgerLine.account_id) >= account_id, col(LedgerLine.account_id) <= account_id
    )
    if up_to_id is not None:
        query = query.where(col(LedgerLine.id) <= up_to_id)
    latest = await session.exec(
        query.order_by(col(LedgerLine.account_id).desc(), col(LedgerLine.id).desc()).limit(1)
    )
    return latest.first() or 0


async def post(
    session: AsyncSession,
    *,
    cooperative_id: int,
    day: dt.date,
    kind: str,
    memo: Memo | str,
    author_id: int | None,
    postings: Sequence[Posting],
    reverses_id: int | None = None,
    into_review: str | None = None,
) -> JournalEntry:
    """Write one balanced entry dated `day`, and its audit event.

    The entry goes into the period open_period_for(day) gives: `day`'s own, or the next open
    one when `day`'s month is closed (an adjustment keeping its real date). `into_review`
    names instead a month under review that takes the entry: only the close itself and a
    coordinator's correction of a contested line write there. `memo` is a Memo (a code the
    pages render in the reader's language); plain text is kept as it is, with no code. Raises
    UnbalancedEntry (a programming error: callers build the postings) and Invalid when the
    period of `day` is under review, or `into_review` is not.
    """
    check_balanced(postings)
    # Running balances are read then written: writers of one cooperative queue here.
    await lock_cooperative(session, cooperative_id)
    if into_review is None:
        period = await open_period_for(session, cooperative_id, day)
    else:
        period = await _period_of_month(session, cooperative_id, into_review)
        if period.state != PeriodState.REVIEW:
            raise Invalid(_("The period %(month)s is not under review.") % {"month": into_review})
    entry = JournalEntry(
        cooperative_id=cooperative_id,
        period=period.month,
        date=day,
        kind=kind,
        memo=memo.english() if isinstance(memo, Memo) else memo[:300],
        memo_code=memo.code if isinstance(memo, Memo) else "",
        memo_args=dict(memo.args) if isinstance(memo, Memo) else {},
        author_id=author_id,
        reverses_id=reverses_id,
        created_at=clock.now(),
    )
    session.add(entry)
    await session.flush()
    assert entry.id is not None
    accounts, new = await accounts_for(session, cooperative_id, [p.account for p in postings])
    balances = await latest_balances(session, sorted(set(accounts.values())), new)
    lines = []
    for posting in postings:
        account_id = accounts[posting.account]
        balances[account_id] += posting.amount
        lines.append(
            {
                "entry_id": entry.id,
                "cooperative_id": cooperative_id,
                "period": period.month,
                "account_id": account_id,
                "amount": posting.amount,
                "balance": balances[account_id],
            }
        )
    # One statement, no RETURNING: a close writes a line per member.
    await bulk_insert(session, LedgerLine.__table__, lines)  # type: ignore[attr-defined]
    await record(
        session,
        cooperative_id=cooperative_id,
        actor_id=author_id,
        action="journal.posted",
        subject_type="journal_entry",
        subject_id=entry.id,
        data={
            "kind": kind,
            "date": day.isoformat(),
            "period": period.month,
            "reverses_id": reverses_id,
            "lines": [[p.account, p.amount] for p in postings],
        },
    )
    return entry


async def entry_postings(session: AsyncSession, entry_id: int) -> list[Posting]:
    rows = await session.exec(
        select(Account.code, LedgerLine.amount)
        .join(Account, col(Account.id) == LedgerLine.account_id)
        .where(LedgerLine.entry_id == entry_id)
        .order_by(col(LedgerLine.id))
    )
    return [Posting(code, amount) for code, amount in rows.all()]


async def reverse(
    session: AsyncSession,
    entry: JournalEntry,
    *,
    day: dt.date,
    memo: Memo | str,
    author_id: int | None,
    into_review: str | None = None,
) -> JournalEntry:
    """Post the exact opposite of `entry` on `day`. Conflict if it was already reversed."""
    assert entry.id is not None
    already = (
        await session.exec(select(JournalEntry.id).where(JournalEntry.reverses_id == entry.id))
    ).first()
    if already is not None or entry.reverses_id is not None:
        raise Conflict(_("This entry has already been reversed, or is itself a reversal."))
    return await post(
        session,
        cooperative_id=entry.cooperative_id,
        day=day,
        kind="reversal",
        memo=memo,
        author_id=author_id,
        postings=reversal(await entry_postings(session, entry.id)),
        reverses_id=entry.id,
        into_review=into_review,
    )
