"""Vote counting, as pure functions: approval, consent and ranked (instant-runoff).

Counted here rather than by a voting library: the quorum, the exhausted ballots and the tie
rule (TIE_BREAK) are the cooperative's own, printed on the bulletin board and recounted by
`governance votes tally`, so each step must be ours to show.

No database, web or clock. A tally takes the ballots as cast (one per voter), the number of
eligible voters frozen at the opening, the quorum and, for approval, the threshold, and returns
a `Result` whose `as_data()` is the JSON the bulletin board and `governance votes tally` print.
governance/votes/counting/wording.py words it in the reader's language;
governance/votes/counting/standing.py says
what an open vote still lacks.

- Quorum: participants (every ballot, abstentions and empty rankings included) must reach
  `quorum × eligible` (a quorum of 0 needs no one). Without quorum nothing is adopted and no
  option wins, whatever the counts.
- approval (yes / no / abstain): adopted when the quorum is reached and yes ≥ threshold ×
  (yes + no), with at least one yes; at ½ the yes must be strictly more than the no.
- consent (consent / stand_aside / object): adopted when the quorum is reached, at least one
  ballot was cast, and nobody objects.
- ranked: instant-runoff. Each round counts every ballot for its best option still in the
  race; an option with more than half of those ballots wins. Otherwise the option with the
  fewest is eliminated. Ties for elimination (TIE_BREAK): the tied option with fewer votes in
  the earliest round where the tied options differ goes; if they never differed, the one
  listed last among the proposal's options goes. A ballot whose options are all eliminated is
  exhausted and no longer counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

METHODS = ("approval", "consent", "ranked")
APPROVAL_CHOICES = ("yes", "no", "abstain")
CONSENT_CHOICES = ("consent", "stand_aside", "object")
THRESHOLDS = (Fraction(1, 2), Fraction(2, 3), Fraction(3, 4))
MAX_OPTIONS = 100
TIE_BREAK = (
    "fewest votes in the earliest round where the tied options differ, then the option listed last"
)


class BallotError(ValueError):
    """A ballot or a vote's settings that cannot be counted (a programming or file error)."""


@dataclass(frozen=True)
class Round:
    """One instant-runoff round: the votes of each option still in the race, the ballots
    exhausted so far, and the option eliminated after it (None when this round decided)."""

    counts: tuple[tuple[str, int], ...]
    exhausted: int
    eliminated: str | None
    tie: tuple[str, ...] = ()  # the options tied for elimination, when there was a tie


@dataclass(frozen=True)
class Result:
    method: str
    eligible: int
    participants: int
    quorum: Fraction
    quorum_reached: bool
    threshold: Fraction
    threshold_reached: bool
    counts: tuple[tuple[str, int], ...] = ()  # approval, consent: each choice, in order
    adopted: bool | None = None  # approval, consent
    winner: str | None = None  # ranked
    rounds: tuple[Round, ...] = field(default=())  # ranked

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "method": self.method,
            "eligible": self.eligible,
            "participants": self.participants,
            "quorum": fraction_text(self.quorum),
            "quorum_reached": self.quorum_reached,
            "threshold_reached": self.threshold_reached,
        }
        if self.method != "consent":  # consent has no threshold: nobody may object
            data["threshold"] = fraction_text(self.threshold)
        if self.method == "ranked":
            data["winner"] = self.winner
            data["tie_break"] = TIE_BREAK
            data["rounds"] = [
                {
                    "counts": dict(r.counts),
                    "exhausted": r.exhausted,
                    "eliminated": r.eliminated,
                    **({"tie": list(r.tie)} if r.tie else {}),
                }
                for r in self.rounds
            ]
        else:
            data["adopted"] = self.adopted
            data["counts"] = dict(self.counts)
        return data


def fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def parse_fraction(text: object, what: str) -> Fraction:
    """ "1/2" → Fraction(1, 2); "0" → 0. Refuses anything else, and values outside [0, 1]."""
    if not isinstance(text, str) or len(text) > 20:
        raise BallotError(f'{what} must be a fraction written like "1/2"')
    numerator, slash, denominator = text.partition("/")
    parts = [numerator, denominator] if slash else [numerator]
    if not all(part.isascii() and part.isdigit() for part in parts):
        raise BallotError(f'{what} must be a fraction written like "1/2", not {text!r}')
    if slash and int(denominator) == 0:
        raise BallotError(f"{what} has a zero denominator")
    value = Fraction(int(numerator), int(denominator) if slash else 1)
    if value > 1:
        raise BallotError(f"{what} must be at most 1")
    return value


def _check(eligible: int, participants: int, quorum: Fraction) -> bool:
    if isinstance(eligible, bool) or not isinstance(eligible, int) or eligible < 0:
        raise BallotError("eligible must be a whole number of voters")
    if participants > eligible:
        raise BallotError(f"{participants} ballots for {eligible} eligible voters")
    if not 0 <= quorum <= 1:
        raise BallotError("the quorum must be between 0 and 1")
    return participants >= quorum * eligible


def _counts(ballots: Sequence[str], choices: Sequence[str]) -> dict[str, int]:
    counts = dict.fromkeys(choices, 0)
    for choice in ballots:
        if choice not in counts:
            raise BallotError(f"unknown choice {choice!r}: one of {', '.join(choices)}")
        counts[choice] += 1
    return counts


