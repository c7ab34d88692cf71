"""Fixtures shared by several integration test modules: the worlds they build (clients, work,
ledgers, closed months) under one name each."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from governance.auth.models import Person
from governance.base import clock
from governance.ledger.books.journal import Posting
from governance.ledger.books.kinds import ClientKind
from governance.ledger.books.models import JournalEntry
from governance.ledger.books.posting import post, reverse
from governance.ledger.work import prestations
from governance.ledger.work.clients import create_client
from tests import books_support
from tests.billing_support import validated_work
from tests.closing_support import TODAY, build_october


@pytest.fixture
def ledger(run: Any, world: Any) -> dict[str, int]:
    """Two clients, four validated prestations over two months, one reversal, a payment, a
    cost and a fund allocation in alpha; one entry in beta that alpha must never see."""
    carla = world.actor("carla")

    async def build(session: Any) -> dict[str, int]:
        chu = await create_client(
            session, carla, name="CHU", kind=ClientKind.HOSPITAL, default_rate_cents=5500
        )
        cpas = await create_client(
            session, carla, name="=CPAS", kind=ClientKind.SOCIAL_SERVICES, default_rate_cents=4000
        )
        assert chu.id is not None and cpas.id is not None
        drafts = []
        for actor, client_id, day, extra in (
            (world.actor("omar"), chu.id, "2026-10-15", {"travel": "12,50"}),
            (world.actor("omar"), chu.id, "2026-11-20", {}),
            (carla, cpas.id, "2026-11-21", {"member_id": world.ids["wen"]}),
            (world.actor("omar"), cpas.id, "2026-11-22", {"note": "-note"}),
        ):
            prestation, _created = await prestations.record_prestation(
                session,
                actor,
                books_support.form(client_id, day, **extra),
                language="fr",
                today=books_support.TODAY,
            )
            await prestations.submit_prestation(session, actor, prestation.id)
            drafts.append(prestation.id)
        done = await prestations.validate_prestations(session, carla, drafts)
        wrong = next(p for p in done if p.client_id == cpas.id and p.member_id == world.ids["wen"])
        async with session.begin():
            entry = await session.get(JournalEntry, wrong.entry_id)
            reversal = await reverse(
                session,
                entry,
                day=dt.date(2026, 11, 25),
                memo=books_support.TRICKY_MEMO,
                author_id=world.ids["carla"],
            )
            for day, kind, memo, postings in (
                (
                    dt.date(2026, 11, 26),
                    "payment",
                    "CHU pays October",
                    [Posting("bank", 9500), Posting(f"receivable:{chu.id}", -9500)],
                ),
                (
                    dt.date(2026, 11, 26),
                    "cost",
                    "paper; ink",
                    [Posting("expense:office supplies; =x", 2399), Posting("bank", -2399)],
                ),
                (
                    dt.date(2026, 11, 27),
                    "allocation",
                    "",
                    [Posting("revenue", 1001), Posting("fund:réserve", -1001)],
                ),
            ):
                await post(
                    session,
                    cooperative_id=world.alpha,
                    day=day,
                    kind=kind,
                    memo=memo,
                    author_id=world.ids["carla"],
                    postings=postings,
                )
            await post(
                session,
                cooperative_id=world.beta,
                day=dt.date(2026, 11, 26),
                kind="payment",
                memo="beta only",
                author_id=world.ids["bea"],
                postings=[Posting("bank", 777), Posting("revenue", -777)],
            )
        assert entry is not None and reversal.id is not None
        return {"chu": chu.id, "cpas": cpas.id, "reversed": entry.id, "reversal": reversal.id}

    return run(build)


@pytest.fixture
def october(run: Any, world: Any) -> dict[str, int]:
    """DESIGN's golden example: Omar 800,00 €, Wen 400,00 €, Carla 60,01 €, a cost of 100 €."""
    return run(lambda session: build_october(session, world))  # type: ignore[no-any-return]


@pytest.fixture
def people(run: Any, world: Any, make_visitor: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Carla (coordinator), Wen and Omar, reading the pages in English; today is TODAY."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)

    async def english(session: Any) -> None:
        async with session.begin():
            for key in ("carla", "wen", "omar"):
                person = await session.get(Person, world.ids[key])
                person.language = "en"

    run(english)
    found = {}
    for key in ("carla", "wen", "omar"):
        found[key] = make_visitor()
        found[key].login(key)
    return found


# The CHU client: each variant once, under its own name. A test module picks one with
# `CHU_FIXTURE = "<name>"`; its tests then ask for `chu` (see tests/conftest.py).


async def _hospital(session: Any, world: Any, name: str, rate_cents: int) -> int:
    """A hospital client added by Carla (a coordinator) at an hourly rate: its id."""
    client = await create_client(
        session,
        world.actor("carla"),
        name=name,
        kind=ClientKind.HOSPITAL,
        default_rate_cents=rate_cents,
    )
    assert client.id is not None
    return client.id


@pytest.fixture
def chu_de_liege(run: Any, world: Any) -> int:
    """The client "CHU de Liège" (55,00 € an hour), no work yet: its id."""
    return run(lambda session: _hospital(session, world, "CHU de Liège", 5500))


@pytest.fixture
def chu_client(run: Any, world: Any) -> int:
    """The client "CHU" (55,00 € an hour), no work yet: its id."""
    return run(lambda session: _hospital(session, world, "CHU", 5500))


@pytest.fixture
def chu_with_work(run: Any, world: Any) -> int:
    """The client "CHU" (55,00 € an hour) with Omar's validated work of 5 and 19 October
    and 2 November 2026: its id."""

    async def action(session: Any) -> int:
        client_id = await _hospital(session, world, "CHU", 5500)
        await validated_work(session, world, client_id, "2026-10-05")
        await validated_work(session, world, client_id, "2026-10-19", minutes=90)
        await validated_work(session, world, client_id, "2026-11-02")
        return client_id

    return run(action)


@pytest.fixture
def chu_at_50_euros(run: Any, world: Any) -> int:
    """The client "CHU" at 50,00 € an hour, no work yet: its id."""
    return run(lambda session: _hospital(session, world, "CHU", 5000))
