"""The trail's pages by keyset with and without filters: every event once, the count without
reading the chain (its head; a filtered count capped), the subjects of the filter, and bad keys
answered with a 400 page, never a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest

from governance.audit.service import record
from governance.trail import trail_reads

SEQ = re.compile(r"<span>#(\d+)</span>")
NEXT = re.compile(r'rel="next" href="\?([^"]*)"')
COUNT = re.compile(r'<div id="events">\s*<p>([^<]*)</p>')


@pytest.fixture
def busy(run: Any, world: Any) -> int:
    """130 more events in alpha's chain, by Wen and by Omar, about two subjects: the head."""

    async def action(session: Any) -> int:
        async with session.begin():
            for n in range(130):
                event = await record(
                    session,
                    cooperative_id=world.alpha,
                    actor_id=world.ids["wen" if n % 3 else "omar"],
                    action="member.role_changed",
                    subject_type="membership" if n % 2 else "proposal",
                    subject_id=n,
                    data={"name": f"Person {n}", "before": "worker", "after": "cooperator"},
                )
        return int(event.seq)

    return int(run(action))


def _walk(visitor: Any, query: str) -> list[int]:
    seen: list[int] = []
    url = "/c/alpha/audit/?" + query
    for _ in range(20):
        response = visitor.get(url)
        assert response.status_code == 200, url
        seen.extend(int(n) for n in SEQ.findall(response.text))
        found = NEXT.search(response.text)
        if found is None:
            return seen
        url = "/c/alpha/audit/?" + found.group(1).replace("&amp;", "&")
    raise AssertionError("the pages never end")


def test_every_event_once_newest_first_and_counted_by_the_head(
    visitor: Any, world: Any, busy: int
) -> None:
    visitor.login("olga")
    seqs = _walk(visitor, "")
    assert seqs == list(range(busy, 0, -1))
    assert str(busy) in COUNT.search(visitor.get("/c/alpha/audit/").text).group(1)
    later = visitor.get("/c/alpha/audit/?before=20").text
    assert 'rel="next"' not in later and 'href="?"' in later  # back to the newest


def test_filtered_pages_walk_their_own_events(visitor: Any, world: Any, busy: int) -> None:
    visitor.login("olga")
    wen = world.ids["wen"]
    by_wen = _walk(visitor, f"actor={wen}&subject=membership")
    assert len(by_wen) == len(set(by_wen)) == sum(1 for n in range(130) if n % 3 and n % 2)
    assert by_wen == sorted(by_wen, reverse=True)
    page = visitor.get(f"/c/alpha/audit/?actor={wen}").text
    assert str(sum(1 for n in range(130) if n % 3)) in COUNT.search(page).group(1)
    assert 'value="proposal"' in page and 'value="membership"' in page


def test_a_filtered_count_stops_at_the_cap(
    visitor: Any, world: Any, busy: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(trail_reads, "COUNT_CAP", 10)
    visitor.login("olga")
    page = visitor.get(f"/c/alpha/audit/?actor={world.ids['wen']}").text
    assert "10" in COUNT.search(page).group(1)
    api = visitor.get(f"/api/c/alpha/audit?actor={world.ids['wen']}").json()
    assert api["total"] == sum(1 for n in range(130) if n % 3)  # the JSON counts them all


@pytest.mark.parametrize(
    "query",
    [
        "before=abc",
        "before=-1",
        "before=0",
        "before=" + "9" * 40,
        "before=%00",
        "actor=x",
        "subject=%00",
        "subject=" + "a" * 300,
        "before=1&before=2",
    ],
)
def test_bad_keys_never_500(visitor: Any, world: Any, query: str) -> None:
    visitor.login("olga")
    response = visitor.get(f"/c/alpha/audit/?{query}")
    assert response.status_code in (200, 400), (query, response.status_code)
    assert "<html" in response.text
