"""Invoices and client payments. An invoice groups a client's validated prestations of one
month; its number is sequential per cooperative and year without gaps, taken in the same
transaction as the invoice. The receivable was posted when the work was validated (net of
VAT), so issuing an invoice posts only its VAT, when the cooperative is subject to VAT (Dr
receivable:<client> / Cr vat:payable); a payment posts Dr bank / Cr receivable:<client> and
is allocated to invoices. Credit notes: ledger/credit_notes.py; reads: ledger/invoice_views.py.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from stdnum.be import ogm_vcs

from governance.audit.service import lock_cooperative, record
from governance.base import clock
from governance.base.errors import Invalid
from governance.base.i18n import _
from governance.language.months import Month, is_month
from governance.ledger.billing.invoice_views import (
    Ageing,
    InvoiceView,
    ageing_of,
    billed,
    reversed_payment_ids,
    views_of,
)
from governance.ledger.billing.models import (
    Invoice,
    InvoiceCounter,
    InvoiceKind,
    InvoiceLine,
    Payment,
)
from governance.ledger.billing.vat_amounts import vat_of
from governance.ledger.books.journal import Posting
from governance.ledger.books.memos import Memo
from governance.ledger.books.models import Client
from governance.ledger.books.posting import insert_missing, post
from governance.ledger.books.reading import may_read_books
from governance.ledger.work.models import Prestation
from governance.ledger.work.statuses import PrestationStatus
from governance.members import vat
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative

PAYMENT_TERM_DAYS = 30


def communication_for(cooperative_id: int, year: int, number: int) -> str:
    """The 12 digits of the Belgian structured communication (mod 97 check digits)."""
    base = f"{cooperative_id % 1000:03d}{year % 100:02d}{number % 100000:05d}"
    return base + ogm_vcs.calc_check_digits(base)


def structured(communication: str) -> str:
    return f"+++{ogm_vcs.format(communication)}+++"


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    if not is_month(month):
        raise Invalid(_("Choose a month."), {"month": _("Choose a month.")})
    chosen = Month.parse(month)
    return chosen.first_day, chosen.next.first_day


async def next_number(session: AsyncSession, cooperative_id: int, year: int) -> int:
    """The next number of the year; the counter row is locked until this transaction ends."""
    await insert_missing(
        session, InvoiceCounter, {"cooperative_id": cooperative_id, "year": year, "last_number": 0}
    )
    connection = await session.connection()
    result = await connection.execute(
        update(InvoiceCounter)
        .where(
            col(InvoiceCounter.cooperative_id) == cooperative_id, col(InvoiceCounter.year) == year
        )
        .values(last_number=col(InvoiceCounter.last_number) + 1)
        .returning(col(InvoiceCounter.last_number))
    )
    return int(result.scalar_one())


async def client_of(session: AsyncSession, actor: Actor, client_id: int) -> Client:
    client = await session.get(Client, client_id)
    if client is None or client.cooperative_id != actor.cooperative_id:
        message = _("Choose a client of this cooperative.")
        raise Invalid(message, {"client_id": message})
    return client


async def post_vat(
    session: AsyncSession,
    actor: Actor,
    document: Invoice,
    vat_cents: int,
    code: str,
    today: dt.date,
) -> None:
    """The VAT of an invoice (positive: Dr receivable:<client> / Cr vat:payable) or of a credit
    note (negative: the opposite), dated `today`, in the caller's transaction. Nothing when 0."""
    if vat_cents == 0:
        return
    await post(
        session,
        cooperative_id=actor.cooperative_id,
        day=today,
        kind="invoice",
        memo=Memo(code, {"reference": document.reference}),
        author_id=actor.person_id,
        postings=[
            Posting(f"receivable:{document.client_id}", vat_cents),
            Posting("vat:payable", -vat_cents),
        ],
    )


