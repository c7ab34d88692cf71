"""The kinds of work a prestation can be, named in words: one table for the work pages, the
statements and their PDF, and the spreadsheet import (which also reads these names). Pure
module."""

from __future__ import annotations

from governance.base.i18n import N_, _

KIND_LABELS = {
    "on_site": N_("On site"),
    "phone": N_("Phone"),
    "video": N_("Video"),
    "translation": N_("Translation"),
    "project_day": N_("Project day"),
    "workshop_day": N_("Workshop day"),
    "fixed_price": N_("Fixed-price job"),
    "training": N_("Training"),
    "other": N_("Other"),
}


def kind_label(kind: str) -> str:
    """A kind's name in the reader's language; a kind without a name (a code a cooperative
    made up) as it is."""
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind
