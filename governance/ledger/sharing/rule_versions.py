"""The distribution rule in force, by period: set at creation, changed only by an adopted
proposal, never retroactively. Functions here run inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import lock_cooperative, record
from governance.base import clock
from governance.base.errors import Conflict, Invalid
from governance.base.i18n import _, join_list
from governance.language.months import is_month
from governance.ledger.books.kinds import PeriodState, state_name
from governance.ledger.books.models import Period
from governance.ledger.sharing.models import DistributionRule
from governance.ledger.sharing.rules import TEMPLATES, Rule, RuleError, parse_rule, rule_to_data


async def rule_in_force(
    session: AsyncSession, cooperative_id: int, month: str
) -> DistributionRule | None:
    """The latest version starting at or before `month`. Before the first version's start,
    the rule chosen at the cooperative's creation (work can be recorded for earlier months);
    None when the cooperative has no rule at all."""
    query = select(DistributionRule).where(DistributionRule.cooperative_id == cooperative_id)
    latest = await session.exec(
        query.where(DistributionRule.start_month <= month)
        .order_by(col(DistributionRule.start_month).desc(), col(DistributionRule.id).desc())
        .limit(1)
    )
    found = latest.first()
    if found is not None:
        return found
    initial = await session.exec(
        query.where(DistributionRule.template != "").order_by(col(DistributionRule.id)).limit(1)
    )
    return initial.first()


def checked(version: DistributionRule) -> Rule:
    """The stored rule, validated again; Invalid listing every reason if it no longer is."""
    try:
        return parse_rule(version.rule)
    except RuleError as error:
        message = _("The distribution rule in force is not valid: %(reasons)s") % {
            "reasons": " ".join(error.messages)
        }
        raise Invalid(message) from error


def known_template(template: str) -> None:
    """Invalid (on the form's `rule` field) unless `template` names one of the rule templates."""
    if template not in TEMPLATES:
        message = _("Choose one of the rule templates: %(names)s.") % {
            "names": join_list(TEMPLATES, "plain")
        }
        raise Invalid(message, {"rule": message})


async def write_version(
    session: AsyncSession,
    *,
    cooperative_id: int,
    start_month: str,
    rule: dict[str, Any],
    actor_id: int | None,
    template: str = "",
    proposal_id: int | None = None,
) -> DistributionRule:
    """The one writer of a rule version: the row and its audit entry, in the caller's
    transaction. A template's version is the founding rule (`rule.set`); a proposal's is an
    adopted one (`rule.adopted`). The caller has validated `rule`."""
    version = DistributionRule(
        cooperative_id=cooperative_id,
        start_month=start_month,
        rule=rule,
        template=template,
        proposal_id=proposal_id,
        created_by_id=actor_id,
        created_at=clock.now(),
    )
    session.add(version)
    await session.flush()
    if proposal_id is None:
        action = "rule.set"
        data: dict[str, Any] = {"template": template, "start_month": start_month, "rule": rule}
    else:
        action = "rule.adopted"
        data = {"proposal_id": proposal_id, "start_month": start_month, "rule": rule}
    await record(
        session,
        cooperative_id=cooperative_id,
        actor_id=actor_id,
        action=action,
        subject_type="distribution_rule",
        subject_id=version.id,
        data=data,
    )
    return version


async def set_initial_rule(
    session: AsyncSession,
    cooperative_id: int,
    template: str,
    start_month: str,
    actor_id: int | None,
) -> DistributionRule:
    """The first rule of a new cooperative, from a template chosen at its creation (audited)."""
    known_template(template)
    return await write_version(
        session,
        cooperative_id=cooperative_id,
        start_month=start_month,
        rule=rule_to_data(TEMPLATES[template]),
        actor_id=actor_id,
        template=template,
    )


async def adopt_rule(
    session: AsyncSession,
    *,
    cooperative_id: int,
    rule: Any,
    start_month: str,
    proposal_id: int,
    actor_id: int | None,
) -> DistributionRule:
    """Apply an adopted proposal's rule from `start_month` on, in the caller's transaction.

    For the votes package: the outcome and this effect commit together. Raises Invalid (the
    rule does not validate, with every reason; a malformed month) and Conflict (the start
    period is already closed or under review: a rule never applies retroactively).
    """
    if not is_month(start_month):
        raise Invalid(_("The start period must be a month like 2026-12."))
    try:
        clean = parse_rule(rule)
    except RuleError as error:
        raise Invalid(" ".join(error.messages)) from error
    await lock_cooperative(session, cooperative_id)
    frozen = (
        await session.exec(
            select(Period.month, Period.state)
            .where(
                Period.cooperative_id == cooperative_id,
                Period.state != PeriodState.OPEN,
                Period.month >= start_month,
            )
            .order_by(col(Period.month))
            .limit(1)
        )
    ).first()
    if frozen is not None:
        month, state = frozen
        raise Conflict(
            _(
                "The period %(month)s is %(state)s: a new rule can only start after the last "
                "period closed or under review."
            )
            % {"month": month, "state": state_name(state)}
        )
    return await write_version(
        session,
        cooperative_id=cooperative_id,
        start_month=start_month,
        rule=rule_to_data(clean),
        actor_id=actor_id,
        proposal_id=proposal_id,
    )
