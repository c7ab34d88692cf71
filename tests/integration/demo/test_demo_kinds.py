"""The demo's three cooperatives: the same engine serves Univerbal's interpreters (by the
hour), Sirius's developers (project days at a day rate, fixed-price jobs) and Redém'arts's
trainees (workers paid by the workshop day, who do not vote); two months of Sirius and
Redém'arts closed with their statements; every printed login works."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from sqlmodel import col, select

from governance.auth.models import Person
from governance.auth.service import login
from governance.base import clock
from governance.base.errors import Invalid, PermissionDenied
from governance.demo.redemarts import WORKSHOP_DAY_CENTS
from governance.demo.sirius import DAY_RATE_CENTS
from governance.demo.univerbal import DEMO_PASSWORD, create_demo
from governance.ledger.books.models import Period
from governance.ledger.closing.models import PeriodClose, Statement
from governance.ledger.work.models import Prestation
from governance.members import Role
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative, Membership

TODAY = dt.date(2026, 11, 27)


def test_the_demo_serves_interpreters_developers_and_trainees(run: Any, monkeypatch: Any) -> None:
    """One demo for the three checks: it takes a while to build."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    people = run(lambda s: create_demo(s, TODAY))
    _sirius_works_by_the_project_day_and_by_the_job(run)
    _redemarts_trainees_are_workers_paid_by_the_workshop_day(run)
    _every_printed_login_works(people, run)


def _coop(run: Any, slug: str) -> tuple[int, list[Prestation], dict[str, str]]:
    async def read(session: Any) -> Any:
        async with session.begin():
            coop = (await session.exec(select(Cooperative).where(Cooperative.slug == slug))).one()
            rows = (
                await session.exec(select(Prestation).where(Prestation.cooperative_id == coop.id))
            ).all()
            periods = dict(
                (
                    await session.exec(
                        select(Period.month, Period.state).where(Period.cooperative_id == coop.id)
                    )
                ).all()
            )
        return coop.id, list(rows), periods

    found: tuple[int, list[Prestation], dict[str, str]] = run(read)
    return found


def _sirius_works_by_the_project_day_and_by_the_job(run: Any) -> None:
    coop_id, rows, periods = _coop(run, "sirius")
    kinds = Counter(p.kind for p in rows)
    assert kinds["project_day"] > 10 and kinds["fixed_price"] >= 3, kinds
    for p in rows:
        if p.kind == "project_day":
            # A day (or half a day) at the day rate: 8 hours counted, no hourly rate kept.
            days = p.duration_minutes / 480 if p.duration_minutes else 0
            assert days in (0.5, 1) and p.rate_cents is None
            assert p.amount_cents == DAY_RATE_CENTS * days
        else:
            assert p.kind == "fixed_price" and p.rate_cents is None and p.note
    assert any(p.duration_minutes == 240 for p in rows)  # half days too
    assert (periods["2026-08"], periods["2026-09"]) == ("closed", "closed")
    assert periods["2026-10"] == "open" and periods["2026-11"] == "open"
    october = [p for p in rows if p.date.month == 10]
    assert october and all(p.status == "validated" for p in october)
    assert all(p.status == "submitted" for p in rows if p.date.month == 11)
    _statements_of_closed_months(run, coop_id, ("2026-08", "2026-09"))


def _redemarts_trainees_are_workers_paid_by_the_workshop_day(run: Any) -> None:
    coop_id, rows, periods = _coop(run, "redemarts")
    assert (periods["2026-08"], periods["2026-09"]) == ("closed", "closed")

    async def roles(session: Any) -> Any:
        async with session.begin():
            found = await session.exec(
                select(Person.email, Membership.role)
                .join(Membership, col(Membership.person_id) == Person.id)
                .where(Membership.cooperative_id == coop_id)
            )
            return dict(found.all())

    members = run(roles)
    trainees = {email for email, role in members.items() if role == Role.WORKER}
    assert len(trainees) == 4 and members["coordination@redemarts.example"] == Role.COORDINATOR
    ids = {p.member_id for p in rows if p.kind == "workshop_day"}
    assert len(ids) == 4
    for p in rows:
        if p.kind == "workshop_day":
            assert (p.duration_minutes, p.amount_cents) == (360, WORKSHOP_DAY_CENTS)
        else:
            assert p.kind == "training" and p.duration_minutes == 360 and p.rate_cents == 6000
    statements = _statements_of_closed_months(run, coop_id, ("2026-08", "2026-09"))
    # Each trainee has a statement of each closed month, their share from their workshop days.
    assert len({s.member_id for s in statements} & ids) == 4

    async def cannot_vote(session: Any) -> None:
        async with session.begin():
            for email in trainees:
                person = (await session.exec(select(Person).where(Person.email == email))).one()
                actor = Actor(person_id=person.id, cooperative_id=coop_id)
                with pytest.raises(PermissionDenied):
                    await authorize(session, actor, Permission.VOTE)
                await authorize(session, actor, Permission.RECORD_OWN_WORK)

    run(cannot_vote)


def _statements_of_closed_months(
    run: Any, coop_id: int, months: tuple[str, ...]
) -> list[Statement]:
    async def read(session: Any) -> Any:
        async with session.begin():
            closes = (
                await session.exec(
                    select(PeriodClose).where(
                        PeriodClose.cooperative_id == coop_id, col(PeriodClose.month).in_(months)
                    )
                )
            ).all()
            statements = (
                await session.exec(
                    select(Statement).where(
                        Statement.cooperative_id == coop_id, col(Statement.month).in_(months)
                    )
                )
            ).all()
        return list(closes), list(statements)

    closes, statements = run(read)
    assert sorted(c.month for c in closes) == sorted(months)
    for month in months:
        of_month = [s for s in statements if s.month == month]
        assert of_month and sum(s.share_cents for s in of_month) > 0
        assert all(s.revenue_cents >= 0 for s in of_month)
    return list(statements)


def _every_printed_login_works(demo: list[Any], run: Any) -> None:
    slugs = {p.cooperative for p in demo}
    assert slugs == {"univerbal", "sirius", "redemarts"}
    assert len({p.email for p in demo}) == len(demo)

    async def log_in(session: Any) -> None:
        for person in demo:
            data = {"email": person.email, "password": DEMO_PASSWORD}
            found = await login(session, data, "192.0.2.1")
            assert found.email == person.email
        with pytest.raises(Invalid):
            await login(session, {"email": demo[0].email, "password": "x" * 12}, "192.0.2.1")

    run(log_in)
