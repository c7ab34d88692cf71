"""Journal memos stored as a code with parameters, rendered in the reader's language.

Each entry keeps three things: `memo_code` and `memo_args` (what the entry is, and the ids,
month or names it is about), and `memo`, the same in stable English for the hledger export and
the CSV journal (docs/books.md). Pages render `Memo.text()`; an entry written before codes
existed, or by a tool that gives only text, has the code "" and shows its text as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from governance.base.i18n import N_, _
from governance.input.text import isolate
from governance.language.labels import category_label
from governance.language.months import month_of

# code -> (stable English memo, the same in words to translate). Never change an English
# format once entries carry it: exports and reports read it.
CATALOGUE: dict[str, tuple[str, str]] = {
    "prestation": ("prestation {prestation}", N_("Work #%(prestation)s")),
    "prestation_correction": (
        "prestation {prestation} (corrects {original})",
        N_("Work #%(prestation)s, correcting #%(original)s"),
    ),
    "contest_correction": (
        "correction of prestation {prestation} (contest {contest})",
        N_("Work #%(prestation)s cancelled to correct it (contest #%(contest)s)"),
    ),
    "prestation_reversal": (
        "reversal of prestation {prestation}",
        N_("Work #%(prestation)s cancelled"),
    ),
    "month_close": ("close {month}", N_("Month close of %(month)s")),
    "payout": ("payout batch {batch}", N_("Payout batch #%(batch)s")),
    "bank_undo": (
        "bank line {line}: its match undone",
        N_("Bank line #%(line)s: its match undone"),
    ),
    "payout_return": (
        "payout batch {batch} returned by the bank",
        N_("Payout batch #%(batch)s: a transfer the bank sent back"),
    ),
    "cost": ("{category}: {supplier}", N_("%(category)s: %(supplier)s")),
    "payment": ("payment {reference}", N_("Client payment %(reference)s")),
    "fund_spending": ("{category}: {title}", N_("%(category)s: %(title)s (vote)")),
    "invoice_vat": ("VAT of invoice {reference}", N_("VAT of invoice %(reference)s")),
    "credit_note_vat": (
        "VAT credited by credit note {reference}",
        N_("VAT credited by credit note %(reference)s"),
    ),
}

# Arguments shown through a name rather than as they are stored; text people typed (a supplier,
# a payment's reference, a vote's title) is isolated so that it cannot turn the sentence around.
_RENDER: dict[str, Callable[[str], str]] = {
    "month": month_of,
    "category": category_label,
    "supplier": isolate,
    "reference": isolate,
    "title": isolate,
}


@dataclass(frozen=True)
class Memo:
    code: str
    args: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise ValueError(f"unknown memo code {self.code!r}")

    def english(self) -> str:
        """The stable English memo (at most 300 characters, as the column holds)."""
        return CATALOGUE[self.code][0].format(**self.args)[:300]

    def text(self) -> str:
        return render(self.code, self.args, self.english())


def render(code: str, args: Mapping[str, Any] | None, stored: str) -> str:
    """An entry's memo in the reader's language; `stored` (the English memo) when the entry has
    no code, or its arguments do not fit the code (never an error on a page)."""
    if code not in CATALOGUE or not isinstance(args, Mapping):
        return stored
    try:
        shown = {k: _RENDER[k](str(v)) if k in _RENDER else v for k, v in args.items()}
        return _(CATALOGUE[code][1]) % shown
    except (KeyError, TypeError, ValueError):
        return stored


def entry_memo(entry: Any) -> str:
    """`render` for a JournalEntry."""
    return render(entry.memo_code, entry.memo_args, entry.memo)
