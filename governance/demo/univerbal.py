"""The demo cooperative Univerbal: a coordinator, ten interpreters and their clients."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.base import clock, db
from governance.demo.bank_statements import import_month
from governance.demo.common import DEMO_PASSWORD as DEMO_PASSWORD
from governance.demo.common import (
    Bank,
    DemoPerson,
    add_people,
    close_months,
    cooperative_id,
    coordinator_of,
    create_clients,
    monthly_costs,
    pay_invoice,
    pay_members,
    set_banks,
    submit_work,
)
from governance.demo.redemarts import create_redemarts
from governance.demo.sirius import SIRIUS, create_sirius
from governance.demo.votes import create_demo_votes
from governance.language.months import Month
from governance.ledger.billing.invoices import issue_invoice
from governance.ledger.books.journal import month_of
from governance.ledger.books.kinds import ClientKind
from governance.ledger.books.models import Period
from governance.ledger.sharing.new_cooperative import found_cooperative
from governance.ledger.work.prestations import (
    record_prestation,
    reject_prestation,
    validate_prestations,
)
from governance.members import Role, details
from governance.members.access import Actor

DEMO_SLUG = "univerbal"


PEOPLE = (
    DemoPerson(
        "coordination@univerbal.example",
        "Mariam Diallo",
        Role.COORDINATOR,
        "fr",
        ("fr", "ff", "wo"),
    ),
    DemoPerson(
        "amina@univerbal.example", "Amina Yusufzai", Role.COOPERATOR, "fr", ("ps", "fa", "fr")
    ),
    DemoPerson(
        "bashir@univerbal.example", "Bashir Rahimi", Role.COOPERATOR, "ar", ("fa", "prs", "fr")
    ),
    DemoPerson(
        "chloe@univerbal.example", "Chloé Lambert", Role.COOPERATOR, "fr", ("ar", "fr", "nl")
    ),
    DemoPerson("dilan@univerbal.example", "Dilan Şahin", Role.COOPERATOR, "fr", ("ku", "tr", "fr")),
    DemoPerson(
        "hodan@univerbal.example", "Hodan Warsame", Role.COOPERATOR, "en", ("so", "en", "fr")
    ),
    DemoPerson("khaled@univerbal.example", "خالد المصري", Role.COOPERATOR, "ar", ("ar", "fr")),
    DemoPerson(
        "nadia@univerbal.example", "Nadia Benali", Role.COOPERATOR, "fr", ("ar", "ber", "fr")
    ),
    DemoPerson("tigist@univerbal.example", "Tigist Alemu", Role.WORKER, "en", ("am", "ti", "en")),
    DemoPerson(
        "oleksandr@univerbal.example", "Олександр Коваль", Role.WORKER, "nl", ("uk", "ru", "nl")
    ),
    DemoPerson("jeanne@univerbal.example", "Jeanne Dubois", Role.OBSERVER, "fr", ("fr",)),
)

# Fictitious details with valid check digits. The enterprise numbers are in the 0999 range,
# chosen as unlikely to be issued; the IBANs use bank code 160, which no bank has in the
# National Bank's list (January 2026): nobody can pay real money into them.
COOP_DETAILS = {
    DEMO_SLUG: {
        "legal_name": "Univerbal SC",
        "address": "Rue Saint-Gilles 58\n4000 Liège",
        "enterprise_number": "BE 0999.412.378",
        "iban": "BE71 1604 1001 2769",
        "bic": "UNIVBEB1",
        "email": "coordination@univerbal.example",
        "phone": "+32 4 221 00 58",
        # Interpreting for hospitals and social services: exempt from VAT (art. 44).
        "vat_status": "exempt",
        "vat_mention": "art44",
    },
}

# Members' accounts, same fictitious bank code, with the holder's name as the bank writes it
# (SEPA's Latin letters: Khaled writes his own); Oleksandr has not given his yet (the payout
# page lists him, unpaid).
MEMBER_IBANS = {
    "coordination@univerbal.example": ("BE90160420000032", "Mariam Diallo"),
    "amina@univerbal.example": ("BE38160420013772", "Amina Yusufzai"),
    "bashir@univerbal.example": ("BE83160420027415", "Bashir Rahimi"),
    "chloe@univerbal.example": ("BE31160420041155", "Chloe Lambert"),
    "dilan@univerbal.example": ("BE76160420054895", "Dilan Sahin"),
    "hodan@univerbal.example": ("BE24160420068538", "Hodan Warsame"),
    "khaled@univerbal.example": ("BE69160420082278", "Khaled El Masri"),
    "nadia@univerbal.example": ("BE17160420095921", "Nadia Benali"),
    "tigist@univerbal.example": ("BE62160420109661", "Tigist Alemu"),
}

CLIENTS = (
    ("CHU de Liège", ClientKind.HOSPITAL, "Avenue de l'Hôpital 1, 4000 Liège", 5500),
    ("CPAS de Liège", ClientKind.SOCIAL_SERVICES, "Place Saint-Jacques 13, 4000 Liège", 4800),
    ("CRIPEL", ClientKind.INTEGRATION_OFFICE, "Place Xavier Neujean 19, 4000 Liège", 4500),
)


async def reset_database(engine: AsyncEngine, url: str) -> None:
    """Empty the whole database (demo only): SQLite file removed, PostgreSQL schema dropped."""
    if db.is_sqlite(url):
        from pathlib import Path

        from sqlalchemy.engine import make_url

        await engine.dispose()
        database = make_url(url).database
        if database:
            for suffix in ("", "-wal", "-shm"):
                Path(database + suffix).unlink(missing_ok=True)  # noqa: ASYNC240  (CLI, once)
        return
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def _demo_work(
    session: AsyncSession, coop_id: int, coordinator_id: int, client_ids: list[int], today: dt.date
) -> None:
    """About ten weeks of sessions: validated before this month, mixed in this month."""
    rng = random.Random(2026)  # noqa: S311  (demo data, not security)
    emails = [p.email for p in PEOPLE if p.role in (Role.COOPERATOR, Role.WORKER)]
    async with session.begin():
        query = select(Person).where(col(Person.email).in_(emails)).order_by(col(Person.id))
        workers = list((await session.exec(query)).all())
    coordinator = Actor(person_id=coordinator_id, cooperative_id=coop_id)
    to_validate: list[int] = []
    start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    day = start - dt.timedelta(days=31)
    while day <= today:
        if day.weekday() < 5:
            for person in rng.sample(workers, k=rng.randint(0, 3)):
                assert person.id is not None
                actor = Actor(person_id=person.id, cooperative_id=coop_id)
                data = {
                    "client_id": str(rng.choice(client_ids)),
                    "date": day.isoformat(),
                    "start_time": f"{rng.randint(8, 16):02d}:{rng.choice(['00', '30'])}",
                    "duration_minutes": str(rng.choice([45, 60, 90, 120, 180])),
                    "kind": rng.choice(["on_site", "on_site", "phone", "video"]),
                    "languages": ",".join(person.languages[:2]),
                    "travel": rng.choice(["0", "0", "8,40", "12,60"]),
                }
                recent = day >= today.replace(day=1)
                prestation, _ = await record_prestation(
                    session,
                    actor,
                    data,
                    language="fr",
                    today=today,
                    submit=not recent or rng.random() < 0.7,
                )
                assert prestation.id is not None
                if prestation.status == "submitted" and (not recent or rng.random() < 0.4):
                    to_validate.append(prestation.id)
        day += dt.timedelta(days=1)
    rejected = to_validate.pop(len(to_validate) // 2)
    await reject_prestation(
        session, coordinator, rejected, {"reason": "Cette séance a été annulée par l'hôpital."}
    )
    await validate_prestations(session, coordinator, to_validate)
    await _demo_money(session, coordinator, client_ids, today)


async def _demo_money(
    session: AsyncSession, coordinator: Actor, client_ids: list[int], today: dt.date
) -> None:
    """Last month invoiced; one client paid, one paid part, one is late. Monthly costs."""
    first_of_month = today.replace(day=1)
    last_month = (first_of_month - dt.timedelta(days=1)).replace(day=1)
    month_before = (last_month - dt.timedelta(days=1)).replace(day=1)
    issued = []
    for month in (month_before, last_month):
        for client_id in client_ids:
            invoice = await issue_invoice(
                session,
                coordinator,
                client_id,
                str(Month.of(month)),
                min(today, month + dt.timedelta(days=35)),
            )
            issued.append(invoice)
    # The older month is settled except the CRIPEL's, which is late; the last month half paid.
    for invoice in issued:
        late = invoice.client_id == client_ids[-1]
        if invoice.month == str(Month.of(month_before)) and not late:
            amount = invoice.total_cents
        elif invoice.client_id == client_ids[0] and invoice.issued_on < today:
            amount = invoice.total_cents // 2
        else:
            continue
        await pay_invoice(session, coordinator, invoice, amount, today)
    await monthly_costs(
        session,
        coordinator,
        (month_before, last_month, first_of_month),
        (
            ("rent", "Régie des Quartiers de Liège", "450,00"),
            ("insurance", "Ethias", "62,40"),
            ("accounting", "Fiduciaire Meuse", "180,00"),
        ),
        today,
    )


async def _demo_closes(
    session: AsyncSession, coordinator: Actor, client_ids: list[int], today: dt.date
) -> None:
    """Close every month before the last full one, pay the members, record one late session.

    The last full month stays open, every prestation in it decided: ready to close.
    """
    last_full = month_of((today.replace(day=1) - dt.timedelta(days=1)).replace(day=1))
    async with session.begin():
        months = (
            await session.exec(
                select(Period.month)
                .where(Period.cooperative_id == coordinator.cooperative_id)
                .where(col(Period.month) < last_full)
                .order_by(col(Period.month))
            )
        ).all()
    await close_months(session, coordinator, months, today)
    await pay_members(session, coordinator, today)
    if months:
        # Work of a closed month recorded late: counted in the next open month, as adjustment.
        late_day = dt.date(int(months[-1][:4]), int(months[-1][5:7]), 28)
        late = {
            "client_id": str(client_ids[0]),
            "date": late_day.isoformat(),
            "start_time": "10:00",
            "duration_minutes": "60",
            "kind": "on_site",
            "note": "Séance oubliée, encodée après la clôture.",
        }
        late_id = await submit_work(session, coordinator, late, today)
        await validate_prestations(session, coordinator, [late_id])


async def create_demo(session: AsyncSession, today: dt.date | None = None) -> list[DemoPerson]:
    """Fill a migrated, empty database with the demo's three cooperatives, every step through
    the services: Univerbal's interpreters, Sirius's developers, Redém'arts's trainees."""
    await found_cooperative(
        session, slug=DEMO_SLUG, name="Univerbal", language="fr", rule_template="mixed_80_20"
    )
    ids = await add_people(session, DEMO_SLUG, PEOPLE)
    coop_id = await cooperative_id(session, DEMO_SLUG)
    coordinator_id = ids[PEOPLE[0].email]
    actor = Actor(person_id=coordinator_id, cooperative_id=coop_id)
    await details.update_details(session, actor, COOP_DETAILS[DEMO_SLUG])
    client_ids = await create_clients(session, actor, CLIENTS)
    await set_banks(
        session, ids, {email: Bank(iban, holder) for email, (iban, holder) in MEMBER_IBANS.items()}
    )
    day = today or clock.today()
    await _demo_work(session, coop_id, coordinator_id, client_ids, day)
    await _demo_closes(session, actor, client_ids, day)
    await create_demo_votes(session, actor, [p.email for p in PEOPLE], day)
    await import_month(session, actor, day, "camt")
    sirius = await create_sirius(session, day)
    await import_month(session, await coordinator_of(session, SIRIUS), day, "coda")
    redemarts = await create_redemarts(session, day)
    return list(PEOPLE) + sirius[1:] + redemarts
