"""methods.ranked (identical rankings counted once, piles moved at each elimination) against
the straightforward count it replaced: every ballot read again in every round.

`reference_ranked` is methods.ranked as it stood before (commit 5ee23cf), with the two helpers
it called, copied here unchanged: whatever the ballots, valid or not, both must return the same
Result or raise the same error.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance.votes.counting.methods import BallotError, Result, Round, ranked

MAX_OPTIONS = 100
NAMES = ("A", "B", "C", "D", "E")
QUORUMS = (Fraction(0), Fraction(1, 3), Fraction(1, 2), Fraction(2, 3), Fraction(1))


def reference_ranked(
    ballots: Sequence[Sequence[str]],
    *,
    options: Sequence[str],
    eligible: int,
    quorum: Fraction,
) -> Result:
    if len(options) < 2 or len(set(options)) != len(options):
        raise BallotError("a ranked vote needs at least two distinct options")
    if len(options) > MAX_OPTIONS:
        raise BallotError(f"a ranked vote has at most {MAX_OPTIONS} options")
    known = set(options)
    for ranking in ballots:
        if len(set(ranking)) != len(ranking):
            raise BallotError("a ranking names an option twice")
        unknown = [o for o in ranking if o not in known]
        if unknown:
            raise BallotError(f"unknown option {unknown[0]!r}")
    reached = _reference_check(eligible, len(ballots), quorum)
    rounds: list[Round] = []
    remaining = list(options)
    winner: str | None = None
    position = [0] * len(ballots)
    while remaining:
        counts = dict.fromkeys(remaining, 0)
        exhausted = 0
        for index, ranking in enumerate(ballots):
            at = position[index]
            while at < len(ranking) and ranking[at] not in counts:
                at += 1
            position[index] = at
            if at == len(ranking):
                exhausted += 1
            else:
                counts[ranking[at]] += 1
        active = len(ballots) - exhausted
        leader = max(remaining, key=lambda o: counts[o])
        if active and 2 * counts[leader] > active:
            winner = leader
            rounds.append(Round(tuple(counts.items()), exhausted, None))
            break
        if len(remaining) == 1 or active == 0:
            rounds.append(Round(tuple(counts.items()), exhausted, None))
            break
        fewest = min(counts.values())
        tied = [o for o in remaining if counts[o] == fewest]
        out = _reference_tie_break(tied, rounds, options)
        rounds.append(
            Round(tuple(counts.items()), exhausted, out, tuple(tied) if len(tied) > 1 else ())
        )
        remaining.remove(out)
    return Result(
        method="ranked",
        eligible=eligible,
        participants=len(ballots),
        quorum=quorum,
        quorum_reached=reached,
        threshold=Fraction(1, 2),
        threshold_reached=winner is not None,
        winner=winner if reached else None,
        rounds=tuple(rounds),
    )


def _reference_check(eligible: int, participants: int, quorum: Fraction) -> bool:
    if isinstance(eligible, bool) or not isinstance(eligible, int) or eligible < 0:
        raise BallotError("eligible must be a whole number of voters")
    if participants > eligible:
        raise BallotError(f"{participants} ballots for {eligible} eligible voters")
    if not 0 <= quorum <= 1:
        raise BallotError("the quorum must be between 0 and 1")
    return participants >= quorum * eligible


def _reference_tie_break(tied: list[str], rounds: Sequence[Round], options: Sequence[str]) -> str:
    candidates = list(tied)
    for earlier in rounds:
        votes = dict(earlier.counts)
        fewest = min(votes[o] for o in candidates)
        candidates = [o for o in candidates if votes[o] == fewest]
        if len(candidates) == 1:
            return candidates[0]
    return max(candidates, key=options.index)


def outcome(count: Callable[..., Result], ballots: Any, **settings: Any) -> tuple[Any, ...]:
    """The Result, or the error's type and message."""
    try:
        return ("result", count(ballots, **settings))
    except Exception as error:  # the same error either way, whatever it is
        return ("error", type(error), str(error))


def assert_same(ballots: Any, **settings: Any) -> None:
    fast = outcome(ranked, ballots, **settings)
    reference = outcome(reference_ranked, ballots, **settings)
    assert fast == reference
    if fast[0] == "result":  # and the bulletin board's JSON
        assert fast[1].as_data() == reference[1].as_data()


