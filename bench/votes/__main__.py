"""The votes benchmark's runner: `python -m bench.votes` (see the package's docstring)."""

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

import bench.votes
import governance.app  # noqa: F401  the server's modules, loaded in each child as in a server
from bench import common
from bench.common import (
    RESULTS_DIR,
    BenchError,
    ms,
)
from bench.databases import store
from bench.votes import (
    MONTHS,
    OPTIONS,
    SEED,
)
from bench.votes.ballots import fill_ballots, rankings
from bench.votes.coop import fill_coop
from bench.votes.page import child_page
from bench.votes.report import print_results
from bench.votes.tally import child_count, child_tally


def run_child(what: str, *extra: str) -> dict[str, Any]:
    """Run `what` in a fresh interpreter (same imports as this one); its JSON report."""
    return common.run_child("bench.votes", what, *extra)


def bench_database(
    kind: str, args: argparse.Namespace, ballots: list[list[str]], count: dict[str, Any], stamp: str
) -> dict[str, Any]:
    """tally_now and the page on one database (or one of them, with --only)."""
    found: dict[str, Any] = {"db": kind, "problems": []}
    with store(kind, "votes", args.keep, f"bench-votes-{kind}-") as dbs:
        if args.only in (None, "tally"):
            found.update(bench_tally(kind, args, dbs.fresh("ballots"), ballots, count, stamp))
            found["problems"] += found["tally"]["problems"]
        if args.only in (None, "page"):
            found.update(bench_page(kind, args, dbs.fresh("coop"), stamp))
            found["problems"] += found["page"]["problems"]
    return found


def bench_tally(
    kind: str,
    args: argparse.Namespace,
    url: str,
    ballots: list[list[str]],
    count: dict[str, Any],
    stamp: str,
) -> dict[str, Any]:
    print(f"  filling {len(ballots):,} voters and their ranked ballots …", flush=True)
    ballots_filled = asyncio.run(fill_ballots(url, ballots))
    print(f"  filled in {ballots_filled.seconds:.1f} s", flush=True)
    prof = RESULTS_DIR / f"votes-tally-{kind}-{stamp}.prof"
    tally = run_child(
        "tally",
        *child_options(args),
        "--url",
        url,
        "--proposal",
        str(ballots_filled.proposal_id),
        "--profile-out",
        str(prof),
    )
    problems = []
    if tally["rows"] != len(ballots):
        problems.append(f"the bare SELECT read {tally['rows']} rows, not {len(ballots)}")
    if tally["result"] != count["result"]:
        problems.append("tally_now's result differs from the pure count of the same rankings")
    print(
        f"  tally_now {ms(tally['seconds'])}, bare SELECT "
        f"{ms(tally['baseline_seconds'])} (best of {args.runs})"
        + (f"; INVALID: {'; '.join(problems)}" if problems else ""),
        flush=True,
    )
    tally["problems"] = problems
    return {"ballots_filled": asdict(ballots_filled), "tally": tally}


def bench_page(kind: str, args: argparse.Namespace, url: str, stamp: str) -> dict[str, Any]:
    print(
        f"  filling {args.members:,} members, {args.prestations:,} prestations in each of "
        f"{', '.join(MONTHS)}, closing the three months, opening the proposal …",
        flush=True,
    )
    coop = asyncio.run(fill_coop(url, args.members, args.prestations))
    print(
        f"  filled in {coop.fill_seconds:.1f} s; closes "
        + ", ".join(f"{s:.2f} s" for s in coop.close_seconds),
        flush=True,
    )
    prof = RESULTS_DIR / f"votes-page-{kind}-{stamp}.prof"
    page = run_child(
        "page",
        *child_options(args),
        "--url",
        url,
        "--cooperative",
        str(coop.cooperative_id),
        "--reader",
        str(coop.reader_id),
        "--proposal",
        str(coop.proposal_id),
        "--profile-out",
        str(prof),
    )
    if page["comparison_rows"] < args.members:
        page["problems"].append(
            f"{page['comparison_rows']} comparison rows for {args.members} members"
        )
    print(
        f"  proposal page {page['seconds'] * 1000:.0f} ms, members page "
        f"{page['baseline_seconds'] * 1000:.0f} ms, preview.compare "
        f"{page['compare_seconds'] * 1000:.0f} ms (best of {args.runs})"
        + (f"; INVALID: {'; '.join(page['problems'])}" if page["problems"] else ""),
        flush=True,
    )
    return {"coop_filled": asdict(coop), "page": page}


