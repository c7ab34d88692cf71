"""Reversing a validated prestation: the opposite entry in the books, and the status `reversed`.

Nothing in the journal is edited or deleted. The entry posted at validation is cancelled by
its exact opposite, dated `today` in today's open period (the prestation's own period may be
closed already), linked to it by `reverses_id`. A prestation on a live invoice cannot be
reversed: the invoice is cancelled by a credit note first.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance import clock
from governance.audit.service import lock_cooperative, record
from governance.errors import Conflict
from governance.forms import Form
from governance.i18n import _
from governance.ledger.memos import Memo
from governance.ledger.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    JournalEntry,
    Prestation,
    PrestationStatus,
)
from governance.ledger.posting import reverse
from governance.ledger.prestations import load_prestation
from governance.members.access import Actor, Permission, authorize

MAX_REASON_LENGTH = 500


async def _live_invoice(session: AsyncSession, prestation_id: int) -> Invoice | None:
    """The invoice that bills this prestation and that no credit note cancels, if any."""
    cancelled = select(Invoice.cancels_id).where(col(Invoice.cancels_id).is_not(None))
    return (
        await session.exec(
            select(Invoice)
            .join(InvoiceLine, col(InvoiceLine.invoice_id) == Invoice.id)
            .where(
                InvoiceLine.prestation_id == prestation_id,
                Invoice.kind == InvoiceKind.INVOICE,
                col(Invoice.id).not_in(cancelled),
            )
            .limit(1)
        )
    ).first()


async def reverse_prestation(
    session: AsyncSession, actor: Actor, prestation_id: int, reason: str, *, today: dt.date
) -> Prestation:
    """Cancel a validated prestation in the books, with a reason the member reads.

    Posts the opposite of its validation entry on `today` and marks it `reversed`, in one
    transaction with its audit event. Raises PermissionDenied (coordinators only), Invalid
    (no reason or a reason over 500 characters; today's period is not open), NotFound
    (another cooperative's prestation), Conflict (not validated, already reversed, or on an
    invoice that is not cancelled).
    """
    async with session.begin():
        await authorize(session, actor, Permission.VALIDATE_WORK)
        form = Form({"reason": reason})
        clean = form.text("reason", max_length=MAX_REASON_LENGTH)
        form.done()
        # The cooperative's writer lock, as validation and invoicing take it, before the
        # prestation is read: two reversals, or a reversal and an invoice, run one after
        # the other, and the second sees what the first wrote.
        await lock_cooperative(session, actor.cooperative_id)
        prestation = await load_prestation(session, actor, prestation_id)
        if prestation.status == PrestationStatus.REVERSED:
            raise Conflict(_("This prestation has already been reversed."))
        if prestation.status != PrestationStatus.VALIDATED or prestation.entry_id is None:
            raise Conflict(_("Only a validated prestation can be reversed."))
        invoice = await _live_invoice(session, prestation_id)
        if invoice is not None:
            raise Conflict(
                _(
                    "This prestation is on the invoice %(reference)s. Cancel that invoice by "
                    "a credit note first, then reverse the prestation."
                )
                % {"reference": invoice.reference}
            )
        original = await session.get(JournalEntry, prestation.entry_id)
        assert original is not None
        # posting.reverse refuses a second reversal of the entry, and the unique
        # reverses_id constraint refuses it in the database if anything slips past.
        entry = await reverse(
            session,
            original,
            day=today,
            memo=Memo("prestation_reversal", {"prestation": prestation.id}),
            author_id=actor.person_id,
        )
        prestation.status = PrestationStatus.REVERSED
        prestation.rejection_reason = clean
        prestation.decided_by_id = actor.person_id
        prestation.decided_at = clock.now()
        session.add(prestation)
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="prestation.reversed",
            subject_type="prestation",
            subject_id=prestation.id,
            data={
                "before": "validated",
                "after": "reversed",
                "reason": clean,
                "entry_id": entry.id,
                "reverses_id": original.id,
                "amount_cents": prestation.amount_cents,
                "travel_cents": prestation.travel_cents,
                "date": today.isoformat(),
            },
        )
    return prestation
