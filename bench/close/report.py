"""The month close benchmark's output: the table, then each database's close in words (its
steps, memory, profile)."""

from __future__ import annotations

from typing import Any

from bench.close import GOAL
from bench.common import print_invalid, table, trim_profile


def print_table(results: list[dict[str, Any]]) -> None:
    header = [
        "database",
        "size",
        "close",
        "aggregate",
        "ratio",
        "goal",
        "fresh process",
        "ratio",
        "close peak",
        "agg. peak",
        "mem ratio",
        "ok",
    ]
    body = []
    for r in results:
        met = r["ratio"] <= GOAL
        ok = "INVALID" if r["problems"] else ("yes" if met else "no")
        body.append(
            [
                r["db"],
                f"{r['filled']['members']:,} members, {r['filled']['prestations']:,} prest.",
                f"{r['close_seconds']:.2f} s",
                f"{r['aggregate_seconds'] * 1000:.1f} ms",
                f"{r['ratio']:.1f}",
                r["goal"],
                f"{r['fresh_seconds']:.2f} s",
                f"{r['fresh_ratio']:.1f}",
                f"{r['close_peak_mb']:.0f} MB",
                f"{r['aggregate_peak_mb']:.0f} MB",
                f"{r['memory_ratio']:.1f}",
                ok,
            ]
        )
    print()
    table(header, body, right={1, 2, 3, 4, 6, 7, 8, 9, 10})
    print()
    for r in results:
        close = min(r["runs"], key=lambda run: run["close"]["seconds"])["close"]
        print(
            f"{r['db']}: close {r['close_seconds']:.2f} s (start_review "
            f"{close['review_seconds']:.2f} s + finalize {close['finalize_seconds']:.2f} s"
            f"{', best of ' + str(len(r['runs'])) if len(r['runs']) > 1 else ', timed once'}) "
            f"vs bare aggregate {r['aggregate_seconds'] * 1000:.1f} ms (best of 3) "
            f"-> ratio {r['ratio']:.1f}; the same close in a fresh process (the CLI, or the "
            f"first request after a restart) {r['fresh_seconds']:.2f} s -> ratio "
            f"{r['fresh_ratio']:.1f}"
        )
        print(
            f"  peak resident memory (VmHWM) of the close child {r['close_peak_mb']:.0f} MB vs "
            f"the aggregate child {r['aggregate_peak_mb']:.0f} MB -> {r['memory_ratio']:.1f}; "
            f"both are at about {r['startup_mb']:.0f} MB after the same imports, so the close "
            f"itself adds {r['close_peak_mb'] - r['startup_mb']:.0f} MB, the aggregate "
            f"{r['aggregate_peak_mb'] - r['startup_mb']:.0f} MB"
        )
        print(
            "  calls timed inside the close (count, seconds): "
            + ", ".join(
                f"{name} ×{n} {seconds:.2f} s" for name, (n, seconds) in close["calls"].items()
            )
        )
        print("  finalize, between its named points:")
        for label, seconds in close["finalize_phases"]:
            print(f"  {seconds:8.2f} s  {label}")
        if "tracemalloc" in r:
            print(
                f"  tracemalloc peak of the close: "
                f"{r['tracemalloc']['tracemalloc_peak_bytes'] / 2**20:.0f} MB"
            )
        print_invalid(r["problems"])
        if "profile" in r:
            p = r["profile"]
            print(
                f"\n{r['db']}: profile of one close under cProfile ({p['seconds']:.2f} s; "
                f"{p['queries']:,} SQL statements, {p['query_seconds']:.2f} s waiting on them)"
            )
            print("  SQL by statement (count, seconds, statement):")
            for n, seconds, statement in p["query_kinds"]:
                print(f"  {n:>6}  {seconds:6.2f}  {statement}")
            print(trim_profile(p["profile_cumulative"]))
            print(f"  full profile: python -m pstats {p['prof_file']}")
