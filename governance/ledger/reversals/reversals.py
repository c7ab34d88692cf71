"""Reversing a validated prestation: the opposite entry in the books, and the status `reversed`.

Nothing in the journal is edited or deleted. The entry posted at validation is cancelled by
its exact opposite, dated `today` in today's open period (the prestation's own period may be
closed already), linked to it by `reverses_id`. A prestation on a live invoice is reversed
only with a credit note for its line (`credit_invoice`), or once the invoice is cancelled.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import lock_cooperative, record
from governance.base import clock
from governance.base.errors import Conflict
from governance.base.i18n import _
from governance.input.forms import Form
from governance.input.text import isolate
from governance.ledger.billing.credit_notes import credit_line, live_invoice_of
from governance.ledger.books.memos import Memo
from governance.ledger.books.models import JournalEntry
from governance.ledger.books.posting import reverse
from governance.ledger.work.models import Prestation
from governance.ledger.work.prestations import load_prestation
from governance.ledger.work.statuses import PrestationStatus
from governance.members.access import Actor, Permission, authorize

MAX_REASON_LENGTH = 500


async def reverse_prestation(
    session: AsyncSession,
    actor: Actor,
    prestation_id: int,
    reason: str,
    *,
    today: dt.date,
    credit_invoice: bool = False,
    settlement: str = "",
) -> Prestation:
    """Cancel a validated prestation in the books, with a reason the member reads.

    Posts the opposite of its validation entry on `today` and marks it `reversed`, in one
    transaction with its audit event. Raises PermissionDenied (coordinators only), Invalid
    (no reason or a reason over 500 characters; today's period is not open), NotFound
    (another cooperative's prestation), Conflict (not validated, already reversed, or on an
    invoice that is not cancelled and `credit_invoice` is false). With `credit_invoice`, a
    prestation on a live invoice is credited alone by a credit note, in the same transaction
    (`line_credit.credit_line`): the invoice's other lines stay billed.
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
        invoice = await live_invoice_of(session, prestation_id)
        credit_note = None
        if invoice is not None and not credit_invoice:
            raise Conflict(
                _(
                    "This prestation is on the invoice %(reference)s. Tick “Credit this line "
                    "on its invoice” to credit only this line by a credit note, or cancel "
                    "that invoice by a credit note first."
                )
                % {"reference": isolate(invoice.reference)}
            )
        if invoice is not None:
            credit_note = await credit_line(session, actor, prestation_id, clean, settlement)
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
                "credit_note_id": credit_note.id if credit_note is not None else None,
            },
        )
    return prestation
