"""The books in the reader's language: every account by its name and every memo in words, in
French and in Arabic; the codes stay in the JSON API's `account`/`memo` and in the exports.

A closed October (costs for rent, insurance and accounting; the reserve and training funds), a
payout batch sent, and a prestation of November reversed: the entries whose English memos
("close 2026-10", "payout batch 1", "reversal of prestation 35") and account codes
(`expense:rent`, `fund:reserve`, `payable:3`) the books used to show.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from governance.base import clock, db
from governance.base.i18n import language
from governance.base.settings import Settings
from governance.ledger.books import export_reads
from governance.ledger.books.export import to_csv_lines, to_hledger
from governance.ledger.costs import costs
from governance.ledger.payouts import payouts
from governance.ledger.reversals import reversals
from governance.members import bank
from governance.members.models import Cooperative
from tests.closing_support import TODAY, build_october, close_month, record_work

# What the books must never show a person: account codes, cost categories and funds by their
# code, and the English memos' words.
RAW = re.compile(
    r"\b(accounting|insurance|rent|reserve|training|bank|revenue)\b"
    r"|\b(expense|fund|payable|receivable):"
    r"|\bclose 20\d\d|\bpayout batch\b|\breversal of\b|\bprestation \d",
    re.IGNORECASE,
)


def visible(page: str) -> str:
    """The text a person reads: no scripts, styles or tags (links' addresses carry codes)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL | re.IGNORECASE)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def books_world(run: Any, world: Any, settings: Settings) -> dict[str, Any]:
    async def build(session: Any) -> dict[str, Any]:
        ids = await build_october(session, world)
        for category, supplier in (("insurance", "Ethias"), ("accounting", "Fidu")):
            await costs.record_cost(
                session,
                world.actor("carla"),
                {"date": "2026-10-16", "category": category, "supplier": supplier, "amount": "10"},
                language="fr",
                today=TODAY,
            )
        await close_month(session, world)
        async with session.begin():
            cooperative = await session.get(Cooperative, world.alpha)
            cooperative.iban, cooperative.bic, cooperative.legal_name = (
                "BE68539007547034",
                "GKCCBEBB",
                "Alpha SC",
            )
            session.add(cooperative)
        await bank.set_bank_details(
            session, world.ids["omar"], "BE71096123456769", "GKCCBEBB", "Omar Cooperator"
        )
        later = clock.today() + dt.timedelta(days=2)
        prepared = await payouts.prepare_batch(session, world.actor("carla"), later)
        assert prepared.batch.id is not None
        await payouts.confirm_sent(session, world.actor("carla"), prepared.batch.id)
        client_id = await _client_of(session, ids["omar"])
        november = await record_work(session, world, "omar", client_id, "2026-11-02", "50")
        await reversals.reverse_prestation(
            session, world.actor("carla"), november, "Wrong client", today=TODAY
        )
        return {"omar": world.ids["omar"], "reversed": november}

    return run(build)


async def _client_of(session: Any, prestation_id: int) -> int:
    from governance.ledger.work.models import Prestation

    async with session.begin():
        prestation = await session.get(Prestation, prestation_id)
        assert prestation is not None
        return prestation.client_id


def set_language(settings: Settings, email: str, language: str) -> None:
    engine = create_engine(db.sync_url(settings.database_url))
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE person SET language = :l WHERE email = :e"), {"l": language, "e": email}
        )
    engine.dispose()


