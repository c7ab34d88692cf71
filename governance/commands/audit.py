"""`governance audit verify` (the chain, the chain of checkpoints, every closed month's
checkpoint, and the heads members saved: `--witness`) and `governance audit check-statement`
(a statement's checkpoint, without the database)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from governance.base import db
from governance.commands.common import load_settings


@dataclass(frozen=True)
class Outcome:
    chain: Any  # governance.audit.service.Verification
    checked: int
    problems: list[str]
    witness: list[str] | None  # None: no witness given


async def _verify(database_url: str, slug: str, saved: list[Any] | None) -> Outcome | None:
    from sqlmodel import col, select

    from governance.audit.chain import chain_key
    from governance.audit.checkpoints.checkpoints import checkpoints_of, verify_checkpoints
    from governance.audit.checkpoints.witness import compare
    from governance.audit.models import AuditEvent
    from governance.audit.service import verify_chain
    from governance.base.i18n import language
    from governance.ledger.closing.models import PeriodClose
    from governance.members.service import cooperative_by_slug

    # A read-only engine: on SQLite a long verification does not hold the write lock.
    engine = db.make_engine(database_url, read_only=True)
    try:
        async with db.make_sessionmaker(engine)() as session:
            async with session.begin():
                cooperative = await cooperative_by_slug(session, slug)
            if cooperative is None or cooperative.id is None:
                return None
            coop_id = cooperative.id
            async with session.begin():
                chain = await verify_chain(session, coop_id)
                checkpoints = await checkpoints_of(session, coop_id)
                closes = {
                    month: checkpoint_id
                    for month, checkpoint_id in (
                        await session.exec(
                            select(PeriodClose.month, PeriodClose.checkpoint_id).where(
                                PeriodClose.cooperative_id == coop_id
                            )
                        )
                    ).all()
                }
                # Like the rest of this command's output, the problems are told in English.
                with language("en"):
                    problems = await verify_checkpoints(session, coop_id, checkpoints, closes)
                found: list[str] | None = None
                if saved is not None:
                    rows = await session.exec(
                        select(AuditEvent.seq, AuditEvent.hash).where(
                            AuditEvent.chain == chain_key(coop_id),
                            col(AuditEvent.seq).in_(sorted({head.seq for head in saved})),
                        )
                    )
                    hashes = dict(rows.all())
                    last = (
                        await session.exec(
                            select(AuditEvent.seq)
                            .where(AuditEvent.chain == chain_key(coop_id))
                            .order_by(col(AuditEvent.seq).desc())
                            .limit(1)
                        )
                    ).first() or 0
                    found = compare(saved, hashes, last)
            return Outcome(chain, len(checkpoints), problems, found)
    finally:
        await engine.dispose()


def _read_witness(path: str) -> list[Any] | None:
    """The saved heads in `path` ("-": standard input), or None after printing why not."""
    from governance.audit.checkpoints.witness import WitnessError, parse

    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        return parse(text)
    except (OSError, UnicodeDecodeError) as error:
        print(f"error: cannot read the witness {path}: {error}", file=sys.stderr)
    except WitnessError as error:
        print(f"error: the witness {path} is not a list of {{seq, head}}: {error}", file=sys.stderr)
    return None


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Recompute the chain, check the checkpoints against it and each other, and the witness."""
    saved = None
    if args.witness is not None:
        saved = _read_witness(args.witness)
        if saved is None:
            return 2
    outcome = asyncio.run(_verify(load_settings().database_url, args.coop, saved))
    if outcome is None:
        print(f"error: no cooperative {args.coop!r}", file=sys.stderr)
        return 2
    result, checked, problems = outcome.chain, outcome.checked, outcome.problems
    if result.problem is None:
        print(f"audit chain of {args.coop}: {result.count} events, whole; head {result.head}")
    else:
        problem = result.problem
        print(
            f"audit chain of {args.coop}: BROKEN at sequence {problem.seq}: "
            f"{problem.reason} ({problem.detail})"
        )
    if problems:
        print(f"checkpoints of {args.coop}: {checked} checked, {len(problems)} problem(s):")
        for line in problems:
            print(f"  - {line}")
    else:
        print(f"checkpoints of {args.coop}: {checked} checked, all valid")
    failed = result.problem is not None or bool(problems)
    if outcome.witness is not None and saved is not None:
        if outcome.witness:
            print(f"witness {args.witness}: {len(outcome.witness)} problem(s):")
            for line in outcome.witness:
                print(f"  - {line}")
            failed = True
        else:
            print(f"witness {args.witness}: {len(saved)} saved head(s), all still in the chain")
    return 1 if failed else 0


def cmd_audit_check_statement(args: argparse.Namespace) -> int:
    """Check the checkpoint printed on a statement, without the database."""
    from governance.audit.checkpoints.signing import check_printed

    valid = check_printed(
        args.coop_id,
        args.month,
        args.seq,
        args.head,
        args.signature,
        args.public_key,
        previous=args.previous,
    )
    print("valid" if valid else "NOT valid")
    return 0 if valid else 1


def register(commands: argparse._SubParsersAction[Any]) -> None:
    audit = commands.add_parser("audit", help="audit trail tools")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_commands.add_parser(
        "verify",
        help="recompute a cooperative's hash chain, check its chain of signed checkpoints and, "
        "with --witness, the heads you saved; exit 0: all good, 1: a problem (named), "
        "2: cannot run",
    )
    verify.add_argument("--coop", required=True)
    verify.add_argument(
        "--witness",
        metavar="FILE",
        help="heads saved earlier: the JSON of /c/<coop>/checkpoints.json (a list of "
        "{seq, head}, or one such object; - for standard input)",
    )
    verify.set_defaults(func=cmd_audit_verify)
    check = audit_commands.add_parser(
        "check-statement",
        help="check the signed checkpoint printed on a statement (no database needed); "
        "exit 0: valid, 1: not valid",
    )
    check.add_argument("--coop-id", type=int, required=True, help="the cooperative's number")
    check.add_argument("--month", required=True, help="YYYY-MM (a daily checkpoint: YYYY-MM-DD)")
    check.add_argument("--seq", type=int, required=True, help="the last event signed")
    check.add_argument("--head", required=True, help="the hash of that event (hex)")
    check.add_argument("--signature", required=True, help="hex")
    check.add_argument("--public-key", required=True, help="the cooperative's public key (hex)")
    check.add_argument(
        "--previous",
        help="the previous checkpoint's hash (hex), printed on statements since checkpoints "
        "form a chain; leave it out for older statements",
    )
    check.set_defaults(func=cmd_audit_check_statement)
