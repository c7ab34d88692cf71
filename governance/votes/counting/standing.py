"""Where an open vote stands: what it still lacks to pass if it closed now, as numbers.

Pure: a `Result` from governance/votes/counting/methods.py in, a `Standing` out; the same rules as
the
count, so that "2 more yes needed" is exactly what would turn the result around:

- quorum: participants must reach `quorum × eligible`; `voters` more are needed (any ballot
  counts: an abstention, a stand-aside, an empty ranking).
- approval: at ½, strictly more yes than no; above, yes ≥ threshold × (yes + no) with at
  least one yes. `yes` is the fewest more yes ballots that reach it with the no as they are.
- consent: at least one ballot and no objection. `objections` must be withdrawn (a voter
  changes their vote); `first_ballot` when nobody has voted yet.
- ranked: no threshold to reach by numbers: the runoff either finds a majority or not.

`waiting`: the eligible voters who have not voted yet. When more yes are needed than there are
voters left, they can only come from voters who change their vote.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from governance.votes.counting.methods import Result


@dataclass(frozen=True)
class Standing:
    needed: int  # participants the quorum asks for (0 with no quorum)
    voters: int  # more participants needed for the quorum (0: reached)
    yes: int = 0  # approval: more yes needed for the threshold (0: reached)
    objections: int = 0  # consent: objections standing in the way
    first_ballot: bool = False  # consent: nobody has voted yet
    waiting: int = 0  # eligible voters who have not voted yet

    @property
    def passes(self) -> bool:
        """Whether nothing is missing (for approval and consent: adopted if it closed now)."""
        return not (self.voters or self.yes or self.objections or self.first_ballot)


def ceil(value: Fraction) -> int:
    return -(-value.numerator // value.denominator)


def quorum_needed(quorum: Fraction, eligible: int) -> int:
    """How many participants reach `quorum` of `eligible` voters: the smallest n with
    n ≥ quorum × eligible."""
    return ceil(quorum * eligible)


def yes_needed(yes: int, no: int, threshold: Fraction) -> int:
    """How many more yes an approval vote needs, with `no` as it is (0 when it passes)."""
    if threshold == Fraction(1, 2):
        least = no + 1  # strictly more yes than no
    else:
        # yes' ≥ t × (yes' + no)  ⇔  yes' × (1 − t) ≥ t × no, and at least one yes.
        least = max(1, ceil(threshold * no / (1 - threshold)))
    return max(0, least - yes)


def standing(result: Result) -> Standing:
    needed = quorum_needed(result.quorum, result.eligible)
    voters = max(0, needed - result.participants)
    waiting = result.eligible - result.participants
    counts = dict(result.counts)
    if result.method == "approval":
        yes = yes_needed(counts["yes"], counts["no"], result.threshold)
        return Standing(needed, voters, yes=yes, waiting=waiting)
    if result.method == "consent":
        return Standing(
            needed,
            voters,
            objections=counts["object"],
            first_ballot=result.participants == 0,
            waiting=waiting,
        )
    return Standing(needed, voters, waiting=waiting)
