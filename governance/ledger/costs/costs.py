"""Costs: what the cooperative pays, by category. Each posts Dr expense / Cr bank."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import record
from governance.base import clock
from governance.base.errors import Invalid
from governance.base.i18n import _
from governance.input.forms import Form
from governance.ledger.books.journal import Posting
from governance.ledger.books.memos import Memo
from governance.ledger.books.models import JournalEntry
from governance.ledger.books.posting import post
from governance.ledger.costs.models import Cost
from governance.ledger.work.work_dates import window_of
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative

DEFAULT_CATEGORIES = (
    "rent",
    "insurance",
    "accounting",
    "training",
    "equipment",
    "travel",
    "bank_fees",
    "other",
)
CATEGORY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}\Z")


def categories_of(settings: Mapping[str, Any]) -> tuple[str, ...]:
    found = settings.get("cost_categories")
    if (
        isinstance(found, list)
        and found
        and all(isinstance(c, str) and CATEGORY_RE.match(c) for c in found)
    ):
        return tuple(found)
    return DEFAULT_CATEGORIES


@dataclass(frozen=True)
class CostInput:
    date: dt.date
    category: str
    supplier: str
    note: str
    amount_cents: int


def parse_cost(data: Mapping[str, Any], *, language: str, categories: Sequence[str]) -> CostInput:
    """Clean a cost form; Invalid names every bad field. Pure."""
    form = Form(data)
    day = form.day("date")
    category = form.choice("category", categories)
    supplier = form.text("supplier", max_length=160)
    note = form.text("note", max_length=500, required=False)
    amount = form.money("amount", language, required=True)
    form.done()
    assert day is not None and amount is not None
    return CostInput(date=day, category=category, supplier=supplier, note=note, amount_cents=amount)


async def record_cost(
    session: AsyncSession, actor: Actor, data: Mapping[str, Any], *, language: str, today: dt.date
) -> Cost:
    """A coordinator records a cost paid from the bank.

    Raises PermissionDenied, Invalid (bad fields, a date ahead of today, a period that is not
    open).
    """
    async with session.begin():
        await authorize(session, actor, Permission.POST_JOURNAL)
        cooperative = await session.get(Cooperative, actor.cooperative_id)
        assert cooperative is not None
        clean = parse_cost(data, language=language, categories=categories_of(cooperative.settings))
        if clean.date > today:
            message = _("A cost cannot be dated in the future.")
            raise Invalid(message, {"date": message})
        # The same lower bound as work (prestation_max_age_days): 0001-01-01 is a typo.
        too_old = window_of(cooperative.settings, today).problem(clean.date)
        if too_old is not None:
            raise Invalid(too_old, {"date": too_old})
        return await post_cost(session, actor, clean)


async def post_cost(
    session: AsyncSession,
    actor: Actor,
    clean: CostInput,
    *,
    extra: Mapping[str, Any] | None = None,
) -> Cost:
    """Post a cost inside the caller's transaction, which has checked the permission
    (record_cost, a bank statement's debit confirmed as a cost)."""
    entry = await post(
        session,
        cooperative_id=actor.cooperative_id,
        day=clean.date,
        kind="cost",
        memo=Memo("cost", {"category": clean.category, "supplier": clean.supplier}),
        author_id=actor.person_id,
        postings=[
            Posting(f"expense:{clean.category}", clean.amount_cents),
            Posting("bank", -clean.amount_cents),
        ],
    )
    assert entry.id is not None
    cost = Cost(
        cooperative_id=actor.cooperative_id,
        date=clean.date,
        category=clean.category,
        supplier=clean.supplier,
        note=clean.note,
        amount_cents=clean.amount_cents,
        entry_id=entry.id,
        created_by_id=actor.person_id,
        created_at=clock.now(),
    )
    session.add(cost)
    await session.flush()
    await record(
        session,
        cooperative_id=actor.cooperative_id,
        actor_id=actor.person_id,
        action="cost.recorded",
        subject_type="cost",
        subject_id=cost.id,
        data={
            "date": clean.date.isoformat(),
            "category": clean.category,
            "supplier": clean.supplier,
            "amount_cents": clean.amount_cents,
            "entry_id": entry.id,
            **(extra or {}),
        },
    )
    return cost


async def costs_of(
    session: AsyncSession, actor: Actor, *, limit: int = 200
) -> tuple[list[Cost], set[int]]:
    """The latest costs (everyone in the cooperative may read them), and the ids of those
    whose entry was reversed (a bank statement's match undone): they no longer count."""
    async with session.begin():
        await authorize(session, actor, Permission.READ_COOPERATIVE)
        rows = list(
            (
                await session.exec(
                    select(Cost)
                    .where(Cost.cooperative_id == actor.cooperative_id)
                    .order_by(col(Cost.date).desc(), col(Cost.id).desc())
                    .limit(limit)
                )
            ).all()
        )
        reversed_entries = set(
            (
                await session.exec(
                    select(JournalEntry.reverses_id).where(
                        col(JournalEntry.reverses_id).in_([c.entry_id for c in rows])
                    )
                )
            ).all()
        )
        return rows, {c.id or 0 for c in rows if c.entry_id in reversed_entries}
