"""Double-entry rules as pure functions: what makes an entry whole, and its reversal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from governance.language.months import Month
from governance.ledger.books.kinds import AccountType

# Which type each kind of account code has; the part after ":" names a client, member, ...
ACCOUNT_TYPES: dict[str, AccountType] = {
    "bank": AccountType.ASSET,
    "receivable": AccountType.ASSET,
    "payable": AccountType.LIABILITY,
    "vat": AccountType.LIABILITY,  # vat:payable, the VAT invoices charged, owed to the State
    "fund": AccountType.EQUITY,
    "revenue": AccountType.INCOME,
    "expense": AccountType.EXPENSE,
}


class UnbalancedEntry(ValueError):
    """An entry that would break double entry; nothing is written."""


@dataclass(frozen=True, slots=True)
class Posting:
    """One line before it is written: debit positive, credit negative, never zero."""

    account: str
    amount: int


def account_type(code: str) -> AccountType:
    family = code.split(":", 1)[0]
    if family not in ACCOUNT_TYPES:
        raise UnbalancedEntry(f"unknown account {code!r}")
    return ACCOUNT_TYPES[family]


def check_balanced(postings: Sequence[Posting]) -> None:
    """Two or more non-zero integer lines that sum to zero, on known accounts."""
    if len(postings) < 2:
        raise UnbalancedEntry("an entry needs at least two lines")
    for posting in postings:
        if not isinstance(posting.amount, int) or isinstance(posting.amount, bool):
            raise UnbalancedEntry("amounts are integer cents")
        if posting.amount == 0:
            raise UnbalancedEntry("a line of zero is not a line")
        account_type(posting.account)
    if sum(posting.amount for posting in postings) != 0:
        raise UnbalancedEntry("debits and credits differ")


def reversal(postings: Sequence[Posting]) -> list[Posting]:
    """The lines that cancel `postings` exactly."""
    return [Posting(posting.account, -posting.amount) for posting in postings]


def month_of(day: dt.date) -> str:
    return str(Month.of(day))


def prestation_postings(client_id: int, member_id: int, amount: int, travel: int) -> list[Posting]:
    """Validation: the client owes the work and the travel; travel is owed on to the member."""
    postings = [Posting(f"receivable:{client_id}", amount + travel), Posting("revenue", -amount)]
    if travel:
        postings.append(Posting(f"payable:{member_id}", -travel))
    return postings
