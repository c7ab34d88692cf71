"""One invoiced prestation taken off its invoice: a credit note for that line alone.

A prestation that is corrected (a contest's answer) or reversed may already be billed. Its
invoice is not cancelled as a whole: a partial credit note credits just that line, in the
caller's transaction (`credit_notes.credit_in_transaction`), and the invoice's other lines stay
billed. What replaces the line (the corrected prestation) waits to be invoiced: it is on the
client's next invoice.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from governance.base import clock
from governance.ledger.billing.credit_notes import credit_in_transaction, live_invoice_of
from governance.ledger.billing.models import Invoice
from governance.members.access import Actor


async def credit_line(
    session: AsyncSession, actor: Actor, prestation_id: int, reason: str, settlement: str = ""
) -> Invoice | None:
    """Credit `prestation_id` on its live invoice, if it has one: the credit note, or None.

    Runs inside the caller's transaction; the caller checked who acts. `settlement` ("refund",
    "offset") says what becomes of money the client already paid on the line; Invalid (field
    `settlement`) when it is needed and missing.
    """
    invoice = await live_invoice_of(session, prestation_id)
    if invoice is None:
        return None
    return await credit_in_transaction(
        session, actor, invoice, [prestation_id], one_line(reason), clock.today(), settlement
    )


def one_line(reason: str, limit: int = 500) -> str:
    """A reason written on several lines (a contest's resolution) as the one line a credit
    note prints: lines joined by spaces, and cut at a word with "…" beyond `limit`."""
    joined = " ".join(reason.split())
    if len(joined) <= limit:
        return joined
    cut = joined[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"
