"""The history benchmark's runner: `python -m bench.history` (see the package's docstring)."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import sys
from decimal import Decimal
from typing import Any

import bench.history
from bench import common
from bench.common import BenchError, print_invalid, table
from bench.databases import Store, engine_for, store
from bench.history import MEMORY_GOAL_MB, VERIFY_GOAL, fill
from bench.ledger import COOP_SLUG

MODULE = "bench.history"


def child(what: str, *extra: str) -> dict[str, Any]:
    return common.run_child(MODULE, what, *extra)


def mb(kb: int) -> float:
    return kb / 1024


def hledger_balances(out: str) -> dict[str, int]:
    """`hledger bal -N --flat -O csv` as {account: cents}, zero balances left out."""
    balances = {}
    for account, amount in list(csv.reader(io.StringIO(out)))[1:]:
        cents = Decimal(amount.replace("EUR", "").replace(",", "").strip()) * 100
        if cents:
            balances[account] = int(cents)
    return balances


def run(args: argparse.Namespace, dbs: Store) -> dict[str, Any]:
    url = dbs.fresh("history")

    async def filling() -> dict[str, Any]:
        async with engine_for(url) as engine:
            return await fill(engine, args.events, args.lines)

    print(f"filling: {args.events:,} audit events, {args.lines:,} ledger lines", flush=True)
    filled = asyncio.run(filling())
    print(
        f"  filled in {filled['audit_fill_seconds']:.0f} s (chain) + "
        f"{filled['ledger_fill_seconds']:.0f} s (ledger)",
        flush=True,
    )
    results: dict[str, Any] = {"filled": filled, "problems": []}
    problems: list[str] = results["problems"]
    length = filled["chain_length"]

    print("1. audit verify vs bare driver script", flush=True)
    bares, apps = [], []
    for _ in range(args.runs):  # interleaved, the best of each kept
        bares.append(child("verify-bare", "--url", url, "--chain", filled["chain"]))
        apps.append(child("verify-app", "--url", url, "--coop", COOP_SLUG))
    bare = min(bares, key=lambda report: report["seconds"])
    app = min(apps, key=lambda report: report["seconds"])
    results["verify"] = {
        "events": length,
        "bare": bare,
        "app": app,
        "bare_all_seconds": [report["seconds"] for report in bares],
        "app_all_seconds": [report["seconds"] for report in apps],
        "app_peak_kb_max": max(report["peak_kb"] for report in apps),
        "bare_rate": length / bare["seconds"],
        "app_rate": length / app["seconds"],
        "ratio": bare["seconds"] / app["seconds"],
    }
    if not bare["whole"] or bare["events"] != length:
        problems.append(f"the bare script found {bare['events']} events, whole={bare['whole']}")
    expected = f"{length} events, whole; head {bare['head']}"
    if app["exit"] != 0 or expected not in app["output"]:
        problems.append(f"audit verify said: {app['output'].strip()!r} (exit {app['exit']})")

    print("2. export hledger and csv; hledger check -s", flush=True)
    files = {
        fmt: str(dbs.tmp / f"benchcoop.{ext}")
        for fmt, ext in (("hledger", "journal"), ("csv", "csv"))
    }
    exports = {}
    for fmt, path in files.items():
        exports[fmt] = child(
            "export", "--url", url, "--coop", COOP_SLUG, "--format", fmt, "--output", path
        )
        if exports[fmt]["exit"] != 0:
            problems.append(f"export {fmt} exited {exports[fmt]['exit']}")
    check = child("hledger", "--", "check", "-s", "-f", files["hledger"])
    if check["exit"] != 0:
        problems.append(f"hledger check -s failed: {check['stderr'].strip()[-300:]}")
    with open(files["csv"], encoding="utf-8", newline="") as handle:
        csv_rows = sum(1 for _ in handle) - 1
    if csv_rows != args.lines - args.lines % 2:
        problems.append(f"the CSV has {csv_rows} rows for {args.lines} lines")
    results["export"] = exports
    results["hledger_check"] = check
    results["csv_rows"] = csv_rows

    print("3. trial balance vs hledger bal", flush=True)
    trial = child("trial", "--url", url, "--cooperative", str(filled["cooperative_id"]))
    bal = child("hledger", "--", "-f", files["hledger"], "bal", "-N", "--flat", "-O", "csv")
    if bal["exit"] != 0:
        problems.append(f"hledger bal failed: {bal['stderr'].strip()[-300:]}")
    elif hledger_balances(bal["stdout"]) != trial["balances"]:
        problems.append("hledger bal and the trial balance disagree")
    results["trial"] = {"app": trial, "hledger": bal, "ratio": trial["seconds"] / bal["seconds"]}
    return results


def print_tables(args: argparse.Namespace, r: dict[str, Any]) -> None:
    v = r["verify"]
    ok_verify = v["ratio"] >= VERIFY_GOAL and mb(v["app_peak_kb_max"]) < MEMORY_GOAL_MB
    header = ["measure", "size", "app", "baseline", "ratio", "goal", "peak MB", "ok"]
    body = [
        [
            "audit verify",
            f"{v['events']:,} events",
            f"{v['app_rate']:,.0f} ev/s",
            f"{v['bare_rate']:,.0f} ev/s",
            f"{v['ratio']:.2f}",
            f">= {VERIFY_GOAL}, < {MEMORY_GOAL_MB} MB",
            f"{mb(v['app_peak_kb_max']):.0f} (bare {mb(v['bare']['peak_kb']):.0f})",
            "yes" if ok_verify else "no",
        ]
    ]
    for fmt, e in r["export"].items():
        body.append(
            [
                f"export {fmt}",
                f"{args.lines:,} lines",
                common.ms(e["seconds"]),
                "",
                "",
                f"< {MEMORY_GOAL_MB} MB",
                f"{mb(e['peak_kb']):.0f}",
                "yes" if mb(e["peak_kb"]) < MEMORY_GOAL_MB else "no",
            ]
        )
    t = r["trial"]
    body.append(
        [
            "trial balance",
            f"{args.lines:,} lines",
            common.ms(t["app"]["seconds"]),
            f"hledger bal {common.ms(t['hledger']['seconds'])}",
            f"{t['ratio']:.3f}",
            "< 1",
            f"{mb(t['app']['peak_kb']):.0f} (hledger {mb(t['hledger']['peak_kb']):.0f})",
            "yes" if t["ratio"] < 1 else "no",
        ]
    )
    print()
    print(
        "peak MB: the child's VmHWM, imports included (at start-up: verify "
        f"{mb(v['app']['startup_peak_kb']):.0f}, bare {mb(v['bare']['startup_peak_kb']):.0f}, "
        + ", ".join(
            f"export {fmt} {mb(e['startup_peak_kb']):.0f}" for fmt, e in r["export"].items()
        )
        + ")"
    )
    if r["problems"]:
        for row in body:
            row[-1] = "INVALID"
    print()
    table(header, body, right={1, 2, 3, 4, 6})
    check = r["hledger_check"]
    print()
    print(
        f"audit verify: {v['app_rate']:,.0f} events/s ({v['app']['seconds']:.1f} s) vs bare "
        f"{v['bare_rate']:,.0f} events/s ({v['bare']['seconds']:.1f} s) -> ratio {v['ratio']:.2f}; "
        f"best of {len(v['app_all_seconds'])}: app "
        + ", ".join(f"{s:.1f}" for s in v["app_all_seconds"])
        + " s, bare "
        + ", ".join(f"{s:.1f}" for s in v["bare_all_seconds"])
        + " s"
    )
    for fmt, e in r["export"].items():
        print(f"export {fmt}: {e['bytes'] / 2**20:,.0f} MiB in {e['seconds']:.1f} s")
    print(
        f"hledger check -s: {'passed' if check['exit'] == 0 else 'FAILED'} "
        f"({check['seconds']:.1f} s, {mb(check['peak_kb']):,.0f} MB)"
    )
    print_invalid(r["problems"])


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = common.parser("python -m bench.history", bench.history.__doc__)
    common.add_db(parser, both=False)
    parser.add_argument("--events", type=int, default=1_000_000, help="audit events")
    parser.add_argument("--lines", type=int, default=3_000_000, help="ledger lines")
    parser.add_argument(
        "--runs", type=int, default=2, help="verify runs, bare and app interleaved; best kept"
    )
    common.add_output(parser, "history")
    # Internal: what a child process runs.
    parser.add_argument(
        "--child",
        choices=["verify-bare", "verify-app", "export", "trial", "hledger"],
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--chain", help=argparse.SUPPRESS)
    parser.add_argument("--coop", help=argparse.SUPPRESS)
    parser.add_argument("--format", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    parser.add_argument("--cooperative", type=int, help=argparse.SUPPRESS)
    parser.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.events < 1 or args.lines < 2 or args.runs < 1:
        parser.error("--events must be >= 1, --lines >= 2, --runs >= 1")
    return args


def run_as_child(args: argparse.Namespace) -> int:
    from bench.history import child as children

    if args.child == "verify-bare":
        report = children.child_verify_bare(args.url, args.chain)
    elif args.child == "verify-app":
        report = children.child_verify_app(args.url, args.coop)
    elif args.child == "export":
        report = children.child_export(args.url, args.coop, args.format, args.output)
    elif args.child == "trial":
        report = children.child_trial(args.url, args.cooperative)
    else:
        report = children.child_hledger(*args.rest)
    print(json.dumps(report))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    common.secret_key()
    if args.child:
        return run_as_child(args)
    started = common.Run()
    print(
        f"history benchmark on {args.db}: --events {args.events} --lines {args.lines}; "
        f"load average {started.load_before[0]:.2f}",
        flush=True,
    )
    try:
        with store(args.db, "history", args.keep, "bench-history-") as dbs:
            results = run(args, dbs)
    except BenchError as error:
        print(f"could not run: {error}", file=sys.stderr)
        return 2
    started.end()
    print_tables(args, results)
    started.print_end()
    started.stamp = common.stamp()
    started.save("history", args, results=results)
    return 1 if results["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
