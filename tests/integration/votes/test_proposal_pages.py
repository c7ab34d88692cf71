"""The proposals list a page at a time: open votes and drafts on the first page, the closed
votes newest first by keyset on their id, each once; bad keys give a 400 page, never a 500."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from governance.votes.list_reads import CLOSED_PAGE
from governance.votes.models import Ballot, Proposal

BASE = "/c/alpha/proposals"
ROW = re.compile(r'<tr id="proposal-(\d+)">')
NEXT = re.compile(r'<a class="button" rel="next" href="([^"]+)"')
PREV = re.compile(r'<a class="button" rel="prev" href="([^"]+)"')
CLOSED = 2 * CLOSED_PAGE + 7


@pytest.fixture
def history(run: Any, world: Any) -> dict[str, list[int]]:
    """CLOSED closed votes (a ballot in each), two open and one draft, straight into the
    tables: their ids by state."""

    async def add(session: Any) -> dict[str, list[int]]:
        start = datetime(2025, 1, 1, tzinfo=UTC)
        made: dict[str, list[Proposal]] = {"closed": [], "open": [], "draft": []}
        async with session.begin():
            for i in range(CLOSED + 3):
                state = "closed" if i < CLOSED else ("open" if i < CLOSED + 2 else "draft")
                at = start + timedelta(days=7 * i)
                proposal = Proposal(
                    cooperative_id=world.alpha,
                    kind="decision",
                    title=f"Question {i}",
                    method="approval",
                    quorum="0",
                    state=state,
                    created_by_id=world.ids["omar"],
                    created_at=at,
                    opens_at=None if state == "draft" else at,
                    closes_at=None if state == "draft" else at + timedelta(days=3),
                    closed_at=at + timedelta(days=3) if state == "closed" else None,
                    eligible_count=4,
                    adopted=None if state != "closed" else i % 2 == 0,
                    result=None,
                )
                session.add(proposal)
                made[state].append(proposal)
            await session.flush()
            for proposal in made["closed"]:
                session.add(
                    Ballot(
                        proposal_id=proposal.id,
                        voter_id=world.ids["omar"],
                        cast_by_id=world.ids["omar"],
                        choice="yes",
                        receipt=f"r-{proposal.id}",
                        cast_at=proposal.opens_at,
                    )
                )
        return {state: [p.id for p in found] for state, found in made.items()}

    return run(add)


def _walk(visitor: Any, url: str) -> list[list[int]]:
    pages = []
    while url:
        response = visitor.get(url)
        assert response.status_code == 200, (url, response.text[:300])
        pages.append([int(i) for i in ROW.findall(response.text)])
        found = NEXT.search(response.text)
        url = found.group(1).replace("&amp;", "&") if found else ""
        assert len(pages) < 20
    return pages


def test_the_closed_votes_are_paged_newest_first_each_once(
    visitor: Any, world: Any, history: dict[str, list[int]]
) -> None:
    visitor.login("olga")
    pages = _walk(visitor, BASE + "/")
    current = history["open"][::-1] + history["draft"]
    assert pages[0][: len(current)] == current
    closed = [pid for page in pages for pid in page if pid not in current]
    assert closed == sorted(history["closed"], reverse=True)
    assert [len(p) for p in pages] == [CLOSED_PAGE + 3, CLOSED_PAGE, CLOSED - 2 * CLOSED_PAGE]
    assert all(pid not in current for page in pages[1:] for pid in page)
    # And back again, from the last page: the previous links lead to the same pages.
    last = visitor.get(_next_of(visitor, _next_of(visitor, BASE + "/")))
    back = []
    response = last
    while (found := PREV.search(response.text)) is not None:
        response = visitor.get(found.group(1).replace("&amp;", "&"))
        back.append([int(i) for i in ROW.findall(response.text)])
    assert back == pages[:-1][::-1]
    assert "1 / 4" in visitor.get(BASE + "/").text.replace("\u2066", "").replace("\u2069", "")


def _next_of(visitor: Any, url: str) -> str:
    found = NEXT.search(visitor.get(url).text)
    assert found is not None
    return found.group(1).replace("&amp;", "&")


@pytest.mark.parametrize(
    "query",
    [
        "before=abc",
        "before=-3",
        "after=0",
        "before=1e3",
        "before=" + "9" * 300,
        "after=99999999999",
        "before=1&before=2",
        "before=%00",
        "before=1",
        "after=2147483647",
    ],
)
def test_bad_keys_give_a_400_page_or_a_page(visitor: Any, world: Any, query: str) -> None:
    visitor.login("omar")
    response = visitor.get(f"{BASE}/?{query}")
    assert response.status_code in (200, 400), (query, response.status_code)
    assert "<html" in response.text
