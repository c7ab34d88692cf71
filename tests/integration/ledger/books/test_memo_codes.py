"""Journal memos are stored as codes with parameters: new entries carry them, the migration
gives them to entries written before, and the journal stays append-only afterwards."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from governance.base import db
from governance.base.i18n import language
from governance.base.settings import Settings
from governance.ledger.books.memos import render
from tests.books_support import validate_some

MEMOS = "SELECT kind, memo, memo_code, memo_args FROM journal_entry ORDER BY id"


def entries(settings: Settings) -> list[Any]:
    engine = create_engine(db.sync_url(settings.database_url))
    with engine.connect() as connection:
        rows = list(connection.execute(text(MEMOS)))
    engine.dispose()
    return rows


def args_of(value: Any) -> Any:
    import json

    return json.loads(value) if isinstance(value, str) else value


def test_new_entries_carry_a_code_and_render_in_the_readers_language(
    run: Any, world: Any, settings: Settings
) -> None:
    validate_some(run, world, 2)
    rows = [r for r in entries(settings) if r.kind == "prestation"]
    assert len(rows) == 2
    for row in rows:
        assert row.memo_code == "prestation"
        prestation = args_of(row.memo_args)["prestation"]
        assert row.memo == f"prestation {prestation}"
        with language("fr"):
            assert render(row.memo_code, args_of(row.memo_args), row.memo) == (
                f"Travail n° {prestation}"
            )
        with language("ar"):
            shown = render(row.memo_code, args_of(row.memo_args), row.memo)
            assert "prestation" not in shown and str(prestation) in shown


def test_the_migration_gives_earlier_entries_their_code(
    run: Any, world: Any, settings: Settings
) -> None:
    validate_some(run, world, 2)
    config = db.alembic_config(settings.database_url)
    command.downgrade(config, "0014")
    engine = create_engine(db.sync_url(settings.database_url))
    with engine.begin() as connection:
        # Entries as the code wrote them before codes existed, and one free text.
        coop, period = connection.execute(
            text("SELECT cooperative_id, period FROM journal_entry LIMIT 1")
        ).one()
        for kind, memo in [
            ("close", "close 2026-10"),
            ("payout", "payout batch 4"),
            ("reversal", "reversal of prestation 35"),
            ("cost", "insurance: Ethias; SA"),
            ("fund_spending", "training: Formation: interprétariat"),
            ("payment", "payment virement 12"),
            ("reversal", "correction of prestation 7 (contest 3)"),
            ("prestation", "prestation 9 (corrects 7)"),
            ("opening", "opening balance, by hand"),
        ]:
            connection.execute(
                text(
                    "INSERT INTO journal_entry (cooperative_id, period, date, kind, memo, "
                    "created_at) VALUES (:c, :p, '2026-11-20', :k, :m, '2026-11-20 10:00:00')"
                ),
                {"c": coop, "p": period, "k": kind, "m": memo},
            )
    engine.dispose()
    command.upgrade(config, "head")
    found = {row.memo: (row.memo_code, args_of(row.memo_args)) for row in entries(settings)}
    assert found["close 2026-10"] == ("month_close", {"month": "2026-10"})
    assert found["payout batch 4"] == ("payout", {"batch": 4})
    assert found["reversal of prestation 35"] == ("prestation_reversal", {"prestation": 35})
    assert found["insurance: Ethias; SA"] == (
        "cost",
        {"category": "insurance", "supplier": "Ethias; SA"},
    )
    assert found["training: Formation: interprétariat"] == (
        "fund_spending",
        {"category": "training", "title": "Formation: interprétariat"},
    )
    assert found["payment virement 12"] == ("payment", {"reference": "virement 12"})
    assert found["correction of prestation 7 (contest 3)"] == (
        "contest_correction",
        {"prestation": 7, "contest": 3},
    )
    assert found["prestation 9 (corrects 7)"] == (
        "prestation_correction",
        {"prestation": 9, "original": 7},
    )
    assert found["opening balance, by hand"] == ("", {})
    with language("fr"):
        code, args = found["close 2026-10"]
        assert render(code, args, "close 2026-10") == "Clôture d'octobre 2026"
        code, args = found["insurance: Ethias; SA"]
        assert render(code, args, "") == "Assurance : \u2068Ethias; SA\u2069"
        assert render("", {}, "opening balance, by hand") == "opening balance, by hand"
    # The journal's triggers are back: an entry still cannot be changed.
    engine = create_engine(db.sync_url(settings.database_url))
    with pytest.raises(DBAPIError), engine.begin() as connection:
        connection.execute(text("UPDATE journal_entry SET memo_code = 'x'"))
    engine.dispose()