@st.composite
def valid_votes(draw: st.DrawFn) -> tuple[list[str], list[Any], int, Fraction]:
    """2 to 5 options in any order; ballots drawn from a few rankings (many identical, ties
    frequent), some empty, as lists, tuples or strings (a string of one-letter names is a
    sequence of them)."""
    options = draw(st.permutations(NAMES).map(lambda p: list(p)))[: draw(st.integers(2, 5))]
    ranking = st.permutations(options).flatmap(
        lambda order: st.integers(0, len(order)).map(lambda n: list(order[:n]))
    )
    pool = draw(st.lists(ranking, min_size=1, max_size=8))
    shapes = st.sampled_from([list, tuple, "".join])
    ballots = draw(
        st.lists(st.tuples(st.sampled_from(pool), shapes).map(lambda t: t[1](t[0])), max_size=60)
    )
    eligible = len(ballots) + draw(st.integers(0, 20))
    return options, ballots, eligible, draw(st.sampled_from(QUORUMS))


@settings(max_examples=400)
@given(valid_votes())
def test_the_fast_count_gives_the_reference_result(
    votes: tuple[list[str], list[Any], int, Fraction],
) -> None:
    options, ballots, eligible, quorum = votes
    assert_same(ballots, options=options, eligible=eligible, quorum=quorum)


@settings(max_examples=300)
@given(
    st.lists(
        st.lists(st.sampled_from([*NAMES, "Z", ""]), max_size=5).map(
            lambda r: r if len(r) % 2 else tuple(r)
        ),
        max_size=12,
    ),
    st.lists(st.sampled_from(NAMES), max_size=5),
    st.integers(-1, 15),
    st.sampled_from([*QUORUMS, Fraction(3, 2), Fraction(-1, 2)]),
)
def test_bad_ballots_and_settings_raise_what_the_reference_raises(
    ballots: list[Any], options: list[str], eligible: int, quorum: Fraction
) -> None:
    """Names twice, unknown names, too few or repeated options, too many ballots for the
    eligible, a quorum out of bounds: the same first error, or the same result."""
    assert_same(ballots, options=options, eligible=eligible, quorum=quorum)


class Unhashable:
    def __hash__(self) -> int:
        raise ValueError("no hash")


class EqualToA(str):
    """Equal to "A" and hashed like it, but failing when compared with anything else."""

    def __eq__(self, other: object) -> bool:
        if other != "A":
            raise RuntimeError("cannot compare")
        return True

    __hash__ = str.__hash__


@pytest.mark.parametrize(
    "ballots",
    [
        [["Z"], [Unhashable()]],  # an unknown option before a name that cannot be hashed
        [["A"], [Unhashable()], ["Z"]],
        [["Z"], [EqualToA("A")], ["A"]],
        [["A", "B"], [EqualToA("A"), "B"], ["B"]],
        [["Z"], [["A"]]],  # an unknown option before an unhashable name: BallotError
        [[["A"]], ["Z"]],  # the unhashable name first: TypeError, as ballot by ballot
        [["A", "B"], [{"A": 1}]],
        [["A"], {"A": 1, "B": 2}],  # a mapping is not a sequence: KeyError on reading it
        [["A"], {}],  # an empty mapping: read as an empty ranking, exhausted
        [["A"], {"A"}],  # a set cannot be read by position
        [["B", "A"], "BA", ("B", "A"), ["A"]],  # a string is a sequence of its letters
        [range(2)],  # names that are not strings: unknown
        [],
    ],
)
def test_odd_ballots_fail_or_count_as_ballot_by_ballot(ballots: list[Any]) -> None:
    assert_same(ballots, options=["A", "B", "C"], eligible=10, quorum=Fraction(0))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_thousands_of_ballots_over_six_options(seed: int) -> None:
    """Larger counts, as a real vote: 5 000 partial rankings, a few hundred different ones."""
    rng = random.Random(seed)
    options = [f"option {n}" for n in range(6)]
    ballots = []
    for _ in range(5000):
        order = sorted(options, key=lambda o: rng.random() * (1 + options.index(o) % 3))
        ballots.append(order[: rng.randint(0 if seed == 3 else 1, 6)])
    assert_same(ballots, options=options, eligible=6000, quorum=Fraction(1, 2))


def test_every_ballot_exhausted_and_long_ties() -> None:
    options = ["A", "B", "C", "D"]
    for ballots in ([[]] * 5, [["A"], ["B"], ["C"], ["D"]] * 3, [["D", "C"], ["C", "D"]] * 2):
        assert_same(ballots, options=options, eligible=20, quorum=Fraction(0))
