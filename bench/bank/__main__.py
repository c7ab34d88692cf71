"""The bank import benchmark's runner (see the package's docstring)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time
from typing import Any

from lxml import etree
from sqlalchemy import func
from sqlmodel import select

import bench.bank
from bench import common
from bench.common import BenchError
from bench.databases import Store, engine_for, store
from governance.base import clock
from governance.base.db import make_sessionmaker
from governance.ledger.bank.models import BankLine
from governance.ledger.bank.parsed import BankLine as ParsedLine
from governance.ledger.bank.parsed import ParsedStatement
from governance.ledger.bank.sample_files import camt053
from governance.ledger.bank.statement_files import read_statements
from governance.ledger.bank.statement_import import import_statement
from governance.ledger.billing.invoices import communication_for
from governance.ledger.billing.models import Invoice, Payment
from governance.ledger.books.kinds import ClientKind
from governance.ledger.work.clients import create_client
from governance.members import Role
from governance.members import service as members
from governance.members.access import Actor
from governance.members.models import Cooperative

GOAL = 5.0
IBAN = "BE68539007547034"
DAY = dt.date(2026, 11, 30)


async def _cooperative(session: Any, invoices: int) -> tuple[Actor, list[Invoice]]:
    coop = await members.create_cooperative(session, slug="bench", name="Bench")
    person = await members.add_person_to_cooperative(
        session,
        slug="bench",
        email="coordination@bench.example",
        name="Coordination",
        password="bench-password-2026",
        role=Role.COORDINATOR,
    )
    assert person.id is not None and coop.id is not None
    actor = Actor(person_id=person.id, cooperative_id=coop.id)
    async with session.begin():
        row = await session.get(Cooperative, coop.id)
        row.iban = IBAN
        session.add(row)
    client = await create_client(
        session, actor, name="CHU de Liège", kind=ClientKind.HOSPITAL, default_rate_cents=5000
    )
    assert client.id is not None
    rows = [
        Invoice(
            cooperative_id=coop.id,
            client_id=client.id,
            kind="invoice",
            year=2026,
            number=number,
            month="2026-10",
            issued_on=dt.date(2026, 11, 2),
            due_on=dt.date(2026, 12, 2),
            total_cents=10_000 + number,
            communication=communication_for(coop.id, 2026, number),
            issued_by_id=person.id,
            created_at=clock.now(),
        )
        for number in range(1, invoices + 1)
    ]
    async with session.begin():
        session.add_all(rows)
    return actor, rows


def _statement(
    entries: int, invoices: list[Invoice], *, payments: bool = True, opening: int = 0
) -> ParsedStatement:
    """The benchmark's file; without `payments`, no line carries a communication (a second
    statement, continuing the first, of lines that are only recorded and proposed)."""
    lines = []
    for index in range(entries):
        kind = index % 10 if payments else 3 + index % 7
        fields: dict[str, Any] = {"text": "", "communication": "", "counterparty_name": ""}
        if kind < 3 and index // 10 * 3 + kind < len(invoices):
            invoice = invoices[index // 10 * 3 + kind]
            amount = invoice.total_cents
            fields.update(communication=invoice.communication, counterparty_name="CHU DE LIEGE")
        elif kind < 6:
            amount = 1_000 + index
            fields.update(counterparty_name=f"Donateur {index}", text=f"don {index}")
        elif kind < 9:
            amount = -(2_000 + index)
            fields.update(counterparty_name=f"Fournisseur {index % 50}", text=f"facture {index}")
        else:
            amount = -125
            fields.update(text="Frais de gestion")
        lines.append(
            ParsedLine(
                position=index + 1,
                file_line=0,
                booked_on=DAY,
                amount_cents=amount,
                bank_reference=f"BENCH{'P' if payments else 'Q'}{index:08d}",
                end_to_end_id="",
                counterparty_iban="",
                bank_code="ACMT/MDOP/CHRG" if kind == 9 else "",
                **fields,
            )
        )
    return ParsedStatement(
        file_format="",
        iban=IBAN,
        currency="EUR",
        number="1" if payments else "2",
        from_day=DAY,
        to_day=DAY,
        opening_cents=opening,
        closing_cents=opening + sum(line.amount_cents for line in lines),
        lines=tuple(lines),
    )


def bare_parse(data: bytes) -> int:
    """lxml reads the file and each entry's amount and reference: what any reader must do."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    namespace = root.nsmap[None]
    total = 0
    for entry in root.iter(f"{{{namespace}}}Ntry"):
        amount = entry.findtext(f"{{{namespace}}}Amt") or "0"
        entry.findtext(f"{{{namespace}}}AcctSvcrRef")
        total += int(amount.replace(".", ""))
    return total


