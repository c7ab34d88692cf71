"""The books as members read them: trial balance and an account's lines."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, text

from governance.base import db
from governance.base.settings import Settings


def test_the_trial_balance_names_accounts_and_balances(visitor: Any, world: Any, chu: int) -> None:
    visitor.login("omar")
    page = visitor.get("/c/alpha/books/").text
    assert "Dû par CHU" in page.replace("\u2068", "").replace("\u2069", "")
    assert page.count("110,00") >= 3  # receivable, revenue, and each total
    account = visitor.get(f"/c/alpha/books/account?code=receivable:{chu}").text
    assert "110,00" in account


def test_closed_books_are_closed_to_members(
    visitor: Any,
    world: Any,
    chu: int,
    settings: Settings,
) -> None:
    engine = create_engine(db.sync_url(settings.database_url))
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE cooperative SET settings = :s WHERE slug = 'alpha'"),
            {"s": '{"open_books": false}'},
        )
    engine.dispose()
    visitor.login("omar")
    assert visitor.get("/c/alpha/books/").status_code == 403


def test_a_bad_account_code_is_refused(visitor: Any, world: Any) -> None:
    visitor.login("olga")
    assert visitor.get("/c/alpha/books/account?code=<script>").status_code == 400
    assert visitor.get("/c/alpha/books/account?code=fund:nothing").status_code == 404
    # Names in any script pass the pattern (then: no such account here).
    assert visitor.get("/c/alpha/books/account?code=fund:réserve").status_code == 404
    assert visitor.get("/api/c/alpha/books/accounts/fund:réserve").status_code == 404


def test_the_trial_balance_lists_its_accounts_a_page_at_a_time(
    visitor: Any, world: Any, chu: int, monkeypatch: Any
) -> None:
    import re

    from governance.ledger.books import pages

    visitor.login("omar")
    whole = visitor.get("/c/alpha/books/").text
    every = re.findall(r'books/account\?code=([^"]+)"', whole)
    assert len(every) >= 2 and 'rel="next"' not in whole
    monkeypatch.setattr(pages, "ACCOUNTS_PAGE", 1)
    seen: list[str] = []
    url = "/c/alpha/books/"
    while url:
        page = visitor.get(url).text
        codes = re.findall(r'books/account\?code=([^"]+)"', page)
        assert len(codes) == 1
        seen += codes
        # The totals are every account's, on every page.
        assert page.count("110,00") >= 2
        following = re.search(r'rel="next" href="([^"]+)"', page)
        url = following.group(1).replace("&amp;", "&") if following else ""
    assert seen == every
    back = re.search(r'rel="prev" href="([^"]+)"', page)
    assert back and "?before=" in back.group(1)
    # The period is kept in the links; a key that is not an id is refused.
    october = visitor.get("/c/alpha/books/?period=2026-10").text
    if 'rel="next"' in october:
        assert re.search(
            r'rel="next" href="/c/alpha/books/\?period=2026-10&amp;after=\d+"', october
        )
    assert visitor.get("/c/alpha/books/?after=abc").status_code == 400
