"""`governance bank import --coop SLUG FILE`: import a bank statement (CAMT.053 or CODA) from a
shell, as a coordinator, through the same use case as the bank page; prints what it matched,
what it proposed and what it left waiting."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from governance.commands.common import coordinator_actor, with_session


def cmd_bank_import(args: argparse.Namespace) -> int:
    from governance.base.i18n import language
    from governance.ledger.bank import bank_reads, bank_views
    from governance.ledger.bank.statement_files import MAX_FILE_BYTES
    from governance.ledger.bank.statement_import import import_statement

    path = Path(args.file)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            print(f"error: {path}: larger than {MAX_FILE_BYTES // 1_000_000} MB", file=sys.stderr)
            return 2
        data = path.read_bytes()
    except OSError as error:
        print(f"error: {path}: {error.strerror}", file=sys.stderr)
        return 2

    async def action(session):  # type: ignore[no-untyped-def]
        actor, email = await coordinator_actor(session, args.coop, args.by)
        result = await import_statement(session, actor, data, path.name)
        summary = None
        if not result.already and result.file_id is not None:
            summary = await bank_reads.import_summary(session, actor, result.file_id)
        return email, result, summary

    with language("en"):
        email, result, summary = asyncio.run(with_session(action))
        if result.already:
            print(f"{path.name}: every line was imported before; nothing recorded")
            return 0
        print(
            f"{path.name} imported by {email}: {result.statements} statement(s), "
            f"{result.lines} new line(s), {result.skipped} already imported"
        )
        assert summary is not None
        for kind, count in sorted(summary.matched.items()):
            print(f"  matched: {count} {bank_views.matched_text(kind)}")
        print(f"  proposed: {summary.proposed} (confirm them on the bank page)")
        print(f"  waiting: {summary.waiting}")
    return 0


def register(commands: argparse._SubParsersAction[Any]) -> None:
    bank = commands.add_parser("bank", help="the bank's statements")
    bank_commands = bank.add_subparsers(dest="bank_command", required=True)
    imports = bank_commands.add_parser(
        "import", help="import a CAMT.053 or CODA statement file; print what was matched"
    )
    imports.add_argument("--coop", required=True)
    imports.add_argument("--by", help="the coordinator acting (default: the only active one)")
    imports.add_argument("file", help="the statement file")
    imports.set_defaults(func=cmd_bank_import)
