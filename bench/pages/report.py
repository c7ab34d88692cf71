"""The pages benchmark's table: per page the demo's and the big cooperative's best times, the
ratio, the goals and whether they are met; the PDF, the CSV files and the export apart."""

from __future__ import annotations

from typing import Any

from bench.common import table
from bench.pages import GOAL_MS, GOAL_RATIO


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:,.1f}"


def verdict(row: dict[str, Any]) -> str:
    demo, big = row["demo"], row["big"]
    if demo["problem"] or big["problem"]:
        return "INVALID"
    if row["apart"]:
        return "-"
    ok = big["best_seconds"] / demo["best_seconds"] <= GOAL_RATIO
    ok = ok and big["best_seconds"] * 1000 <= GOAL_MS
    return "yes" if ok else "no"


def print_table(rows: list[dict[str, Any]], export: dict[str, Any] | None, db: str) -> None:
    body = []
    for apart in (False, True):
        for row in rows:
            if row["apart"] != apart:
                continue
            demo, big = row["demo"], row["big"]
            ratio = (
                f"{big['best_seconds'] / demo['best_seconds']:.1f}"
                if demo["best_seconds"] and big["best_seconds"]
                else "-"
            )
            body.append(
                [
                    row["page"],
                    row["who"],
                    _ms(demo["best_seconds"]),
                    _ms(big["best_seconds"]),
                    ratio,
                    "-" if apart else f"<= {GOAL_RATIO:g}, <= {GOAL_MS:g} ms",
                    verdict(row),
                    f"{demo['statements']}/{big['statements']}",
                    f"{big['bytes']:,}",
                ]
            )
    if export is not None:
        demo, big = export["demo"], export["big"]
        body.append(
            [
                "books CSV export (process)",
                "operator",
                _ms(demo["best_seconds"]),
                _ms(big["best_seconds"]),
                f"{big['best_seconds'] / demo['best_seconds']:.1f}",
                "-",
                "INVALID" if demo["problem"] or big["problem"] else "-",
                "",
                f"{big['bytes']:,}",
            ]
        )
    print(f"\npages on {db} (best of the runs, server time in-process, ms):")
    table(
        ["page", "as", "demo ms", "big ms", "ratio", "goal", "ok", "SQL demo/big", "big bytes"],
        body,
        {2, 3, 4, 7, 8},
    )


def print_profiles(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        found = row.get("profile")
        if not found:
            continue
        print(
            f"\n{row['page']} (big, profiled: {found['seconds'] * 1000:.0f} ms, "
            f"{found['statements']} SQL statements waiting "
            f"{found['statement_seconds'] * 1000:.0f} ms; {found['prof_file']}):"
        )
        for count, seconds, statement in found["statement_kinds"][:5]:
            print(f"  {count:>5} x {seconds * 1000:8.1f} ms  {statement[:150]}")
