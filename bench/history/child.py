"""The history benchmark's children, each a fresh interpreter reporting its time and peak
memory: the real `audit verify` command and the bare driver script it is compared with, the
real `export` command, the trial balance, and hledger."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import resource
import sqlite3
import subprocess
import time
from typing import Any

from sqlalchemy.engine import make_url

from bench.common import peak_kb
from bench.databases import sqlite_path
from governance.audit.chain import GENESIS, EventPayload, event_hash

BARE_BATCH = 5_000
BARE_SQL = (
    "SELECT seq, at, cooperative_id, actor_id, action, subject_type, subject_id, data, "
    "prev_hash, hash FROM audit_event WHERE chain = {p} ORDER BY seq, id"
)


def child_verify_bare(url: str, chain: str) -> dict[str, Any]:
    """The baseline: the chain's rows through the driver alone (sqlite3, or psycopg with a
    server-side cursor), each hashed on the one before it with `chain.event_hash`, the same
    canonical bytes; it checks the sequence numbers, the links and the hashes."""
    startup = peak_kb()
    started = time.perf_counter()
    if url.startswith("sqlite"):
        connection: Any = sqlite3.connect(sqlite_path(url))
        cursor = connection.cursor()
        cursor.execute(BARE_SQL.format(p="?"), (chain,))
    else:
        import psycopg

        parsed = make_url(url)
        connection = psycopg.connect(
            host=parsed.host, port=parsed.port, user=parsed.username, dbname=parsed.database
        )
        cursor = connection.cursor(name="bare_verify")
        cursor.execute(BARE_SQL.format(p="%s"), (chain,))
    count, prev, expected_seq, whole = 0, GENESIS, 1, True
    try:
        while rows := cursor.fetchmany(BARE_BATCH):
            for seq, at, coop, actor, action, kind, subject, data, prev_hash, digest in rows:
                payload = EventPayload(chain, seq, at, coop, actor, action, kind, subject, data)
                if (
                    seq != expected_seq
                    or prev_hash != prev
                    or event_hash(prev_hash, payload) != digest
                ):
                    whole = False
                expected_seq, prev = seq + 1, digest
                count += 1
    finally:
        cursor.close()
        connection.close()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "events": count,
        "head": prev,
        "whole": whole,
        "startup_peak_kb": startup,
        "peak_kb": peak_kb(),
    }


def _environment(url: str) -> None:
    os.environ["DATABASE_URL"] = url


def child_verify_app(url: str, slug: str) -> dict[str, Any]:
    """`governance audit verify --coop <slug>`: the command's own function, in this process."""
    from governance.commands.audit import cmd_audit_verify

    _environment(url)
    startup = peak_kb()
    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out):
        code = cmd_audit_verify(argparse.Namespace(coop=slug, witness=None))
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "exit": code,
        "output": out.getvalue(),
        "startup_peak_kb": startup,
        "peak_kb": peak_kb(),
    }


def child_export(url: str, slug: str, fmt: str, path: str) -> dict[str, Any]:
    """`governance export --coop <slug> --format <fmt> --output <path>`, through `cli.main`."""
    from governance.cli import main

    _environment(url)
    startup = peak_kb()
    started = time.perf_counter()
    code = main(["export", "--coop", slug, "--format", fmt, "--output", path])
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "exit": code,
        "bytes": os.path.getsize(path) if os.path.exists(path) else 0,
        "startup_peak_kb": startup,
        "peak_kb": peak_kb(),
    }


def child_trial(url: str, cooperative_id: int) -> dict[str, Any]:
    """`reading.trial_balance` as bench.ledger calls it (read-only engine; once to warm, then
    best of 3), with the balances under their hledger names."""
    from governance.base.db import make_engine, make_sessionmaker
    from governance.ledger.books import reading
    from governance.ledger.books.export import hledger_account

    async def run() -> dict[str, Any]:
        engine = make_engine(url, read_only=True)
        sessions = make_sessionmaker(engine)
        reader = reading.Operator(cooperative_id)
        rows: list[reading.BalanceRow] = []
        measured = []
        try:
            for _ in range(4):
                started = time.perf_counter()
                async with sessions() as session:
                    rows = await reading.trial_balance(session, reader, None)
                measured.append(time.perf_counter() - started)
        finally:
            await engine.dispose()
        return {
            "seconds": min(measured[1:]),
            "all_seconds": measured,
            "balances": {
                hledger_account(row.account, row.type): row.balance_cents
                for row in rows
                if row.balance_cents
            },
        }

    report = asyncio.run(run())
    report["peak_kb"] = peak_kb()
    return report


def child_hledger(*arguments: str) -> dict[str, Any]:
    """`hledger <arguments>`, its time and its peak memory (this process runs nothing else)."""
    started = time.perf_counter()
    done = subprocess.run(["hledger", *arguments], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "exit": done.returncode,
        "stdout": done.stdout if len(done.stdout) < 100_000 else done.stdout[:100_000],
        "stderr": done.stderr[-2000:],
        "peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }
