"""The big cooperative's runner: `python -m bench.bigcoop` (see the package's docstring)."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

import bench.bigcoop
from bench import common
from bench.bigcoop import SLUG, VOTES, Built, build
from bench.common import ROOT, BenchError
from bench.databases import PG_ADMIN_URL, PG_URL, engine_for, sqlite_path
from governance.base.db import migrate


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = common.parser("python -m bench.bigcoop", bench.bigcoop.__doc__)
    common.add_db(parser, both=False)
    parser.add_argument("--members", type=int, default=1_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--votes", type=int, default=VOTES)
    parser.add_argument(
        "--out",
        help="keep the database here: a SQLite file, or a PostgreSQL database name "
        "(replaced if it exists); default a temporary one, dropped unless --keep",
    )
    common.add_output(parser, "bigcoop")
    args = parser.parse_args(argv)
    if args.members < 1 or args.years < 1 or args.votes < 0:
        parser.error("--members and --years must be >= 1, --votes >= 0")
    return args


def _pg_admin(statement: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(statement)
    finally:
        admin.dispose()


def new_database(args: argparse.Namespace, stamp: str) -> str:
    """The async URL of a new, migrated, empty database where --out (or a default) says."""
    if args.db == "sqlite":
        path = Path(args.out or ROOT / "bench" / "results" / f"bigcoop-{stamp}.db").resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        url = f"sqlite+aiosqlite:///{path}"
    else:
        name = args.out or f"bigcoop_{stamp.lower()}"
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "{name}"')
        url = PG_URL.format(db=name)
    migrate(url)
    return url


def drop_database(url: str) -> None:
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(sqlite_path(url) + suffix).unlink(missing_ok=True)
    else:
        _pg_admin(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def size_of(url: str) -> int:
    """The database's size in bytes (with SQLite's write-ahead log)."""
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        return sum(os.path.getsize(path + s) for s in ("", "-wal") if os.path.exists(path + s))
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
            )
    finally:
        engine.dispose()


def counts(url: str) -> dict[str, int]:
    tables = (
        "person",
        "prestation",
        "journal_entry",
        "ledger_line",
        "invoice",
        "payment",
        "statement",
        "payout_batch",
        "payout_line",
        "proposal",
        "ballot",
        "audit_event",
        "outbox_mail",
    )
    sync = url.replace("+aiosqlite", "")
    engine = create_engine(sync)
    found: dict[str, int] = {}
    try:
        with engine.connect() as connection:
            for table in tables:
                try:
                    found[table] = int(
                        connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()
                    )
                except Exception:  # a table by another name: left out
                    connection.rollback()
    finally:
        engine.dispose()
    return found


def verify(url: str) -> tuple[bool, str, float]:
    """`governance audit verify --coop bigcoop` on the database: (passed, its output, seconds)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "governance.cli", "audit", "verify", "--coop", SLUG],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=False,
    )
    output = (done.stdout + done.stderr).strip()
    return done.returncode == 0, output, time.perf_counter() - started


async def _build(url: str, args: argparse.Namespace) -> Built:
    async with engine_for(url) as engine:
        return await build(engine, args.members, args.years, args.votes)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    common.secret_key()
    run = common.Run()
    print(
        f"big cooperative on {args.db}: --members {args.members} --years {args.years} "
        f"--votes {args.votes}; load average {run.load_before[0]:.2f}",
        flush=True,
    )
    try:
        url = new_database(args, run.stamp)
    except (BenchError, OperationalError) as error:
        print(f"could not set up: {error}", file=sys.stderr)
        return 2
    keep = bool(args.out) or args.keep
    result: dict[str, Any] = {"url": url}
    try:
        started = time.perf_counter()
        built = asyncio.run(_build(url, args))
        build_s = time.perf_counter() - started
        size = size_of(url)
        ok, output, verify_s = verify(url)
        run.end()
        phases = built.phases
        rows = [
            [name, f"{phases.counts[name]:,}", common.ms(seconds)]
            for name, seconds in phases.seconds.items()
        ]
        rows.append(["build in all", "", common.ms(build_s)])
        rows.append(["governance audit verify", "", common.ms(verify_s)])
        print()
        common.table(["phase", "count", "time"], rows, {1, 2})
        found = counts(url)
        print("\n" + ", ".join(f"{n:,} {t}" for t, n in found.items()))
        print(
            f"{len(built.months)} months {built.months[0]} to {built.months[-1]}, "
            f"{built.prestations:,} prestations, {built.proposals} votes, {built.ballots:,} ballots"
        )
        print(f"database size: {size / 2**20:,.0f} MiB ({args.db})")
        first_line = output.splitlines()[0] if output else ""
        print(f"audit verify: {'passed' if ok else 'FAILED'}: {first_line}")
        if keep:
            print(f"kept: {url}")
        result.update(
            cooperative_id=built.cooperative_id,
            coordinator_id=built.coordinator_id,
            members=len(built.member_ids),
            months=built.months,
            prestations=built.prestations,
            income_cents=built.income_cents,
            proposals=built.proposals,
            ballots=built.ballots,
            phases={n: [phases.counts[n], s] for n, s in phases.seconds.items()},
            build_seconds=build_s,
            verify_seconds=verify_s,
            verify_ok=ok,
            verify_output=output,
            size_bytes=size,
            counts=found,
            peak_mb=common.peak_kb() / 1024,
        )
        run.print_end()
        run.save("bigcoop", args, result=result)
        return 0 if ok else 1
    finally:
        if not keep:
            drop_database(url)


if __name__ == "__main__":
    sys.exit(main())