def account_links(page: str) -> list[str]:
    return sorted(
        set(html.unescape(m) for m in re.findall(r'href="([^"]*/books/account\?[^"]*)"', page))
    )


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ["Coûts : ", "Loyer", "Assurance", "Comptabilité", "Fonds de réserve"]),
        ("ar", ["التكاليف", "الإيجار", "التأمين", "المحاسبة", "صندوق الاحتياطي"]),
    ],
)
def test_the_books_name_every_account_in_the_readers_language(
    visitor: Any,
    world: Any,
    settings: Settings,
    books_world: dict[str, Any],
    language: str,
    words: list[str],
) -> None:
    set_language(settings, "carla@alpha.example", language)
    visitor.login("carla")
    page = visitor.get("/c/alpha/books/")
    assert page.status_code == 200
    shown = visible(page.text).replace("\u2068", "").replace("\u2069", "")
    for word in words:
        assert word in shown
    assert not RAW.search(shown), RAW.search(shown)
    links = account_links(page.text)
    # Every account of the books has its page, each named and its lines told in words.
    assert any("expense%3Arent" in link or "expense:rent" in link for link in links)
    assert len(links) >= 9
    for link in links:
        account = visitor.get(link)
        assert account.status_code == 200, link
        shown = visible(account.text).replace("\u2068", "").replace("\u2069", "")
        assert not RAW.search(shown), (link, RAW.search(shown))


def test_the_memos_read_as_sentences(
    visitor: Any, world: Any, settings: Settings, books_world: dict[str, Any]
) -> None:
    set_language(settings, "carla@alpha.example", "fr")
    visitor.login("carla")
    omar = visitor.get(f"/c/alpha/books/account?code=payable:{books_world['omar']}").text
    shown = visible(omar).replace("\u2068", "").replace("\u2069", "")
    assert "Dû à Omar Cooperator" in shown
    assert "Clôture d'octobre 2026" in shown
    assert "Lot de versements n° 1" in shown
    rent = visible(visitor.get("/c/alpha/books/account?code=expense:rent").text)
    assert "Loyer : Lux" in rent.replace("\u2068", "").replace("\u2069", "")
    set_language(settings, "carla@alpha.example", "ar")
    revenue = visible(visitor.get("/c/alpha/books/account?code=revenue").text)
    assert f"أُلغي العمل رقم {books_world['reversed']}" in revenue


def test_the_api_keeps_codes_and_adds_words(
    visitor: Any, world: Any, settings: Settings, books_world: dict[str, Any]
) -> None:
    set_language(settings, "carla@alpha.example", "fr")
    visitor.login("carla")
    body = visitor.get("/api/c/alpha/books/trial-balance").json()
    names = {a["account"]: a["account_name"] for a in body["accounts"]}
    assert names["expense:rent"] == "Coûts : \u2068Loyer\u2069"
    assert names["fund:reserve"] == "Fonds de réserve"
    assert names[f"payable:{books_world['omar']}"] == "Dû à \u2068Omar Cooperator\u2069"
    lines = visitor.get(f"/api/c/alpha/books/accounts/payable:{books_world['omar']}").json()
    memos = {(line["memo"], line["memo_text"]) for line in lines["lines"]}
    assert ("close 2026-10", "Clôture d'octobre 2026") in memos
    assert ("payout batch 1", "Lot de versements n° 1") in memos
    entries = visitor.get("/api/c/alpha/books/entries?limit=500").json()["entries"]
    reversal = next(e for e in entries if e["memo"].startswith("reversal of prestation"))
    assert reversal["memo_text"] == f"Travail n° {books_world['reversed']} annulé"


def test_the_exports_keep_the_english_names_in_any_language(
    run: Any, world: Any, books_world: dict[str, Any]
) -> None:
    async def entries(session: Any) -> Any:
        return await export_reads.journal_for_export(session, world.actor("carla"))

    with language("ar"):  # as if an Arabic reader exported: the files do not change
        found = run(entries)
        journal, lines = to_hledger(found), to_csv_lines(found)
    for exported in (journal, lines):
        assert "close 2026-10" in exported and "payout batch 1" in exported
        assert f"reversal of prestation {books_world['reversed']}" in exported
        assert "rent: Lux" in exported
        assert "Loyer" not in exported and "الإيجار" not in exported
    assert "expenses:rent" in journal and "equity:fund:reserve" in journal
    assert f"liabilities:payable:{books_world['omar']}" in journal
    assert f",payable:{books_world['omar']}," in lines and ",fund:reserve," in lines
