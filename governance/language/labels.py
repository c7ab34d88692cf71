"""The label registry: each code the app stores (a prestation kind, a cost category, a rule's
template, member key and fund, a rule's basis and eligibility, a period's state) and its name
in words. Pure module, one table per family, the only place these names are written.

Python reads it through `kind_label`, `category_label`, `template_label`, `key_label` and
`fund_label`; templates through the Jinja global `label(family, code)` (and `kind_label`,
`category_label`), installed by governance/app.py. A kind or category a cooperative made up has
no name here and is shown as it is; the rule's own names raise KeyError when unknown (the rule
reader refuses them).
"""

from __future__ import annotations

from governance.base.i18n import N_, _

# The kinds of work a prestation can be: the work pages, the statements and their PDF, the
# invoices, and the spreadsheet import (which also reads these names).
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
# The default cost categories: the cost form, the books, the journal memos and the votes.
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
# The distribution rule's templates, member keys and funds (governance/ledger/sharing/rules.py).
TEMPLATE_LABELS = {
    "pro_rata": N_("Pro rata of revenue"),
    "equal": N_("Equal shares"),
    "mixed_80_20": N_("Mixed 80/20"),
}
KEY_LABELS = {
    "revenue_generated": N_("Revenue generated"),
    "hours": N_("Hours worked"),
    "equal": N_("Equal share for each member"),
}
FUND_LABELS = {
    "reserve": N_("Reserve fund"),
    "training": N_("Training fund"),
    "solidarity": N_("Solidarity fund"),
}
# Who shares and what is shared: the month pages, the statements and their PDF.
ELIGIBILITY_LABELS = {
    "members_with_prestations": N_("Members with work this month"),
    "all_active_members": N_("All active cooperators and workers"),
}
BASIS_LABELS = {
    "accrual": N_("Validated prestations of the month"),
    "cash": N_("Client payments received in the month"),
}

# A month's period state: the month pages, the books, the votes' messages.
PERIOD_STATE_LABELS = {
    "open": N_("open"),
    "review": N_("under review"),
    "closed": N_("closed"),
}

LABELS: dict[str, dict[str, str]] = {
    "kind": KIND_LABELS,
    "category": CATEGORY_LABELS,
    "template": TEMPLATE_LABELS,
    "key": KEY_LABELS,
    "fund": FUND_LABELS,
    "eligible": ELIGIBILITY_LABELS,
    "basis": BASIS_LABELS,
    "state": PERIOD_STATE_LABELS,
}


def label(family: str, code: str) -> str:
    """`label("basis", "cash")` -> "Client payments received in the month" in the reader's
    language; a code without a name (or of an unknown family) as it is."""
    names = LABELS.get(family, {})
    return _(names[code]) if code in names else code


def kind_label(kind: str) -> str:
    """A kind's name in the reader's language; a kind without a name (a code a cooperative
    made up) as it is."""
    return label("kind", kind)


def category_label(category: str) -> str:
    """A cost category's name in the reader's language."""
    return label("category", category)


def template_label(name: str) -> str:
    """`"pro_rata"` -> "Pro rata of revenue" in the reader's language; KeyError if unknown."""
    return _(TEMPLATE_LABELS[name])


def key_label(key: str) -> str:
    """`"hours"` -> "Hours worked" in the reader's language; KeyError if unknown."""
    return _(KEY_LABELS[key])


def fund_label(fund: str) -> str:
    """`"reserve"` -> "Reserve fund" in the reader's language; KeyError if unknown."""
    return _(FUND_LABELS[fund])
