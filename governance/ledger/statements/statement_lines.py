"""A statement's counted prestations, as the page, the PDF and the CSV print them. Pure module.

A line is work validated in the month, or the reversal of work counted before (negative). A
contest answered by a correction writes two lines, both named after the contest: the
contested prestation cancelled, and the corrected one with its own date, duration and kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from governance.base.i18n import _
from governance.language.durations import duration_text
from governance.language.labels import kind_label


@dataclass(frozen=True)
class PrestationLine:
    id: int
    date: dt.date
    client: str
    kind: str
    minutes: int
    amount_cents: int  # negative for a reversal
    reversal: bool  # cancels work counted before: subtracts
    adjustment: bool  # dated in an earlier month, counted in this one
    contest_id: int | None = None  # the contest a correction answers
    corrects_id: int | None = None  # the prestation a corrected line replaces
    reason: str = ""  # why a reversal cancels the work

    @property
    def kind_text(self) -> str:
        return kind_label(self.kind)

    @property
    def duration(self) -> str:
        return duration_text(self.minutes) if self.minutes else ""

    @property
    def contest_text(self) -> str:
        """What the line is, when a contest's correction wrote it ("" otherwise)."""
        if self.contest_id is None:
            return ""
        if self.reversal:
            return _("Cancelled by the correction of contest #%(contest)s") % {
                "contest": self.contest_id
            }
        if self.corrects_id is None:
            return _("Contested: replaced by the correction of contest #%(contest)s") % {
                "contest": self.contest_id
            }
        return _("Corrected line (contest #%(contest)s), replacing work #%(original)s") % {
            "contest": self.contest_id,
            "original": self.corrects_id,
        }

    def flags(self, day: Any = None) -> list[str]:
        """What makes the line special, in words: a correction, a reversal and its reason,
        a late adjustment. `day`: how a date is written (the page's or the PDF's)."""
        shown = day(self.date) if day is not None else self.date.isoformat()
        found = []
        if self.contest_text:
            found.append(self.contest_text)
        elif self.reversal:
            found.append(_("Reversal: cancels work counted before"))
        if self.reversal and self.reason:
            found.append(_("Reason: %(reason)s") % {"reason": self.reason})
        if self.adjustment:
            found.append(_("Adjustment: work dated %(date)s, counted this month") % {"date": shown})
        return found


def prestations_of(rows: Sequence[Mapping[str, Any]]) -> tuple[PrestationLine, ...]:
    return tuple(
        PrestationLine(
            id=int(p["id"]),
            date=dt.date.fromisoformat(p["date"]),
            client=str(p["client"]),
            kind=str(p["kind"]),
            minutes=int(p["minutes"]),
            amount_cents=int(p["amount_cents"]),
            reversal=bool(p["reversal"]),
            adjustment=bool(p["adjustment"]),
            contest_id=int(p["contest"]) if p.get("contest") is not None else None,
            corrects_id=int(p["corrects"]) if p.get("corrects") is not None else None,
            reason=str(p.get("reason") or ""),
        )
        for p in rows
    )
