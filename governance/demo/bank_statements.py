"""The demo's month of bank statements, written from its books as the bank would see them.

`month_statement` reads a cooperative's books and writes the statement of the current month,
from its first day to `today`: every movement of the books' bank account this month (client
payments and costs typed by hand, the payout batch's transfers one by one, with their
end-to-end ids), then what the bank has and the books do not yet: the first open invoice paid
with its structured communication (matched on import), the second paid without it by a client
of that name (proposed), a payment of 100.00 with a loose text (waits for a coordinator) and the
bank's monthly fee (proposed as a cost). Its opening balance is the books' bank account before
the month, so that confirming every proposal brings the difference to zero.

`camt_file` and `coda_file` write it in each format (`ledger/bank/sample_files.py`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.ledger.bank.book_reads import book_state
from governance.ledger.bank.parsed import BankLine, ParsedStatement
from governance.ledger.bank.sample_files import camt053, coda
from governance.ledger.bank.statement_import import import_statement
from governance.ledger.billing.models import Payment
from governance.ledger.books.models import Account, Client, JournalEntry, LedgerLine
from governance.ledger.costs.models import Cost
from governance.ledger.payouts.models import PayoutBatch, PayoutLine
from governance.ledger.payouts.payout_sepa import end_to_end_id
from governance.members.access import Actor
from governance.members.models import Cooperative

BANK_FEE_CENTS = 1250
LOOSE_CENTS = 10000
FEE_CODE = "ACMT/MDOP/CHRG"  # account management, miscellaneous operations, charges


@dataclass(frozen=True)
class Row:
    day: dt.date
    amount: int
    name: str = ""
    iban: str = ""
    e2e: str = ""
    text: str = ""
    communication: str = ""
    code: str = ""


def demo_iban(number: int) -> str:
    """A valid Belgian IBAN of bank 001 for a demo client (checked like a real one)."""
    account = f"001{number % 10_000_000:07d}"
    bban = f"{account}{int(account) % 97 or 97:02d}"
    check = 98 - int(f"{bban}111400") % 97  # "BE" = 11 14, then "00"
    return f"BE{check:02d}{bban}"


async def _bank_before(session: AsyncSession, cooperative_id: int, first: dt.date) -> int:
    total = (
        await session.exec(
            select(func.sum(LedgerLine.amount))
            .join(Account, col(Account.id) == LedgerLine.account_id)
            .join(JournalEntry, col(JournalEntry.id) == LedgerLine.entry_id)
            .where(
                Account.cooperative_id == cooperative_id,
                Account.code == "bank",
                col(JournalEntry.date) < first,
            )
        )
    ).one()
    return int(total or 0)


async def _booked(
    session: AsyncSession, cooperative_id: int, first: dt.date, today: dt.date
) -> list[Row]:
    """The books' bank movements this month, as the bank's lines."""
    entries = (
        await session.exec(
            select(JournalEntry, func.sum(LedgerLine.amount))
            .join(LedgerLine, col(LedgerLine.entry_id) == JournalEntry.id)
            .join(Account, col(Account.id) == LedgerLine.account_id)
            .where(
                JournalEntry.cooperative_id == cooperative_id,
                Account.code == "bank",
                col(JournalEntry.date) >= first,
                col(JournalEntry.date) <= today,
            )
            .group_by(col(JournalEntry.id))
            .order_by(col(JournalEntry.date), col(JournalEntry.id))
        )
    ).all()
    out = []
    for entry, amount in entries:
        if entry.kind == "payout":
            batch = (
                await session.exec(select(PayoutBatch).where(PayoutBatch.entry_id == entry.id))
            ).one()
            lines = await session.exec(
                select(PayoutLine)
                .where(PayoutLine.batch_id == batch.id)
                .order_by(col(PayoutLine.id))
            )
            for line in lines.all():
                e2e = end_to_end_id(batch.id or 0, line.id or 0, line.member_id)
                out.append(Row(entry.date, -line.amount_cents, line.name, line.iban, e2e))
            continue
        row = Row(entry.date, int(amount), text=entry.memo)
        payment = (await session.exec(select(Payment).where(Payment.entry_id == entry.id))).first()
        if payment is not None:
            client = await session.get(Client, payment.client_id)
            digits = "".join(c for c in payment.reference if c.isdigit())
            row = Row(
                entry.date,
                int(amount),
                client.name if client else "",
                demo_iban(payment.client_id),
                communication=digits if len(digits) == 12 else "",
                text="" if len(digits) == 12 else payment.reference,
            )
        cost = (await session.exec(select(Cost).where(Cost.entry_id == entry.id))).first()
        if cost is not None:
            row = Row(entry.date, int(amount), cost.supplier, text=cost.note)
        out.append(row)
    return out


async def month_statement(
    session: AsyncSession, cooperative_id: int, today: dt.date
) -> ParsedStatement:
    """The statement of this month up to `today`, inside the caller's transaction."""
    cooperative = await session.get(Cooperative, cooperative_id)
    assert cooperative is not None
    first = today.replace(day=1)
    opening = await _bank_before(session, cooperative_id, first)
    rows = await _booked(session, cooperative_id, first, today)
    book = await book_state(session, cooperative, today, today)
    unpaid = sorted(
        (i for i in book.invoices.values() if i.outstanding_cents > 0), key=lambda i: i.reference
    )
    if unpaid:
        paid = unpaid[0]
        rows.append(
            Row(
                today,
                paid.outstanding_cents,
                paid.client_name,
                demo_iban(paid.client_id),
                communication=paid.communication,
            )
        )
    if len(unpaid) > 1:
        named = unpaid[1]
        text = "Paiement prestations d'interprétariat"
        rows.append(Row(today, named.outstanding_cents, named.client_name, text=text))
    rows.append(Row(today, LOOSE_CENTS, "M. ou Mme Lambert", demo_iban(9_999_999), text="Acompte"))
    rows.append(Row(today, -BANK_FEE_CENTS, text="Frais de gestion de compte", code=FEE_CODE))
    lines = [
        BankLine(
            position=position,
            file_line=0,
            booked_on=row.day,
            amount_cents=row.amount,
            bank_reference=f"{row.day:%Y%m%d}{cooperative_id:03d}{position:05d}",
            end_to_end_id=row.e2e,
            communication=row.communication,
            text=row.text,
            counterparty_name=row.name,
            counterparty_iban=row.iban.replace(" ", "").upper(),
            bank_code=row.code,
        )
        for position, row in enumerate(rows, start=1)
    ]
    return ParsedStatement(
        file_format="",
        iban=cooperative.iban.replace(" ", "").upper(),
        currency=cooperative.currency,
        number=f"{today:%Y}-{today.month:03d}",
        from_day=first,
        to_day=today,
        opening_cents=opening,
        closing_cents=opening + sum(line.amount_cents for line in lines),
        lines=tuple(lines),
    )


def camt_file(statement: ParsedStatement, version: str = "08") -> bytes:
    return camt053(statement, version)


def coda_file(statement: ParsedStatement) -> bytes:
    return coda(statement)


async def import_month(
    session: AsyncSession, coordinator: Actor, today: dt.date, file_format: str
) -> None:
    """Write this month's statement in `file_format` ("camt" or "coda") and import it."""
    async with session.begin():
        statement = await month_statement(session, coordinator.cooperative_id, today)
    data = camt_file(statement) if file_format == "camt" else coda_file(statement)
    name = f"{statement.number}.{'xml' if file_format == 'camt' else 'cod'}"
    await import_statement(session, coordinator, data, name)
