"""Journal memos: the stable English text and the words in each language come from one code."""

from __future__ import annotations

import pytest

from governance.base.i18n import language
from governance.ledger.books.memos import CATALOGUE, Memo, render


def test_every_code_renders_in_every_language_without_its_english_text() -> None:
    args = {
        "prestation": 12,
        "original": 10,
        "contest": 3,
        "month": "2026-10",
        "batch": 2,
        "category": "rent",
        "supplier": "Régie",
        "reference": "VIR 7",
        "title": "Loyer",
        "line": 7,
    }
    for code in CATALOGUE:
        memo = Memo(code, args)
        for lang in ("fr", "nl", "ar"):
            with language(lang):
                shown = memo.text()
            assert shown and shown != memo.english(), (code, lang)
            assert "rent" not in shown and "2026-10" not in shown, (code, lang, shown)


def test_english_memo_is_stable_and_bounded() -> None:
    assert Memo("month_close", {"month": "2026-10"}).english() == "close 2026-10"
    assert Memo("payout", {"batch": 4}).english() == "payout batch 4"
    assert len(Memo("payment", {"reference": "x" * 400}).english()) == 300


def test_unknown_code_is_a_programming_error_and_bad_stored_args_show_the_text() -> None:
    with pytest.raises(ValueError):
        Memo("nonsense")
    with language("fr"):
        assert render("month_close", {"month": "garbage"}, "close garbage") == "close garbage"
        assert render("payout", {}, "payout batch 1") == "payout batch 1"
        assert render("payout", None, "payout batch 1") == "payout batch 1"
