"""A month's review lasts at least the cooperative's minimum time (72 hours unless it says
otherwise), or until every member concerned has marked their draft as read: the close, the
read marks and their audit, the notices at the start and the reminder once, the command line.

The golden October (tests/closing_support.py): Omar (cooperator) and Wen (worker) are the
members concerned; Carla coordinates (she reads the whole draft), Olga observes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import col, select

from governance.audit.models import AuditEvent
from governance.auth.models import Person
from governance.base import clock
from governance.base.errors import Conflict, Invalid, PermissionDenied
from governance.base.i18n import language
from governance.base.settings import Settings
from governance.ledger.books.kinds import PeriodState
from governance.ledger.books.models import Period
from governance.ledger.closing import closing, contests, reviews
from governance.ledger.closing.models import ReviewRead
from governance.ledger.closing.review_steps import remind_due
from governance.mail.models import OutboxMail
from governance.mail.outbox import set_email_notices
from governance.members.models import Cooperative
from tests.closing_support import TODAY, build_october, everyone_read

MONTH = "2026-10"
COMMAND = [sys.executable, "-c", "from governance.cli import main; raise SystemExit(main())"]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The refusals are matched on their English text."""
    with language("en"):
        yield


@pytest.fixture
def moment(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The clock, moved at will: `moment(hours=73)` puts it 73 hours after the test began."""
    start = clock.now()

    def move(**delta: float) -> dt.datetime:
        at = start + dt.timedelta(**delta)
        monkeypatch.setattr(clock, "now", lambda: at)
        return at

    move()
    return move


@pytest.fixture
def october(run: Any, world: Any) -> dict[str, int]:
    return run(lambda session: build_october(session, world))  # type: ignore[no-any-return]


def start(run: Any, world: Any) -> Period:
    return run(lambda s: closing.start_review(s, world.actor("carla"), MONTH, today=TODAY))


def close(run: Any, world: Any, who: str = "carla") -> Any:
    return run(lambda s: closing.finalize(s, world.actor(who), MONTH))


def read(run: Any, world: Any, who: str) -> ReviewRead:
    return run(lambda s: reviews.mark_read(s, world.actor(who), MONTH))


def events(run: Any, action: str) -> list[AuditEvent]:
    async def fetch(session: Any) -> list[AuditEvent]:
        async with session.begin():
            rows = await session.exec(
                select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
            )
            return list(rows.all())

    return run(fetch)  # type: ignore[no-any-return]


def set_hours(run: Any, world: Any, hours: Any) -> None:
    async def change(session: Any) -> None:
        async with session.begin():
            coop = await session.get(Cooperative, world.alpha)
            coop.settings = {**coop.settings, "review_min_hours": hours}
            session.add(coop)

    run(change)


def test_the_start_stamps_the_review_and_the_close_waits_for_the_minimum_time(
    run: Any, world: Any, october: dict[str, int], moment: Any
) -> None:
    began = moment()
    period = start(run, world)
    assert period.review_started_at == began
    with pytest.raises(Invalid) as refused:
        close(run, world)
    message = refused.value.message
    assert "runs until" in message and "72 hours left" not in message
    assert "3 days left" in message and "0 of 2 so far" in message
    moment(hours=71, minutes=59)
    with pytest.raises(Invalid, match="less than an hour left"):
        close(run, world)
    assert run(lambda s: _state(s)) == PeriodState.REVIEW
    moment(hours=72)
    closed = close(run, world)
    assert closed.month == MONTH and run(lambda s: _state(s)) == PeriodState.CLOSED


async def _state(session: Any) -> str:
    async with session.begin():
        return (await session.exec(select(Period.state).where(Period.month == MONTH))).one()


def test_the_cooperative_sets_its_own_minimum(
    run: Any, world: Any, october: dict[str, int], moment: Any
) -> None:
    set_hours(run, world, 24)
    start(run, world)
    moment(hours=23)
    with pytest.raises(Invalid, match="1 hour left"):
        close(run, world)
    moment(hours=24)
    close(run, world)


def test_the_month_closes_sooner_once_every_member_concerned_has_read(
    run: Any, world: Any, october: dict[str, int], moment: Any
) -> None:
    start(run, world)
    read(run, world, "omar")
    with pytest.raises(Invalid, match="1 of 2 so far"):
        close(run, world)
    # The coordinator's and the observer's reading is not waited for; theirs is not a draft.
    with pytest.raises(PermissionDenied):
        read(run, world, "olga")
    read(run, world, "wen")
    moment(hours=1)
    assert close(run, world).month == MONTH


def test_a_correction_during_the_review_asks_every_member_to_read_again(
    run: Any, world: Any, october: dict[str, int], moment: Any
) -> None:
    """A mark of "read" is given to a draft: once a contest is answered by a correction, every
    share may change, so earlier marks no longer count (found by review: the month closed at
    once on drafts nobody had read)."""
    start(run, world)
    read(run, world, "omar")
    read(run, world, "wen")
    moment(minutes=10)
    contest = run(
        lambda s: contests.contest_line(
            s,
            world.actor("wen"),
            MONTH,
            {"comment": "It was ten times more", "prestation_id": str(october["wen"])},
        )
    )
    moment(minutes=20)
    run(
        lambda s: contests.correct_line(
            s,
            world.actor("carla"),
            contest.id,
            {"amount": "4000", "reason": "Right, ten times more"},
            language="en",
        )
    )
    moment(minutes=30)
    with pytest.raises(Invalid, match="0 of 2 so far"):
        close(run, world)
    read(run, world, "omar")
    with pytest.raises(Invalid, match="1 of 2 so far"):
        close(run, world)
    read(run, world, "wen")
    marks = events(run, "period.draft_read")
    assert [e.actor_id for e in marks].count(world.ids["omar"]) == 2
    assert close(run, world).month == MONTH


def test_a_read_mark_is_audited_once_and_counted(
    run: Any, world: Any, october: dict[str, int], moment: Any
) -> None:
    start(run, world)
    first = read(run, world, "omar")
    moment(minutes=5)
    again = read(run, world, "omar")
    assert again.id == first.id and again.read_at == first.read_at
    marks = events(run, "period.draft_read")
    assert [(e.actor_id, json.loads(e.data)) for e in marks] == [
        (world.ids["omar"], {"month": MONTH})
    ]

    async def facts(session: Any) -> Any:
        async with session.begin():
            coop = await session.get(Cooperative, world.alpha)
            period = (await session.exec(select(Period).where(Period.month == MONTH))).one()
            return await reviews.review_facts(session, coop, period, clock.now())

    found = run(facts)
    assert found.read_count == 1 and len(found.members) == 2
    by_id = {m.member_id: m for m in found.members}
    assert set(by_id) == {world.ids["omar"], world.ids["wen"]}
    assert by_id[world.ids["omar"]].read_at == first.read_at
    assert by_id[world.ids["wen"]].read_at is None


def test_reading_outside_a_review_is_refused_and_changes_nothing(
    run: Any, world: Any, october: dict[str, int]
) -> None:
    with pytest.raises(Conflict, match="not under review"):
        read(run, world, "omar")
    assert events(run, "period.draft_read") == []


def test_the_notices_count_reads_and_contests_and_say_when_the_month_may_close(
    run: Any, world: Any, october: dict[str, int], moment: Any
) -> None:
    def notice(who: str) -> reviews.ReviewNotice | None:
        return run(lambda s: reviews.review_notice(s, world.alpha, world.ids[who]))

    assert notice("omar") is None and notice("carla") is None  # nothing under review
    start(run, world)
    run(
        lambda s: contests.contest_line(
            s, world.actor("wen"), MONTH, {"prestation_id": str(october["wen"]), "comment": "?"}
        )
    )
    read(run, world, "omar")
    mine = notice("omar")
    assert mine is not None and mine.kind == "member" and mine.concerned
    assert mine.read_at is not None and mine.open_contests == 0
    wen = notice("wen")
    assert wen is not None and wen.read_at is None and wen.open_contests == 1
    assert wen.ends_at == wen.readiness.started_at + dt.timedelta(hours=72)  # type: ignore[operator]
    coordinator = notice("carla")
    assert coordinator is not None and coordinator.kind == "coordinator"
    assert (coordinator.read_count, coordinator.member_count) == (1, 2)
    assert coordinator.contested_count == 1 and coordinator.contests_to_answer == 1
    assert not coordinator.readiness.can_close
    assert notice("olga") is None  # an observer has no draft and closes nothing
    moment(hours=50)
    assert notice("wen").last_day  # type: ignore[union-attr]
    moment(hours=73)
    assert notice("carla").readiness.can_close  # type: ignore[union-attr]


def mails(run: Any) -> list[tuple[str, str, str]]:
    async def fetch(session: Any) -> list[tuple[str, str, str]]:
        async with session.begin():
            rows = await session.exec(
                select(OutboxMail.to_address, OutboxMail.subject, OutboxMail.body).order_by(
                    col(OutboxMail.id)
                )
            )
            return list(rows.all())

    return run(fetch)  # type: ignore[no-any-return]


def test_members_are_mailed_at_the_start_and_reminded_once_a_day_before_the_end(
    run: Any, world: Any, october: dict[str, int], moment: Any
) -> None:
    run(lambda s: set_email_notices(s, world.actor("carla"), True))

    async def dutch_wen(session: Any) -> None:
        async with session.begin():
            wen = await session.get(Person, world.ids["wen"])
            wen.language = "nl"
            session.add(wen)

    run(dutch_wen)
    start(run, world)
    started = mails(run)
    assert sorted(to for to, _s, _b in started) == ["omar@alpha.example", "wen@alpha.example"]
    body = {to: b for to, _s, b in started}
    assert "/c/alpha/periods/2026-10" in body["omar@alpha.example"]
    assert "{base_url}" in body["omar@alpha.example"]
    read(run, world, "omar")
    assert run(lambda s: remind_due(s)) == 0  # three days ahead: not yet
    moment(hours=47)
    assert run(lambda s: remind_due(s)) == 0
    moment(hours=49)
    assert run(lambda s: remind_due(s)) == 1
    reminded = mails(run)[len(started) :]
    assert [to for to, _s, _b in reminded] == ["wen@alpha.example"]  # Omar has read his
    moment(hours=50)
    assert run(lambda s: remind_due(s)) == 0  # once
    assert len(mails(run)) == len(started) + 1
    [event] = events(run, "period.review_reminded")
    assert event.actor_id is None
    assert json.loads(event.data) == {"month": MONTH, "members": 1, "mails": 1}

    async def stamped(session: Any) -> Any:
        async with session.begin():
            period = (await session.exec(select(Period).where(Period.month == MONTH))).one()
            return period.review_reminded_at

    assert run(stamped) is not None


def test_without_mail_the_reminder_is_still_recorded_once_and_nothing_is_queued(
    run: Any, world: Any, october: dict[str, int], moment: Any
) -> None:
    start(run, world)
    moment(hours=60)
    assert run(lambda s: remind_due(s)) == 1
    assert run(lambda s: remind_due(s)) == 0
    assert mails(run) == []
    [event] = events(run, "period.review_reminded")
    assert json.loads(event.data)["mails"] == 0


def cli(settings: Settings, *extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = settings.database_url
    env["GOVERNANCE_SECRET_KEY"] = settings.secret_key
    return subprocess.run(
        [*COMMAND, "close-month", "--coop", "alpha", "--period", MONTH, *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_command_line_respects_the_minimum_unless_the_operator_says_why(
    settings: Settings, run: Any, world: Any, october: dict[str, int]
) -> None:
    start(run, world)
    shown = cli(settings)
    assert shown.returncode == 0, shown.stderr
    assert "review: 0 of 2 members read their draft; 0 contested" in shown.stdout
    assert "may not close yet" in shown.stdout
    refused = cli(settings, "--finalize")
    assert refused.returncode != 0
    assert "runs until" in refused.stderr + refused.stdout
    assert run(lambda s: _state(s)) == PeriodState.REVIEW
    assert cli(settings, "--review", "--before-review-ends", "x").returncode != 0
    closed = cli(settings, "--finalize", "--before-review-ends", "Decided at the meeting of 4/11")
    assert closed.returncode == 0, closed.stderr
    assert f"{MONTH} closed" in closed.stdout
    [event] = events(run, "period.review_shortened")
    data = json.loads(event.data)
    assert data["reason"] == "Decided at the meeting of 4/11"
    assert (data["read"], data["members"]) == (0, 2)
    assert event.actor_id == world.ids["carla"]
    assert events(run, "period.closed")[0].id > event.id  # type: ignore[operator]


def test_a_review_begun_before_the_rule_may_close_at_once(
    run: Any, world: Any, october: dict[str, int]
) -> None:
    start(run, world)

    async def as_before(session: Any) -> None:
        async with session.begin():
            period = (await session.exec(select(Period).where(Period.month == MONTH))).one()
            period.review_started_at = None
            session.add(period)

    run(as_before)
    assert close(run, world).month == MONTH


def test_the_test_helper_marks_only_the_members_concerned(
    run: Any, world: Any, october: dict[str, int]
) -> None:
    start(run, world)
    marked = run(lambda s: everyone_read(s, world.alpha))
    assert sorted(marked) == sorted([world.ids["omar"], world.ids["wen"]])


def test_the_worker_sends_the_reminder(
    settings: Settings, run: Any, world: Any, october: dict[str, int], moment: Any
) -> None:
    from tests.votes_support import run_worker_once

    start(run, world)
    run_worker_once(settings)
    assert events(run, "period.review_reminded") == []
    moment(hours=50)
    run_worker_once(settings)
    run_worker_once(settings)
    assert len(events(run, "period.review_reminded")) == 1
