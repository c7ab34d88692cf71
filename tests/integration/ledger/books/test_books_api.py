"""The books API: trial balance, an account's lines and the journal as JSON, in keyset pages."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from governance.base.errors import PermissionDenied
from governance.base.i18n import language
from governance.ledger.books import export_reads, reading
from tests.books_support import read, set_open_books

API = "/api/c/alpha/books"


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def every_line(visitor: Any, code: str, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Follow the cursor to the end; checks each page opens where the last one closed."""
    lines: list[dict[str, Any]] = []
    after: int | None = None
    pages = 0
    while True:
        query = f"?limit={limit}" + (f"&after_id={after}" if after else "")
        page = ok(visitor.get(f"{API}/accounts/{code}{query}"))
        pages += 1
        assert page["account"] == code
        assert page["opening_balance_cents"] == (lines[-1]["balance_cents"] if lines else 0)
        assert len(page["lines"]) <= limit
        lines += page["lines"]
        after = page["next_after_id"]
        if after is None:
            return lines, pages
        assert after == page["lines"][-1]["line_id"]


def every_entry(visitor: Any, query: str, limit: int) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    after: int | None = None
    while True:
        cursor = f"&after_id={after}" if after else ""
        page = ok(visitor.get(f"{API}/entries?limit={limit}{query}{cursor}"))
        assert len(page["entries"]) <= limit
        entries += page["entries"]
        after = page["next_after_id"]
        if after is None:
            return entries


@pytest.mark.parametrize("period", [None, "2026-10", "2026-11", "2026-12"])
def test_the_trial_balance_is_the_books_trial_balance(
    visitor: Any,
    world: Any,
    run: Any,
    ledger: dict[str, int],
    period: str | None,
) -> None:
    visitor.login("olga")
    expected = read(run, reading.trial_balance, world.actor("olga"), period)
    body = ok(visitor.get(f"{API}/trial-balance" + (f"?period={period}" if period else "")))
    assert body["period"] == period
    codes_only = [{k: v for k, v in a.items() if k != "account_name"} for a in body["accounts"]]
    # The API names accounts by code; their row ids (which the page's links use) stay inside.
    assert codes_only == [
        {k: v for k, v in dataclasses.asdict(row).items() if k != "account_id"} for row in expected
    ]
    # Each account also in words, in Olga's language (French): never its code.
    names = {a["account"]: a["account_name"] for a in body["accounts"]}
    assert names.get("bank", "Banque") == "Banque"
    assert all(name and name != code for code, name in names.items())
    assert body["total_debit_cents"] == body["total_credit_cents"]
    assert body["total_debit_cents"] == sum(row.debit_cents for row in expected)
    assert all(isinstance(row["balance_cents"], int) for row in body["accounts"])
    if period is None:
        # Beta's 7,77 € never shows in alpha's books.
        assert next(a for a in body["accounts"] if a["account"] == "bank")["debit_cents"] == 9500


def test_an_account_is_read_page_by_page(
    visitor: Any,
    world: Any,
    run: Any,
    ledger: dict[str, int],
) -> None:
    visitor.login("omar")
    code = f"receivable:{ledger['cpas']}"
    whole = read(run, reading.account_lines, world.actor("omar"), code, limit=500)
    lines, pages = every_line(visitor, code, limit=1)
    assert pages == len(whole.lines) == 3
    with language("fr"):  # Omar's language: the memos in words, as the API gives them
        whole = read(run, reading.account_lines, world.actor("omar"), code, limit=500)
        texts = [line.memo_text for line in whole.lines]
    assert [line["memo_text"] for line in lines] == texts
    assert lines == [
        {
            "line_id": line.line_id,
            "entry_id": line.entry_id,
            "date": line.date.isoformat(),
            "kind": line.kind,
            "memo": line.memo,
            "amount_cents": line.amount,
            "balance_cents": line.balance,
            "memo_text": text,
        }
        for line, text in zip(whole.lines, texts, strict=True)
    ]
    assert lines[-1]["balance_cents"] == 6000
    # The ':' may also come escaped.
    escaped = ok(visitor.get(f"{API}/accounts/receivable%3A{ledger['cpas']}"))
    assert escaped["lines"] == lines
    past_the_end = ok(visitor.get(f"{API}/accounts/{code}?after_id={lines[-1]['line_id']}"))
    assert past_the_end["lines"] == [] and past_the_end["next_after_id"] is None
    assert past_the_end["opening_balance_cents"] == 6000


