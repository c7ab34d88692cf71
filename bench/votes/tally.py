"""The votes benchmark's counting children: the pure count against a plurality Counter and
against pyrankvote, and tally_now against the bare SELECT of the ballots, with tally_now's
steps timed apart."""

from __future__ import annotations

import asyncio
import gc
import time
from collections import Counter
from fractions import Fraction
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from bench.common import (
    peak_kb,
    profiled,
)
from bench.votes import (
    BARE_SQL,
    GOAL_RATIO,
    GOAL_SECONDS,
    OPTIONS,
    PARTS,
    reference,
)
from bench.votes.ballots import rankings
from governance.base.db import make_engine, make_sessionmaker
from governance.members.models import Cooperative
from governance.votes import outcome
from governance.votes.counting import methods
from governance.votes.models import Ballot, Proposal


def child_count(n: int, runs: int, profile: str, profile_out: Path | None) -> dict[str, Any]:
    """(a) the pure count against a plurality Counter of first choices and against
    pyrankvote's instant runoff of the same rankings, interleaved, best of `runs`."""
    startup = peak_kb()
    ballots = rankings(n)
    options = list(OPTIONS)
    quorum = Fraction(1, 2)
    candidates, their_ballots, conversion = reference.convert(ballots, options)
    counted, plurality, theirs = [], [], []
    result = election = None
    firsts: Counter[str] = Counter()
    for _ in range(runs):
        started = time.perf_counter()
        firsts = Counter(b[0] for b in ballots if b)
        plurality.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = methods.ranked(ballots, options=options, eligible=n, quorum=quorum)
        counted.append(time.perf_counter() - started)
        started = time.perf_counter()
        election = reference.count(candidates, their_ballots)
        theirs.append(time.perf_counter() - started)
    assert result is not None
    del candidates, their_ballots
    problems = []
    if dict(result.rounds[0].counts) != {o: firsts.get(o, 0) for o in options}:
        problems.append("the first round differs from the plurality count of first choices")
    their_rounds = reference.rounds_of(election)
    disagreements, compared = reference.compare(result.as_data(), their_rounds)
    problems.extend(disagreements)
    report: dict[str, Any] = {
        "seconds": min(counted),
        "all_seconds": counted,
        "baseline_seconds": min(plurality),
        "all_baseline_seconds": plurality,
        "pyrankvote": {
            "version": version("pyrankvote"),
            "seconds": min(theirs),
            "all_seconds": theirs,
            "conversion_seconds": conversion,
            "ratio": min(counted) / min(theirs),
            "goal_ratio": GOAL_RATIO,
            "rounds": their_rounds,
            "compared": compared,
        },
        "result": result.as_data(),
        "first_choices": dict(firsts.most_common()),
        "ranking_lengths": dict(sorted(Counter(len(b) for b in ballots).items())),
        "distinct_rankings": len({tuple(b) for b in ballots}),
        "problems": problems,
    }
    if profile_out and (profile == "always" or (profile == "auto" and min(counted) > GOAL_SECONDS)):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        methods.ranked(ballots, options=options, eligible=n, quorum=quorum)
        profiler.disable()
        report["profile"] = profiled(profiler, profile_out)
    report.update(startup_peak_kb=startup, peak_kb=peak_kb())
    return report


async def _tally(
    url: str, proposal_id: int, runs: int, profile: str, profile_out: Path | None
) -> dict[str, Any]:
    # The writer engine: the close counts in close_due's session, holding the writer lock.
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    try:
        async with sessions() as session, session.begin():  # warm: pool, page cache
            connection = await session.connection()
            rows_n = len((await connection.execute(text(BARE_SQL), {"p": proposal_id})).all())
            # The minimum quorum in force, as the close passes it (read once, not timed).
            warm = await session.get(Proposal, proposal_id)
            assert warm is not None
            cooperative = await session.get(Cooperative, warm.cooperative_id)
            assert cooperative is not None
            floor = outcome.minimum_quorum(warm, cooperative.settings)
        bare, tallied = [], []
        result = None
        for _ in range(runs):
            async with sessions() as session, session.begin():
                proposal = await session.get(Proposal, proposal_id)
                assert proposal is not None
                connection = await session.connection()
                started = time.perf_counter()
                rows = (await connection.execute(text(BARE_SQL), {"p": proposal_id})).all()
                bare.append(time.perf_counter() - started)
                rows_n = len(rows)
                del rows
                started = time.perf_counter()
                result = await outcome.tally_now(session, proposal, floor)
                tallied.append(time.perf_counter() - started)
        assert result is not None
        # Where the time goes: tally_now's steps apart, best of `runs` each, each step in a
        # new session (the ORM's identity map empty, as at the close).
        parts: dict[str, list[float]] = {label: [] for label in PARTS}
        table = Ballot.__table__  # type: ignore[attr-defined]
        for _ in range(runs):
            async with sessions() as session, session.begin():
                connection = await session.connection()
                started = time.perf_counter()
                rows = (
                    await connection.execute(
                        text(BARE_SQL + " ORDER BY receipt"), {"p": proposal_id}
                    )
                ).all()
                parts["bare_ordered"].append(time.perf_counter() - started)
                del rows
            async with sessions() as session, session.begin():
                connection = await session.connection()
                started = time.perf_counter()
                query = select(table.c.choice).where(table.c.proposal_id == proposal_id)
                decoded = (await connection.execute(query.order_by(table.c.receipt))).all()
                parts["core_choices"].append(time.perf_counter() - started)
                del decoded
            for gc_off in (False, True):
                async with sessions() as session, session.begin():
                    proposal = await session.get(Proposal, proposal_id)
                    assert proposal is not None
                    if gc_off:
                        gc.disable()
                    try:
                        started = time.perf_counter()
                        loaded = await outcome.ballots_of(session, proposal_id)
                        loaded_s = time.perf_counter() - started
                    finally:
                        gc.enable()
                    parts["ballots_of_gc_off" if gc_off else "ballots_of"].append(loaded_s)
                    choices = [b.choice for b in loaded]
                    started = time.perf_counter()
                    outcome.count(proposal, choices, floor)
                    parts["count"].append(time.perf_counter() - started)
                    del loaded, choices
        report: dict[str, Any] = {
            "seconds": min(tallied),
            "all_seconds": tallied,
            "baseline_seconds": min(bare),
            "all_baseline_seconds": bare,
            "rows": rows_n,
            "result": result.as_data(),
            "parts": {label: min(seconds) for label, seconds in parts.items()},
        }
        if profile_out and (
            profile == "always" or (profile == "auto" and min(tallied) > GOAL_SECONDS)
        ):
            import cProfile

            async with sessions() as session, session.begin():
                proposal = await session.get(Proposal, proposal_id)
                assert proposal is not None
                profiler = cProfile.Profile()
                started = time.perf_counter()
                profiler.enable()
                await outcome.tally_now(session, proposal, floor)
                profiler.disable()
                seconds = time.perf_counter() - started
            report["profile"] = {"seconds": seconds, **profiled(profiler, profile_out)}
        return report
    finally:
        await engine.dispose()


def child_tally(
    url: str, proposal_id: int, runs: int, profile: str, profile_out: Path | None
) -> dict[str, Any]:
    startup = peak_kb()
    report = asyncio.run(_tally(url, proposal_id, runs, profile, profile_out))
    report.update(startup_peak_kb=startup, peak_kb=peak_kb())
    return report