async def issue_invoice(
    session: AsyncSession, actor: Actor, client_id: int, month: str, today: dt.date
) -> Invoice:
    """Invoice a client's validated, not yet invoiced prestations of `month`.

    Raises PermissionDenied (coordinators only), Invalid (another cooperative's client, a bad
    month, nothing to invoice).
    """
    async with session.begin():
        await authorize(session, actor, Permission.POST_JOURNAL)
        first, after = month_bounds(month)
        await client_of(session, actor, client_id)
        # Two invoices for one client and month at once (or an invoice and a reversal) queue
        # here; the second then sees what the first wrote and bills nothing twice.
        await lock_cooperative(session, actor.cooperative_id)
        # A prestation whose line a credit note took back can be invoiced again.
        rows = list(
            (
                await session.exec(
                    select(Prestation)
                    .where(
                        Prestation.cooperative_id == actor.cooperative_id,
                        Prestation.client_id == client_id,
                        Prestation.status == PrestationStatus.VALIDATED,
                        Prestation.date >= first,
                        Prestation.date < after,
                        ~billed(Prestation.id),
                    )
                    .order_by(col(Prestation.date), col(Prestation.id))
                )
            ).all()
        )
        if not rows:
            raise Invalid(_("Nothing to invoice for this client and month."))
        number = await next_number(session, actor.cooperative_id, today.year)
        cooperative = await session.get(Cooperative, actor.cooperative_id)
        assert cooperative is not None
        rate = vat.rate_of(cooperative.settings)
        net = sum(p.amount_cents + p.travel_cents for p in rows)
        vat_cents = vat_of(net, rate)
        total = net + vat_cents
        invoice = Invoice(
            cooperative_id=actor.cooperative_id,
            client_id=client_id,
            kind=InvoiceKind.INVOICE,
            year=today.year,
            number=number,
            month=month,
            issued_on=today,
            due_on=today + dt.timedelta(days=PAYMENT_TERM_DAYS),
            total_cents=total,
            vat_rate=rate,
            vat_cents=vat_cents,
            communication=communication_for(actor.cooperative_id, today.year, number),
            issued_by_id=actor.person_id,
            created_at=clock.now(),
        )
        session.add(invoice)
        await session.flush()
        assert invoice.id is not None
        await post_vat(session, actor, invoice, vat_cents, "invoice_vat", today)
        session.add_all(
            [
                InvoiceLine(
                    invoice_id=invoice.id,
                    prestation_id=p.id or 0,
                    amount_cents=p.amount_cents + p.travel_cents,
                )
                for p in rows
            ]
        )
        await session.flush()
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="invoice.issued",
            subject_type="invoice",
            subject_id=invoice.id,
            data={
                "reference": invoice.reference,
                "client_id": client_id,
                "month": month,
                "total_cents": total,
                "vat_cents": vat_cents,
                "prestations": [p.id for p in rows],
            },
        )
    return invoice


async def invoices_of(
    session: AsyncSession, actor: Actor, client_id: int | None = None
) -> list[InvoiceView]:
    """Invoices and credit notes, newest first, with what was paid and credited on each."""
    async with session.begin():
        await authorize(session, actor, Permission.READ_COOPERATIVE)
        query = (
            select(Invoice, Client.name)
            .join(Client, col(Client.id) == Invoice.client_id)
            .where(Invoice.cooperative_id == actor.cooperative_id)
        )
        if client_id is not None:
            query = query.where(Invoice.client_id == client_id)
        rows = (
            await session.exec(query.order_by(col(Invoice.year).desc(), col(Invoice.number).desc()))
        ).all()
        cancelled = set(
            (
                await session.exec(
                    select(Invoice.cancels_id).where(
                        Invoice.cooperative_id == actor.cooperative_id,
                        col(Invoice.cancels_id).is_not(None),
                    )
                )
            ).all()
        )
        return await views_of(session, rows, {i for i in cancelled if i is not None})


async def client_ageing(
    session: AsyncSession, actor: Actor, client_id: int, today: dt.date
) -> Ageing:
    """What a client owes and since when, by 30-day buckets past the due date."""
    views = await invoices_of(session, actor, client_id=client_id)
    async with session.begin():
        await may_read_books(session, actor)
        paid_total = int(
            (
                await session.exec(
                    select(func.sum(Payment.amount_cents)).where(
                        Payment.cooperative_id == actor.cooperative_id,
                        Payment.client_id == client_id,
                        col(Payment.id).not_in(reversed_payment_ids()),
                    )
                )
            ).one()
            or 0
        )
    return ageing_of(views, paid_total, today)