def child_options(args: argparse.Namespace) -> list[str]:
    return ["--runs", str(args.runs), "--profile", args.profile]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = common.parser("python -m bench.votes", bench.votes.__doc__)
    common.add_db(parser)
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each step; best kept")
    parser.add_argument("--ballots", type=int, default=100_000, help="ranked ballots")
    parser.add_argument("--members", type=int, default=1_000, help="members of the cooperative")
    parser.add_argument(
        "--only",
        choices=["count", "tally", "page"],
        help="the pure count only (no database), or the count and only tally_now, or the "
        "count and only the page",
    )
    parser.add_argument(
        "--prestations",
        type=int,
        help="prestations in each of the three closed months (default 100 per member)",
    )
    common.add_profile(
        parser, "cProfile one more call; auto: a count or tally that misses the 1 s goal"
    )
    common.add_output(parser, "votes")
    # Internal: what a child process runs.
    parser.add_argument("--child", choices=["count", "tally", "page"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--proposal", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cooperative", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--reader", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prestations is None:
        args.prestations = 100 * args.members
    if args.runs < 1 or args.ballots < 1 or args.members < 1 or args.prestations < 1:
        parser.error("--runs, --ballots, --members and --prestations must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    common.secret_key()
    if args.child:
        if args.child != "page":  # the page child's app freezes at start-up, in its lifespan
            gc.freeze()  # as the server does after start-up (governance.app's lifespan)
        if args.child == "count":
            report = child_count(args.ballots, args.runs, args.profile, args.profile_out)
        elif args.child == "tally":
            report = child_tally(args.url, args.proposal, args.runs, args.profile, args.profile_out)
        else:
            report = child_page(
                args.url,
                args.cooperative,
                args.reader,
                args.proposal,
                args.runs,
                args.profile,
                args.profile_out,
            )
        print(json.dumps(report, ensure_ascii=False))
        return 0

    kinds = common.kinds(args.db)
    run = common.Run()
    stamp = run.stamp
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    print(
        f"votes benchmark on {', '.join(kinds)}: --ballots {args.ballots} --members "
        f"{args.members} --prestations {args.prestations} (per month) --runs {args.runs}; "
        f"load average {run.load_before[0]:.2f}",
        flush=True,
    )
    results = []
    try:
        print(f"count: {args.ballots:,} rankings of {len(OPTIONS)} options (seed {SEED}) …")
        count = run_child(
            "count",
            "--ballots",
            str(args.ballots),
            "--runs",
            str(args.runs),
            "--profile",
            args.profile,
            "--profile-out",
            str(RESULTS_DIR / f"votes-count-{stamp}.prof"),
        )
        theirs = count["pyrankvote"]
        print(
            f"  methods.ranked {ms(count['seconds'])}, Counter {ms(count['baseline_seconds'])},"
            f" pyrankvote {ms(theirs['seconds'])} (best of {args.runs}; ratio "
            f"{theirs['ratio']:.2f}), {len(count['result']['rounds'])} rounds"
            + (f"; INVALID: {'; '.join(count['problems'])}" if count["problems"] else ""),
            flush=True,
        )
        ballots = rankings(args.ballots) if args.only != "count" else []
        for kind in kinds if args.only != "count" else []:
            print(f"{kind}:", flush=True)
            results.append(bench_database(kind, args, ballots, count, stamp))
    except (BenchError, OperationalError) as error:
        print(f"could not run: {error}", file=sys.stderr)
        return 2
    run.end()
    print_results(args, count, results)
    run.print_end()
    run.save("votes", args, count=count, results=results)
    problems = count["problems"] + [p for r in results for p in r["problems"]]
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
