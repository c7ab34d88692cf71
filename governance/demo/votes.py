"""The demo's votes: a closed public vote, a closed secret vote, a closed ranked vote between
two rules, and an open rule proposal. Each goes through the services (and so respects the
cooperative's minimum quorum and duration); the closed ones were opened and cast days ago (the
clock shifted back), then counted now by `close_due`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.base import clock
from governance.language.months import Month
from governance.members.access import Actor
from governance.votes import ballots, outcome, service

LAPTOP = """Nous partageons **un seul ordinateur portable** pour neuf interprètes.

Proposition : en acheter un second, payé sur le budget de formation.

- usage : visioconférences avec le CHR et le CPAS ;
- prix estimé : 650 €."""

EVENING = """Les séances après 19 h sont plus difficiles à organiser.

Proposition : demander aux clients un **supplément de 15 %** pour les séances du soir."""

RANKED = """Deux façons de partager le revenu à partir de {month} :

1. **au prorata** du revenu de chacun·e ;
2. **à parts égales** entre les coopérateurs et coopératrices qui ont travaillé."""

OPEN_RULE = """Le partage « mixte 80/20 » récompense surtout le revenu facturé.

Proposition : compter **autant les heures que le revenu** (50/50), pour que les longues
séances mal payées (CPAS, écoles) pèsent davantage."""

# A week and an hour: votes that move money stay open at least 7 days
# (governance/votes/counting/minimums.py), and the closing time is typed to the minute.
WEEK = 7 * 24 + 1

HALF_HOURS = {
    "basis": "accrual",
    "funds": [{"fund": "reserve", "percent": "10"}, {"fund": "training", "percent": "5"}],
    "member_keys": [{"key": "revenue_generated", "weight": "50"}, {"key": "hours", "weight": "50"}],
    "eligible": "members_with_prestations",
}


async def _ids(session: AsyncSession, emails: list[str]) -> dict[str, int]:
    async with session.begin():
        rows = (await session.exec(select(Person.email, Person.id))).all()
    found = {email: pid for email, pid in rows if pid is not None}
    return {email.split("@")[0]: found[email] for email in emails}


def _closing(hours: float) -> dict[str, str]:
    at = (clock.now() + dt.timedelta(hours=hours)).astimezone(clock.BRUSSELS)
    return {"closes_on": at.date().isoformat(), "closes_time": at.strftime("%H:%M")}


async def _vote(
    session: AsyncSession,
    coordinator: Actor,
    author: Actor,
    form: dict[str, Any],
    day: dt.date,
    ballots_: list[tuple[Actor, dict[str, Any]]],
    *,
    hours_open: float,
) -> int:
    proposal = await service.save_draft(session, author, form, language="fr", today=day)
    assert proposal.id is not None
    await service.open_proposal(session, coordinator, proposal.id, _closing(hours_open))
    for voter, choice in ballots_:
        await ballots.cast_ballot(session, voter, proposal.id, choice)
    return proposal.id


async def create_demo_votes(
    session: AsyncSession, coordinator: Actor, emails: list[str], day: dt.date
) -> None:
    ids = await _ids(session, emails)

    def who(name: str) -> Actor:
        return Actor(person_id=ids[name], cooperative_id=coordinator.cooperative_id)

    start = str(Month.of(day).next)
    with clock.shifted(dt.timedelta(days=-12)):
        await _vote(
            session,
            coordinator,
            who("amina"),
            {
                "kind": "decision",
                "title": "Acheter un second ordinateur portable",
                "body": LAPTOP,
                "method": "approval",
                "quorum": "1/2",
                "threshold": "1/2",
                "visibility": "public",
            },
            day,
            [
                (who("amina"), {"choice": "yes"}),
                (who("bashir"), {"choice": "yes"}),
                (who("chloe"), {"choice": "no"}),
                (who("dilan"), {"choice": "yes"}),
                (who("hodan"), {"choice": "abstain"}),
                (coordinator, {"choice": "yes"}),
            ],
            hours_open=WEEK,
        )
        await _vote(
            session,
            coordinator,
            who("nadia"),
            {
                "kind": "decision",
                "title": "Supplément pour les séances du soir",
                "body": EVENING,
                "method": "approval",
                "quorum": "1/2",
                "threshold": "2/3",
                "visibility": "secret",
            },
            day,
            [
                (who("nadia"), {"choice": "yes"}),
                (who("khaled"), {"choice": "yes"}),
                (who("amina"), {"choice": "no"}),
                (who("chloe"), {"choice": "yes"}),
                (who("bashir"), {"choice": "no"}),
                (coordinator, {"choice": "abstain"}),
            ],
            hours_open=WEEK,
        )
        await _vote(
            session,
            coordinator,
            coordinator,
            {
                "kind": "distribution_rule",
                "title": "Quelle règle de partage à partir de " + start + " ?",
                "body": RANKED.format(month=start),
                "method": "ranked",
                "quorum": "1/2",
                "visibility": "public",
                "rule_options": ["pro_rata", "equal"],
                "start_month": start,
            },
            day,
            [
                (who("amina"), {"ranking": ["pro_rata", "equal"]}),
                (who("bashir"), {"ranking": ["equal", "pro_rata"]}),
                (who("chloe"), {"ranking": ["equal"]}),
                (who("dilan"), {"ranking": ["pro_rata"]}),
                (who("khaled"), {"ranking": ["equal", "pro_rata"]}),
                (who("hodan"), {"ranking": ["equal", "pro_rata"]}),
                (coordinator, {"ranking": ["pro_rata", "equal"]}),
            ],
            hours_open=WEEK,
        )
    await outcome.close_due(session, coordinator.cooperative_id)
    open_id = await _vote(
        session,
        coordinator,
        who("chloe"),
        {
            "kind": "distribution_rule",
            "title": "Compter autant les heures que le revenu",
            "body": OPEN_RULE,
            "method": "approval",
            "quorum": "1/2",
            "threshold": "1/2",
            "visibility": "public",
            "rule_json": json.dumps(HALF_HOURS),
            "start_month": str(Month.parse(start).next),
        },
        day,
        [(who("chloe"), {"choice": "yes"}), (who("dilan"), {"choice": "no"})],
        hours_open=8 * 24,
    )
    await service.add_comment(
        session,
        who("dilan"),
        open_id,
        {"body": "Les heures comptent déjà via le tarif horaire, non ?"},
    )
