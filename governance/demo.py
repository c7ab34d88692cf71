"""The demo cooperative Univerbal: a coordinator, ten interpreters and their clients."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance import db
from governance.ledger.models import ClientKind
from governance.ledger.service import create_client
from governance.members import service as members
from governance.members.access import Actor
from governance.members.models import Cooperative, Person, Role

DEMO_SLUG = "univerbal"
DEMO_PASSWORD = "univerbal-demo-2026"  # noqa: S105  (printed to the person running the demo)


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    role: Role
    language: str
    languages: tuple[str, ...]


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


async def create_demo(session: AsyncSession) -> list[DemoPerson]:
    """Fill a migrated, empty database with the demo; every step goes through the services."""
    await members.create_cooperative(session, slug=DEMO_SLUG, name="Univerbal", language="fr")
    for person in PEOPLE:
        await members.add_person_to_cooperative(
            session,
            slug=DEMO_SLUG,
            email=person.email,
            name=person.name,
            password=DEMO_PASSWORD,
            role=person.role,
            language=person.language,
        )
    async with session.begin():
        for person in PEOPLE:
            row = (await session.exec(select(Person).where(Person.email == person.email))).one()
            row.languages = list(person.languages)
            session.add(row)
        coordinator = (
            await session.exec(select(Person).where(Person.email == PEOPLE[0].email))
        ).one()
        coop = (await session.exec(select(Cooperative).where(Cooperative.slug == DEMO_SLUG))).one()
    assert coordinator.id is not None and coop.id is not None
    actor = Actor(person_id=coordinator.id, cooperative_id=coop.id)
    for name, kind, address, rate in CLIENTS:
        await create_client(
            session, actor, name=name, kind=kind, address=address, default_rate_cents=rate
        )
    # A second, smaller cooperative so that switching between cooperatives can be tried.
    await members.create_cooperative(session, slug="sirius", name="Sirius", language="fr")
    await members.add_person_to_cooperative(
        session,
        slug="sirius",
        email=PEOPLE[3].email,
        name=PEOPLE[3].name,
        password=DEMO_PASSWORD,
        role=Role.COORDINATOR,
    )
    return list(PEOPLE)
