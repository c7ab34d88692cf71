"""Counting votes: approval, consent, instant-runoff (their wording: test_vote_standing.py)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.votes.counting.methods import (
    APPROVAL_CHOICES,
    CONSENT_CHOICES,
    THRESHOLDS,
    BallotError,
    approval,
    consent,
    parse_fraction,
    ranked,
)

HALF, TWO_THIRDS, THREE_QUARTERS = Fraction(1, 2), Fraction(2, 3), Fraction(3, 4)


def votes(yes: int = 0, no: int = 0, abstain: int = 0) -> list[str]:
    return ["yes"] * yes + ["no"] * no + ["abstain"] * abstain


# --- approval -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yes", "no", "threshold", "adopted"),
    [
        (3, 2, HALF, True),
        (2, 2, HALF, False),  # at 1/2, strictly more yes than no
        (0, 0, HALF, False),
        (4, 2, TWO_THIRDS, True),  # exactly 2/3
        (3, 2, TWO_THIRDS, False),
        (3, 1, THREE_QUARTERS, True),  # exactly 3/4
        (5, 2, THREE_QUARTERS, False),
        (0, 0, TWO_THIRDS, False),  # no yes, nothing adopted
    ],
)
def test_approval_thresholds(yes: int, no: int, threshold: Fraction, adopted: bool) -> None:
    result = approval(votes(yes, no), eligible=10, quorum=Fraction(0), threshold=threshold)
    assert result.adopted is adopted
    assert result.threshold_reached is adopted


def test_abstentions_count_for_the_quorum_not_for_the_threshold() -> None:
    ballots = votes(yes=2, no=1, abstain=3)
    result = approval(ballots, eligible=10, quorum=HALF, threshold=TWO_THIRDS)
    assert result.participants == 6 and result.quorum_reached
    assert result.adopted  # 2 of the 3 yes + no
    short = approval(votes(yes=2, no=1), eligible=10, quorum=HALF, threshold=TWO_THIRDS)
    assert not short.quorum_reached and not short.adopted and short.threshold_reached


def test_quorum_is_reached_at_exactly_its_share_of_the_eligible() -> None:
    assert approval(votes(yes=5), eligible=10, quorum=HALF, threshold=HALF).quorum_reached
    assert not approval(votes(yes=4), eligible=10, quorum=HALF, threshold=HALF).quorum_reached
    # 2/3 of 7 is 4.67: five voters are needed.
    assert not approval(votes(yes=4), eligible=7, quorum=TWO_THIRDS, threshold=HALF).adopted
    assert approval(votes(yes=5), eligible=7, quorum=TWO_THIRDS, threshold=HALF).adopted


@given(
    st.integers(0, 30),
    st.integers(0, 30),
    st.integers(0, 30),
    st.sampled_from([HALF, TWO_THIRDS, THREE_QUARTERS]),
)
def test_one_more_yes_never_turns_adopted_into_rejected(
    yes: int, no: int, abstain: int, threshold: Fraction
) -> None:
    eligible = yes + no + abstain + 1
    before = approval(votes(yes, no, abstain), eligible=eligible, quorum=HALF, threshold=threshold)
    after = approval(
        votes(yes + 1, no, abstain), eligible=eligible, quorum=HALF, threshold=threshold
    )
    assert after.adopted or not before.adopted


@given(st.integers(1, 60), st.integers(0, 60), st.sampled_from(list(THRESHOLDS)))
def test_a_unanimous_yes_with_quorum_is_adopted_under_every_threshold(
    voters: int, absent: int, threshold: Fraction
) -> None:
    eligible = voters + absent
    quorum = Fraction(voters, eligible)  # exactly reached
    result = approval(["yes"] * voters, eligible=eligible, quorum=quorum, threshold=threshold)
    assert result.adopted and result.quorum_reached and result.threshold_reached


@given(
    st.integers(0, 30),
    st.integers(0, 30),
    st.integers(0, 30),
    st.sampled_from(list(THRESHOLDS)),
    st.sampled_from([Fraction(0), Fraction(1, 4), HALF, TWO_THIRDS]),
)
def test_adding_a_no_never_turns_rejected_into_adopted(
    yes: int, no: int, abstain: int, threshold: Fraction, quorum: Fraction
) -> None:
    eligible = yes + no + abstain + 1
    before = approval(
        votes(yes, no, abstain), eligible=eligible, quorum=quorum, threshold=threshold
    )
    after = approval(
        votes(yes, no + 1, abstain), eligible=eligible, quorum=quorum, threshold=threshold
    )
    # Once the quorum is reached. Before, a "no" also brings a participant: see below.
    if before.quorum_reached:
        assert before.adopted or not after.adopted


def test_a_no_can_complete_the_quorum() -> None:
    """The quorum counts participants, so a "no" that completes it can let the yes win:
    3 yes of 8 eligible miss a quorum of 1/2; with one "no" they have it, and 3 > 1."""
    before = approval(votes(yes=3), eligible=8, quorum=HALF, threshold=HALF)
    after = approval(votes(yes=3, no=1), eligible=8, quorum=HALF, threshold=HALF)
    assert not before.adopted and after.adopted


@given(
    st.lists(
        st.permutations(["A", "B", "C", "D"]).flatmap(
            lambda order: st.integers(1, 4).map(lambda n: order[:n])
        ),
        min_size=1,
        max_size=40,
    )
)
def test_instant_runoff_agrees_with_plurality_when_one_option_has_a_majority(
    ballots: list[list[str]],
) -> None:
    firsts = [b[0] for b in ballots]
    leader = max("ABCD", key=firsts.count)
    result = ranked(ballots, options=["A", "B", "C", "D"], eligible=40, quorum=Fraction(0))
    if 2 * firsts.count(leader) > len(ballots):
        assert result.winner == leader and len(result.rounds) == 1


@given(st.lists(st.sampled_from(APPROVAL_CHOICES), max_size=40), st.randoms())
def test_ballot_order_changes_nothing(ballots: list[str], random: object) -> None:
    shuffled = list(ballots)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    one = approval(ballots, eligible=40, quorum=Fraction(1, 3), threshold=TWO_THIRDS)
    two = approval(shuffled, eligible=40, quorum=Fraction(1, 3), threshold=TWO_THIRDS)
    assert one == two


def test_bad_approval_input_is_refused() -> None:
    with pytest.raises(BallotError, match="threshold"):
        approval(votes(1), eligible=1, quorum=HALF, threshold=Fraction(3, 5))
    with pytest.raises(BallotError, match="unknown choice"):
        approval(["oui"], eligible=1, quorum=HALF, threshold=HALF)
    with pytest.raises(BallotError, match="ballots for"):
        approval(votes(3), eligible=2, quorum=HALF, threshold=HALF)


# --- consent ------------------------------------------------------------------------------


def test_consent_is_adopted_without_objection() -> None:
    ballots = ["consent", "consent", "stand_aside"]
    assert consent(ballots, eligible=4, quorum=HALF).adopted
    assert not consent([*ballots, "object"], eligible=4, quorum=HALF).adopted
    assert not consent([], eligible=4, quorum=Fraction(0)).adopted  # nobody took part
    assert not consent(["consent"], eligible=4, quorum=HALF).adopted  # no quorum


@given(st.lists(st.sampled_from(CONSENT_CHOICES), min_size=1, max_size=30))
def test_one_objection_is_enough_to_stop_a_consent(ballots: list[str]) -> None:
    result = consent(ballots, eligible=len(ballots), quorum=HALF)
    assert result.adopted is ("object" not in ballots)


# --- ranked (instant-runoff) --------------------------------------------------------------


def test_instant_runoff_transfers_the_eliminated_options_ballots() -> None:
    ballots = [["A", "B"], ["B", "A"], ["C", "B"], ["A"], ["B"], []]
    result = ranked(ballots, options=["A", "B", "C"], eligible=7, quorum=HALF)
    assert [dict(r.counts) for r in result.rounds] == [{"A": 2, "B": 2, "C": 1}, {"A": 2, "B": 3}]
    assert [r.exhausted for r in result.rounds] == [1, 1]
    assert result.rounds[0].eliminated == "C"
    assert result.winner == "B"


def test_a_first_round_majority_wins_at_once() -> None:
    result = ranked([["A"], ["A"], ["B"]], options=["A", "B", "C"], eligible=3, quorum=HALF)
    assert result.winner == "A" and len(result.rounds) == 1


def test_ties_for_elimination_look_back_then_at_the_options_order() -> None:
    # Round 1: A 3, B 2, C 2, D 1 -> D out (its ballot goes to C). Round 2: A 3, B 2, C 3 ->
    # B out. Then C and A... the written rule decides every tie the same way.
    ballots = [["A"], ["A"], ["A"], ["B"], ["B"], ["C"], ["C"], ["D", "C"]]
    result = ranked(ballots, options=["A", "B", "C", "D"], eligible=8, quorum=Fraction(0))
    assert result.rounds[0].eliminated == "D"
    assert result.rounds[1].eliminated == "B"
    # B and C tied in round 1 (2 each): earlier rounds cannot split a first-round tie, so the
    # option listed last goes.
    tie = ranked(
        [["B"], ["C"], ["A"], ["A"], ["B"], ["C"]],
        options=["A", "B", "C"],
        eligible=6,
        quorum=Fraction(0),
    )
    assert tie.rounds[0].tie == ("A", "B", "C") and tie.rounds[0].eliminated == "C"
    # Tied now, but not in an earlier round: the one with fewer votes then goes.
    ballots = [["A"], ["A"], ["A"], ["B"], ["B"], ["C", "B"], ["D", "C"], ["E", "C"]]
    back = ranked(ballots, options=["A", "B", "C", "D", "E"], eligible=8, quorum=Fraction(0))
    assert back.rounds[0].eliminated == "E"  # C, D, E at 1: listed last
    assert back.rounds[1].eliminated == "D"  # D at 1
    assert back.winner == "B" or back.winner == "A"


def test_no_quorum_no_winner() -> None:
    result = ranked([["A"]], options=["A", "B"], eligible=5, quorum=HALF)
    assert result.winner is None and result.threshold_reached


@given(
    st.lists(
        st.permutations(["A", "B", "C", "D"]).flatmap(
            lambda order: st.integers(0, 4).map(lambda n: order[:n])
        ),
        max_size=40,
    ),
    st.randoms(),
)
def test_instant_runoff_properties(ballots: list[list[str]], random: object) -> None:
    options = ["A", "B", "C", "D"]
    result = ranked(ballots, options=options, eligible=40, quorum=Fraction(0))
    last = result.rounds[-1]
    active = len(ballots) - last.exhausted
    if result.winner is not None:  # the winner holds a majority of the ballots still counted
        assert 2 * dict(last.counts)[result.winner] > active
    else:
        assert active == 0
    for r in result.rounds:  # every round counts each ballot once
        assert sum(n for _o, n in r.counts) + r.exhausted == len(ballots)
    shuffled = list(ballots)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert ranked(shuffled, options=options, eligible=40, quorum=Fraction(0)) == result


def test_bad_rankings_are_refused() -> None:
    with pytest.raises(BallotError, match="twice"):
        ranked([["A", "A"]], options=["A", "B"], eligible=1, quorum=HALF)
    with pytest.raises(BallotError, match="unknown option"):
        ranked([["Z"]], options=["A", "B"], eligible=1, quorum=HALF)
    with pytest.raises(BallotError, match="two distinct options"):
        ranked([], options=["A"], eligible=1, quorum=HALF)


# --- fractions and explanations -----------------------------------------------------------


@pytest.mark.parametrize("text", ["1/2", "2/3", "0", "1", "0/5"])
def test_fractions_are_read(text: str) -> None:
    assert parse_fraction(text, "quorum") <= 1


@pytest.mark.parametrize("text", ["", "1/0", "3/2", "½", "0.5", "-1/2", "1/2/3", "١/٢", None, 1])
def test_bad_fractions_are_refused(text: object) -> None:
    with pytest.raises(BallotError):
        parse_fraction(text, "quorum")


def test_a_ranked_vote_has_at_most_a_hundred_options() -> None:
    options = [f"option {n}" for n in range(101)]
    with pytest.raises(BallotError, match="at most 100"):
        ranked([], options=options, eligible=1, quorum=HALF)
    assert ranked([options[:100]], options=options[:100], eligible=1, quorum=HALF).winner
