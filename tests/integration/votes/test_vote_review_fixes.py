"""What a review of the votes found, each fixed and kept fixed: a ballot racing the close, new
voting rules in a ranked vote, the last coordinator's lapse, the mandate mode's back doors,
choices in the trail while a public vote is open, mails that cannot be built, hostile input,
drafts that lose their effect when changed, voters frozen at the opening."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from governance.audit.models import AuditEvent
from governance.audit.service import lock_cooperative
from governance.base import clock, db
from governance.base.errors import Conflict, Invalid, PermissionDenied
from governance.base.i18n import language
from governance.mail.models import OutboxMail
from governance.mail.outbox import set_email_notices
from governance.mail.sender import SmtpConfig, send_pending
from governance.members import MembershipStatus, invitations, roles
from governance.members.models import Membership
from governance.votes import ballots, outcome, service
from governance.votes.drafting.drafting import (
    DraftContext,
    MemberChoice,
    form_values,
    parse_proposal,
)
from governance.votes.models import Ballot, Proposal
from governance.votes.service import change_voting_rules
from tests.votes_support import (
    DECISION,
    WEEK,
    add_cooperators,
    close,
    later,
    open_vote,
    run_worker_once,
    vote,
)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with language("en"):
        yield


def test_a_ballot_waiting_for_the_lock_while_the_vote_closes_is_refused(
    settings: Any, run: Any, world: Any
) -> None:
    pid = run(lambda s: open_vote(s, world))

    async def scenario() -> Any:
        engine = db.make_engine(settings.database_url)
        maker = db.make_sessionmaker(engine)
        try:
            async with maker() as closer:
                async with closer.begin():
                    await lock_cooperative(closer, world.alpha)
                    await closer.connection()  # SQLite: BEGIN IMMEDIATE is the lock

                    async def late_ballot() -> Any:
                        async with maker() as voter:
                            try:
                                return await ballots.cast_ballot(
                                    voter, world.actor("omar"), pid, {"choice": "yes"}
                                )
                            except Conflict as error:
                                return error

                    waiting = asyncio.create_task(late_ballot())
                    await asyncio.sleep(0.5)  # the ballot checked "open" and waits for the lock
                    after = clock.now() + dt.timedelta(days=2)
                    assert await outcome._close_locked(closer, pid, after)
                return await waiting
        finally:
            await engine.dispose()

    result = asyncio.run(scenario())
    assert isinstance(result, Conflict) and "closed" in result.message

    async def count(session: Any) -> int:
        return len((await session.exec(select(Ballot))).all())

    assert run(count) == 0


def _context(**extra: Any) -> DraftContext:
    return DraftContext(
        language="en",
        current_rule=None,
        funds=("reserve", "training"),
        categories=("training", "other"),
        members=(
            MemberChoice(7, "Omar", "cooperator", True),
            MemberChoice(8, "Wen", "worker", True),
        ),
        last_frozen_month="2026-10",
        **extra,
    )


def test_new_voting_rules_need_a_yes_or_no_vote() -> None:
    form = {
        **DECISION,
        "method": "ranked",
        "choices": "A\nB",
        "change_rules": "on",
        "rules_open_proposals": "cooperators",
        "rules_proxy_limit": "5",
    }
    with pytest.raises(Invalid) as refused:
        parse_proposal(form, _context())
    assert "change_rules" in refused.value.fields


@pytest.mark.parametrize(
    "form",
    [
        {**DECISION},
        {**DECISION, "method": "ranked", "choices": "Red\nBlue"},
        {
            **DECISION,
            "change_rules": "on",
            "rules_open_proposals": "cooperators",
            "rules_proxy_limit": "3",
            "rules_coordinators_by_mandate": "on",
        },
        {**DECISION, "kind": "distribution_rule", "rule_json": "equal", "start_month": "2027-01"},
        {
            **DECISION,
            "kind": "distribution_rule",
            "method": "ranked",
            "start_month": "2027-01",
            "rule_options": ["pro_rata", "equal"],
            "custom_label": "Half and half",
            "rule_json": json.dumps(
                {
                    "basis": "accrual",
                    "funds": [],
                    "eligible": "all_active_members",
                    "member_keys": [
                        {"key": "hours", "weight": "50"},
                        {"key": "equal", "weight": "50"},
                    ],
                }
            ),
        },
        {
            **DECISION,
            "kind": "fund_spending",
            "fund": "training",
            "category": "training",
            "amount": "1234,56",
        },
        {**DECISION, "kind": "membership", "action": "admit", "person_id": "8"},
        {
            **DECISION,
            "kind": "mandate",
            "mandate_action": "elect",
            "mandate_person_id": "7",
            "term_months": "12",
        },
    ],
)
def test_a_draft_reads_back_into_the_same_proposal(form: dict[str, Any]) -> None:
    clean = parse_proposal(form, _context())
    proposal = Proposal(
        cooperative_id=1,
        kind=clean.kind,
        title=clean.title,
        body=clean.body,
        method=clean.method,
        quorum=clean.quorum,
        threshold=clean.threshold,
        visibility=clean.visibility,
        results_hidden=clean.results_hidden,
        options=clean.options,
        effect=clean.effect,
        created_by_id=1,
    )
    again = parse_proposal(form_values(proposal, "fr"), _context())
    assert again == clean


def test_the_last_coordinator_keeps_the_role_when_the_mandate_ends(
    run: Any, world: Any, monkeypatch: Any, settings: Any
) -> None:
    async def action(session: Any) -> Any:
        form = {
            **DECISION,
            "kind": "mandate",
            "mandate_action": "elect",
            "mandate_person_id": str(world.ids["omar"]),
            "term_months": "1",
        }
        pid = await open_vote(session, world, form)
        await vote(session, world, "omar", pid, choice="yes")
        later(monkeypatch, WEEK + 1)  # past the minimum week
        await close(session, pid, world)
        # Carla steps down: Omar is the only coordinator when his term ends.
        await roles.change_role(
            session, world.actor("omar"), world.memberships["carla"], {"role": "cooperator"}
        )

    run(action)
    later(monkeypatch, hours=24 * 40)
    run_worker_once(settings)  # the worker ends the lapsed mandate

    async def check(session: Any) -> Any:
        omar = await session.get(Membership, world.memberships["omar"])
        event = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "mandate.lapsed"))
        ).one()
        return omar.role, json.loads(event.data)["kept_role"]

    assert run(check) == ("coordinator", True)


def test_the_mandate_mode_has_no_back_door(run: Any, world: Any) -> None:
    async def action(session: Any) -> list[str]:
        await change_voting_rules(
            session,
            world.actor("carla"),
            {"open_proposals": "cooperators", "proxy_limit": "1", "coordinators_by_mandate": "on"},
        )
        refused = []
        for attempt in (
            invitations.invite(
                session,
                world.actor("carla"),
                {"email": "new@x.example", "role": "coordinator"},
                "secret" * 8,
            ),
            roles.set_status(
                session,
                world.actor("carla"),
                world.memberships["carla"],
                MembershipStatus.SUSPENDED,
            ),
        ):
            with pytest.raises(Conflict) as caught:
                await attempt
            refused.append(caught.value.message)
        return refused

    for message in run(action):
        assert "mandate vote" in message


def test_no_choice_in_the_trail_while_a_public_vote_is_open(run: Any, world: Any) -> None:
    async def action(session: Any) -> Any:
        pid = await open_vote(session, world, {**DECISION, "results_hidden": "on"})
        cast = await vote(session, world, "omar", pid, choice="no")
        rows = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "ballot.cast"))
        ).all()
        return cast.receipt, [json.loads(e.data) for e in rows]

    receipt, data = run(action)
    assert data == [{"voter_id": data[0]["voter_id"]}]
    assert receipt not in json.dumps(data)


def test_a_mail_that_cannot_be_built_does_not_block_the_others(run: Any, world: Any) -> None:
    async def action(session: Any) -> Any:
        with pytest.raises(Invalid):
            await service.save_draft(
                session,
                world.actor("omar"),
                {**DECISION, "title": "Budget\u2028line"},
                language="en",
                today=clock.today(),
            )
        await set_email_notices(session, world.actor("carla"), True)
        await open_vote(session, world)
        calls = []

        def deliver(config: Any, message: Any) -> None:
            calls.append(message["To"])
            if len(calls) == 1:
                raise ValueError("a header the mail library refuses")

        config = SmtpConfig("127.0.0.1", 1, "", starttls=False, sender="v@x.example")
        result = await send_pending(session, config, "https://coop.example", deliver)
        rows = [
            (m.attempts, bool(m.sent_at), m.last_error[:10])
            for m in (await session.exec(select(OutboxMail).order_by(OutboxMail.id))).all()
        ]
        return result, rows

    result, rows = run(action)
    assert result == (1, 1)
    assert rows == [(1, False, "ValueError"), (1, True, "")]


def test_a_voter_demoted_after_the_opening_still_votes(run: Any, world: Any) -> None:
    async def action(session: Any) -> Any:
        pid = await open_vote(session, world)
        await roles.change_role(
            session, world.actor("carla"), world.memberships["omar"], {"role": "worker"}
        )
        cast = (await vote(session, world, "omar", pid, choice="yes")).choice
        with pytest.raises(PermissionDenied) as newcomer:
            await add_cooperators(session, world, "Ana")
            await vote(session, world, "ana", pid, choice="yes")
        return cast, newcomer.value.message

    cast, refused = run(action)
    assert cast == "yes"
    assert "not among the voters" in refused
