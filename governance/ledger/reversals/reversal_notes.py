"""A cancelled prestation as the earnings page and the statement list it (`ReversalNote`),
without the tables; reversal_lines reads them. Pure module."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from governance.language.months import month_name


@dataclass(frozen=True)
class ReversalNote:
    prestation_id: int
    date: dt.date  # the work's date
    client: str
    kind: str
    amount_cents: int  # the work's amount, cancelled
    travel_cents: int  # its travel, no longer owed
    reversed_on: dt.date  # the reversal entry's date
    period: str  # the month whose figures count the reversal
    reason: str
    contest_id: int | None  # the contest whose correction cancelled it
    member_id: int = 0
    member: str = ""

    @property
    def period_text(self) -> str:
        return month_name(self.period)
