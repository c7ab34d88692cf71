"""Undoing a bank line's wrong match: what it wrote in the books is reversed (a reversing
entry, as every correction), the match is marked undone (`BankUndo`), and the line waits
again for the right decision. One transaction, permission-checked and audited.

A payment recorded from the line no longer pays its invoice (billing leaves reversed payments
out), a cost is taken back, a returned transfer is owed again no more; a movement typed by
hand that was linked is free again. A payout transfer the bank showed is not undone here: the
bank did pay it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import lock_cooperative, record
from governance.base import clock
from governance.base.errors import Conflict, NotFound
from governance.base.i18n import _
from governance.input.forms import Form
from governance.ledger.bank.book_reads import live
from governance.ledger.bank.matching import MatchKind
from governance.ledger.bank.models import BankLine, BankMatch, BankUndo
from governance.ledger.books.memos import Memo
from governance.ledger.books.models import JournalEntry
from governance.ledger.books.posting import reverse
from governance.members.access import Actor, Permission, authorize

REVERSED = (MatchKind.INVOICE, MatchKind.COST, MatchKind.PAYOUT_RETURN)


async def undo_match(
    session: AsyncSession, actor: Actor, line_id: int, data: Mapping[str, Any]
) -> BankUndo:
    """Raises PermissionDenied, NotFound (not this cooperative's line), Conflict (not matched;
    a payout transfer), Invalid (no reason)."""
    form = Form(data)
    reason = form.text("reason", max_length=500)
    form.done()
    async with session.begin():
        await authorize(session, actor, Permission.POST_JOURNAL)
        await lock_cooperative(session, actor.cooperative_id)
        line = await session.get(BankLine, line_id)
        if line is None or line.cooperative_id != actor.cooperative_id:
            raise NotFound(_("This bank line does not exist."))
        match = (
            await session.exec(select(BankMatch).where(BankMatch.line_id == line_id, live()))
        ).first()
        if match is None:
            raise Conflict(_("This bank line is not matched: there is nothing to undo."))
        if match.kind == MatchKind.PAYOUT:
            raise Conflict(
                _(
                    "The bank paid this payout transfer: its match stays. If the member did "
                    "not receive it, the bank's return will show on a later statement."
                )
            )
        reversal = None
        if match.kind in REVERSED and match.entry_id is not None:
            entry = await session.get(JournalEntry, match.entry_id)
            assert entry is not None
            reversal = await reverse(
                session,
                entry,
                day=clock.today(),
                memo=Memo("bank_undo", {"line": line_id}),
                author_id=actor.person_id,
            )
        undo = BankUndo(
            cooperative_id=actor.cooperative_id,
            match_id=match.id or 0,
            reversal_entry_id=reversal.id if reversal else None,
            reason=reason,
            decided_by_id=actor.person_id,
            created_at=clock.now(),
        )
        session.add(undo)
        await session.flush()
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="bank.match_undone",
            subject_type="bank_line",
            subject_id=line_id,
            data={
                "kind": str(match.kind),
                "date": line.booked_on.isoformat(),
                "entry_id": match.entry_id,
                "reversal_entry_id": undo.reversal_entry_id,
                "reason": reason,
            },
        )
    return undo