def _best(function: Any, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


async def run(args: argparse.Namespace, dbs: Store) -> dict[str, Any]:
    url = dbs.fresh("bank")
    problems: list[str] = []
    async with engine_for(url) as engine:
        maker = make_sessionmaker(engine)
        async with maker() as session:
            actor, invoices = await _cooperative(session, args.entries * 3 // 10)
        first = _statement(args.entries, invoices)
        data = camt053(first, "08")
        print(f"file: {len(data) / 1e6:.1f} MB, {args.entries:,} entries", flush=True)
        bare = _best(lambda: bare_parse(data), 3)
        reader = _best(lambda: read_statements(data), 3)
        async with maker() as session:
            start = time.perf_counter()
            result = await import_statement(session, actor, data, "bench.xml")
            seconds = time.perf_counter() - start
        async with maker() as session:
            start = time.perf_counter()
            again = await import_statement(session, actor, data, "bench.xml")
            again_seconds = time.perf_counter() - start
        second = _statement(args.entries, invoices, payments=False, opening=first.closing_cents)
        plain = camt053(second, "08")
        plain_bare = _best(lambda: bare_parse(plain), 3)
        async with maker() as session:
            start = time.perf_counter()
            await import_statement(session, actor, plain, "plain.xml")
            plain_seconds = time.perf_counter() - start
        async with maker() as session, session.begin():
            lines = (await session.exec(select(func.count()).select_from(BankLine))).one()
            payments = (await session.exec(select(func.count()).select_from(Payment))).one()
    if lines != 2 * args.entries:
        problems.append(f"{lines} bank lines recorded, not {2 * args.entries}")
    if payments != len(invoices):
        problems.append(f"{payments} payments recorded, not {len(invoices)}")
    if not again.already:
        problems.append("the second import recorded something")
    return {
        "entries": args.entries,
        "bytes": len(data),
        "bare_seconds": bare,
        "reader_seconds": reader,
        "import_seconds": seconds,
        "again_seconds": again_seconds,
        "ratio": seconds / bare,
        "reader_ratio": reader / bare,
        "counts": {str(k): v for k, v in result.counts.items()},
        "plain_seconds": plain_seconds,
        "plain_bare_seconds": plain_bare,
        "plain_ratio": plain_seconds / plain_bare,
        "problems": problems,
    }


def main(argv: list[str] | None = None) -> int:
    parser = common.parser("python -m bench.bank", bench.bank.__doc__)
    common.add_db(parser, both=False)
    parser.add_argument("--entries", type=int, default=10_000, help="lines in the statement")
    common.add_output(parser, "bank")
    args = parser.parse_args(argv)
    if args.entries < 10:
        parser.error("--entries must be at least 10")
    common.secret_key()
    started = common.Run()
    print(f"bank import benchmark on {args.db}; load average {started.load_before[0]:.2f}")
    try:
        with store(args.db, "bank", args.keep, "bench-bank-") as dbs:
            result = asyncio.run(run(args, dbs))
    except BenchError as error:
        print(f"could not run: {error}", file=sys.stderr)
        return 2
    started.end()
    print(
        f"\nimport {result['import_seconds']:.2f} s vs bare parse {result['bare_seconds']:.3f} s "
        f"-> ratio {result['ratio']:.1f} (goal <= {GOAL:.0f}: "
        f"{'met' if result['ratio'] <= GOAL else 'NOT met'})\n"
        f"  read_statements alone {result['reader_seconds']:.3f} s "
        f"({result['reader_ratio']:.1f}x the bare parse); "
        f"the same file again {result['again_seconds']:.2f} s (nothing recorded)\n"
        f"  matched at once / proposed / waiting: {result['counts']}\n"
        f"  a second statement of {args.entries:,} lines without payments (recorded and "
        f"proposed only): {result['plain_seconds']:.2f} s vs bare parse "
        f"{result['plain_bare_seconds']:.3f} s -> ratio {result['plain_ratio']:.1f}"
    )
    common.print_invalid(result["problems"])
    started.print_end()
    started.stamp = common.stamp()
    started.save("bank", args, result=result)
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
