"""Rule versions: the template chosen at creation, and the one door the votes package uses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from governance.audit.models import AuditEvent
from governance.base import clock
from governance.base.errors import Conflict, Invalid
from governance.base.i18n import language
from governance.ledger.closing import closing
from governance.ledger.sharing import rule_versions
from governance.ledger.sharing.models import DistributionRule
from governance.ledger.sharing.new_cooperative import found_cooperative
from governance.ledger.sharing.rules import TEMPLATES, rule_to_data
from tests.closing_support import TODAY, build_october, everyone_read

HOURS_ONLY = {
    "basis": "accrual",
    "funds": [{"fund": "solidarity", "percent": "2"}],
    "member_keys": [{"key": "hours", "weight": "100"}],
    "eligible": "members_with_prestations",
}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The refusals are matched on their English text."""
    with language("en"):
        yield


def adopt(run: Any, world: Any, rule: Any, start: str, proposal: int = 7) -> Any:
    async def action(session: Any) -> Any:
        async with session.begin():
            return await rule_versions.adopt_rule(
                session,
                cooperative_id=world.alpha,
                rule=rule,
                start_month=start,
                proposal_id=proposal,
                actor_id=world.ids["carla"],
            )

    return run(action)


def in_force(run: Any, world: Any, month: str) -> Any:
    async def action(session: Any) -> Any:
        async with session.begin():
            return await rule_versions.rule_in_force(session, world.alpha, month)

    return run(action)


def test_a_cooperative_starts_from_the_template_chosen_and_the_choice_is_audited(run: Any) -> None:
    async def action(session: Any) -> Any:
        coop = await found_cooperative(session, slug="gamma", name="Gamma", rule_template="equal")
        async with session.begin():
            version = (
                await session.exec(
                    select(DistributionRule).where(DistributionRule.cooperative_id == coop.id)
                )
            ).one()
            event = (
                await session.exec(select(AuditEvent).where(AuditEvent.action == "rule.set"))
            ).one()
        return version, event

    version, event = run(action)
    assert version.template == "equal"
    assert version.rule == rule_to_data(TEMPLATES["equal"])
    assert json.loads(event.data)["template"] == "equal"


def test_an_unknown_template_creates_nothing(run: Any) -> None:
    with pytest.raises(Invalid):
        run(lambda s: found_cooperative(s, slug="delta", name="Delta", rule_template="all_mine"))


def test_an_adopted_rule_applies_from_its_start_month_on(run: Any, world: Any) -> None:
    run(lambda s: build_october(s, world))
    adopt(run, world, HOURS_ONLY, "2026-12")
    assert in_force(run, world, "2026-11").template == "mixed_80_20"
    december = in_force(run, world, "2026-12")
    assert december.proposal_id == 7 and december.rule == HOURS_ONLY
    assert in_force(run, world, "2027-03").id == december.id


def test_a_rule_never_applies_to_a_period_closed_or_under_review(run: Any, world: Any) -> None:
    run(lambda s: build_october(s, world))
    run(lambda s: closing.start_review(s, world.actor("carla"), "2026-10", today=TODAY))
    with pytest.raises(Conflict, match="2026-10"):
        adopt(run, world, HOURS_ONLY, "2026-10")
    with pytest.raises(Conflict, match="2026-10"):
        adopt(run, world, HOURS_ONLY, "2026-09")
    run(lambda s: everyone_read(s, world.alpha))
    run(lambda s: closing.finalize(s, world.actor("carla"), "2026-10"))
    with pytest.raises(Conflict):
        adopt(run, world, HOURS_ONLY, "2026-10")
    assert adopt(run, world, HOURS_ONLY, "2026-11").start_month == "2026-11"


@pytest.mark.parametrize(
    ("rule", "start"),
    [
        ({**HOURS_ONLY, "member_keys": [{"key": "hours", "weight": "90"}]}, "2026-12"),
        ({**HOURS_ONLY, "basis": "cash"}, "2026-12"),
        ("not a rule", "2026-12"),
        (HOURS_ONLY, "2026-13"),
        (HOURS_ONLY, "december"),
    ],
)
def test_an_invalid_rule_or_month_is_refused_with_its_reasons(
    run: Any, world: Any, rule: Any, start: str
) -> None:
    with pytest.raises(Invalid):
        adopt(run, world, rule, start)

    async def count(session: Any) -> int:
        async with session.begin():
            return len((await session.exec(select(DistributionRule))).all())

    assert run(count) == 0


def test_the_close_refuses_a_stored_rule_that_no_longer_validates(run: Any, world: Any) -> None:
    """A rule edited behind the application's back (the table is append-only, but a database
    administrator could insert one) stops the close with its reasons."""
    run(lambda s: build_october(s, world))

    async def broken(session: Any) -> None:
        async with session.begin():
            session.add(
                DistributionRule(
                    cooperative_id=world.alpha,
                    start_month="2026-10",
                    rule={**HOURS_ONLY, "member_keys": [{"key": "luck", "weight": "100"}]},
                    created_at=clock.now(),
                )
            )

    run(broken)
    with pytest.raises(Invalid, match="not valid"):
        run(lambda s: closing.start_review(s, world.actor("carla"), "2026-10", today=TODAY))
