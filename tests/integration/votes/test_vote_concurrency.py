"""Votes under concurrency (real on PostgreSQL; SQLite queues its writers): twenty ballots of
one voter at once leave one counted ballot; twenty requests after the closing time count
nothing, and eight workers running at once count the vote once."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from sqlmodel import select

from governance.audit.models import AuditEvent
from governance.audit.service import verify_chain
from governance.base import db
from governance.base.errors import Conflict
from governance.votes import ballots
from governance.votes.models import Ballot, Proposal
from tests.votes_support import later, open_vote
from tests.world import EMAILS, PASSWORD

CHOICES = ("yes", "no", "abstain")


def test_twenty_ballots_of_one_voter_at_once_leave_one(settings: Any, run: Any, world: Any) -> None:
    pid = run(lambda s: open_vote(s, world))

    async def scenario() -> list[Any]:
        engine = db.make_engine(settings.database_url)
        maker = db.make_sessionmaker(engine)

        async def one(n: int) -> Any:
            async with maker() as session:
                try:
                    return await ballots.cast_ballot(
                        session, world.actor("omar"), pid, {"choice": CHOICES[n % 3]}
                    )
                except Conflict as error:
                    return error

        try:
            return list(await asyncio.gather(*(one(n) for n in range(20))))
        finally:
            await engine.dispose()

    results = asyncio.run(scenario())

    async def check(session: Any) -> Any:
        rows = (await session.exec(select(Ballot).where(Ballot.proposal_id == pid))).all()
        events = (
            await session.exec(
                select(AuditEvent).where(AuditEvent.action.in_(["ballot.cast", "ballot.changed"]))
            )
        ).all()
        return rows, events, await verify_chain(session, world.alpha)

    rows, events, chain = run(check)
    assert len(rows) == 1
    recorded = [r for r in results if not isinstance(r, Conflict)]
    # Every call that answered with a ballot was recorded and audited, the last one counts.
    assert len(events) == len(recorded) >= 1
    assert [e.action for e in events].count("ballot.cast") == 1
    # The row holds one of the recorded ballots (its receipt), and the trail no choice.
    assert rows[0].receipt in {r.receipt for r in recorded}
    assert all(json.loads(e.data) == {"voter_id": world.ids["omar"]} for e in events)
    assert chain.problem is None


def test_requests_after_the_closing_time_count_nothing_and_workers_count_once(
    app: Any, settings: Any, run: Any, world: Any, monkeypatch: Any
) -> None:
    from governance import worker

    pid = run(lambda s: open_vote(s, world))
    run(lambda s: ballots.cast_ballot(s, world.actor("omar"), pid, {"choice": "yes"}))
    later(monkeypatch)

    async def scenario() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            page = await client.get("/login")
            token = page.cookies["csrftoken"]
            await client.post(
                "/login",
                data={"email": EMAILS["carla"], "password": PASSWORD, "_csrf_token": token},
            )
            responses = await asyncio.gather(
                *(client.get(f"/c/alpha/proposals/{pid}") for _ in range(20))
            )
            codes = [r.status_code for r in responses]
        return codes

    codes = _with_lifespan(app, scenario)
    assert codes == [200] * 20

    async def check(session: Any) -> Any:
        closes = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "proposal.closed"))
        ).all()
        return closes, await session.get(Proposal, pid)

    closes, proposal = run(check)
    assert closes == [] and proposal.state == "open"  # pages do not count

    async def workers() -> list[bool]:
        votes_only = tuple(job for job in worker.JOBS if job.name == "votes")
        return await asyncio.gather(*(worker.run_once(settings, votes_only) for _ in range(8)))

    assert asyncio.run(workers()) == [True] * 8
    closes, proposal = run(check)
    assert len(closes) == 1
    assert proposal.state == "closed" and proposal.adopted is True


def _with_lifespan(app: Any, scenario: Any) -> Any:
    """Run `scenario` inside the app's lifespan (engines and session makers set up)."""
    from litestar.testing import TestClient

    with TestClient(app=app) as client:
        return client.blocking_portal.call(scenario)
