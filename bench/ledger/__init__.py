"""Ledger benchmarks: CSV import, trial balance and account pages, each against a bare baseline.

    .venv/bin/python -m bench.ledger [--db sqlite|postgresql] [--rows N] [--lines N]

Every figure is a ratio against a baseline measured in the same run, on the same kind of fresh
database (see bench/README.md, "Ledger benchmarks"). Nothing is asserted about time: the run
exits 0 when every benchmark ran and its checks held (row counts, balances), 1 otherwise, 2
when it could not set up.

This package: the cooperative every database gets (here), the CSV import against a bare
INSERT (`csv_import`), the trial balance and account pages against bare SQL (`books`), the
runner and its table (`__main__`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bench.cooperative import CLIENTS
from governance.base.db import make_sessionmaker
from governance.ledger.work import clients as work_clients
from governance.members import Role
from governance.members import service as members
from governance.members.access import Actor

PASSWORD = "bench-ledger-password-2026"


COOP_SLUG = "benchcoop"


COORDINATOR = ("coord@bench.example", "Carla Coordinator")


MEMBERS = [(f"member{i}@bench.example", f"Member {i}") for i in range(1, 7)]


CSV_HEADER = (
    "date;membre;client;debut;duree_minutes;tarif;montant_fixe;deplacement;type;langues;note"
)


LANGS = ["ps fa", "ar", "prs", "so", "ti", "fa"]


INSERT_BATCH = 5_000


LINE_BATCH = 10_000


PAGE = 50


GOALS = {"csv_import": 0.2, "trial_balance": 3.0, "account_page": 2.0}


@dataclass
class World:
    cooperative_id: int
    coordinator_id: int
    member_ids: dict[str, int]  # email -> person id
    client_ids: dict[str, int]  # name -> client id


async def build_world(engine: AsyncEngine) -> World:
    """A demo cooperative through the services: a coordinator, cooperators, clients."""
    sessions = make_sessionmaker(engine)
    async with sessions() as session:
        coop = await members.create_cooperative(session, slug=COOP_SLUG, name="Bench coop")
    assert coop.id is not None
    people: dict[str, int] = {}
    for (email, name), role in [(COORDINATOR, Role.COORDINATOR)] + [
        (m, Role.COOPERATOR) for m in MEMBERS
    ]:
        async with sessions() as session:
            person = await members.add_person_to_cooperative(
                session, slug=COOP_SLUG, email=email, name=name, password=PASSWORD, role=role
            )
        assert person.id is not None
        people[email] = person.id
    actor = Actor(person_id=people[COORDINATOR[0]], cooperative_id=coop.id)
    clients: dict[str, int] = {}
    for name, kind, rate in CLIENTS:
        async with sessions() as session:
            client = await work_clients.create_client(
                session, actor, name=name, kind=kind, default_rate_cents=rate
            )
        assert client.id is not None
        clients[name] = client.id
    return World(coop.id, people[COORDINATOR[0]], people, clients)
