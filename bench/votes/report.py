"""The votes benchmark's output: the table, the count's rounds and how pyrankvote's agree,
where tally_now's time goes, the pages, and the profiles."""

from __future__ import annotations

import argparse
from typing import Any

from bench.common import (
    ms,
    print_invalid,
    table,
)
from bench.votes import (
    GOAL_RATIO,
    GOAL_SECONDS,
    PARTS,
)


def print_results(
    args: argparse.Namespace, count: dict[str, Any], results: list[dict[str, Any]]
) -> None:
    goal = f"< {GOAL_SECONDS:g} s"
    theirs = count["pyrankvote"]

    def ok(seconds: float, problems: list[str]) -> str:
        return "INVALID" if problems else ("yes" if seconds < GOAL_SECONDS else "no")

    body = [
        [
            "count (pure)",
            "-",
            f"{args.ballots:,} rankings",
            ms(count["seconds"]),
            "Counter of first choices",
            ms(count["baseline_seconds"]),
            f"{count['seconds'] / count['baseline_seconds']:.1f}",
            goal,
            ok(count["seconds"], count["problems"]),
        ],
        [
            "count (pure)",
            "-",
            f"{args.ballots:,} rankings",
            ms(count["seconds"]),
            "pyrankvote IRV",
            ms(theirs["seconds"]),
            f"{theirs['ratio']:.2f}",
            f"≤ {GOAL_RATIO:g}",
            "INVALID" if count["problems"] else ("yes" if theirs["ratio"] <= GOAL_RATIO else "no"),
        ],
    ]
    for r in results:
        if "tally" not in r:
            continue
        t = r["tally"]
        body.append(
            [
                "tally_now",
                r["db"],
                f"{args.ballots:,} ballots",
                ms(t["seconds"]),
                "bare SELECT choice",
                ms(t["baseline_seconds"]),
                f"{t['seconds'] / t['baseline_seconds']:.1f}",
                goal,
                ok(t["seconds"], t["problems"]),
            ]
        )
    for r in results:
        if "page" not in r:
            continue
        p = r["page"]
        body.append(
            [
                "proposal page",
                r["db"],
                f"{args.members:,} members",
                ms(p["seconds"]),
                "members page",
                ms(p["baseline_seconds"]),
                f"{p['seconds'] / p['baseline_seconds']:.1f}",
                "-",
                "INVALID" if p["problems"] else "-",
            ]
        )
    print()
    table(
        ["measured", "database", "size", "time", "baseline", "time", "ratio", "goal", "ok"],
        body,
        right={2, 3, 5, 6},
    )
    print()
    result = count["result"]
    rounds = result["rounds"]
    print(
        f"count: methods.ranked {ms(count['seconds'])} vs Counter of first choices "
        f"{ms(count['baseline_seconds'])} (best of {args.runs}) -> ratio "
        f"{count['seconds'] / count['baseline_seconds']:.1f}; goal under 1 s: "
        f"{'met' if count['seconds'] < GOAL_SECONDS else 'NOT met'}"
    )
    print(
        f"count: methods.ranked {ms(count['seconds'])} vs pyrankvote "
        f"{theirs['version']} instant_runoff_voting {ms(theirs['seconds'])} (interleaved, best "
        f"of {args.runs}) -> ratio {theirs['ratio']:.2f}; goal at most {GOAL_RATIO:g}: "
        f"{'met' if theirs['ratio'] <= GOAL_RATIO else 'NOT met'}; building pyrankvote's "
        f"Candidates and Ballots (not timed in its count) {ms(theirs['conversion_seconds'])}"
    )
    print(f"  {theirs['compared']}")
    print(
        f"  {len(rounds)} rounds, winner {result['winner']!r}; "
        f"{count['distinct_rankings']:,} different rankings; ballots ranking 1..6 options: "
        + ", ".join(f"{n}: {c:,}" for n, c in count["ranking_lengths"].items())
    )
    for number, r in enumerate(rounds, 1):
        counts = ", ".join(f"{o} {n:,}" for o, n in r["counts"].items())
        out = f" -> {r['eliminated']} out" if r["eliminated"] else ""
        print(f"  round {number}: {counts}; exhausted {r['exhausted']:,}{out}")
    print_invalid(count["problems"])
    print_profile("count", count)
    for r in results:
        if "tally" not in r:
            continue
        t = r["tally"]
        print(
            f"{r['db']}: tally_now {ms(t['seconds'])} vs bare SELECT choice of "
            f"{t['rows']:,} rows {ms(t['baseline_seconds'])} (same session, best of "
            f"{args.runs}) -> ratio {t['seconds'] / t['baseline_seconds']:.1f}; goal under 1 s: "
            f"{'met' if t['seconds'] < GOAL_SECONDS else 'NOT met'}"
        )
        print(
            f"  where the time goes (each step apart, each in a new session, best of {args.runs}):"
        )
        for label, seconds in t["parts"].items():
            print(f"  {ms(seconds):>9}  {PARTS.get(label, label)}")
        print_invalid(t["problems"])
        print_profile(f"{r['db']} tally_now", t)
    for r in results:
        if "page" not in r:
            continue
        p = r["page"]
        c = r["coop_filled"]
        print(
            f"{r['db']}: GET proposal page {ms(p['seconds'])} ({p['sizes']['proposal_page']:,} "
            f"bytes) vs GET members page {ms(p['baseline_seconds'])} "
            f"({p['sizes']['members_page']:,} bytes), best of {args.runs} -> ratio "
            f"{p['seconds'] / p['baseline_seconds']:.1f}; preview.compare alone "
            f"{ms(p['compare_seconds'])} ({p['comparison_rows']:,} rows over "
            f"{', '.join(p['comparison_months'])})"
        )
        print(
            f"  {c['members']:,} members, {c['prestations']:,} prestations over three closed "
            f"months, {c['ballots']:,} approval ballots cast so far"
        )
        print_invalid(p["problems"])
        print_profile(f"{r['db']} proposal page", p)


def print_profile(what: str, report: dict[str, Any]) -> None:
    if "profile" not in report:
        return
    p = report["profile"]
    took = f" ({p['seconds']:.2f} s under cProfile)" if "seconds" in p else ""
    only = f" (functions matching {p['only']!r})" if p.get("only") else ""
    print(f"\n{what}: profile of one call{took}, by cumulative time{only}")
    print(p["cumulative"])
    print("  by own time")
    print(p["tottime"])
    print(f"  full profile: python -m pstats {p['prof_file']}\n")
