"""The chain of checkpoints and the witnesses, as pure functions: what each gap is called."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.audit.checkpoints import signing, witness
from governance.audit.checkpoints.checkpoint_chain import (
    Announcement,
    Link,
    chain_problems,
    link_hash,
    truncation,
)
from governance.base.i18n import language

COOP = 3
HEAD = "cd" * 32


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with language("en"):
        yield


def chain(labels: list[str], legacy: int = 0) -> list[Link]:
    """Checkpoints 1..n, the first `legacy` of them from before the chain, each at seq 10*n."""
    links: list[Link] = []
    previous: str | None = None
    for index, label in enumerate(labels):
        number, seq = index + 1, 10 * (index + 1)
        if index >= legacy:
            previous = links[-1].hash if links else signing.GENESIS
        link_previous = previous if index >= legacy else None
        links.append(
            Link(
                id=100 + number,
                number=number,
                kind="daily" if len(label) == 10 else "close",
                label=label,
                seq=seq,
                head_hash=HEAD,
                previous=link_previous,
                hash=link_hash(COOP, label, seq, HEAD, link_previous),
            )
        )
    return links


def announced(links: list[Link]) -> list[Announcement]:
    return [
        Announcement(link.kind, link.label, link.seq, link.number if link.kind == "daily" else None)
        for link in links
    ]


LABELS = ["2026-09", "2026-10", "2026-10-15", "2026-11", "2026-11-20"]


def test_a_whole_chain_has_no_problem_with_or_without_legacy_checkpoints() -> None:
    for legacy in (0, 1, 2):
        links = chain(LABELS, legacy)
        assert chain_problems(links, announced(links), {"2026-09": 101, "2026-10": 102}) == []


@given(st.sets(st.integers(min_value=1, max_value=5), min_size=1))
def test_any_deleted_checkpoints_are_each_named_once(deleted: set[int]) -> None:
    links = chain(LABELS, legacy=1)
    kept = [link for link in links if link.number not in deleted]
    with language("en"):
        found = chain_problems(kept, announced(links))
    for link in links:
        if link.number in deleted:
            what = "day" if link.kind == "daily" else "month"
            assert f"Checkpoint {link.number} ({what} {link.label}) is missing." in found
    assert len([line for line in found if "is missing" in line]) == len(deleted)


def test_without_announcements_a_gap_is_still_named_by_number() -> None:
    links = chain(LABELS)
    assert chain_problems([links[0], links[2]], []) == ["Checkpoint 2 is missing."]


def test_a_closed_month_pointing_nowhere_is_named() -> None:
    links = chain(["2026-09"])
    assert chain_problems(links, [], {"2026-10": 999}) == [
        "The close of 2026-10 points to a checkpoint that is missing."
    ]
    assert chain_problems(links, [], {"2026-10": 101}) == [
        "The close of 2026-10 points to checkpoint 1, of 2026-09."
    ]


def test_a_checkpoint_signing_another_predecessor_does_not_follow() -> None:
    links = chain(LABELS)
    other = "ef" * 32
    forged = Link(
        **{
            **links[2].__dict__,
            "previous": other,
            "hash": link_hash(COOP, links[2].label, links[2].seq, HEAD, other),
        }
    )
    assert chain_problems([*links[:2], forged, *links[3:]], []) == [
        "Checkpoint 3 does not follow checkpoint 2.",
        # The forged checkpoint's own hash changed with its previous one.
        "Checkpoint 4 does not follow checkpoint 3.",
    ]
    unlinked = Link(**{**links[3].__dict__, "previous": None})
    assert "Checkpoint 4 is not linked to the checkpoint before it." in chain_problems(
        [*links[:3], unlinked], []
    )
    first = Link(**{**links[0].__dict__, "previous": "ef" * 32})
    assert chain_problems([first], []) == ["Checkpoint 1 does not start the chain of checkpoints."]


def test_truncation_names_the_events_gone_and_the_checkpoint() -> None:
    links = chain(LABELS)  # the last signs seq 50
    assert truncation(links, 50) is None
    sentence, furthest = truncation(links, 44) or ("", None)
    assert furthest is links[-1]
    assert sentence == (
        "Events 45–50 are gone: the audit trail ends at event 44 but checkpoint 5 "
        "(2026-11-20) signed event 50."
    )
    assert truncation(links, 49) == (
        "Event 50 is gone: the audit trail ends at event 49 but checkpoint 5 (2026-11-20) "
        "signed event 50.",
        links[-1],
    )


def test_the_v2_line_is_documented_and_printed_checks_need_previous() -> None:
    private = signing.new_private_key()
    public = signing.public_key_of(private)
    line = signing.message_v2(COOP, "2026-11", 42, HEAD, signing.GENESIS)
    assert line == f"governance-checkpoint:v2:3:2026-11:42:{HEAD}:{signing.GENESIS}".encode()
    signature = signing.sign(private, line)
    assert signing.check_printed(COOP, "2026-11", 42, HEAD, signature, public, signing.GENESIS)
    assert not signing.check_printed(COOP, "2026-11", 42, HEAD, signature, public)
    assert not signing.check_printed(COOP, "2026-11", 42, HEAD, signature, public, "ef" * 32)
    daily = signing.message_v2(COOP, "2026-11-03", 42, HEAD, signing.GENESIS)
    assert signing.check_printed(
        COOP, "2026-11-03", 42, HEAD, signing.sign(private, daily), public, signing.GENESIS
    )
    for label in ("2026-13", "2026-11-32", "2026-11-3", "x"):
        with pytest.raises(ValueError):
            signing.message_v2(COOP, label, 42, HEAD, signing.GENESIS)


def test_a_witness_is_compared_seq_by_seq() -> None:
    saved = witness.parse(
        '[{"seq": 5, "head": "' + "AA" * 32 + '"}, {"seq": 9, "head": "' + "bb" * 32 + '"}]'
    )
    assert saved == [witness.SavedHead(5, "aa" * 32), witness.SavedHead(9, "bb" * 32)]
    assert witness.compare(saved, {5: "aa" * 32, 9: "bb" * 32}, 12) == []
    assert witness.compare(saved, {5: "aa" * 32}, 8) == [
        "seq 9 is missing: the chain ends at 8: events were deleted after you saved this head"
    ]
    assert witness.compare(saved, {5: "aa" * 32}, 12) == [
        "seq 9 is missing from the chain (which goes on to 12): an event was deleted"
    ]
    assert witness.compare(saved, {5: "cc" * 32, 9: "bb" * 32}, 9) == [
        f"seq 5: the chain has hash {'cc' * 32}, your witness says {'aa' * 32}: history was "
        "rewritten after you saved it"
    ]


@given(st.text(max_size=60))
def test_any_text_is_a_witness_or_a_clear_refusal(text: str) -> None:
    try:
        heads = witness.parse(text)
    except witness.WitnessError as error:
        assert str(error)
    else:
        assert heads and all(head.seq >= 1 and len(head.head) == 64 for head in heads)
