"""The month close benchmark's children, each a fresh interpreter that loads what the server
loads: the bare aggregate (the baseline, on a plain DB-API connection) and the close itself,
with its steps timed by wrappers around what `closing` calls.
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url

import governance.app  # noqa: F401  the server's modules, loaded in each child as in a server
from bench.close import AGGREGATE_SQL, MONTH, TODAY
from bench.common import PROFILE_TOP, peak_kb
from bench.cooperative import everyone_reads
from bench.databases import sqlite_path
from governance.base import faults
from governance.base.db import make_engine, make_sessionmaker
from governance.ledger.closing import closing, periods
from governance.members.access import Actor


def child_aggregate(url: str, cooperative_id: int) -> dict[str, Any]:
    """The baseline: the bare aggregate through a plain DB-API connection, best of 3."""
    startup = peak_kb()
    sql = AGGREGATE_SQL.format(c=int(cooperative_id))
    if url.startswith("sqlite"):
        connection: Any = sqlite3.connect(sqlite_path(url))
    else:
        import psycopg

        parsed = make_url(url)
        connection = psycopg.connect(
            host=parsed.host, port=parsed.port, user=parsed.username, dbname=parsed.database
        )
    measured = []
    rows: list[Any] = []
    try:
        for _ in range(3):
            started = time.perf_counter()
            cursor = connection.cursor()
            cursor.execute(sql)
            rows = cursor.fetchall()
            cursor.close()
            measured.append(time.perf_counter() - started)
    finally:
        connection.close()
    return {
        "seconds": min(measured),
        "all_seconds": measured,
        "rows": len(rows),
        "startup_peak_kb": startup,
        "peak_kb": peak_kb(),
    }


# What `closing` calls, timed by wrappers in the close child (a few calls: no measurable cost).
TIMED_CALLS = (
    "unvalidated",
    "draft",
    "income_and_expenses",
    "post",
    "record",
    "sign_head",
)


def instrument() -> tuple[dict[str, list[float]], list[tuple[str, float]]]:
    """Wrap the functions `closing` calls, and `faults.cut` (the close's named points), in
    this process only: (seconds per call of each function, (point, time) in order)."""
    spans: dict[str, list[float]] = {name: [] for name in TIMED_CALLS}
    marks: list[tuple[str, float]] = []

    def timed(name: str, function: Any) -> Any:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                spans[name].append(time.perf_counter() - started)

        return wrapper

    for name in TIMED_CALLS:
        if hasattr(closing, name):  # what closing.py calls, as it is named there
            setattr(closing, name, timed(name, getattr(closing, name)))
    cut = faults.cut

    def marked(point: str) -> None:
        marks.append((point, time.perf_counter()))
        cut(point)

    faults.cut = marked
    return spans, marks


def phases(marks: list[tuple[str, float]], start: float, end: float) -> list[tuple[str, float]]:
    """finalize's time between its named points, with what was called in between."""
    at = dict(marks)
    points = [("start", start)] + [(p, at[p]) for p in closing.CUT_POINTS if p in at]
    points.append(("commit", end))
    labels = {
        "close.after_entry": "checks + draft + income_and_expenses + post (the close entry)",
        "close.after_statements": "statements (one bulk insert)",
        "close.after_audit": "period state + audit event",
        "close.after_checkpoint": "sign_head (checkpoint)",
        "close.before_commit": "period_close row (distribution JSON)",
        "commit": "COMMIT",
    }
    return [
        (labels.get(name, name), t - before)
        for (_, before), (name, t) in itertools.pairwise(points)
    ]


async def _close(
    url: str, actor: Actor, profile: Path | None, trace: bool, page_first: bool
) -> dict[str, Any]:
    engine = make_engine(url)
    spans, marks = instrument()
    queries: dict[str, list[float]] = {}
    if profile:  # count statements and the time spent waiting for each kind

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def _before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            conn.info.setdefault("bench_started", []).append(time.perf_counter())

        @event.listens_for(engine.sync_engine, "after_cursor_execute")
        def _after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            seconds = time.perf_counter() - conn.info["bench_started"].pop()
            queries.setdefault(" ".join(statement.split())[:90], []).append(seconds)

    try:
        sessions = make_sessionmaker(engine)
        async with engine.connect() as connection:  # open the pool's connection untimed
            await connection.execute(text("SELECT 1"))
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
        if trace:
            import tracemalloc

            tracemalloc.start()

        async def page() -> None:
            # What the coordinator's browser asks the server for before each click: the
            # month's page (the draft, the contests, the close button). Not timed.
            if page_first:
                async with sessions() as session:
                    await periods.review_page(session, actor, MONTH, today=TODAY)

        def clear_spans() -> dict[str, list[float]]:
            kept = {name: list(seconds) for name, seconds in spans.items()}
            for seconds in spans.values():
                seconds.clear()
            return kept

        await page()
        clear_spans()
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        async with sessions() as session:
            await closing.start_review(session, actor, MONTH, today=TODAY)
        reviewed = time.perf_counter()
        if profiler:
            profiler.disable()
        in_review = clear_spans()
        # Every member concerned reads their draft, or the close must wait for the review's
        # minimum time (not timed, as the page below).
        await everyone_reads(engine, actor.cooperative_id, MONTH)
        await page()
        clear_spans()
        paged = time.perf_counter()
        if profiler:
            profiler.enable()
        async with sessions() as session:
            await closing.finalize(session, actor, MONTH)
        if profiler:
            profiler.disable()
        finished = time.perf_counter()
        result: dict[str, Any] = {
            "seconds": (reviewed - started) + (finished - paged),
            "review_seconds": reviewed - started,
            "finalize_seconds": finished - paged,
            "calls": {
                name: [len(v) + len(in_review[name]), sum(v) + sum(in_review[name])]
                for name, v in spans.items()
            },
            "finalize_phases": phases(marks, paged, finished),
        }
        if trace:
            import tracemalloc

            result["tracemalloc_peak_bytes"] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        if profiler:
            import io
            import pstats

            out = io.StringIO()
            assert profile is not None
            profiler.dump_stats(profile)  # for `python -m pstats` or snakeviz
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(PROFILE_TOP)
            result["profile_cumulative"] = out.getvalue()
            out = io.StringIO()
            stats.stream = out  # type: ignore[attr-defined]
            stats.sort_stats("tottime").print_stats(PROFILE_TOP)
            result["profile_tottime"] = out.getvalue()
            result["queries"] = sum(len(v) for v in queries.values())
            result["query_seconds"] = sum(sum(v) for v in queries.values())
            result["query_kinds"] = sorted(
                ((len(v), sum(v), k) for k, v in queries.items()), key=lambda q: -q[1]
            )[:12]
        return result
    finally:
        await engine.dispose()


def child_close(
    url: str,
    cooperative_id: int,
    actor_id: int,
    profile: Path | None,
    trace: bool,
    page_first: bool,
) -> dict[str, Any]:
    startup = peak_kb()
    actor = Actor(person_id=actor_id, cooperative_id=cooperative_id)
    result = asyncio.run(_close(url, actor, profile, trace, page_first))
    result.update(startup_peak_kb=startup, peak_kb=peak_kb())
    return result
