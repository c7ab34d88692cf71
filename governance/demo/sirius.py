"""The demo's digital cooperative Sirius: developers paid by the project day (a day rate) or by
the job (a fixed price), for their own clients, sharing revenue pro rata. Two months closed
and paid, the last full one validated and ready to close, this month's work waiting."""

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

SLUG = "sirius"
DAY_RATE_CENTS = 56_000  # 560,00 € a project day of 8 hours
KINDS = ["project_day", "fixed_price", "training", "other"]

PEOPLE = (
    # Chloé, an interpreter of Univerbal, coordinates Sirius too: switching can be tried.
    DemoPerson(
        "chloe@univerbal.example", "Chloé Lambert", Role.COORDINATOR, "fr", ("ar", "fr", "nl")
    ),
    DemoPerson(
        "youssef@sirius.example", "Youssef Amrani", Role.COOPERATOR, "fr", ("fr", "ar"), SLUG
    ),
    DemoPerson(
        "lotte@sirius.example", "Lotte Janssens", Role.COOPERATOR, "nl", ("nl", "fr", "en"), SLUG
    ),
    DemoPerson("ines@sirius.example", "Inès Moreau", Role.COOPERATOR, "fr", ("fr", "en"), SLUG),
    DemoPerson("samir@sirius.example", "Samir Belkacem", Role.WORKER, "fr", ("fr", "ar"), SLUG),
)

DETAILS = {
    "legal_name": "Sirius, société coopérative",
    "address": "Quai de la Batte 10\n4000 Liège",
    "enterprise_number": "BE 0999.418.714",
    "iban": "BE13 1604 1008 7339",
    "bic": "SIRIBEB1",
    "email": "bonjour@sirius.example",
    "phone": "",
    # Web development for businesses: subject to VAT at the standard rate.
    "vat_status": "subject",
    "vat_rate": "21",
}

BANKS = {
    "youssef@sirius.example": Bank("BE16160500000174", "YOUSSEF AMRANI"),
    "lotte@sirius.example": Bank("BE45160500137489", "LOTTE JANSSENS"),
    "ines@sirius.example": Bank("BE74160500274707", "INES MOREAU"),
    "samir@sirius.example": Bank("BE06160500412022", "SAMIR BELKACEM"),
}

# Name, kind, address, usual hourly rate (for the odd hour of support outside a project day).
CLIENTS = (
    ("Les Grignoux", ClientKind.COMPANY, "Rue Soeurs de Hasque 9, 4000 Liège", 7000),
    ("Ligue des familles", ClientKind.OTHER, "Avenue Émile de Béco 109, 1050 Ixelles", 7000),
    ("Atelier Meuse SPRL", ClientKind.COMPANY, "Quai Mativa 26, 4020 Liège", 7500),
)

# Fixed-price jobs: what is delivered, its price.
JOBS = (
    ("Site de la programmation, mise en ligne", "1 850,00"),
    ("Formulaire d'inscription accessible", "640,00"),
    ("Audit d'accessibilité (RGAA)", "1 200,00"),
    ("Migration du serveur", "480,00"),
)


SIRIUS = SmallCoop(
    slug=SLUG,
    name="Sirius",
    people=PEOPLE,
    coordinator=PEOPLE[0].email,
    details=DETAILS,
    kinds=KINDS,
    days={"project_day": Day(minutes=8 * 60, rate_cents=DAY_RATE_CENTS)},
    clients=CLIENTS,
    banks=BANKS,
    costs=(("rent", "Coworking La Cité", "380,00"), ("accounting", "Fiduciaire Meuse", "120,00")),
)


async def _work(
    session: AsyncSession,
    coordinator: Actor,
    ids: dict[str, int],
    client_ids: list[int],
    months: list[dt.date],
    today: dt.date,
) -> None:
    """Each developer's project days (some half days) and a fixed-price job now and then;
    validated in the past months, waiting in this one."""
    rng = random.Random(7)  # noqa: S311  (demo data, not security)
    developers = [p.email for p in PEOPLE[1:]]
    to_validate: list[int] = []
    for first in months:
        current = first == today.replace(day=1)
        days = weekdays(first, today if current else None)
        for number, email in enumerate(developers):
            actor = Actor(person_id=ids[email], cooperative_id=coordinator.cooperative_id)
            count = 2 if current else rng.randint(3, 4)
            for index, day in enumerate(sorted(rng.sample(days, k=min(count, len(days))))):
                data = {
                    "client_id": str(client_ids[(number + index) % len(client_ids)]),
                    "date": day.isoformat(),
                    "kind": "project_day",
                    "days": rng.choice(["1", "1", "1", "0,5"]),
                }
                if index == 1 and (number + first.month) % 2 == 0:
                    job, price = JOBS[(number + first.month) % len(JOBS)]
                    data = {**data, "kind": "fixed_price", "fixed_amount": price, "note": job}
                work_id = await submit_work(session, actor, data, today)
                if not current:
                    to_validate.append(work_id)
    await validate_prestations(session, coordinator, to_validate)


async def create_sirius(session: AsyncSession, today: dt.date) -> list[DemoPerson]:
    """Found Sirius and fill it; returns its people (its coordinator is also Univerbal's)."""
    return await create_small_coop(session, SIRIUS, _work, today)
