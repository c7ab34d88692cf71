"""The `governance` command: serve, migrate, demo, first set-up and export (the other command
groups are in governance/commands/)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from governance.base import db
from governance.base.errors import DomainError
from governance.commands.common import load_settings, with_session
from governance.commands.server import add_serve_arguments


def cmd_migrate(_args: argparse.Namespace) -> int:
    settings = load_settings()
    db.migrate(settings.database_url)
    print("database migrated to the latest version")
    return 0


def cmd_create_coop(args: argparse.Namespace) -> int:
    from governance.ledger.sharing.new_cooperative import found_cooperative

    async def action(session):  # type: ignore[no-untyped-def]
        return await found_cooperative(
            session,
            slug=args.slug,
            name=args.name,
            language=args.language,
            rule_template=args.rule,
        )

    coop = asyncio.run(with_session(action))
    print(f"cooperative {coop.slug!r} created: /c/{coop.slug}/")
    print(f"first distribution rule: {args.rule}")
    return 0


def cmd_close_month(args: argparse.Namespace) -> int:
    from governance.base import clock
    from governance.base.i18n import language
    from governance.commands.close import close_month

    step = "review" if args.review else "finalize" if args.finalize else None

    async def action(session):  # type: ignore[no-untyped-def]
        return await close_month(
            session,
            slug=args.coop,
            month=args.period,
            by=args.by,
            step=step,
            today=clock.today(),
            early_reason=args.before_review_ends,
        )

    with language("en"):
        lines = asyncio.run(with_session(action))
    print("\n".join(lines))
    return 0


def cmd_create_coordinator(args: argparse.Namespace) -> int:
    from governance.members import Role
    from governance.members.service import add_person_to_cooperative

    password = os.environ.get("GOVERNANCE_PASSWORD") or ""
    if not password:
        import getpass

        password = getpass.getpass("password (at least 12 characters): ")

    async def action(session):  # type: ignore[no-untyped-def]
        return await add_person_to_cooperative(
            session,
            slug=args.coop,
            email=args.email,
            name=args.name,
            password=password,
            role=Role.COORDINATOR,
            language=args.language,
        )

    person = asyncio.run(with_session(action))
    print(f"{person.email} is now a coordinator of {args.coop}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from governance.demo.univerbal import DEMO_PASSWORD, create_demo, reset_database

    settings = load_settings()
    if settings.production:
        print(
            "error: the demo wipes the database; it does not run in production mode",
            file=sys.stderr,
        )
        return 2

    async def reset() -> None:
        await reset_database(db.make_engine(settings.database_url), settings.database_url)

    asyncio.run(reset())
    db.migrate(settings.database_url)
    people = asyncio.run(with_session(create_demo))
    print(
        "Demo cooperatives created: 'univerbal' (interpreters), 'sirius' (developers; Chloé "
        "coordinates it) and 'redemarts' (trainees)."
    )
    print(f"Every demo account uses the password: {DEMO_PASSWORD}")
    for slug in dict.fromkeys(person.cooperative for person in people):
        print(f"{slug}:")
        for person in people:
            if person.cooperative == slug:
                print(f"  {person.role.value:<12} {person.email:<34} {person.name}")
    if args.serve:
        from governance.commands.server import cmd_serve

        return cmd_serve(args)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the books of one cooperative as the operator of the server (no login needed).

    Reads through `governance.ledger.books.reading` with an `Operator`: whoever runs this command
    already holds the database, so the person checks of the web do not apply. The file is
    written as the rows are read (a batch at a time), so its size does not weigh on memory.
    """
    from governance.ledger.books import export
    from governance.ledger.books.export_reads import journal_stream
    from governance.ledger.books.reading import Operator
    from governance.ledger.work.export_reads import prestations_stream
    from governance.members.service import cooperative_by_slug

    settings = load_settings()
    if args.what == "prestations" and args.format != "csv":
        print("error: prestations are exported as csv only", file=sys.stderr)
        return 2
    output: list[TextIO] = []

    def opened() -> TextIO:
        if args.output is None:
            output.append(sys.stdout)
        else:
            output.append(open(args.output, "w", encoding="utf-8", newline=""))  # noqa: SIM115
        return output[0]

    async def action() -> bool:
        # A read-only engine: on SQLite a long export does not hold the write lock.
        engine = db.make_engine(settings.database_url, read_only=True)
        try:
            async with db.make_sessionmaker(engine)() as session:
                async with session.begin():
                    cooperative = await cooperative_by_slug(session, args.coop)
                if cooperative is None or cooperative.id is None:
                    return False
                operator = Operator(cooperative_id=cooperative.id)
                if args.what == "prestations":
                    async with prestations_stream(session, operator) as batches:
                        out = opened()
                        out.write(export.csv_rows([export.PRESTATION_COLUMNS]))
                        async for rows in batches:
                            out.write(export.csv_prestation_rows(rows))
                    return True
                async with journal_stream(session, operator) as journal:
                    if args.format == "hledger":
                        books = export.HledgerJournal(journal.accounts, cooperative.currency)
                        out = opened()
                        out.write(books.head())
                        async for entries in journal.batches:
                            out.write(books.entries(entries))
                        out.write(books.end())
                    else:
                        out = opened()
                        out.write(export.csv_rows([export.LINE_COLUMNS]))
                        async for entries in journal.batches:
                            out.write(export.csv_line_rows(entries))
                return True
        finally:
            await engine.dispose()
            if output and output[0] is not sys.stdout:
                output[0].close()

    if not asyncio.run(action()):
        print(f"error: no cooperative {args.coop!r}", file=sys.stderr)
        return 2
    if args.output is not None:
        what = "journal" if args.format == "hledger" else args.what
        print(f"{what} of {args.coop} written to {args.output} ({args.format})", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="governance", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("migrate", help="bring the database schema up to date").set_defaults(
        func=cmd_migrate
    )

    demo = commands.add_parser("demo", help="(re)create the demo cooperative; wipes the database")
    demo.add_argument("--serve", action="store_true", help="then run the web server")
    add_serve_arguments(demo)
    demo.set_defaults(func=cmd_demo)

    coop = commands.add_parser("create-coop", help="create a cooperative")
    coop.add_argument("--slug", required=True)
    coop.add_argument("--name", required=True)
    coop.add_argument("--language", default="fr")
    coop.add_argument(
        "--rule",
        choices=("pro_rata", "equal", "mixed_80_20"),
        default="pro_rata",
        help="the first distribution rule (audited; later changed only by an adopted proposal)",
    )
    coop.set_defaults(func=cmd_create_coop)

    close = commands.add_parser(
        "close-month",
        help="show a month's draft distribution; --review starts its review, --finalize "
        "closes it (entry, statements, signed checkpoint)",
    )
    close.add_argument("--coop", required=True)
    close.add_argument("--period", required=True, help="YYYY-MM")
    close.add_argument("--by", help="the coordinator acting (default: the only active coordinator)")
    steps = close.add_mutually_exclusive_group()
    steps.add_argument("--review", action="store_true", help="start the review (freeze)")
    steps.add_argument("--finalize", action="store_true", help="close the month")
    close.add_argument(
        "--before-review-ends",
        metavar="REASON",
        help="with --finalize: close before the review's minimum time has passed and before "
        "every member has read their draft (the reason is recorded in the audit trail)",
    )
    close.set_defaults(func=cmd_close_month)

    coordinator = commands.add_parser(
        "create-coordinator",
        help="make a person coordinator of a cooperative (password from GOVERNANCE_PASSWORD "
        "or asked)",
    )
    coordinator.add_argument("--coop", required=True)
    coordinator.add_argument("--email", required=True)
    coordinator.add_argument("--name", required=True)
    coordinator.add_argument("--language", default="fr")
    coordinator.set_defaults(func=cmd_create_coordinator)

    export = commands.add_parser(
        "export", help="write a cooperative's journal (hledger or csv) or prestations (csv)"
    )
    export.add_argument("--coop", required=True)
    export.add_argument("--format", choices=("hledger", "csv"), required=True)
    export.add_argument(
        "--what", choices=("lines", "prestations"), default="lines", help="csv: what to export"
    )
    export.add_argument("--output", help="file to write (default: standard output)")
    export.set_defaults(func=cmd_export)

    from governance.commands import register_all

    register_all(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except DomainError as error:
        details = "; ".join(f"{k}: {v}" for k, v in error.fields.items())
        print(f"error: {error.message}{' (' + details + ')' if details else ''}", file=sys.stderr)
        return 2
    except db.NotMigratedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
