"""The member list a page at a time (keyset by name then person id): every member once,
links both ways, a search, and keys that are garbage give the first page or a 400, never 500."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from governance.auth.models import Person
from governance.members import MembershipStatus
from governance.members.listing import PAGE_SIZE
from governance.members.models import Membership

ROW = re.compile(r'<tr id="member-(\d+)">')
NEXT = re.compile(r'<a class="button" rel="next" href="([^"]+)"')
PREV = re.compile(r'<a class="button" rel="prev" href="([^"]+)"')
COUNT = re.compile(r'<p id="member-count">(\d+)')
EXTRA = 2 * PAGE_SIZE + 30  # three pages with the world's five


def _name(i: int) -> str:
    # Ties (the same name for several people), cases and scripts mixed.
    return ["Zoé Dupont", "ali", "Ali", "نور", "Bob"][i % 5] + ("" if i % 3 else f" {i // 3}")


@pytest.fixture
def crowd(run: Any, world: Any) -> set[int]:
    """EXTRA more members of alpha, straight into the tables: their membership ids."""

    async def add(session: Any) -> set[int]:
        now = datetime(2026, 1, 1, tzinfo=UTC)
        async with session.begin():
            people = [
                Person(
                    email=f"m{i}@crowd.example",
                    name=_name(i),
                    password_hash="x",
                    created_at=now,
                )
                for i in range(EXTRA)
            ]
            session.add_all(people)
            await session.flush()
            memberships = [
                Membership(
                    cooperative_id=world.alpha,
                    person_id=p.id,
                    role="cooperator",
                    status=MembershipStatus.ACTIVE,
                    joined_at=now,
                )
                for p in people
            ]
            session.add_all(memberships)
            await session.flush()
            return {m.id for m in memberships}

    return set(run(add))


def _unescape(href: str) -> str:
    return href.replace("&amp;", "&")


def _walk(visitor: Any, start: str) -> list[list[int]]:
    pages, url = [], start
    while url:
        response = visitor.get(url)
        assert response.status_code == 200, (url, response.text[:300])
        pages.append([int(i) for i in ROW.findall(response.text)])
        found = NEXT.search(response.text)
        url = _unescape(found.group(1)) if found else ""
        assert len(pages) < 20, "the pages never end"
    return pages


@pytest.mark.parametrize("who", ["carla", "omar"])
def test_every_member_is_on_exactly_one_page_forwards_and_back(
    make_visitor: Any, world: Any, crowd: set[int], who: str
) -> None:
    visitor = make_visitor()
    visitor.login(who)
    first = visitor.get("/c/alpha/members")
    assert COUNT.search(first.text).group(1) == str(EXTRA + 5)
    assert PREV.search(first.text) is None
    pages = _walk(visitor, "/c/alpha/members")
    assert [len(p) for p in pages] == [PAGE_SIZE, PAGE_SIZE, EXTRA + 5 - 2 * PAGE_SIZE]
    seen = [m for page in pages for m in page]
    assert len(seen) == len(set(seen)) == EXTRA + 5
    assert crowd | set(world.memberships.values()) - {world.memberships["bea"]} == set(seen)
    # Backwards from the last page: the same pages, in reverse.
    url = _unescape(NEXT.search(visitor.get("/c/alpha/members").text).group(1))
    last = visitor.get(_unescape(NEXT.search(visitor.get(url).text).group(1)))
    assert NEXT.search(last.text) is None
    back, response = [], last
    while (found := PREV.search(response.text)) is not None:
        response = visitor.get(_unescape(found.group(1)))
        assert response.status_code == 200
        back.append([int(i) for i in ROW.findall(response.text)])
    assert back == pages[:-1][::-1]


def test_the_pages_follow_the_names_then_the_person(
    run: Any, make_visitor: Any, world: Any, crowd: set[int]
) -> None:
    visitor = make_visitor()
    visitor.login("omar")
    names = []
    for page in _walk(visitor, "/c/alpha/members"):
        names.extend(page)

    async def order(session: Any) -> list[int]:
        from sqlmodel import col, select

        rows = await session.exec(
            select(Membership.id, Person.name, Person.id)
            .join(Person, col(Person.id) == Membership.person_id)
            .where(Membership.cooperative_id == world.alpha)
            .order_by(col(Person.name), col(Person.id))
        )
        return [m for m, _n, _p in rows.all()]

    # The database's collation orders the names (binary on SQLite); ties by person id.
    assert names == run(order)


def test_a_search_pages_its_own_matches(make_visitor: Any, world: Any, crowd: set[int]) -> None:
    visitor = make_visitor()
    visitor.login("omar")
    wanted = sum(1 for i in range(EXTRA) if _name(i).lower().startswith("ali"))
    response = visitor.get("/c/alpha/members?q=ALI")
    assert COUNT.search(response.text).group(1) == str(wanted)
    pages = _walk(visitor, "/c/alpha/members?q=ALI")
    assert sum(len(p) for p in pages) == wanted
    assert len({m for p in pages for m in p}) == wanted
    nobody = visitor.get("/c/alpha/members?q=%25_nobody_%25")
    assert nobody.status_code == 200
    assert COUNT.search(nobody.text).group(1) == "0"


@pytest.mark.parametrize(
    "query",
    [
        "after=abc",
        "after=-1",
        "after=0",
        "before=1.5",
        "after=99999999999999999999999",
        "before=" + "9" * 400,
        "q=" + "x" * 500,
        "after=1&after=2",
        "after=%00",
        "q=%00",
    ],
)
def test_bad_keys_give_a_400_page_or_the_first_page(
    make_visitor: Any, world: Any, query: str
) -> None:
    visitor = make_visitor()
    visitor.login("omar")
    response = visitor.get(f"/c/alpha/members?{query}")
    assert response.status_code in (200, 400), (query, response.status_code)
    assert "<html" in response.text


def test_a_key_that_is_no_member_here_gives_the_first_page(
    make_visitor: Any, world: Any, crowd: set[int]
) -> None:
    visitor = make_visitor()
    visitor.login("omar")
    first = ROW.findall(visitor.get("/c/alpha/members").text)
    for key in (world.ids["bea"], 2**31 - 1):  # beta's member; nobody
        for side in ("after", "before"):
            response = visitor.get(f"/c/alpha/members?{side}={key}")
            assert response.status_code == 200
            assert ROW.findall(response.text) == first


def test_the_api_lists_everyone_or_pages_on_request(
    make_visitor: Any, world: Any, crowd: set[int]
) -> None:
    visitor = make_visitor()
    visitor.login("omar")
    everyone = visitor.get("/api/c/alpha/members").json()
    assert len(everyone) == EXTRA + 5  # as before: no parameter, every member
    walked: list[dict[str, Any]] = []
    url = "/api/c/alpha/members?limit=70"
    while True:
        page = visitor.get(url).json()
        assert len(page) <= 70
        if not page:
            break
        walked.extend(page)
        url = f"/api/c/alpha/members?limit=70&after={page[-1]['person_id']}"
    assert walked == everyone
    assert len(visitor.get("/api/c/alpha/members?after=" + str(world.ids["bea"])).json()) == 100
    for bad in ("limit=0", "limit=501", "limit=x", "after=-1", "after=" + "9" * 30):
        response = visitor.get(f"/api/c/alpha/members?{bad}")
        assert response.status_code == 400, bad
        assert response.json()["status_code"] == 400
