"""Proposals and ballots through the services: the life of a vote, and every refusal."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from governance.audit.models import AuditEvent
from governance.base import clock
from governance.base.errors import Conflict, Invalid, NotFound, PermissionDenied
from governance.base.i18n import language
from governance.ledger.sharing import rule_versions
from governance.ledger.sharing.models import DistributionRule
from governance.ledger.sharing.rules import TEMPLATES, rule_to_data
from governance.members.models import Membership
from governance.votes import ballots, outcome, reads, service
from governance.votes.counting.board import load_board, tally
from governance.votes.models import Ballot, Proposal
from tests.votes_support import (
    DECISION,
    WEEK,
    add_cooperators,
    close,
    closing_form,
    later,
    open_vote,
    vote,
)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with language("en"):
        yield


def test_a_public_approval_vote_from_draft_to_board(run: Any, world: Any, monkeypatch) -> None:
    async def action(session: Any) -> Any:
        await add_cooperators(session, world, "Ana", "Bilal")
        pid = await open_vote(session, world)
        await vote(session, world, "omar", pid, choice="yes")
        await vote(session, world, "ana", pid, choice="no")
        await vote(session, world, "ana", pid, choice="yes")  # changed: one ballot counts
        await vote(session, world, "carla", pid, choice="abstain")
        later(monkeypatch)
        proposal = await close(session, pid, world)
        board = await reads.board(session, world.actor("wen"), pid)
        count = len((await session.exec(select(Ballot).where(Ballot.proposal_id == pid))).all())
        return proposal, board, count

    proposal, board, count = run(action)
    assert count == 3
    assert proposal.state == "closed" and proposal.adopted is True
    assert proposal.result["counts"] == {"yes": 2, "no": 0, "abstain": 1}
    assert proposal.result["participants"] == 3 and proposal.result["eligible"] == 4
    assert {b["voter"] for b in board["ballots"]} == {
        "Omar Cooperator",
        "Ana",
        "Carla Coordinator",
    }
    parsed = load_board(json.dumps(board))
    assert tally(parsed).as_data() == board["result"]


def test_closing_is_idempotent_and_only_after_the_time(run: Any, world: Any, monkeypatch) -> None:
    async def action(session: Any) -> Any:
        pid = await open_vote(session, world)
        await vote(session, world, "omar", pid, choice="yes")
        early = await outcome.close_due(session)
        later(monkeypatch)
        first = await outcome.close_due(session)
        second = await outcome.close_due(session)
        events = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "proposal.closed"))
        ).all()
        return early, first, second, len(events)

    assert run(action) == (0, 1, 0, 1)


def test_refusals_change_nothing(run: Any, world: Any, monkeypatch) -> None:
    async def action(session: Any) -> list[str]:
        draft = await service.save_draft(
            session, world.actor("omar"), DECISION, language="en", today=clock.today()
        )
        messages = []

        async def refused(call: Any, kind: type[Exception]) -> None:
            with pytest.raises(kind) as caught:
                await call
            messages.append(str(caught.value))

        await refused(vote(session, world, "omar", draft.id, choice="yes"), Conflict)
        pid = await open_vote(session, world)
        await refused(vote(session, world, "wen", pid, choice="yes"), PermissionDenied)
        await refused(vote(session, world, "olga", pid, choice="yes"), PermissionDenied)
        await refused(vote(session, world, "omar", pid, choice="maybe"), Invalid)
        await refused(vote(session, world, "bea", pid, choice="yes"), PermissionDenied)
        await refused(
            ballots.give_proxy(session, world.actor("omar"), pid, {"holder_id": world.ids["omar"]}),
            Invalid,
        )
        await refused(
            ballots.give_proxy(session, world.actor("omar"), pid, {"holder_id": world.ids["wen"]}),
            Invalid,
        )
        await refused(
            ballots.give_proxy(session, world.actor("omar"), pid, {"holder_id": world.ids["bea"]}),
            Invalid,
        )
        await refused(ballots.revoke_proxy(session, world.actor("omar"), pid), NotFound)
        later(monkeypatch)
        await refused(vote(session, world, "omar", pid, choice="yes"), Conflict)
        count = (await session.exec(select(Ballot))).all()
        assert count == []
        return messages

    messages = run(action)
    assert messages[0] == "This vote is not open yet."
    assert "Only cooperators vote" in messages[1]
    assert "not an active member" in messages[4]
    assert messages[3] == "Please correct the fields marked below."
    assert "yourself" in messages[5]
    assert messages[-1] == "This vote is closed: no more ballots are accepted."


def test_consent_needs_a_reason_to_object_and_an_objection_blocks(
    run: Any, world: Any, monkeypatch
) -> None:
    async def action(session: Any) -> Any:
        pid = await open_vote(session, world, {**DECISION, "method": "consent"})
        with pytest.raises(Invalid) as caught:
            await vote(session, world, "omar", pid, choice="object", reason="  ")
        await vote(session, world, "omar", pid, choice="object", reason="Too expensive.")
        await vote(session, world, "carla", pid, choice="consent")
        later(monkeypatch)
        return caught.value.fields, await close(session, pid, world)

    fields, proposal = run(action)
    assert "reason" in fields["reason"]
    assert proposal.adopted is False
    assert proposal.result["counts"] == {"consent": 1, "stand_aside": 0, "object": 1}


def test_proxies_limit_chains_override_and_revocation(run: Any, world: Any, monkeypatch) -> None:
    async def action(session: Any) -> Any:
        await add_cooperators(session, world, "Ana", "Bilal")
        pid = await open_vote(session, world)

        def give(giver: str, holder: str) -> Any:
            return ballots.give_proxy(
                session, world.actor(giver), pid, {"holder_id": str(world.ids[holder])}
            )

        await give("ana", "omar")
        with pytest.raises(Invalid) as full:  # Omar carries the limit of 1
            await give("bilal", "omar")
        with pytest.raises(Invalid) as chain:  # Omar holds Ana's: he cannot give his own
            await give("omar", "carla")
        with pytest.raises(Invalid) as passed:  # Ana gave hers: she cannot receive
            await give("bilal", "ana")
        # Omar votes for Ana, then Ana votes herself: her ballot overrides his.
        await ballots.cast_ballot(
            session, world.actor("omar"), pid, {"choice": "no"}, voter_id=world.ids["ana"]
        )
        await vote(session, world, "ana", pid, choice="yes")
        with pytest.raises(Conflict) as overridden:
            await ballots.cast_ballot(
                session, world.actor("omar"), pid, {"choice": "no"}, voter_id=world.ids["ana"]
            )
        with pytest.raises(PermissionDenied):  # Carla holds no proxy of Bilal
            await ballots.cast_ballot(
                session, world.actor("carla"), pid, {"choice": "no"}, voter_id=world.ids["bilal"]
            )
        # Bilal gives his to Carla, she votes for him, he takes it back: her ballot goes.
        await give("bilal", "carla")
        await ballots.cast_ballot(
            session, world.actor("carla"), pid, {"choice": "no"}, voter_id=world.ids["bilal"]
        )
        await ballots.revoke_proxy(session, world.actor("bilal"), pid)
        later(monkeypatch)
        proposal = await close(session, pid, world)
        return full.value, chain.value, passed.value, overridden.value, proposal

    full, chain, passed, overridden, proposal = run(action)
    assert "limit" in full.message
    assert "no chains" in chain.message
    assert "cannot be passed on" in passed.message
    assert "voted themselves" in overridden.message
    assert proposal.result["counts"] == {"yes": 1, "no": 0, "abstain": 0}


def test_secret_ballots_leave_no_choice_in_the_audit_trail(run: Any, world: Any) -> None:
    async def action(session: Any) -> Any:
        pid = await open_vote(session, world, {**DECISION, "visibility": "secret"})
        first = await vote(session, world, "omar", pid, choice="no")
        await vote(session, world, "carla", pid, choice="yes")
        events = (
            await session.exec(
                select(AuditEvent).where(AuditEvent.action.in_(["ballot.cast", "ballot.changed"]))
            )
        ).all()
        proposal = await session.get(Proposal, pid)
        return first.receipt, [json.loads(e.data) for e in events], proposal

    receipt, data, proposal = run(action)
    assert proposal.results_hidden is True
    assert len(data) == 2
    for event in data:
        assert set(event) == {"voter_id"}
        assert receipt not in json.dumps(event)


def test_an_adopted_rule_applies_from_its_start_month(run: Any, world: Any, monkeypatch) -> None:
    async def action(session: Any) -> Any:
        async with session.begin():
            await rule_versions.set_initial_rule(
                session, world.alpha, "mixed_80_20", "2026-01", world.ids["carla"]
            )
        form = {
            **DECISION,
            "kind": "distribution_rule",
            "title": "Equal shares",
            "rule_json": "equal",
            "start_month": "2027-02",
        }
        pid = await open_vote(session, world, form)
        await vote(session, world, "omar", pid, choice="yes")
        later(monkeypatch, WEEK + 1)  # past the minimum week
        await close(session, pid, world)
        async with session.begin():
            january = await rule_versions.rule_in_force(session, world.alpha, "2027-01")
            february = await rule_versions.rule_in_force(session, world.alpha, "2027-02")
        return january, february

    january, february = run(action)
    assert january.template == "mixed_80_20"
    assert february.rule == rule_to_data(TEMPLATES["equal"]) and february.proposal_id


def test_a_rule_that_does_not_validate_is_refused_at_drafting(run: Any, world: Any) -> None:
    async def action(session: Any) -> Any:
        form = {
            **DECISION,
            "kind": "distribution_rule",
            "rule_json": json.dumps({"basis": "accrual", "funds": [], "member_keys": []}),
            "start_month": "2027-13",
        }
        with pytest.raises(Invalid) as caught:
            await service.save_draft(
                session, world.actor("omar"), form, language="en", today=clock.today()
            )
        rows = (await session.exec(select(Proposal))).all()
        return caught.value.fields, rows

    fields, rows = run(action)
    assert rows == []
    assert "rule_json" in fields and "start_month" in fields


def test_a_ranked_vote_between_rules_adopts_the_winner(run: Any, world: Any, monkeypatch) -> None:
    async def action(session: Any) -> Any:
        await add_cooperators(session, world, "Ana")
        form = {
            **DECISION,
            "kind": "distribution_rule",
            "method": "ranked",
            "rule_options": ["pro_rata", "equal"],
            "start_month": "2027-03",
        }
        pid = await open_vote(session, world, form)
        with pytest.raises(Invalid):
            await vote(session, world, "omar", pid, ranking=["equal", "equal"])
        with pytest.raises(Invalid):
            await vote(session, world, "omar", pid, ranking=["nothing"])
        await vote(session, world, "omar", pid, ranking=["equal", "pro_rata"])
        await vote(session, world, "ana", pid, ranking=["equal"])
        await vote(session, world, "carla", pid, ranking=["pro_rata", "equal"])
        later(monkeypatch, WEEK + 1)  # past the minimum week
        proposal = await close(session, pid, world)
        versions = (await session.exec(select(DistributionRule))).all()
        return proposal, versions

    proposal, versions = run(action)
    assert proposal.result["winner"] == "equal"
    assert [v.rule for v in versions] == [rule_to_data(TEMPLATES["equal"])]


def test_membership_admission_makes_a_worker_a_cooperator(
    run: Any, world: Any, monkeypatch
) -> None:
    async def action(session: Any) -> Any:
        form = {
            **DECISION,
            "kind": "membership",
            "action": "admit",
            "person_id": str(world.ids["wen"]),
        }
        pid = await open_vote(session, world, form)
        await vote(session, world, "omar", pid, choice="yes")
        later(monkeypatch, WEEK + 1)  # past the minimum week
        await close(session, pid, world)
        return await session.get(Membership, world.memberships["wen"])

    assert run(action).role == "cooperator"


def test_an_open_proposal_cannot_change(run: Any, world: Any) -> None:
    async def action(session: Any) -> Any:
        pid = await open_vote(session, world)
        with pytest.raises(Conflict):
            await service.save_draft(
                session,
                world.actor("omar"),
                {**DECISION, "title": "Changed"},
                language="en",
                today=clock.today(),
                proposal_id=pid,
            )
        return await session.get(Proposal, pid)

    assert run(action).title == DECISION["title"]


def test_a_mandate_elects_a_coordinator_who_lapses_at_the_end_of_the_term(
    run: Any, world: Any, monkeypatch
) -> None:
    from governance.votes import mandates

    async def action(session: Any) -> Any:
        form = {
            **DECISION,
            "kind": "mandate",
            "mandate_action": "elect",
            "mandate_person_id": str(world.ids["omar"]),
            "term_months": "2",
        }
        pid = await open_vote(session, world, form)
        await vote(session, world, "omar", pid, choice="yes")
        later(monkeypatch, WEEK + 1)  # past the minimum week
        await close(session, pid, world)
        elected = await session.get(Membership, world.memberships["omar"])
        role_then = elected.role
        running = await mandates.current_mandates(session, world.alpha)
        await session.commit()
        later(monkeypatch, hours=24 * 70)  # past the two months
        await outcome.close_due(session)
        lapsed = await session.get(Membership, world.memberships["omar"], populate_existing=True)
        await session.commit()
        return role_then, running, lapsed.role

    role_then, running, role_after = run(action)
    assert role_then == "coordinator"
    assert [name for _m, name in running] == ["Omar Cooperator"]
    assert role_after == "cooperator"


def test_by_mandate_only_the_role_cannot_be_given_by_hand(run: Any, world: Any) -> None:
    from governance.members import roles
    from governance.votes.service import change_voting_rules

    async def action(session: Any) -> Any:
        await change_voting_rules(
            session,
            world.actor("carla"),
            {"open_proposals": "coordinators", "proxy_limit": "2", "coordinators_by_mandate": "on"},
        )
        with pytest.raises(Conflict) as by_hand:
            await roles.change_role(
                session, world.actor("carla"), world.memberships["omar"], {"role": "coordinator"}
            )
        with pytest.raises(Conflict) as rules_locked:
            await change_voting_rules(
                session,
                world.actor("carla"),
                {"open_proposals": "coordinators", "proxy_limit": "1"},
            )
        # Cooperators now open votes themselves.
        draft = await service.save_draft(
            session, world.actor("omar"), DECISION, language="en", today=clock.today()
        )
        opened = await service.open_proposal(session, world.actor("omar"), draft.id, closing_form())
        return by_hand.value.message, rules_locked.value.message, opened.state

    by_hand, locked, state = run(action)
    assert "mandate vote" in by_hand
    assert "adopted decision" in locked
    assert state == "open"


def test_a_decision_can_change_the_voting_rules(run: Any, world: Any, monkeypatch) -> None:
    from governance.members.models import Cooperative

    async def action(session: Any) -> Any:
        form = {
            **DECISION,
            "change_rules": "on",
            "rules_open_proposals": "cooperators",
            "rules_proxy_limit": "3",
        }
        pid = await open_vote(session, world, form)
        await vote(session, world, "omar", pid, choice="yes")
        later(monkeypatch, WEEK + 1)  # past the minimum week
        await close(session, pid, world)
        return (await session.get(Cooperative, world.alpha, populate_existing=True)).settings

    settings = run(action)
    assert settings["open_proposals"] == "cooperators" and settings["proxy_limit"] == 3
    assert settings["coordinators_by_mandate"] is False


def test_fund_spending_posts_from_the_fund_or_reports_why_not(
    run: Any, world: Any, monkeypatch
) -> None:
    from governance.ledger.books.models import JournalEntry
    from tests.closing_support import TODAY, build_october, everyone_read

    async def action(session: Any) -> Any:
        await build_october(session, world)
        from governance.ledger.closing import closing

        monkeypatch.setattr(clock, "today", lambda: TODAY)
        await closing.start_review(session, world.actor("carla"), "2026-10", today=clock.today())
        await everyone_read(session, world.alpha)
        await closing.finalize(session, world.actor("carla"), "2026-10")
        spend = {
            **DECISION,
            "kind": "fund_spending",
            "fund": "training",
            "category": "training",
            "amount": "50,00",
        }
        # More than the fund holds (58,00 €) is refused at drafting; two spendings within it
        # but together above it: the second closed finds the fund too low and spends nothing.
        with pytest.raises(Invalid) as refused:
            await open_vote(session, world, {**spend, "amount": "5000"})
        assert "58.00" in refused.value.fields["amount"]
        one = await open_vote(session, world, spend)
        two = await open_vote(session, world, {**spend, "amount": "40,00"})
        for pid in (one, two):
            await vote(session, world, "omar", pid, choice="yes")
        later(monkeypatch, WEEK + 1)  # past the minimum week
        first = await close(session, one, world)
        second = await close(session, two, world)
        entries = (
            await session.exec(select(JournalEntry).where(JournalEntry.kind == "fund_spending"))
        ).all()
        return first, second, entries

    first, second, entries = run(action)
    assert first.adopted and first.effect_error == ""
    assert second.adopted and second.effect_error == "fund_short:training:800"
    assert len(entries) == 1


def test_the_comparison_shows_what_was_paid_and_what_the_proposal_would_pay(
    run: Any, world: Any, monkeypatch, make_visitor: Any
) -> None:
    from governance.ledger.closing import closing
    from governance.votes.drafting import preview_reads as preview
    from tests.closing_support import FUNDS, SHARES, TODAY, build_october, everyone_read

    async def action(session: Any) -> Any:
        await build_october(session, world)
        monkeypatch.setattr(clock, "today", lambda: TODAY)
        await closing.start_review(session, world.actor("carla"), "2026-10", today=TODAY)
        await everyone_read(session, world.alpha)
        await closing.finalize(session, world.actor("carla"), "2026-10")
        form = {
            **DECISION,
            "kind": "distribution_rule",
            "rule_json": "equal",
            "start_month": "2026-12",
        }
        with pytest.raises(Invalid) as closed_start:
            await service.save_draft(
                session,
                world.actor("omar"),
                {**form, "start_month": "2026-10"},
                language="en",
                today=TODAY,
            )
        pid = await open_vote(session, world, form)
        proposal = await service.proposal_of(session, world.actor("omar"), pid)
        comparison = await preview.compare(session, world.actor("omar"), proposal)
        await session.commit()
        return comparison, closed_start.value.fields, pid

    comparison, refused, pid = run(action)
    assert "already closed or under review" in refused["start_month"]
    assert comparison.months == ("2026-10",)
    paid = {(r.recipient.fund or r.recipient.name): r.current for r in comparison.rows}
    assert paid == {
        "reserve": FUNDS["reserve"],
        "training": FUNDS["training"],
        "Omar Cooperator": SHARES["omar"],
        "Wen Worker": SHARES["wen"],
        "Carla Coordinator": SHARES["carla"],
    }
    # "Equal shares" keeps the 10 % reserve only: 1 160,01 € − 116,00 € = 1 044,01 € in
    # three equal parts, the extra cent by the largest remainder.
    proposed = {(r.recipient.fund or r.recipient.name): r.proposed[0] for r in comparison.rows}
    assert proposed["reserve"] == 11600 and proposed["training"] == 0
    members = sorted(v for k, v in proposed.items() if k not in {"reserve", "training"})
    assert sum(members) == 116001 - 11600 and members[2] - members[0] <= 1
    assert comparison.options[0].spread is not None and comparison.current.spread > 5

    # A page at a time: the funds and the reader's own row on every page, each other member
    # on one page only, the spread the whole cooperative's.
    from governance.votes import pages
    from governance.votes.drafting.preview import page_of

    seen: list[str] = []
    page = page_of(comparison, after=None, before=None, limit=1)
    while True:
        names = [r.recipient.fund or r.recipient.name for r in page.rows]
        assert names[:3] == ["reserve", "training", "Omar Cooperator"] and len(names) == 4
        assert page.member_count == 3 and page.current.spread == comparison.current.spread
        seen.append(names[3])
        if page.next_after is None:
            break
        page = page_of(comparison, after=page.next_after, before=None, limit=1)
    assert sorted(seen) == ["Carla Coordinator", "Wen Worker"]

    monkeypatch.setattr(pages, "COMPARISON_PAGE", 1)
    omar = make_visitor()
    omar.login("omar")
    url = f"/c/alpha/proposals/{pid}"
    first = omar.get(url).text
    following = re.search(rf'href="{url}\?after=(\d+)#comparison"', first)
    assert following and "3 membres au total, 2 sur cette page." in first
    second = omar.get(f"{url}?after={following.group(1)}").text
    assert 'id="my-difference"' in second and f'href="{url}?before=' in second
    assert omar.get(f"{url}?after=x").status_code == 400
