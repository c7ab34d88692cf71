"""A vote's page in plain words: while open, what would happen if it closed now and what it
lacks, in neutral colours; after the close, the outcome in the past tense."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from tests.votes_support import DECISION, add_cooperators, close, later, open_vote, vote

BASE = "/c/alpha/proposals"
TITLE = "Faut-il acheter un second ordinateur ?"


def _result_box(page: str) -> tuple[str, str]:
    """The result section's class and its text, tags removed."""
    found = re.search(r'<section class="([^"]*)" id="result">(.*?)</section>', page, re.S)
    assert found, "no result section"
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", found[2])))
    return found[1], text.strip()


def _open_vote_two_yes_one_no(run: Any, world: Any) -> int:
    """Nine voters, a quorum of 2/3 (six), public counts shown live: 2 yes, 1 no so far."""

    async def action(session: Any) -> int:
        await add_cooperators(
            session, world, "Ana", "Bilal", "Dina", "Emre", "Fatou", "Gus", "Hana"
        )
        form = {**DECISION, "title": TITLE, "quorum": "2/3"}
        pid = await open_vote(session, world, form)
        await vote(session, world, "omar", pid, choice="yes")
        await vote(session, world, "ana", pid, choice="yes")
        await vote(session, world, "carla", pid, choice="no")
        return pid

    return int(run(action))


def test_an_open_vote_says_what_it_lacks_and_a_closed_one_what_happened(
    run: Any, world: Any, make_visitor: Any, monkeypatch: Any
) -> None:
    pid = _open_vote_two_yes_one_no(run, world)
    omar = make_visitor()
    omar.login("omar")
    omar.post("/language", {"language": "en", "next": "/"})
    classes, text = _result_box(omar.get(f"{BASE}/{pid}").text)
    # Neutral while open: not the green box of an adopted proposal, nor an error.
    assert classes.split() == ["card", "vote-result"]
    assert text.startswith("If the vote closed now The proposal would not be adopted.")
    assert "3 of 9 eligible voters have voted so far." in text
    assert "3 more voters are needed (6 of 9 must take part; abstaining counts)." in text
    assert "There are more yes than no (2 yes, 1 no)." in text
    # Nothing in the past tense about a vote that is still open.
    for past in ("was adopted", "was not adopted", "was needed", "took part", "Result"):
        assert past not in text

    # One no more: now the threshold is short too, by exactly one yes.
    run(lambda session: vote(session, world, "bilal", pid, choice="no"))
    _classes, text = _result_box(omar.get(f"{BASE}/{pid}").text)
    assert "1 more yes is needed to have more yes than no (now 2 yes, 2 no)." in text
    assert "2 more voters are needed" in text

    later(monkeypatch)
    omar.login("omar")  # a day later: a new session
    # Past its closing time, before the worker counts it: no "if it closed now" any more.
    ended = omar.get(f"{BASE}/{pid}").text
    assert 'id="counting"' in ended and 'id="result"' not in ended
    run(lambda session: close(session, pid, world))
    classes, text = _result_box(omar.get(f"{BASE}/{pid}").text)
    assert classes.split() == ["card", "vote-result"]  # not adopted: not green
    assert text.startswith("Result The proposal was not adopted.")
    assert "4 of 9 eligible voters took part." in text
    assert "The quorum (2/3, 6 voters) was not reached." in text
    assert "More yes than no was needed (2 yes, 2 no)." in text
    assert "It failed for lack of quorum: 4 of 9 eligible voters took part, 6 were needed" in text
    assert "would" not in text and "If the vote closed now" not in text


def test_an_adopted_vote_is_green_and_in_the_past(
    run: Any, world: Any, make_visitor: Any, monkeypatch: Any
) -> None:
    async def action(session: Any) -> int:
        pid = await open_vote(session, world)  # two voters, quorum 1/2
        await vote(session, world, "omar", pid, choice="yes")
        return pid

    pid = int(run(action))
    omar = make_visitor()
    omar.login("omar")
    omar.post("/language", {"language": "en", "next": "/"})
    classes, text = _result_box(omar.get(f"{BASE}/{pid}").text)
    assert classes.split() == ["card", "vote-result"]
    assert text.startswith("If the vote closed now The proposal would be adopted.")
    later(monkeypatch)
    run(lambda session: close(session, pid, world))
    omar.login("omar")
    classes, text = _result_box(omar.get(f"{BASE}/{pid}").text)
    assert classes.split() == ["card", "notice"]
    assert text.startswith("Result The proposal was adopted.")


def test_an_arabic_page_isolates_a_french_title_and_lists_names_in_arabic(
    run: Any, world: Any, make_visitor: Any
) -> None:
    pid = _open_vote_two_yes_one_no(run, world)
    omar = make_visitor()
    omar.login("omar")
    omar.post("/language", {"language": "ar", "next": "/"})
    page = omar.get(f"{BASE}/{pid}").text
    assert 'lang="ar" dir="rtl"' in page
    assert f'<h1 dir="auto">{TITLE}</h1>' in page
    assert f"<title>\u2068{TITLE}\u2069" in page
    # Who took part: three names joined the Arabic way, each isolated, no Latin comma.
    assert (
        "<bdi>Ana</bdi>\u060c <bdi>Carla Coordinator</bdi> \u0648<bdi>Omar Cooperator</bdi>" in page
        or "<bdi>Ana</bdi> \u0648<bdi>Carla Coordinator</bdi> \u0648<bdi>Omar Cooperator</bdi>"
        in page
    )
    listing = omar.get(f"{BASE}/").text
    assert f'dir="auto">{TITLE}</a>' in listing
