"""The reference count: pyrankvote's instant runoff on the same rankings, and how its rounds
agree with methods.ranked's.

pyrankvote (MIT, a development dependency) counts differently in three ways, none of which
changes the result on the benchmark's ballots (checked, and said when it could):

- it may eliminate several options in one round (those whose votes together are no more than
  the option just above them: they cannot catch up), where methods.ranked eliminates one per
  round; so its rounds are compared with methods.ranked's round that has the same options in
  the race, and its eliminations as groups;
- it elects an option holding at least half of the ballots still counted (ceil(n / 2)), where
  methods.ranked needs more than half: they differ when a round ends exactly at half;
- ties for elimination: pyrankvote keeps the option with more second choices (then third…,
  then at random), methods.ranked eliminates the one with fewer votes in the earliest round
  where they differ, then the one listed last (TIE_BREAK). The comparison stops at the first
  tie methods.ranked had to break.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import pyrankvote
from pyrankvote import Ballot, Candidate

ELECTED = "Elected"
REJECTED = "Rejected"


def convert(rankings: Sequence[Sequence[str]], options: Sequence[str]) -> tuple[Any, Any, float]:
    """pyrankvote's Candidates and Ballots of the same rankings, and the seconds it took."""
    started = time.perf_counter()
    candidates = {name: Candidate(name) for name in options}
    ballots = [Ballot([candidates[name] for name in ranking]) for ranking in rankings]
    return list(candidates.values()), ballots, time.perf_counter() - started


def count(candidates: Any, ballots: Any) -> Any:
    """pyrankvote's instant runoff, its defaults (ties: most second choices)."""
    return pyrankvote.instant_runoff_voting(candidates, ballots)


def rounds_of(election: Any) -> list[dict[str, Any]]:
    """Each pyrankvote round as the options still in the race at its start saw it: their votes,
    the ballots exhausted so far, the options it eliminated (lowest first) and elected."""
    found = []
    out_before: set[str] = set()
    for round_ in election.rounds:
        results = [(c.name, votes, status) for c, votes, status in round_.candidate_results]
        elected = [name for name, _v, status in results if status == ELECTED]
        out = [n for n, _v, status in results if status == REJECTED and n not in out_before]
        found.append(
            {
                "counts": {n: _whole(v) for n, v, _s in results if n not in out_before},
                "exhausted": _whole(round_.number_of_blank_votes),
                # get_results lists the rejected last-rejected first: lowest first here.
                "eliminated": [] if elected else out[::-1],
                "elected": elected,
            }
        )
        out_before.update(out)
    return found


def _whole(votes: float) -> int | float:
    """pyrankvote counts in floats; one seat, one vote each: they stay whole numbers."""
    return int(votes) if float(votes).is_integer() else votes


def compare(ours: dict[str, Any], theirs: list[dict[str, Any]]) -> tuple[list[str], str]:
    """The disagreements between methods.ranked's result (as_data) and pyrankvote's rounds,
    and a line saying what was compared."""
    problems: list[str] = []
    rounds = ours["rounds"]
    tie = next((i for i, r in enumerate(rounds) if r.get("tie")), None)
    if tie is not None:  # different tie rules: compare only what came before
        rounds = rounds[: tie + 1]
    half = any(  # elected by pyrankvote with exactly half of the ballots still counted
        2 * r["counts"][name] == sum(r["counts"].values()) for r in theirs for name in r["elected"]
    )
    winner = theirs[-1]["elected"][0] if theirs and theirs[-1]["elected"] else None
    if winner != ours["winner"] and tie is None and not half:
        problems.append(f"pyrankvote elects {winner!r}, methods.ranked {ours['winner']!r}")
    by_options = {frozenset(r["counts"]): r for r in rounds}
    compared = 0
    for number, r in enumerate(theirs, 1):
        mine = by_options.get(frozenset(r["counts"]))
        if mine is None:
            if tie is None:
                problems.append(
                    f"pyrankvote's round {number} has options in the race that no round of "
                    "methods.ranked has"
                )
            continue
        compared += 1
        if mine["counts"] != r["counts"] or mine["exhausted"] != r["exhausted"]:
            problems.append(f"pyrankvote's round {number} counts differently")
    # Up to the first tie (excluded): from there the tie rules may eliminate differently.
    ours_out = [r["eliminated"] for r in rounds[:tie] if r["eliminated"]]
    groups = [r["eliminated"] for r in theirs if r["eliminated"]]
    at = 0
    for group in groups:
        if at + len(group) > len(ours_out):
            break
        if set(ours_out[at : at + len(group)]) != set(group):
            problems.append(
                f"pyrankvote eliminates {', '.join(group)} where methods.ranked eliminates "
                f"{', '.join(ours_out[at : at + len(group)])}"
            )
            break
        at += len(group)
    said = (
        f"compared: the winner ({winner}"
        + (f", methods.ranked {ours['winner']}" if winner != ours["winner"] else "")
        + f"), {compared} of pyrankvote's {len(theirs)} rounds with "
        f"the round of methods.ranked's {len(ours['rounds'])} that has the same options in the "
        f"race (votes, exhausted ballots), the eliminations in order "
        f"({' | '.join(' + '.join(g) for g in groups)})"
    )
    if tie is not None:
        said += (
            f"; methods.ranked's rounds compared up to its round {tie + 1}, its first tie for "
            "elimination (the tie rules differ)"
        )
    if half:
        said += "; pyrankvote elected an option holding exactly half of the ballots counted"
    return problems, said
