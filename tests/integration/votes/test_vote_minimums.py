"""The minimum quorum and duration of votes that move money or membership or change the rules:
refused too short, quorum raised at the opening, not adopted below the minimum at the close,
changed only by an adopted decision, shown on the pages."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from governance.audit.models import AuditEvent
from governance.base import clock
from governance.base.errors import Invalid
from governance.base.i18n import language
from governance.ledger.sharing import rule_versions
from governance.members.models import Cooperative
from governance.votes import reads, service
from governance.votes.counting.board import differences, load_board, tally
from governance.votes.drafting.voting_rules import voting_rules
from governance.votes.models import Proposal
from governance.votes.service import change_voting_rules
from tests.votes_support import (
    DECISION,
    WEEK,
    add_cooperators,
    close,
    closing_form,
    fill_fund,
    later,
    open_vote,
    vote,
)

SPEND = {
    **DECISION,
    "kind": "fund_spending",
    "title": "A laptop from the training fund",
    "quorum": "0",
    "fund": "training",
    "category": "training",
    "amount": "50,00",
}
BASE = "/c/alpha/proposals"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with language("en"):
        yield


def _in_minutes(minutes: int) -> dict[str, str]:
    at = (clock.now() + dt.timedelta(minutes=minutes)).astimezone(clock.BRUSSELS)
    return {"closes_on": at.date().isoformat(), "closes_time": at.strftime("%H:%M")}


def _rules_decision(**minimums: int) -> dict[str, Any]:
    """A decision carrying new voting rules: every minimum at 50 % and 7 days unless given
    (`money_quorum=60`, `rules_days=10`...)."""
    form = {
        **DECISION,
        "title": "Stricter votes on money",
        "change_rules": "on",
        "rules_open_proposals": "coordinators",
        "rules_proxy_limit": "1",
    }
    for category in ("money", "membership", "rules", "none"):
        form[f"rules_min_{category}_quorum"] = str(minimums.get(f"{category}_quorum", 50))
        form[f"rules_min_{category}_days"] = str(minimums.get(f"{category}_days", 7))
    return form


async def _with_a_fund(session: Any, world: Any) -> None:
    async with session.begin():
        await rule_versions.set_initial_rule(
            session, world.alpha, "mixed_80_20", "2026-01", world.ids["carla"]
        )
    # A spending is drafted only within what the fund holds (governance/votes/drafting/funds.py).
    await fill_fund(session, world.alpha, "training", 100_000)


async def _draft(session: Any, world: Any, form: dict[str, Any]) -> int:
    proposal = await service.save_draft(
        session, world.actor("omar"), form, language="en", today=clock.today()
    )
    assert proposal.id is not None
    return proposal.id


def test_a_fund_spending_open_ten_minutes_is_refused_and_a_week_opens_it(
    run: Any, world: Any
) -> None:
    async def action(session: Any) -> Any:
        await _with_a_fund(session, world)
        pid = await _draft(session, world, SPEND)
        with pytest.raises(Invalid) as short:
            await service.open_proposal(session, world.actor("carla"), pid, _in_minutes(10))
        with pytest.raises(Invalid) as six_days:
            await service.open_proposal(session, world.actor("carla"), pid, closing_form(6 * 24))
        still = await session.get(Proposal, pid, populate_existing=True)
        state = still.state
        await session.commit()
        await service.open_proposal(session, world.actor("carla"), pid, closing_form(7 * 24))
        opened = await session.get(Proposal, pid, populate_existing=True)
        event = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "proposal.opened"))
        ).one()
        return short.value, six_days.value, state, opened, json.loads(event.data)

    short, six_days, state, opened, event = run(action)
    assert "Votes that move money" in short.message
    assert "stay open at least 7 days" in short.message and "closes_on" in short.fields
    assert "at least 7 days" in six_days.message
    assert state == "draft"  # refusals open nothing
    assert opened.state == "open"
    # The draft asked for no quorum: the opening raised it to the minimum, and says so.
    assert opened.quorum == "1/2"
    assert event["quorum"] == "1/2" and event["drafted_quorum"] == "0"
    assert event["minimum"] == {"category": "money", "quorum_percent": 50, "days": 7}


def test_a_decision_without_effect_keeps_the_short_minimum(run: Any, world: Any) -> None:
    async def action(session: Any) -> Any:
        pid = await _draft(session, world, {**DECISION, "quorum": "0"})
        await service.open_proposal(session, world.actor("carla"), pid, _in_minutes(15))
        return await session.get(Proposal, pid, populate_existing=True)

    proposal = run(action)
    assert proposal.state == "open" and proposal.quorum == "0"


def test_below_the_minimum_quorum_a_vote_is_not_adopted(
    run: Any, world: Any, monkeypatch: Any
) -> None:
    async def action(session: Any) -> Any:
        await _with_a_fund(session, world)
        await add_cooperators(session, world, "Ana", "Bilal")  # four voters with Carla, Omar
        pid = await open_vote(session, world, SPEND)
        await vote(session, world, "omar", pid, choice="yes")  # one of four: below a half
        later(monkeypatch, WEEK + 1)
        closed = await close(session, pid, world)
        view = await reads.proposal_view(session, world.actor("omar"), pid)
        board = await reads.board(session, world.actor("omar"), pid)
        return closed, view, board

    closed, view, board = run(action)
    assert closed.adopted is False and closed.effect_error == ""
    assert closed.result["quorum"] == "1/2" and closed.result["quorum_reached"] is False
    assert closed.result["counts"]["yes"] == 1 and closed.result["counts"]["no"] == 0
    assert "The quorum (1/2, 2 voters) was not reached." in view.explanation
    assert view.quorum_note == (
        "It failed for lack of quorum: 1 of 4 eligible voters took part, 2 were needed (50%)."
    )
    # The bulletin board carries the quorum counted with: its recount agrees.
    parsed = load_board(json.dumps(board))
    assert differences(parsed, tally(parsed)) == []


def test_a_voting_rules_decision_changes_the_minimums_and_they_apply_afterwards(
    run: Any, world: Any, monkeypatch: Any
) -> None:
    async def action(session: Any) -> Any:
        await _with_a_fund(session, world)
        form = _rules_decision(money_quorum=60, money_days=10, rules_quorum=60, rules_days=10)
        pid = await open_vote(session, world, form)  # a rules vote: open a week and an hour
        await vote(session, world, "omar", pid, choice="yes")
        await vote(session, world, "carla", pid, choice="yes")
        later(monkeypatch, WEEK + 1)
        closed = await close(session, pid, world)
        cooperative = await session.get(Cooperative, world.alpha, populate_existing=True)
        event = (
            await session.exec(
                select(AuditEvent).where(AuditEvent.action == "cooperative.voting_rules_changed")
            )
        ).one()
        changed, rules = json.loads(event.data), voting_rules(cooperative.settings)
        outcome = (closed.id, closed.adopted, closed.effect_error)
        await session.commit()
        spend = await _draft(session, world, SPEND)
        with pytest.raises(Invalid) as week:
            await service.open_proposal(session, world.actor("carla"), spend, closing_form(WEEK))
        await session.commit()
        await service.open_proposal(session, world.actor("carla"), spend, closing_form(10 * 24))
        opened = await session.get(Proposal, spend, populate_existing=True)
        return outcome, rules, changed, week, opened

    (closed_id, adopted, effect_error), rules, event, week, opened = run(action)
    assert adopted is True and effect_error == ""
    assert rules.minimums.money.quorum_percent == 60 and rules.minimums.money.days == 10
    assert rules.minimums.rules.days == 10 and rules.minimums.membership.days == 7
    assert event["before"]["vote_minimums"]["money"] == {"quorum_percent": 50, "days": 7}
    assert event["after"]["vote_minimums"]["money"] == {"quorum_percent": 60, "days": 10}
    assert event["proposal_id"] == closed_id
    assert "at least 10 days" in week.value.message
    assert opened.state == "open" and opened.quorum == "3/5"


def test_raised_minimums_apply_to_a_vote_still_open_at_the_close(
    run: Any, world: Any, monkeypatch: Any
) -> None:
    """A fund spending opened while money votes needed no quorum is counted with the minimum
    in force at its close: one voter of four no longer adopts it."""

    async def action(session: Any) -> Any:
        await _with_a_fund(session, world)
        await add_cooperators(session, world, "Ana", "Bilal")
        async with session.begin():
            cooperative = await session.get(Cooperative, world.alpha)
            rules = voting_rules(cooperative.settings).as_settings()
            rules["vote_minimums"]["money"] = {"quorum_percent": 0, "days": 7}
            cooperative.settings = {**cooperative.settings, **rules}
            session.add(cooperative)
        loose = await open_vote(session, world, SPEND)
        opened_quorum = (await session.get(Proposal, loose)).quorum
        await session.commit()
        await vote(session, world, "omar", loose, choice="yes")
        async with session.begin():
            cooperative = await session.get(Cooperative, world.alpha, populate_existing=True)
            rules["vote_minimums"]["money"] = {"quorum_percent": 50, "days": 7}
            cooperative.settings = {**cooperative.settings, **rules}
            session.add(cooperative)
        later(monkeypatch, WEEK + 1)
        closed = await close(session, loose, world)
        board = await reads.board(session, world.actor("omar"), loose)
        return opened_quorum, closed, board

    opened_quorum, closed, board = run(action)
    assert opened_quorum == "0"
    assert closed.adopted is False and closed.result["quorum"] == "1/2"
    assert board["quorum"] == "1/2"
    parsed = load_board(json.dumps(board))
    assert differences(parsed, tally(parsed)) == []


def test_the_minimums_are_validated_and_a_coordinator_cannot_change_them_alone(
    run: Any, world: Any
) -> None:
    async def action(session: Any) -> Any:
        refusals = []
        for form in (
            _rules_decision(money_quorum=101),
            _rules_decision(membership_days=61),
            _rules_decision(money_days=14),  # the rules' 7 days would be weaker
            {**_rules_decision(), "rules_min_none_quorum": "half"},
        ):
            with pytest.raises(Invalid) as refused:
                await _draft(session, world, form)
            refusals.append(refused.value.fields)
        await change_voting_rules(
            session,
            world.actor("carla"),
            {
                "open_proposals": "cooperators",
                "proxy_limit": "2",
                "min_money_quorum": "0",
                "min_money_days": "0",
            },
        )
        cooperative = await session.get(Cooperative, world.alpha, populate_existing=True)
        return (
            refusals,
            voting_rules(cooperative.settings),
            (await session.exec(select(Proposal))).all(),
        )

    refusals, rules, proposals = run(action)
    assert proposals == []
    assert "from 0 to 100" in refusals[0]["rules_min_money_quorum"]
    assert "between 0 and 60 days" in refusals[1]["rules_min_membership_days"]
    assert "at least as long as votes on money" in refusals[2]["rules_min_rules_days"]
    assert "rules_min_none_quorum" in refusals[3]
    # The coordinator's form changed the proxies, not the minimums.
    assert rules.proxy_limit == 2 and rules.open_proposals == "cooperators"
    assert rules.minimums.money.quorum_percent == 50 and rules.minimums.money.days == 7


def test_the_pages_show_the_minimums_and_the_refusal(
    run: Any, world: Any, make_visitor: Any
) -> None:
    run(lambda s: _with_a_fund(s, world))
    carla = make_visitor()
    carla.login("carla")
    carla.post("/language", {"language": "en", "next": "/"})
    created = carla.post(f"{BASE}/", SPEND)
    assert created.status_code == 303, created.text
    pid = int(created.headers["location"].rsplit("/", 1)[1])
    draft = carla.get(f"{BASE}/{pid}").text
    assert "This vote moves money." in draft
    assert "At least 50% of the eligible voters take part; open at least 7 days." in draft
    assert "Quorum: 1/2 of the voters take part" in draft
    asked = "(the draft asks for no quorum: it is raised to the minimum when the vote opens)"
    assert asked in draft
    assert "It must stay open at least 7 days." in draft
    refused = carla.post(f"{BASE}/{pid}/open", _in_minutes(10))
    assert refused.status_code == 422
    assert "stay open at least 7 days: choose a closing time on" in refused.text
    assert carla.post(f"{BASE}/{pid}/open", closing_form(WEEK)).status_code == 303
    opened = carla.get(f"{BASE}/{pid}").text
    assert "Quorum: 1/2 of the voters take part" in opened and "the draft asks" not in opened
    rules_page = carla.get(f"{BASE}/rules").text
    for text in (
        "Votes that move money (a distribution rule, a fund spending)",
        "Votes that change the voting rules",
        "Other decisions (no effect)",
        "No minimum quorum nor duration",
    ):
        assert text in rules_page
    form = carla.get(f"{BASE}/new").text
    assert 'name="rules_min_money_quorum"' in form and 'value="50"' in form
