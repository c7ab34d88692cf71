"""The month close benchmark's runner: `python -m bench.close` (see the package's docstring)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError

import bench.close
import governance.app  # noqa: F401  the server's modules, loaded as in each child
from bench import common
from bench.close import GOAL, Filled, fill
from bench.close.checks import check
from bench.close.child import child_aggregate, child_close
from bench.close.report import print_table
from bench.common import RESULTS_DIR, ROOT, BenchError
from bench.databases import store


def run_child(what: str, url: str, filled: Filled, *extra: str) -> dict[str, Any]:
    """Run `what` in a fresh interpreter (same imports as this one); its JSON report."""
    return common.run_child(
        "bench.close",
        what,
        "--url",
        url,
        "--cooperative",
        str(filled.cooperative_id),
        "--actor",
        str(filled.coordinator_id),
        *extra,
    )


def bench_database(kind: str, args: argparse.Namespace, stamp: str) -> dict[str, Any]:
    with store(kind, "close", args.keep, f"bench-close-{kind}-") as dbs:
        master = dbs.fresh("filled")
        print(
            f"  filling {args.members:,} members and {args.prestations:,} prestations …",
            flush=True,
        )
        filled = asyncio.run(fill(master, args.members, args.prestations))
        print(
            f"  filled in {filled.seconds:.1f} s: {filled.entries:,} entries, "
            f"{filled.lines:,} lines",
            flush=True,
        )
        runs = []
        for number in range(1, args.runs + 1):
            url = dbs.copy(master, f"run{number}")
            aggregate = run_child("aggregate", url, filled)
            close = run_child("close", url, filled, "--page-first")
            checked = asyncio.run(check(url, filled))
            fresh_url = dbs.copy(master, f"fresh{number}")
            fresh = run_child("close", fresh_url, filled)
            fresh_checked = asyncio.run(check(fresh_url, filled))
            problems = checked["problems"] + fresh_checked["problems"]
            print(
                f"  run {number}: close {close['seconds']:.2f} s (review "
                f"{close['review_seconds']:.2f} s, finalize {close['finalize_seconds']:.2f} s), "
                f"in a fresh process {fresh['seconds']:.2f} s, "
                f"aggregate {aggregate['seconds'] * 1000:.1f} ms; period "
                f"{checked.get('period_state')}, {checked.get('statements')} statements, "
                f"{checked.get('audit_events')} audit events in the checked chain"
                + (f"; INVALID: {'; '.join(problems)}" if problems else ""),
                flush=True,
            )
            runs.append(
                {
                    "close": close,
                    "fresh": fresh,
                    "aggregate": aggregate,
                    "checked": checked,
                    "problems": problems,
                }
            )
        best = min(runs, key=lambda r: r["close"]["seconds"])
        close_s = best["close"]["seconds"]
        fresh_s = min(r["fresh"]["seconds"] for r in runs)
        aggregate_s = min(r["aggregate"]["seconds"] for r in runs)
        ratio = common.ratio(close_s, aggregate_s)
        close_mb = max(max(r["close"]["peak_kb"], r["fresh"]["peak_kb"]) for r in runs) / 1024
        aggregate_mb = max(r["aggregate"]["peak_kb"] for r in runs) / 1024
        result: dict[str, Any] = {
            "db": kind,
            "filled": asdict(filled),
            "runs": runs,
            "close_seconds": close_s,
            "fresh_seconds": fresh_s,
            "aggregate_seconds": aggregate_s,
            "ratio": ratio,
            "fresh_ratio": fresh_s / aggregate_s,
            "goal": f"<= {GOAL:g}",
            "close_peak_mb": close_mb,
            "aggregate_peak_mb": aggregate_mb,
            "memory_ratio": close_mb / aggregate_mb,
            "startup_mb": best["aggregate"]["startup_peak_kb"] / 1024,
            "statements": best["checked"].get("statements"),
            "problems": [p for r in runs for p in r["problems"]],
        }
        if args.tracemalloc:
            url = dbs.copy(master, "trace")
            traced = run_child("close", url, filled, "--page-first", "--tracemalloc")
            result["tracemalloc"] = traced
            print(
                f"  tracemalloc run: Python allocations peak at "
                f"{traced['tracemalloc_peak_bytes'] / 2**20:.0f} MB "
                f"(close {traced['seconds']:.2f} s under tracemalloc, not the timed one)",
                flush=True,
            )
        if args.profile == "always" or (args.profile == "auto" and ratio > GOAL):
            url = dbs.copy(master, "profile")
            prof = RESULTS_DIR / f"close-{kind}-{stamp}.prof"
            prof.parent.mkdir(parents=True, exist_ok=True)
            profiled = run_child("close", url, filled, "--page-first", "--profile-out", str(prof))
            profiled["prof_file"] = str(prof.relative_to(ROOT))
            result["profile"] = profiled
            print(
                f"  profiled run (cProfile on, slower): close {profiled['seconds']:.2f} s, "
                f"{profiled['queries']:,} SQL statements waiting {profiled['query_seconds']:.2f} s",
                flush=True,
            )
    return result


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = common.parser("python -m bench.close", bench.close.__doc__)
    common.add_db(parser)
    parser.add_argument("--members", type=int, default=1_000)
    parser.add_argument("--prestations", type=int, default=100_000)
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help="timed closes of each kind, each on a new copy (best is kept, as for the aggregate)",
    )
    common.add_profile(
        parser, "one more close under cProfile; auto: when the ratio is above the goal"
    )
    parser.add_argument(
        "--tracemalloc", action="store_true", help="one more close under tracemalloc"
    )
    common.add_output(parser, "close")
    # Internal: what a child process runs.
    parser.add_argument("--child", choices=["aggregate", "close"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--cooperative", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--actor", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--page-first", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.members < 1 or args.prestations < 1 or args.runs < 1:
        parser.error("--members, --prestations and --runs must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    common.secret_key()
    if args.child:
        gc.freeze()  # as the server does after start-up (governance.app's lifespan)
        if args.child == "aggregate":
            report = child_aggregate(args.url, args.cooperative)
        else:
            report = child_close(
                args.url,
                args.cooperative,
                args.actor,
                args.profile_out,
                args.tracemalloc,
                args.page_first,
            )
        print(json.dumps(report))
        return 0

    kinds = common.kinds(args.db)
    run = common.Run()
    print(
        f"month close benchmark on {', '.join(kinds)}: --members {args.members} "
        f"--prestations {args.prestations} --runs {args.runs}; "
        f"load average {run.load_before[0]:.2f}",
        flush=True,
    )
    results = []
    try:
        for kind in kinds:
            print(f"{kind}:", flush=True)
            results.append(bench_database(kind, args, run.stamp))
    except (BenchError, OperationalError) as error:
        print(f"could not run: {error}", file=sys.stderr)
        return 2
    run.end()
    print_table(results)
    run.print_end()
    run.save("close", args, results=results)
    return 1 if any(r["problems"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
