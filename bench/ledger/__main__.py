"""The ledger benchmarks' runner: `python -m bench.ledger` (see the package's docstring)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

import bench.ledger
from bench import common
from bench.common import BenchError, print_invalid, table
from bench.databases import Store, store
from bench.ledger import (
    GOALS,
)
from bench.ledger.books import bench_books
from bench.ledger.csv_import import bench_csv_import
from governance.ledger.imports import csv_reader


def print_table(results: list[dict[str, Any]]) -> None:
    header = ["benchmark", "size", "measured", "baseline", "ratio", "goal", "ok"]
    body = []
    for r in results:
        if r["name"] == "csv_import":
            size = f"{r['rows']:,} rows"
            measured = f"{r['import_rows_per_s']:,.0f} rows/s"
            baseline = f"{r['baseline_rows_per_s']:,.0f} rows/s"
            met = r["ratio"] >= GOALS["csv_import"]
        else:
            size = f"{r['lines']:,} lines" if r["name"] == "trial_balance" else f"page {r['page']}"
            measured = f"{r['seconds'] * 1000:,.1f} ms"
            baseline = f"{r['baseline_seconds'] * 1000:,.1f} ms"
            met = r["ratio"] <= GOALS[r["name"]]
        ok = "INVALID" if r["problems"] else ("yes" if met else "no")
        body.append([r["name"], size, measured, baseline, f"{r['ratio']:.2f}", r["goal"], ok])
    print()
    table(header, body, right={1, 2, 3, 4})
    print()
    for r in results:
        if r["name"] == "csv_import":
            print(
                f"csv_import: import {r['import_rows_per_s']:,.0f} rows/s "
                f"({r['import_seconds']:.2f} s, of which read_csv {r['parse_seconds']:.2f} s) "
                f"vs bare INSERT {r['baseline_rows_per_s']:,.0f} rows/s "
                f"({r['baseline_seconds']:.2f} s) -> ratio {r['ratio']:.2f} "
                f"[{r['mode']}]"
            )
            if len(r["chunk_seconds"]) > 1:
                print(
                    f"  per file: first {r['chunk_seconds'][0]:.2f} s, "
                    f"last {r['chunk_seconds'][-1]:.2f} s"
                )
        elif r["name"] == "trial_balance":
            print(
                f"trial_balance: {r['seconds'] * 1000:.1f} ms vs bare GROUP BY "
                f"{r['baseline_seconds'] * 1000:.1f} ms over {r['lines']:,} lines "
                f"-> ratio {r['ratio']:.2f}"
            )
        else:
            print(
                f"account_page: page {r['page']} {r['seconds'] * 1000:.2f} ms vs page 1 "
                f"{r['baseline_seconds'] * 1000:.2f} ms ({r['account']}, "
                f"{r['account_lines']:,} lines) -> ratio {r['ratio']:.2f}"
            )
        print_invalid(r["problems"])


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = common.parser("python -m bench.ledger", bench.ledger.__doc__)
    common.add_db(parser, both=False)
    parser.add_argument("--rows", type=int, default=100_000, help="prestations in the CSV")
    parser.add_argument("--lines", type=int, default=1_000_000, help="ledger lines")
    parser.add_argument(
        "--chunk",
        type=int,
        default=csv_reader.MAX_ROWS,
        help="rows per imported file (default 5000, the upload cap); 0: all at once",
    )
    parser.add_argument(
        "--only", action="append", choices=["csv_import", "books"], help="repeatable"
    )
    common.add_output(parser, "ledger")
    args = parser.parse_args(argv)
    if args.rows < 1 or args.lines < 2 or args.chunk < 0:
        parser.error("--rows must be >= 1, --lines >= 2, --chunk >= 0")
    return args


async def run(args: argparse.Namespace, dbs: Store) -> list[dict[str, Any]]:
    only = set(args.only or ["csv_import", "books"])
    results = []
    if "csv_import" in only:
        print("1. CSV import vs bare batched INSERT", flush=True)
        results.append(await bench_csv_import(dbs, args.rows, args.chunk))
    if "books" in only:
        print("2-3. trial balance vs bare GROUP BY; account page 1000 vs page 1", flush=True)
        results += await bench_books(dbs, args.lines)
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    common.secret_key()
    started = common.Run()
    print(
        f"ledger benchmarks on {args.db}: --rows {args.rows} --lines {args.lines} "
        f"--chunk {args.chunk}; load average {started.load_before[0]:.2f}",
        flush=True,
    )
    try:
        with store(args.db, "ledger", args.keep, "bench-ledger-") as dbs:
            results = asyncio.run(run(args, dbs))
    except BenchError as error:
        print(f"could not run: {error}", file=sys.stderr)
        return 2
    started.end()
    print_table(results)
    started.print_end()
    started.stamp = common.stamp()  # the results file is named after the run's end
    started.save("ledger", args, results=results)
    return 1 if any(r["problems"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
