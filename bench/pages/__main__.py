"""The pages benchmark's runner: `python -m bench.pages` (see the package's docstring)."""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

import bench.pages
from bench import common
from bench.bigcoop import SLUG as BIG_SLUG
from bench.bigcoop import build
from bench.bigcoop.votes import rule_proposal
from bench.common import RESULTS_DIR, ROOT, BenchError
from bench.cooperative import PASSWORD as BIG_PASSWORD
from bench.databases import PG_ADMIN_URL, PG_URL, engine_for
from bench.pages.export import export_csv
from bench.pages.measure import measure_all
from bench.pages.report import print_profiles, print_table, verdict
from bench.pages.targets import Targets, read_targets, sync_url
from governance.base.db import migrate
from governance.demo.common import DEMO_PASSWORD

DEMO_SLUG = "univerbal"
DEMO_MEMBER = "amina@univerbal.example"
BIG_MEMBER = "member1@big.bench.example"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = common.parser("python -m bench.pages", bench.pages.__doc__)
    common.add_db(parser, both=False)
    parser.add_argument(
        "--big",
        help="the big cooperative kept by `python -m bench.bigcoop --out`: a SQLite file, or a "
        "PostgreSQL database name; without it one is built here (--members, --years)",
    )
    parser.add_argument("--members", type=int, default=1_000, help="without --big")
    parser.add_argument("--years", type=int, default=5, help="without --big")
    parser.add_argument("--runs", type=int, default=5, help="timed requests of each page per db")
    parser.add_argument("--export-runs", type=int, default=1, help="0: no export")
    parser.add_argument("--only", action="append", help="a page's name; repeatable")
    common.add_profile(parser, "one more request under cProfile; auto: for pages off the goals")
    common.add_output(parser, "pages")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be >= 1")
    return args


def _pg_admin(statement: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(statement)
    finally:
        admin.dispose()


def fresh(kind: str, tmp: Path, what: str, created: list[str]) -> str:
    """A new migrated database: a SQLite file in `tmp`, or `bigcoop_pages_<what>_<random>`."""
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp / (what + '.db')}"
    else:
        name = f"bigcoop_pages_{what}_{secrets.token_hex(4)}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        created.append(name)
        url = PG_URL.format(db=name)
    migrate(url)
    return url


def demo(url: str, tmp: Path) -> None:
    """`governance demo` into the database at `url`, as bench/run.py fills it."""
    done = subprocess.run(
        [sys.executable, "-m", "governance.cli", "demo"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": url,
            "GOVERNANCE_VAR_DIR": str(tmp),
            "GOVERNANCE_ENV": "development",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"`governance demo` failed:\n{done.stdout}\n{done.stderr}")


def big_url(args: argparse.Namespace, tmp: Path, created: list[str]) -> str:
    if args.big:
        if args.db == "sqlite":
            path = Path(args.big).resolve()
            if not path.exists():
                raise BenchError(f"no database at {path}")
            return f"sqlite+aiosqlite:///{path}"
        return PG_URL.format(db=args.big)
    url = fresh(args.db, tmp, "big", created)
    print(f"  building the big cooperative ({args.members} members, {args.years} years) …")

    async def _build() -> None:
        async with engine_for(url) as engine:
            await build(engine, args.members, args.years, 200, progress=False)

    asyncio.run(_build())
    return url


def open_rule_proposal(url: str) -> int:
    """The big cooperative's open rule proposal; drafted and opened now when it has none."""
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as c:
            coop_id, found = c.execute(
                text(
                    "SELECT c.id, max(p.id) FROM cooperative c LEFT JOIN proposal p ON "
                    "p.cooperative_id = c.id AND p.kind = 'distribution_rule' AND "
                    "p.state = 'open' WHERE c.slug = :s GROUP BY c.id"
                ),
                {"s": BIG_SLUG},
            ).one()
            coordinator = c.execute(
                text(
                    "SELECT min(person_id) FROM membership WHERE cooperative_id = :c "
                    "AND role = 'coordinator'"
                ),
                {"c": coop_id},
            ).scalar_one()
    finally:
        engine.dispose()
    if found is not None:
        return int(found)
    print("  the big cooperative has no open rule proposal: one is drafted and opened now")

    async def _open() -> int:
        async with engine_for(url) as engine:
            return await rule_proposal(engine, int(coop_id), int(coordinator))

    return asyncio.run(_open())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    common.secret_key()
    run = common.Run()
    print(
        f"pages benchmark on {args.db}: big {args.big or '(built here)'}, --runs {args.runs}; "
        f"load average {run.load_before[0]:.2f}",
        flush=True,
    )
    tmp = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    created: list[str] = []
    try:
        demo_url = fresh(args.db, tmp, "demo", created)
        print("  governance demo …", flush=True)
        demo(demo_url, tmp)
        url = big_url(args, tmp, created)
        proposal = open_rule_proposal(url)
        targets: dict[str, Targets] = {
            "demo": read_targets(demo_url, DEMO_SLUG, DEMO_MEMBER, DEMO_PASSWORD, None),
            "big": read_targets(url, BIG_SLUG, BIG_MEMBER, BIG_PASSWORD, proposal),
        }
        for label, found in targets.items():
            print(
                f"  {label}: month {found.month}, {found.audit_events:,} audit events "
                f"(page {found.audit_page} measured as the deep page), {found.revenue_lines:,} "
                f"revenue lines (page {found.account_page}), proposal {found.proposal_id}",
                flush=True,
            )
        rows = asyncio.run(
            measure_all(
                {"demo": (demo_url, targets["demo"]), "big": (url, targets["big"])},
                args.runs,
                args.profile,
                RESULTS_DIR,
                run.stamp,
                args.only,
            )
        )
        export: dict[str, Any] | None = None
        if args.export_runs and not args.only:
            print("  books CSV export …", flush=True)
            export = {
                "demo": export_csv(demo_url, DEMO_SLUG, args.export_runs),
                "big": export_csv(url, BIG_SLUG, args.export_runs),
            }
    except (BenchError, OperationalError, ValueError) as error:
        print(f"could not run: {error}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"kept: {tmp}" + (f" and databases {', '.join(created)}" if created else ""))
        else:
            for name in created:
                _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(tmp, ignore_errors=True)
    run.end()
    print_table(rows, export, args.db)
    print_profiles(rows)
    run.print_end()
    run.save(
        "pages",
        args,
        targets={label: t.fields() for label, t in targets.items()},
        pages=rows,
        export=export,
    )
    bad = [r for r in rows if verdict(r) == "INVALID"]
    bad_export = export is not None and any(e["problem"] for e in export.values())
    return 1 if bad or bad_export else 0


if __name__ == "__main__":
    sys.exit(main())
