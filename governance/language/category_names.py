"""The default cost categories, named in words in the reader's language. Pure module: the cost
form, the books, the journal memos and the votes read it; a category a cooperative made up is
shown as it is."""

from __future__ import annotations

from governance.base.i18n import N_, _

CATEGORY_LABELS = {
    "rent": N_("Rent"),
    "insurance": N_("Insurance"),
    "accounting": N_("Accounting"),
    "training": N_("Training"),
    "equipment": N_("Equipment"),
    "travel": N_("Travel"),
    "bank_fees": N_("Bank fees"),
    "other": N_("Other"),
}


def category_label(category: str) -> str:
    """A cost category's name in the reader's language."""
    return _(CATEGORY_LABELS[category]) if category in CATEGORY_LABELS else category
