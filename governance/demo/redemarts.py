"""The demo's digital-arts cooperative Redém'arts: trainees, members as workers (paid, not
voting), are paid by the workshop day (a day rate the cooperative set); their coordinator and a
trainer, cooperators, teach by the hour. Two months closed and paid, the last full one ready to
close, this month's workshop days waiting."""

from __future__ import annotations

import datetime as dt
import random

from sqlmodel.ext.asyncio.session import AsyncSession

from governance.demo.common import (
    Bank,
    DemoPerson,
    SmallCoop,
    create_small_coop,
    submit_work,
    weekdays,
)
from governance.ledger.books.kinds import ClientKind
from governance.ledger.work.day_work import Day
from governance.ledger.work.prestations import validate_prestations
from governance.members import Role
from governance.members.access import Actor

SLUG = "redemarts"
WORKSHOP_DAY_CENTS = 9_500  # 95,00 € a workshop day of 6 hours
KINDS = ["workshop_day", "training", "other"]
COORDINATOR = "coordination@redemarts.example"
TRAINER = "lucas@redemarts.example"

PEOPLE = (
    DemoPerson(COORDINATOR, "Fatou Ndiaye", Role.COORDINATOR, "fr", ("fr", "wo", "en"), SLUG),
    DemoPerson(TRAINER, "Lucas Hermans", Role.COOPERATOR, "nl", ("nl", "fr"), SLUG),
    DemoPerson("rania@redemarts.example", "رانيا حداد", Role.WORKER, "ar", ("ar", "fr"), SLUG),
    DemoPerson("moussa@redemarts.example", "Moussa Keita", Role.WORKER, "fr", ("fr", "bm"), SLUG),
    DemoPerson(
        "zahra@redemarts.example", "Zahra Hosseini", Role.WORKER, "fr", ("fa", "prs", "fr"), SLUG
    ),
    DemoPerson("milan@redemarts.example", "Milan Petrović", Role.WORKER, "en", ("sr", "en"), SLUG),
)
TRAINEES = [p.email for p in PEOPLE if p.role == Role.WORKER]

DETAILS = {
    "legal_name": "Redém'arts SC",
    "address": "Rue Pierreuse 21\n4000 Liège",
    "enterprise_number": "BE 0999.425.345",
    "iban": "BE35 1605 0054 9337",
    "bic": "REDEBEB1",
    "email": "coordination@redemarts.example",
    "phone": "+32 4 342 17 21",
    # Training in digital arts: exempt from VAT (art. 44).
    "vat_status": "exempt",
    "vat_mention": "art44",
}

# Rania has not given her account yet (a member's IBAN is stored only with its holder's name):
# the payout page lists her share as waiting.
BANKS = {
    COORDINATOR: Bank("BE64160500686652", "FATOU NDIAYE"),
    TRAINER: Bank("BE93160500823967", "LUCAS HERMANS"),
    "moussa@redemarts.example": Bank("BE54160501098597", "MOUSSA KEITA"),
    "zahra@redemarts.example": Bank("BE83160501235815", "ZAHRA HOSSEINI"),
    "milan@redemarts.example": Bank("BE15160501373130", "MILAN PETROVIC"),
}

# Who commissions the workshops; the usual hourly rate is for the trainers' hours.
TRAINER_RATE_CENTS = 6_000
CLIENTS = (
    (
        "Ville de Liège, Échevinat de la Culture",
        ClientKind.OTHER,
        "Féronstrée 92, 4000 Liège",
        TRAINER_RATE_CENTS,
    ),
    (
        "Maison de jeunes de Droixhe",
        ClientKind.SOCIAL_SERVICES,
        "Avenue de la Croix-Rouge 5, 4020 Liège",
        TRAINER_RATE_CENTS,
    ),
    ("Forem Liège", ClientKind.INTEGRATION_OFFICE, "Rue Natalis 2, 4020 Liège", TRAINER_RATE_CENTS),
)

WORKSHOPS = (
    "Atelier vidéo : montage d'un court métrage",
    "Atelier son : prise de son et podcast",
    "Atelier d'illustration numérique",
)


REDEMARTS = SmallCoop(
    slug=SLUG,
    name="Redém'arts",
    people=PEOPLE,
    coordinator=COORDINATOR,
    details=DETAILS,
    kinds=KINDS,
    days={"workshop_day": Day(minutes=6 * 60, rate_cents=WORKSHOP_DAY_CENTS)},
    clients=CLIENTS,
    banks=BANKS,
    costs=(("rent", "Régie des Quartiers de Liège", "300,00"),),
)


async def _work(
    session: AsyncSession,
    coordinator: Actor,
    ids: dict[str, int],
    client_ids: list[int],
    months: list[dt.date],
    today: dt.date,
) -> None:
    """Two or three workshop days a month for each trainee (one day, left empty: the day
    rate), the trainers' hours beside them; validated in the past months, waiting now."""
    rng = random.Random(11)  # noqa: S311  (demo data, not security)
    to_validate: list[int] = []
    for first in months:
        current = first == today.replace(day=1)
        days = weekdays(first, today if current else None)
        if not days:
            continue
        workshops = sorted(rng.sample(days, k=min(1 if current else 3, len(days))))
        for index, day in enumerate(workshops):
            client = str(client_ids[(index + first.month) % len(client_ids)])
            note = WORKSHOPS[(index + first.month) % len(WORKSHOPS)]
            trainees = TRAINEES if index < 2 else rng.sample(TRAINEES, k=3)
            for email in trainees:
                actor = Actor(person_id=ids[email], cooperative_id=coordinator.cooperative_id)
                data = {"client_id": client, "date": day.isoformat(), "kind": "workshop_day"}
                work_id = await submit_work(session, actor, {**data, "note": note}, today)
                if not current:
                    to_validate.append(work_id)
            teacher = COORDINATOR if index % 2 else TRAINER
            actor = Actor(person_id=ids[teacher], cooperative_id=coordinator.cooperative_id)
            data = {
                "client_id": client,
                "date": day.isoformat(),
                "start_time": "09:30",
                "duration_minutes": "360",
                "kind": "training",
                "note": note,
            }
            work_id = await submit_work(session, actor, data, today)
            if not current:
                to_validate.append(work_id)
    await validate_prestations(session, coordinator, to_validate)


async def create_redemarts(session: AsyncSession, today: dt.date) -> list[DemoPerson]:
    """Found Redém'arts and fill it; returns its people."""
    return await create_small_coop(session, REDEMARTS, _work, today)
