"""A month's draft: the distribution the close would post now, computed from the ledger as
it is, and the JSON it is kept as (`distribution_data`, what the close stores and the
statements print). Reads only, plus the lock the close's steps take on the month's period.
The review and the contests read it; `closing` writes the close.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import lock_cooperative
from governance.base.errors import Invalid, NotFound
from governance.base.i18n import _
from governance.language.months import Month, is_month
from governance.ledger.books.kinds import PeriodState
from governance.ledger.books.models import Period
from governance.ledger.books.posting import period_for
from governance.ledger.sharing.distribution import Distribution, PeriodFigures, distribute
from governance.ledger.sharing.figures import AccountTotal, income_and_expenses
from governance.ledger.sharing.figures import period_figures as read_figures
from governance.ledger.sharing.models import DistributionRule
from governance.ledger.sharing.rule_versions import checked, rule_in_force
from governance.ledger.sharing.rules import Rule, rule_to_data
from governance.members.access import Actor


def last_day(month: str) -> dt.date:
    return Month.parse(month).last_day


def _month(month: str) -> str:
    if not is_month(month):
        raise NotFound(_("This period does not exist."))
    return month


def fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def distribution_data(rule: Rule, figures: PeriodFigures, result: Distribution) -> dict[str, Any]:
    """The computation as JSON: what the close stores and the statements print."""
    return {
        "rule": rule_to_data(rule),
        "income_cents": figures.income_cents,
        "expense_cents": figures.expense_cents,
        "distributable_cents": result.distributable,
        "pool": fraction_text(result.pool),
        "loss_cents": result.loss,
        "notes": list(result.notes),
        "members": [
            {
                "member_id": m.member_id,
                "revenue_cents": m.revenue_cents,
                "minutes": m.minutes,
                "prestations": m.prestations,
                "active": m.active,
            }
            for m in figures.members
        ],
        "shares": [
            {
                "fund": share.fund,
                "member_id": share.member_id,
                "cents": share.cents,
                "quota": fraction_text(share.quota),
                "rounding": share.rounding,
                "keys": [
                    {
                        "key": part.key,
                        "weight": str(part.weight),
                        "value": part.value,
                        "total": part.total,
                        "quota": fraction_text(part.quota),
                    }
                    for part in share.keys
                ],
            }
            for share in result.shares
        ],
    }


@dataclass(frozen=True)
class Draft:
    """What the close would post now: the rule, the figures and the shares."""

    month: str
    state: str
    version: DistributionRule
    rule: Rule
    figures: PeriodFigures
    distribution: Distribution
    totals: list[AccountTotal]  # the month's movement on each income and expense account


async def draft(session: AsyncSession, cooperative_id: int, month: str) -> Draft:
    """The distribution of `month` with the rule in force, computed from the ledger as it is."""
    # Read only: a draft never opens a period (a past month opened would block the closes).
    state = (
        await session.exec(
            select(Period.state).where(
                Period.cooperative_id == cooperative_id, Period.month == month
            )
        )
    ).first() or PeriodState.OPEN.value
    version = await rule_in_force(session, cooperative_id, month)
    if version is None:
        raise Invalid(
            _("This cooperative has no distribution rule for %(month)s.") % {"month": month}
        )
    rule = checked(version)
    totals = await income_and_expenses(session, cooperative_id, month)
    figures = await read_figures(session, cooperative_id, month, totals)
    return Draft(month, state, version, rule, figures, distribute(figures, rule), totals)


async def _locked_period(session: AsyncSession, actor: Actor, month: str) -> Period:
    """The month's period, read after taking the cooperative's writer lock."""
    await lock_cooperative(session, actor.cooperative_id)
    period = await period_for(session, actor.cooperative_id, last_day(month))
    await session.refresh(period)  # what the previous holder of the lock committed
    assert period.id is not None
    return period
