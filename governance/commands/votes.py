"""`governance votes` (recount a bulletin board, count the due votes) and `governance mail send`
(deliver the outbox now): what the worker does on its own, by hand."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from governance.commands.common import load_settings, with_session


def _read_board(path: str) -> Any:
    """The board at `path` ("-": standard input), or None after printing why it cannot be read."""
    from governance.votes.counting.board import load_board
    from governance.votes.counting.methods import BallotError

    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        return load_board(text)
    except (OSError, UnicodeDecodeError, BallotError) as error:
        print(f"error: {path}: {error}", file=sys.stderr)
        return None


def _recount(path: str) -> Any:
    """(board, result) recounted from the board at `path`, or None after printing why not."""
    from governance.votes.counting.board import tally
    from governance.votes.counting.methods import BallotError

    board = _read_board(path)
    if board is None:
        return None
    try:
        return board, tally(board)
    except BallotError as error:
        print(f"error: {path}: {error}", file=sys.stderr)
        return None


def cmd_votes_tally(args: argparse.Namespace) -> int:
    """Recount a bulletin board from its ballots alone; print the result as JSON."""
    recounted = _recount(args.file)
    if recounted is None:
        return 2
    _board, result = recounted
    print(json.dumps(result.as_data(), indent=2))  # ASCII: any terminal, any label
    return 0


def cmd_votes_close_due(args: argparse.Namespace) -> int:
    """Count every vote whose closing time has passed (run it from a timer, every minute)."""
    from governance.votes.outcome import close_due

    async def action(session):  # type: ignore[no-untyped-def]
        return await close_due(session)

    closed = asyncio.run(with_session(action))
    print(f"{closed} vote(s) closed")
    return 0


def cmd_mail_send(args: argparse.Namespace) -> int:
    """Deliver the outbox through the operator's SMTP server (run it from a timer)."""
    from governance.mail.sender import send_pending, smtp_config

    config = smtp_config()
    if config is None:
        print("error: no mail server: set GOVERNANCE_SMTP_HOST", file=sys.stderr)
        return 2
    settings = load_settings()

    async def action(session):  # type: ignore[no-untyped-def]
        return await send_pending(session, config, settings.base_url)

    sent, failed = asyncio.run(with_session(action))
    print(f"{sent} sent, {failed} failed (kept for the next run)")
    return 1 if failed else 0


def cmd_votes_verify(args: argparse.Namespace) -> int:
    """Recount a bulletin board and compare with the result it states: exit 1 if they differ."""
    from governance.votes.counting.board import differences

    recounted = _recount(args.file)
    if recounted is None:
        return 2
    board, result = recounted
    found = differences(board, result)
    if found:
        print("MISMATCH: the recount differs from the board's result")
        for line in found:
            print(f"  {line}")
        return 1
    print(
        f"ok: the recount of {len(board.choices) + len(board.rankings)} ballots gives the "
        "board's result"
    )
    return 0


def register(commands: argparse._SubParsersAction[Any]) -> None:
    votes = commands.add_parser("votes", help="close due votes; recount a bulletin board")
    votes_commands = votes.add_subparsers(dest="votes_command", required=True)
    tally = votes_commands.add_parser(
        "tally", help="recount a bulletin board (JSON) from its ballots; print the result"
    )
    tally.add_argument("file", help="the board's JSON file, or - for standard input")
    tally.set_defaults(func=cmd_votes_tally)
    board_verify = votes_commands.add_parser(
        "verify",
        help="recount a bulletin board and compare with its result; exit 0: same, 1: differs, "
        "2: unreadable",
    )
    board_verify.add_argument("file", help="the board's JSON file, or - for standard input")
    board_verify.set_defaults(func=cmd_votes_verify)
    close_due = votes_commands.add_parser(
        "close-due", help="count every vote whose closing time has passed (for a timer)"
    )
    close_due.set_defaults(func=cmd_votes_close_due)

    mail = commands.add_parser("mail", help="the email outbox")
    mail_commands = mail.add_subparsers(dest="mail_command", required=True)
    mail_send = mail_commands.add_parser(
        "send", help="deliver the outbox through GOVERNANCE_SMTP_HOST (for a timer)"
    )
    mail_send.set_defaults(func=cmd_mail_send)
