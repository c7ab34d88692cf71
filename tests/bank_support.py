"""Bank statement tests share: statements written line by line, imported through the use case,
and the counts that a refused or repeated import must leave as they were."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from governance.audit.models import AuditEvent
from governance.ledger.bank.models import BankFile, BankLine, BankMatch
from governance.ledger.bank.parsed import BankLine as ParsedLine
from governance.ledger.bank.parsed import ParsedStatement
from governance.ledger.bank.statement_import import ImportResult, import_statement
from governance.ledger.billing.models import Payment
from governance.ledger.books.models import JournalEntry
from tests.payouts_support import COOP_IBAN

CLIENT_IBAN = "BE71096123456769"


def bank_line(amount: int, day: dt.date, position: int = 1, **fields: Any) -> ParsedLine:
    values: dict[str, Any] = {
        "position": position,
        "file_line": 0,
        "booked_on": day,
        "amount_cents": amount,
        "bank_reference": f"REF{day:%Y%m%d}{position:04d}",
        "end_to_end_id": "",
        "communication": "",
        "text": "",
        "counterparty_name": "",
        "counterparty_iban": "",
        "bank_code": "",
    }
    values.update(fields)
    return ParsedLine(**values)


def statement(
    lines: list[ParsedLine],
    *,
    opening: int = 0,
    number: str = "1",
    first: dt.date,
    last: dt.date,
    iban: str = COOP_IBAN,
    currency: str = "EUR",
) -> ParsedStatement:
    numbered = [
        ParsedLine(**{**line.__dict__, "position": index})
        for index, line in enumerate(lines, start=1)
    ]
    return ParsedStatement(
        file_format="",
        iban=iban,
        currency=currency,
        number=number,
        from_day=first,
        to_day=last,
        opening_cents=opening,
        closing_cents=opening + sum(line.amount_cents for line in lines),
        lines=tuple(numbered),
    )


def import_file(run: Any, actor: Any, data: bytes, name: str = "statement.xml") -> ImportResult:
    return run(lambda session: import_statement(session, actor, data, name))  # type: ignore[no-any-return]


def written(run: Any) -> dict[str, int]:
    """How many rows each table a bank import writes holds: a refusal leaves them as they were."""

    async def action(session: Any) -> dict[str, int]:
        async with session.begin():
            counts = {}
            for name, table in (
                ("files", BankFile),
                ("lines", BankLine),
                ("matches", BankMatch),
                ("payments", Payment),
                ("entries", JournalEntry),
                ("events", AuditEvent),
            ):
                counts[name] = (await session.exec(select(func.count()).select_from(table))).one()
            return counts

    return run(action)  # type: ignore[no-any-return]