def approval(
    ballots: Sequence[str], *, eligible: int, quorum: Fraction, threshold: Fraction
) -> Result:
    """Yes / no / abstain."""
    if threshold not in THRESHOLDS:
        raise BallotError("the threshold must be 1/2, 2/3 or 3/4")
    counts = _counts(ballots, APPROVAL_CHOICES)
    reached = _check(eligible, len(ballots), quorum)
    yes, no = counts["yes"], counts["no"]
    # At 1/2, strictly more yes than no; above, at least that share of yes + no (and a yes).
    half = threshold == Fraction(1, 2)
    passes = yes > no if half else (yes > 0 and yes >= threshold * (yes + no))
    return Result(
        method="approval",
        eligible=eligible,
        participants=len(ballots),
        quorum=quorum,
        quorum_reached=reached,
        threshold=threshold,
        threshold_reached=passes,
        counts=tuple(counts.items()),
        adopted=reached and passes,
    )


def consent(ballots: Sequence[str], *, eligible: int, quorum: Fraction) -> Result:
    """Consent / stand aside / object: adopted without objection."""
    counts = _counts(ballots, CONSENT_CHOICES)
    reached = _check(eligible, len(ballots), quorum)
    passes = bool(ballots) and counts["object"] == 0
    return Result(
        method="consent",
        eligible=eligible,
        participants=len(ballots),
        quorum=quorum,
        quorum_reached=reached,
        threshold=Fraction(0),
        threshold_reached=passes,
        counts=tuple(counts.items()),
        adopted=reached and passes,
    )


Pile = tuple[tuple[str, ...], int, int]  # a ranking, where it stands in it, its ballots


def ranked(
    ballots: Sequence[Sequence[str]],
    *,
    options: Sequence[str],
    eligible: int,
    quorum: Fraction,
) -> Result:
    """Instant-runoff among `options` (in the proposal's order, which breaks the last ties).

    Identical rankings are checked and counted once, with their number of ballots: 100 000
    ballots over 6 options hold at most 1 956 different rankings. Each pile of identical
    ballots sits with the best option it still has in the race; an elimination moves only the
    eliminated option's piles. The result, and the error a bad ballot raises, are those of
    counting ballot by ballot (tests/unit/votes/test_vote_ranked_reference.py compares them).
    """
    if len(options) < 2 or len(set(options)) != len(options):
        raise BallotError("a ranked vote needs at least two distinct options")
    if len(options) > MAX_OPTIONS:
        raise BallotError(f"a ranked vote has at most {MAX_OPTIONS} options")
    known = set(options)
    piles = _piles(ballots, known)
    for ranking in piles:  # in the order of first appearance: the first bad ballot's error
        _check_ranking(ranking, known)
    reached = _check(eligible, len(ballots), quorum)
    rounds: list[Round] = []
    winner: str | None = None
    counts = dict.fromkeys(options, 0)  # the options still in the race, in the proposal's order
    holding: dict[str, list[Pile]] = {o: [] for o in options}
    exhausted = _move(((r, -1, n) for r, n in piles.items()), counts, holding)
    while True:
        active = len(ballots) - exhausted
        leader = max(counts, key=counts.__getitem__)
        majority = active > 0 and 2 * counts[leader] > active
        if majority or len(counts) == 1 or active == 0:
            winner = leader if majority else None
            rounds.append(Round(tuple(counts.items()), exhausted, None))
            break
        fewest = min(counts.values())
        tied = [o for o in counts if counts[o] == fewest]
        out = _tie_break(tied, rounds, options)
        rounds.append(
            Round(tuple(counts.items()), exhausted, out, tuple(tied) if len(tied) > 1 else ())
        )
        del counts[out]
        exhausted += _move(holding.pop(out), counts, holding)
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


def _move(piles: Iterable[Pile], counts: dict[str, int], holding: dict[str, list[Pile]]) -> int:
    """Each pile goes to the best option it names after where it stood that is still in the
    race (in `counts`); the number of ballots exhausted (no such option) is returned."""
    exhausted = 0
    for ranking, at, ballots_n in piles:
        at += 1
        end = len(ranking)
        while at < end and ranking[at] not in counts:
            at += 1
        if at == end:
            exhausted += ballots_n
        else:
            counts[ranking[at]] += ballots_n
            holding[ranking[at]].append((ranking, at, ballots_n))
    return exhausted


def _piles(ballots: Sequence[Sequence[str]], known: set[str]) -> Counter[tuple[str, ...]]:
    """Each different ranking and its number of ballots, in the order of first appearance."""
    if set(map(type, ballots)) <= {list, tuple}:
        # A name that cannot be hashed or compared fails here: the checks below meet it where
        # counting ballot by ballot did, after the ballots before it.
        with suppress(Exception):
            return Counter(map(tuple, ballots))
    # Other sequences, or such a name: checked ballot by ballot first, so that the first bad
    # ballot raises what it always raised, then read by index, as counting ballot by ballot did.
    for ranking in ballots:
        _check_ranking(ranking, known)
    return Counter(tuple(ranking[at] for at in range(len(ranking))) for ranking in ballots)


def _check_ranking(ranking: Sequence[str], known: set[str]) -> None:
    named = set(ranking)
    if len(named) != len(ranking):
        raise BallotError("a ranking names an option twice")
    if not named <= known:
        unknown = next(o for o in ranking if o not in known)
        raise BallotError(f"unknown option {unknown!r}")


def _tie_break(tied: list[str], rounds: Sequence[Round], options: Sequence[str]) -> str:
    """Which of the tied options is eliminated (TIE_BREAK)."""
    candidates = list(tied)
    for earlier in rounds:
        votes = dict(earlier.counts)
        fewest = min(votes[o] for o in candidates)
        candidates = [o for o in candidates if votes[o] == fewest]
        if len(candidates) == 1:
            return candidates[0]
    return max(candidates, key=options.index)
