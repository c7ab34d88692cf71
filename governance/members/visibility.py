"""Who reads whose money: the one rule behind every page, export, API answer and audit event.

A member's money is what the cooperative owes or paid them, and what their own work brought
in: their share at a month close, their payable account and its lines, their payouts, the
amount, rate and travel of their prestations. The cooperative's totals (income, expenses, what
was distributed, the funds, a payout's total) are everyone's.

- coordinators read every member's money;
- observers (an external accountant, a supervisory committee) read it too: they check the
  books, and the cooperative chose them for that;
- cooperators read other members' money while the cooperative's `open_books` setting is on
  (the default; anything but a real `true` closes the books);
- workers read their own money and the cooperative's totals, never another member's;
- the operator (whoever runs the `governance` command on the server, who holds the database
  already) reads everything.

Everyone reads their own money. docs/privacy.md tells the same to members.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from governance.members import Role


def books_are_open(settings: Mapping[str, Any]) -> bool:
    """The cooperative's `open_books` setting: on unless it is anything but a real `true`."""
    return settings.get("open_books", True) is True


def reads_everyones_money(role: str, settings: Mapping[str, Any]) -> bool:
    """Whether a member in `role` reads other members' money in this cooperative."""
    if role in (Role.COORDINATOR, Role.OBSERVER):
        return True
    if role == Role.COOPERATOR:
        return books_are_open(settings)
    return False


@dataclass(frozen=True)
class MoneyReader:
    """Someone reading amounts: whose money they may see.

    `person_id` is None for the operator. `everyone` says whether they read every member's
    money; otherwise only their own (and the cooperative's totals, which are nobody's).
    """

    person_id: int | None
    everyone: bool

    def may_read(self, member_id: int | None) -> bool:
        """Whether the reader sees the money of `member_id` (None: an unknown member)."""
        if self.everyone:
            return True
        return member_id is not None and member_id == self.person_id


OPERATOR = MoneyReader(person_id=None, everyone=True)


def money_reader(person_id: int, role: str, settings: Mapping[str, Any]) -> MoneyReader:
    """The reader a member of the cooperative is, given their role and its settings."""
    return MoneyReader(person_id=person_id, everyone=reads_everyones_money(role, settings))
