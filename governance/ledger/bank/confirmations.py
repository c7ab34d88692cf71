"""A coordinator decides what a waiting bank line is: one of its proposals, an open invoice
it pays, or a cost of a category. One transaction, permission-checked and audited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import lock_cooperative
from governance.base.errors import Conflict, Invalid, NotFound
from governance.base.i18n import _
from governance.ledger.bank import match_apply
from governance.ledger.bank.book_reads import book_state, live
from governance.ledger.bank.matching import MatchKind, Proposal
from governance.ledger.bank.models import BankLine, BankMatch
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative


def choice_of(line: BankLine, data: Mapping[str, Any]) -> tuple[Proposal, str]:
    """The proposal the form chose, and the cost category it names. Pure; raises Invalid."""
    category = str(data.get("category") or "").strip()
    raw = str(data.get("proposal") or "").strip()
    invoice = str(data.get("invoice_id") or "").strip()
    if raw:
        if not raw.isdigit() or int(raw) >= len(line.proposals):
            raise Invalid(_("Choose one of the proposals for this bank line."))
        return Proposal.from_dict(line.proposals[int(raw)]), category
    if invoice:
        if line.amount_cents < 0:
            raise Invalid(_("Money that left the account pays no invoice: record it as a cost."))
        if not invoice.isdigit() or len(invoice) > 12:
            raise Invalid(_("Choose an invoice of this cooperative that waits for money."))
        return Proposal(MatchKind.INVOICE, int(invoice), "chosen"), category
    if category:
        if line.amount_cents > 0:
            raise Invalid(_("Money received is not a cost: choose the invoice it pays."))
        return Proposal(MatchKind.COST, None, "chosen", category), category
    raise Invalid(_("Choose what this bank line is."))


async def confirm_line(
    session: AsyncSession, actor: Actor, line_id: int, data: Mapping[str, Any]
) -> BankMatch:
    """Raises PermissionDenied, NotFound (not this cooperative's line), Conflict (already
    matched), Invalid (a choice that does not fit, or no longer does)."""
    async with session.begin():
        await authorize(session, actor, Permission.POST_JOURNAL)
        await lock_cooperative(session, actor.cooperative_id)
        line = await session.get(BankLine, line_id)
        if line is None or line.cooperative_id != actor.cooperative_id:
            raise NotFound(_("This bank line does not exist."))
        done = await session.exec(select(BankMatch.id).where(BankMatch.line_id == line_id, live()))
        if done.first() is not None:
            raise Conflict(
                _(
                    "This bank line is already matched. If the match is wrong, reverse its "
                    "journal entry."
                )
            )
        proposal, category = choice_of(line, data)
        cooperative = await session.get(Cooperative, actor.cooperative_id)
        assert cooperative is not None
        book = await book_state(session, cooperative, line.booked_on, line.booked_on)
        return await match_apply.apply(
            session, actor, line, proposal, book, automatic=False, category=category
        )
