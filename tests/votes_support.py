"""Proposals for tests: drafted, opened, voted and closed through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from governance.base import clock
from governance.members import Role
from governance.members import service as members
from governance.votes import ballots, outcome, service
from governance.votes.counting.minimums import category_of
from tests.world import PASSWORD

DECISION = {
    "kind": "decision",
    "title": "Buy a second laptop",
    "body": "We **share** one laptop for nine interpreters.",
    "method": "approval",
    "quorum": "1/2",
    "threshold": "1/2",
    "visibility": "public",
}


async def fill_fund(session: Any, cooperative_id: int, fund: str, cents: int) -> None:
    """Money into a fund (from the bank), as a month's close would put it there."""
    from governance.ledger.books.journal import Posting
    from governance.ledger.books.posting import post

    async with session.begin():
        await post(
            session,
            cooperative_id=cooperative_id,
            day=clock.today(),
            kind="adjustment",
            memo="test: money in the fund",
            author_id=None,
            postings=[Posting("bank", cents), Posting(f"fund:{fund}", -cents)],
        )


async def add_cooperators(session: Any, world: Any, *names: str) -> None:
    """More cooperators in alpha: world.ids gains each name (lower case)."""
    for name in names:
        person = await members.add_person_to_cooperative(
            session,
            slug="alpha",
            email=f"{name.lower()}@alpha.example",
            name=name,
            password=PASSWORD,
            role=Role.COOPERATOR,
        )
        world.ids[name.lower()] = person.id


# Votes that move money or membership, or change the voting rules, stay open at least 7 days
# by default (governance/votes/counting/minimums.py): `open_vote` opens them for a week and an hour,
# and `later(monkeypatch, WEEK + 1)` is past their close.
WEEK = 7 * 24 + 1


def closing_form(hours: int = 24) -> dict[str, str]:
    at = (clock.now() + dt.timedelta(hours=hours)).astimezone(clock.BRUSSELS)
    return {"closes_on": at.date().isoformat(), "closes_time": at.strftime("%H:%M")}


async def open_vote(
    session: Any,
    world: Any,
    form: dict[str, Any] | None = None,
    author: str = "omar",
    hours: int | None = None,
) -> int:
    """A proposal drafted by `author` and opened by Carla, for `hours` (by default a day, or
    a week and an hour when it has an effect); its id."""
    proposal = await service.save_draft(
        session,
        world.actor(author),
        form or DECISION,
        language="en",
        today=clock.today(),
    )
    assert proposal.id is not None
    if hours is None:
        hours = 24 if category_of(proposal.kind, proposal.effect) == "none" else WEEK
    await service.open_proposal(session, world.actor("carla"), proposal.id, closing_form(hours))
    return proposal.id


async def vote(session: Any, world: Any, who: str, proposal_id: int, **form: Any) -> Any:
    return await ballots.cast_ballot(session, world.actor(who), proposal_id, form)


def later(monkeypatch: Any, hours: int = 25) -> None:
    """Move the clock past the closing time of votes opened now."""
    moment = clock.now() + dt.timedelta(hours=hours)
    monkeypatch.setattr(clock, "now", lambda: moment)


def run_worker_once(settings: Any) -> None:
    """Every timed job once, as `governance worker --once` runs them (pages never count)."""
    import asyncio

    from governance import worker

    assert asyncio.run(worker.run_once(settings))


async def close(session: Any, proposal_id: int, world: Any) -> Any:
    await outcome.close_due(session, world.alpha)
    closed = await service.proposal_of(session, world.actor("carla"), proposal_id)
    await session.commit()
    return closed
