"""The work list a page at a time, by keyset: each prestation once, forwards and back."""

from __future__ import annotations

import re
from typing import Any

import pytest

from governance.ledger.work import listing

CHU_FIXTURE = "chu_de_liege"  # which `chu` these tests use (tests/integration/conftest.py)
DATES = ["2026-11-18", "2026-11-20", "2026-11-19", "2026-11-20", "2026-11-18", "2026-11-20"]
DATES += ["2026-11-19", "2026-10-30"]


def ids_in(text: str) -> list[int]:
    return [int(found) for found in re.findall(r'id="prestation-(\d+)"', text)]


def link(text: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', text)
    return found.group(1).replace("&amp;", "&") if found else None


def record_all(visitor: Any, chu: int) -> None:
    for n, day in enumerate(DATES):
        response = visitor.post(
            "/c/alpha/work/",
            {
                "idempotency_key": f"paging-{n}",
                "client_id": str(chu),
                "date": day,
                "duration_minutes": "60",
                "kind": "on_site",
                "languages": "ps",
                "action": "submit",
            },
        )
        assert response.status_code in (302, 303), response.text


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listing, "PAGE_SIZE", 3)


def test_walking_the_pages_shows_each_prestation_once(
    make_visitor: Any, world: Any, chu: int, small_pages: None
) -> None:
    omar, carla = make_visitor(), make_visitor()
    omar.login("omar")
    record_all(omar, chu)
    carla.login("carla")
    for visitor in (omar, carla):  # her own work, and everyone's
        seen: list[list[int]] = []
        page = visitor.get("/c/alpha/work/")
        assert page.status_code == 200 and link(page.text, "prev") is None
        while True:
            seen.append(ids_in(page.text))
            following = link(page.text, "next")
            if following is None:
                break
            page = visitor.get(following)
            assert page.status_code == 200
        flat = [pid for ids in seen for pid in ids]
        assert len(flat) == len(set(flat)) >= len(DATES)
        assert all(len(ids) <= 3 for ids in seen) and len(seen) >= 3
        # Back from the last page, the same pages in the other order.
        back = [seen[-1]]
        while (previous := link(page.text, "prev")) is not None:
            page = visitor.get(previous)
            back.append(ids_in(page.text))
        assert back == list(reversed(seen))


def test_a_month_keeps_its_filter_across_pages(
    visitor: Any, world: Any, chu: int, small_pages: None
) -> None:
    visitor.login("omar")
    record_all(visitor, chu)
    first = visitor.get("/c/alpha/work/?month=2026-11")
    page, pages = first, ids_in(first.text)
    while (following := link(page.text, "next")) is not None:
        assert "month=2026-11" in following
        page = visitor.get(following)
        pages += ids_in(page.text)
    assert len(pages) == len(set(pages)) == len(DATES) - 1  # October's is not November's
    # The month's total counts all its pages (7 hours at the hourly rate), on every page.
    total = re.search(r"Total[^<]*", first.text)
    assert total and total.group(0) == re.search(r"Total[^<]*", page.text).group(0)  # type: ignore[union-attr]


def test_a_bad_key_gives_the_first_page_or_a_400(
    make_visitor: Any, world: Any, chu: int, small_pages: None
) -> None:
    omar, carla = make_visitor(), make_visitor()
    omar.login("omar")
    record_all(omar, chu)
    newest = ids_in(omar.get("/c/alpha/work/").text)
    for key in ("after=999999", "before=999999", "after=1&before=2"):
        page = omar.get(f"/c/alpha/work/?{key}")
        assert page.status_code == 200
        assert ids_in(page.text) == newest or key.startswith("after=1&")
    for key in ("after=abc", "before=-1", "after=99999999999999999999", "after="):
        assert omar.get(f"/c/alpha/work/?{key}").status_code in (200, 400)
    # Another cooperative member's prestation is no key for someone who cannot see it.
    carla.login("carla")
    assert carla.get(f"/c/alpha/work/?after={newest[0]}").status_code == 200
