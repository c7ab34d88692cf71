"""Account codes told in words in the reader's language. Pure module: the books' pages and the
books' JSON API (as an extra field) read it; the hledger export and the CSV journal keep the
codes (docs/books.md).

`bank` -> "Bank", `revenue` -> "Revenue", `vat:payable` -> "VAT owed to the State",
`receivable:<client id>` -> "Owed by <client's name>", `payable:<member id>` -> "Owed to
<member's name>", `expense:<category>` -> "Costs: <category's name>" (`category_label`),
`fund:<code>` -> the fund's name (`fund_label`, "Reserve fund"). A code without a known
name (a client or member the reader cannot see, a fund or a family this module does not know)
is shown as it is, between direction isolates so that in an Arabic sentence it keeps its own
direction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from governance.base.i18n import N_, _
from governance.input.text import isolate
from governance.language.labels import category_label, fund_label

# What an account code looks like (`bank`, `receivable:3`, `expense:bank_fees`): the pages'
# filter and the API's parameter. A name after the ":" may be in any script (a fund named
# `fund:réserve`), never markup.
CODE_PATTERN = r"^[a-z]+(:[\w.\-]+)?$"
CODE_MAX_LENGTH = 80

# Accounts that are one per cooperative, named by their code alone.
SINGLE_ACCOUNTS = {
    "bank": N_("Bank"),
    "revenue": N_("Revenue"),
    "vat:payable": N_("VAT owed to the State"),
}


@dataclass(frozen=True)
class AccountNames:
    """The names account codes point at: clients' and members' names by id (as text)."""

    clients: Mapping[str, str] = field(default_factory=dict)
    members: Mapping[str, str] = field(default_factory=dict)

    def name(self, code: str) -> str:
        """`code` in words in the reader's language; the code itself (isolated) if unknown."""
        if code in SINGLE_ACCOUNTS:
            return _(SINGLE_ACCOUNTS[code])
        family, colon, rest = code.partition(":")
        if colon and rest:
            if family == "receivable" and rest in self.clients:
                return _("Owed by %(name)s") % {"name": isolate(self.clients[rest])}
            if family == "payable" and rest in self.members:
                return _("Owed to %(name)s") % {"name": isolate(self.members[rest])}
            if family == "expense":
                return _("Costs: %(category)s") % {"category": isolate(category_label(rest))}
            if family == "fund":
                try:
                    return fund_label(rest)
                except KeyError:
                    pass
        return isolate(code)


def account_name(
    code: str,
    clients: Mapping[str, str] | None = None,
    members: Mapping[str, str] | None = None,
) -> str:
    """`AccountNames(clients, members).name(code)`."""
    return AccountNames(clients or {}, members or {}).name(code)
