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
