"""What an open vote still lacks (governance/votes/counting/standing.py), and the result in words,
open
and closed (governance/votes/counting/wording.py)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.base.i18n import language
from governance.votes.counting.methods import THRESHOLDS, approval, consent, ranked
from governance.votes.counting.standing import quorum_needed, standing, yes_needed
from governance.votes.counting.wording import explain, explain_now

HALF, TWO_THIRDS, THREE_QUARTERS = Fraction(1, 2), Fraction(2, 3), Fraction(3, 4)
FSI, PDI = "\u2068", "\u2069"


def votes(yes: int = 0, no: int = 0, abstain: int = 0) -> list[str]:
    return ["yes"] * yes + ["no"] * no + ["abstain"] * abstain


# --- the arithmetic -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quorum", "eligible", "needed"),
    [
        (Fraction(0), 10, 0),
        (HALF, 10, 5),
        (HALF, 5, 3),  # 2.5 voters: 3
        (Fraction(1, 3), 6, 2),
        (Fraction(1, 3), 7, 3),
        (TWO_THIRDS, 3, 2),
        (Fraction(1), 4, 4),
        (HALF, 0, 0),
    ],
)
def test_the_quorum_needs_the_smallest_whole_number_of_voters(
    quorum: Fraction, eligible: int, needed: int
) -> None:
    assert quorum_needed(quorum, eligible) == needed


@pytest.mark.parametrize(
    ("yes", "no", "threshold", "more"),
    [
        (2, 1, HALF, 0),
        (1, 1, HALF, 1),  # a tie is not a majority
        (1, 3, HALF, 3),
        (0, 0, HALF, 1),
        (0, 0, TWO_THIRDS, 1),  # at least one yes
        (2, 1, TWO_THIRDS, 0),  # exactly 2/3
        (2, 2, TWO_THIRDS, 2),  # 4 of 6
        (1, 3, TWO_THIRDS, 5),  # 6 of 9
        (3, 1, THREE_QUARTERS, 0),  # exactly 3/4
        (2, 1, THREE_QUARTERS, 1),
        (0, 5, THREE_QUARTERS, 15),
    ],
)
def test_the_yes_needed_are_exactly_what_turns_the_count(
    yes: int, no: int, threshold: Fraction, more: int
) -> None:
    assert yes_needed(yes, no, threshold) == more


@given(
    yes=st.integers(0, 60),
    no=st.integers(0, 60),
    abstain=st.integers(0, 10),
    threshold=st.sampled_from(THRESHOLDS),
)
def test_the_yes_needed_pass_the_count_and_one_fewer_does_not(
    yes: int, no: int, abstain: int, threshold: Fraction
) -> None:
    """Counted by the method itself: the missing yes added, it passes; one fewer, it fails."""
    ballots = votes(yes, no, abstain)
    eligible = len(ballots) + 200
    more = standing(approval(ballots, eligible=eligible, quorum=Fraction(0), threshold=threshold))
    assert more.yes >= 0
    after = approval(
        ballots + ["yes"] * more.yes, eligible=eligible, quorum=Fraction(0), threshold=threshold
    )
    assert after.threshold_reached
    if more.yes:
        short = approval(
            ballots + ["yes"] * (more.yes - 1),
            eligible=eligible,
            quorum=Fraction(0),
            threshold=threshold,
        )
        assert not short.threshold_reached


@given(
    eligible=st.integers(0, 40),
    data=st.data(),
    quorum=st.fractions(min_value=0, max_value=1, max_denominator=100),
)
def test_the_voters_needed_reach_the_quorum_and_one_fewer_does_not(
    eligible: int, data: st.DataObject, quorum: Fraction
) -> None:
    voted = data.draw(st.integers(0, eligible))
    ballots = ["abstain"] * voted
    more = standing(approval(ballots, eligible=eligible, quorum=quorum, threshold=HALF))
    assert 0 <= more.voters <= eligible - voted == more.waiting
    after = approval(
        ballots + ["abstain"] * more.voters, eligible=eligible, quorum=quorum, threshold=HALF
    )
    assert after.quorum_reached
    if more.voters:
        short = ballots + ["abstain"] * (more.voters - 1)
        assert not approval(short, eligible=eligible, quorum=quorum, threshold=HALF).quorum_reached


@given(
    choices=st.lists(st.sampled_from(["yes", "no", "abstain"]), max_size=30),
    extra=st.integers(0, 30),
    quorum=st.sampled_from([Fraction(0), Fraction(1, 3), HALF, Fraction(1)]),
    threshold=st.sampled_from(THRESHOLDS),
)
def test_nothing_missing_is_exactly_adopted(
    choices: list[str], extra: int, quorum: Fraction, threshold: Fraction
) -> None:
    result = approval(choices, eligible=len(choices) + extra, quorum=quorum, threshold=threshold)
    assert standing(result).passes is result.adopted


@given(
    choices=st.lists(st.sampled_from(["consent", "stand_aside", "object"]), max_size=20),
    extra=st.integers(0, 20),
    quorum=st.sampled_from([Fraction(0), HALF, Fraction(1)]),
)
def test_a_consent_lacks_its_objections_withdrawn_or_a_first_ballot(
    choices: list[str], extra: int, quorum: Fraction
) -> None:
    result = consent(choices, eligible=len(choices) + extra, quorum=quorum)
    now = standing(result)
    assert now.objections == choices.count("object")
    assert now.first_ballot is (not choices)
    assert now.passes is result.adopted


def test_a_ranked_vote_lacks_only_voters() -> None:
    result = ranked([["A"], ["B"]], options=["A", "B"], eligible=6, quorum=HALF)
    now = standing(result)
    assert (now.needed, now.voters, now.yes, now.waiting) == (3, 1, 0, 4)


# --- the words, open and closed --------------------------------------------------------------


def test_the_issues_open_vote_says_the_quorum_is_the_blocker_and_nothing_in_the_past() -> None:
    """2 yes, 1 no of 8 eligible with a quorum of 3/4: more yes than no, but 3 more voters."""
    result = approval(votes(yes=2, no=1), eligible=8, quorum=THREE_QUARTERS, threshold=HALF)
    with language("en"):
        words = explain_now(result)
    assert words.verdict == "The proposal would not be adopted."
    assert words.lines == (
        "3 of 8 eligible voters have voted so far.",
        "The quorum is not reached: 3 more voters are needed (6 of 8 must take part; "
        "abstaining counts).",
        "There are more yes than no (2 yes, 1 no).",
        "yes: 2, no: 1, abstain: 0",
    )
    assert not any(" was " in line or "had to" in line for line in words.lines)


@pytest.mark.parametrize(
    ("ballots", "threshold", "line"),
    [
        (
            votes(yes=1, no=2),
            HALF,
            "2 more yes are needed to have more yes than no (now 1 yes, 2 no).",
        ),
        (
            votes(yes=1, no=1),
            HALF,
            "1 more yes is needed to have more yes than no (now 1 yes, 1 no).",
        ),
        (
            votes(yes=2, no=2),
            TWO_THIRDS,
            "2 more yes are needed for 2/3 of the yes and no votes to be yes (now 2 yes, 2 no).",
        ),
        (
            votes(yes=3, no=1),
            THREE_QUARTERS,
            "At least 3/4 of the yes and no votes are yes (3 yes, 1 no).",
        ),
    ],
)
def test_an_open_vote_says_how_many_more_yes_it_needs(
    ballots: list[str], threshold: Fraction, line: str
) -> None:
    result = approval(ballots, eligible=10, quorum=Fraction(0), threshold=threshold)
    with language("en"):
        words = explain_now(result)
    assert line in words.lines
    assert "No quorum is required." in words.lines


def test_more_yes_than_voters_left_says_they_must_come_from_changed_votes() -> None:
    result = approval(votes(yes=1, no=4), eligible=6, quorum=Fraction(0), threshold=HALF)
    with language("en"):
        lines = explain_now(result).lines
    assert "4 more yes are needed to have more yes than no (now 1 yes, 4 no)." in lines
    assert (
        "Only 1 voter has not voted yet: the other yes can only come from voters who change "
        "their vote."
    ) in lines


def test_an_open_consent_and_ranked_vote_speak_in_the_conditional() -> None:
    objection = consent(["consent", "object"], eligible=4, quorum=HALF)
    runoff = ranked(
        [["A", "B"], ["B"], ["C", "B"]], options=["A", "B", "C"], eligible=3, quorum=HALF
    )
    with language("en"):
        words = explain_now(objection)
        assert words.verdict == "The proposal would not be adopted."
        assert (
            "1 member objects: the proposal cannot pass unless the objection is withdrawn."
            in words.lines
        )
        assert "The quorum is reached (2 of 4 must take part)." in words.lines
        assert explain_now(consent([], eligible=4, quorum=Fraction(0))).lines[-2] == (
            "Nobody has voted yet: at least one vote is needed."
        )
        chosen = explain_now(runoff, {"B": "Rule B"})
    assert chosen.verdict == f"{FSI}Rule B{PDI} would be chosen."


def test_a_closed_vote_speaks_in_the_past() -> None:
    result = approval(votes(yes=4, no=2, abstain=1), eligible=10, quorum=HALF, threshold=TWO_THIRDS)
    with language("en"):
        english = explain(result)
    assert english.verdict == "The proposal was adopted."
    assert english.lines == (
        "7 of 10 eligible voters took part.",
        "The quorum (1/2, 5 voters) was reached.",
        "yes: 4, no: 2, abstain: 1",
        "At least 2/3 of the yes and no votes had to be yes (4 yes, 2 no).",
    )
    with language("fr"):
        french = explain(result)
    assert french != english and len(french.lines) == len(english.lines)
    runoff = ranked(
        [["A", "B"], ["B"], ["C", "B"]], options=["A", "B", "C"], eligible=3, quorum=Fraction(0)
    )
    with language("en"):
        words = explain(runoff, {"A": "Rule A", "B": "Rule B", "C": "Rule C"})
    assert (
        f"Round 1: {FSI}Rule A{PDI}: 1, {FSI}Rule B{PDI}: 1, {FSI}Rule C{PDI}: 1."
        in (words.lines[2])
    )
    assert "tie-break rule" in words.lines[2]
    assert words.verdict == f"{FSI}Rule B{PDI} won."
    with language("en"):
        short = explain(ranked([["A"]], options=["A", "B"], eligible=3, quorum=HALF))
    assert short.verdict == "No option won: the quorum was not reached."


def test_arabic_counts_are_joined_with_the_arabic_comma() -> None:
    result = approval(votes(yes=2, no=1), eligible=3, quorum=Fraction(0), threshold=HALF)
    with language("ar"):
        counts = explain(result).lines[2]
    assert "," not in counts and counts.count("\u060c") == 2