def test_the_journal_is_read_page_by_page(
    visitor: Any,
    world: Any,
    run: Any,
    ledger: dict[str, int],
) -> None:
    visitor.login("omar")
    entries = every_entry(visitor, "", limit=2)
    exported = read(run, export_reads.journal_for_export, world.actor("omar"))
    assert [e["id"] for e in entries] == sorted(e.id for e in exported)
    assert "beta only" not in {e["memo"] for e in entries}
    by_id = {e.id: e for e in exported}
    for entry in entries:
        record = by_id[entry["id"]]
        assert entry["date"] == record.date.isoformat() and entry["period"] == record.period
        assert entry["reverses_id"] == record.reverses_id
        assert [(line["account"], line["amount_cents"]) for line in entry["lines"]] == [
            (line.account, line.amount) for line in record.lines
        ]
        assert sum(line["amount_cents"] for line in entry["lines"]) == 0
    reversal = next(e for e in entries if e["id"] == ledger["reversal"])
    assert reversal["reverses_id"] == ledger["reversed"]
    october = every_entry(visitor, "&period=2026-10", limit=500)
    assert [e["id"] for e in october] == sorted(e.id for e in exported if e.period == "2026-10")


def test_the_journal_pages_of_the_service_add_up_to_the_export(
    run: Any,
    world: Any,
    ledger: dict[str, int],
) -> None:
    carla = world.actor("carla")
    exported = sorted(read(run, export_reads.journal_for_export, carla), key=lambda e: e.id)
    seen: list[Any] = []
    after = None
    while True:
        page = read(run, reading.journal_page, carla, after_id=after, limit=3)
        seen += page.entries
        after = page.next_after_id
        if after is None:
            break
    assert seen == exported
    assert read(run, reading.journal_page, carla, period="2026-13").entries == []
    assert len(read(run, reading.journal_page, carla, limit=10**9).entries) == len(exported)
    set_open_books(run, world.alpha, False)
    with pytest.raises(PermissionDenied):
        read(run, reading.journal_page, world.actor("omar"))
    with pytest.raises(PermissionDenied):
        read(run, reading.journal_page, world.actor("bea", "alpha"))


READS = ["/trial-balance", "/accounts/bank", "/entries"]


@pytest.mark.parametrize("path", READS)
def test_closed_books_are_closed_to_cooperators_and_workers_only(
    make_visitor: Any,
    world: Any,
    run: Any,
    ledger: dict[str, int],
    path: str,
) -> None:
    readers = {key: make_visitor() for key in ("omar", "wen", "olga", "carla")}
    for key, visitor in readers.items():
        visitor.login(key)
        # A worker never reads the books: they hold every member's money (docs/privacy.md).
        assert visitor.get(API + path).status_code == (403 if key == "wen" else 200), key
    set_open_books(run, world.alpha, False)
    for key, visitor in readers.items():
        response = visitor.get(API + path)
        assert response.status_code == (403 if key in ("omar", "wen") else 200), key
        assert response.status_code != 403 or "detail" in response.json()


@pytest.mark.parametrize("path", READS)
def test_strangers_and_suspended_members_never_read(
    make_visitor: Any,
    world: Any,
    ledger: dict[str, int],
    path: str,
) -> None:
    sam, bea, anonymous = make_visitor(), make_visitor(), make_visitor()
    sam.login("sam")
    bea.login("bea")
    assert sam.get(API + path).status_code == 403
    assert bea.get(API + path).status_code == 404
    assert anonymous.get(API + path).status_code == 401


def test_another_cooperative_reads_only_its_own_books(
    visitor: Any,
    world: Any,
    ledger: dict[str, int],
) -> None:
    visitor.login("bea")
    beta = "/api/c/beta/books"
    accounts = ok(visitor.get(f"{beta}/trial-balance"))["accounts"]
    assert {(a["account"], a["balance_cents"]) for a in accounts} == {
        ("bank", 777),
        ("revenue", -777),
    }
    assert visitor.get(f"{beta}/accounts/receivable:{ledger['chu']}").status_code == 404
    assert [e["memo"] for e in ok(visitor.get(f"{beta}/entries"))["entries"]] == ["beta only"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/trial-balance?period=2026-13", 400),
        ("/trial-balance?period=2026-1", 400),
        ("/trial-balance?period=novembre", 400),
        ("/trial-balance?period=" + "9" * 500, 400),
        ("/accounts/bank?limit=0", 400),
        ("/accounts/bank?limit=501", 400),
        ("/accounts/bank?limit=" + "9" * 40, 400),
        ("/accounts/bank?limit=ten", 400),
        ("/accounts/bank?after_id=-1", 400),
        ("/accounts/bank?after_id=" + "9" * 40, 400),
        ("/accounts/bank?after_id=1.5", 400),
        ("/accounts/%3Cscript%3E", 400),
        ("/accounts/bank:a:b", 400),
        ("/accounts/receivable:" + "1" * 100, 400),
        ("/accounts/fund:nothing", 404),
        ("/accounts/receivable:999999", 404),
        ("/accounts/", 404),
        ("/entries?limit=100000", 400),
        ("/entries?after_id=abc", 400),
        ("/entries?period=2026-00", 400),
        ("/entries?after_id=999999999", 200),
    ],
)
def test_bad_input_is_refused_never_a_server_error(
    visitor: Any,
    world: Any,
    ledger: dict[str, int],
    path: str,
    status: int,
) -> None:
    visitor.login("carla")
    response = visitor.get(API + path)
    assert response.status_code == status, response.text
    assert "detail" in response.json() if status != 200 else response.json()["entries"] == []
