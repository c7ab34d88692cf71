"""Prestations from record to validation, and the journal entries they post."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from governance.base import db
from governance.base.errors import Conflict, Invalid, PermissionDenied
from governance.base.settings import Settings
from governance.ledger.books.kinds import ClientKind
from governance.ledger.books.models import LedgerLine
from governance.ledger.work import prestations
from governance.ledger.work.clients import create_client
from governance.ledger.work.models import Prestation

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def client_ids(run: Any, world: Any) -> dict[str, int]:
    async def action(session: Any) -> dict[str, int]:
        chu = await create_client(
            session,
            world.actor("carla"),
            name="CHU",
            kind=ClientKind.HOSPITAL,
            default_rate_cents=5500,
        )
        other = await create_client(
            session,
            world.actor("bea", "beta"),
            name="Elsewhere",
            kind=ClientKind.COMPANY,
            default_rate_cents=1000,
        )
        return {"chu": chu.id, "beta": other.id}

    return run(action)


def form(client_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "client_id": str(client_id),
        "date": "2026-11-20",
        "duration_minutes": "90",
        "kind": "on_site",
        "languages": "ps, fa",
        **extra,
    }


def record(run: Any, actor: Any, data: dict[str, Any], **kwargs: Any) -> Any:
    async def action(session: Any) -> Any:
        return await prestations.record_prestation(
            session, actor, data, language="fr", today=TODAY, **kwargs
        )

    return run(action)


def test_duration_times_rate_is_rounded_once(run: Any, world: Any, client_ids: Any) -> None:
    prestation, created = record(run, world.actor("omar"), form(client_ids["chu"]))
    assert created
    assert prestation.amount_cents == 8250  # 1,5 h × 55,00 €
    assert prestation.status == "draft"
    assert prestation.languages == ["ps", "fa"]


def test_amounts_are_read_the_french_way(run: Any, world: Any, client_ids: Any) -> None:
    prestation, _ = record(
        run,
        world.actor("omar"),
        form(client_ids["chu"], rate="1.234,50", duration_minutes="60", travel="12,5"),
    )
    assert (prestation.amount_cents, prestation.travel_cents) == (123450, 1250)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("duration_minutes", "0"),
        ("duration_minutes", "-30"),
        ("duration_minutes", "abc"),
        ("rate", "2000000"),
        ("fixed_amount", "1000000,01"),
        ("date", "31/02/2026"),
        ("kind", "sleeping"),
        ("languages", "xx-nonsense"),
        ("travel", "-5"),
    ],
)
def test_bad_input_is_refused_and_names_the_field(
    run: Any, world: Any, client_ids: Any, field: str, value: str
) -> None:
    with pytest.raises(Invalid) as caught:
        record(run, world.actor("omar"), form(client_ids["chu"], **{field: value}))
    assert field in caught.value.fields


def test_a_client_of_another_cooperative_is_refused(run: Any, world: Any, client_ids: Any) -> None:
    with pytest.raises(Invalid) as caught:
        record(run, world.actor("omar"), form(client_ids["beta"], rate="50"))
    assert "client_id" in caught.value.fields


def test_a_member_cannot_record_for_someone_else(run: Any, world: Any, client_ids: Any) -> None:
    with pytest.raises(Invalid):
        record(run, world.actor("omar"), form(client_ids["chu"], member_id=world.ids["wen"]))
    prestation, _ = record(
        run, world.actor("carla"), form(client_ids["chu"], member_id=world.ids["wen"])
    )
    assert prestation.member_id == world.ids["wen"]


def test_an_observer_cannot_record(run: Any, world: Any, client_ids: Any) -> None:
    with pytest.raises(PermissionDenied):
        record(run, world.actor("olga"), form(client_ids["chu"]))


def test_late_work_of_a_closed_month_is_an_adjustment_of_the_next_open_one(
    run: Any, world: Any, client_ids: Any, settings: Settings
) -> None:
    record(run, world.actor("omar"), form(client_ids["chu"]))  # creates 2026-11, open
    engine = create_engine(db.sync_url(settings.database_url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE period SET state = 'closed' WHERE month = '2026-11'"))
    late, _created = record(
        run, world.actor("omar"), form(client_ids["chu"], date="2026-11-21"), submit=True
    )
    (validated,) = run(
        lambda s: prestations.validate_prestations(s, world.actor("carla"), [late.id])
    )
    with engine.begin() as connection:
        entry = connection.execute(
            text("SELECT date, period FROM journal_entry WHERE id = :id"),
            {"id": validated.entry_id},
        ).one()
    engine.dispose()
    # Its real date is kept; it is counted in December, the first open period after it.
    assert (str(entry.date), entry.period) == ("2026-11-21", "2026-12")


def test_a_date_in_a_period_under_review_is_refused_naming_it(
    run: Any, world: Any, client_ids: Any, settings: Settings
) -> None:
    record(run, world.actor("omar"), form(client_ids["chu"]))
    engine = create_engine(db.sync_url(settings.database_url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE period SET state = 'review' WHERE month = '2026-11'"))
    engine.dispose()
    with pytest.raises(Invalid) as caught:
        record(run, world.actor("omar"), form(client_ids["chu"], date="2026-11-21"))
    assert "2026-11" in caught.value.message


def test_a_date_too_far_ahead_is_refused(run: Any, world: Any, client_ids: Any) -> None:
    with pytest.raises(Invalid) as caught:
        record(run, world.actor("omar"), form(client_ids["chu"], date="2027-06-01"))
    assert "date" in caught.value.fields


def test_the_same_key_and_data_return_the_first_prestation(
    run: Any, world: Any, client_ids: Any
) -> None:
    first, created = record(
        run, world.actor("omar"), form(client_ids["chu"]), idempotency_key="key-0001-abcdef"
    )
    again, created_again = record(
        run, world.actor("omar"), form(client_ids["chu"]), idempotency_key="key-0001-abcdef"
    )
    assert created and not created_again
    assert again.id == first.id
    with pytest.raises(Conflict):
        record(
            run,
            world.actor("omar"),
            form(client_ids["chu"], duration_minutes="60"),
            idempotency_key="key-0001-abcdef",
        )


def test_validation_posts_receivable_and_revenue(run: Any, world: Any, client_ids: Any) -> None:
    draft, _ = record(run, world.actor("omar"), form(client_ids["chu"], travel="12,00"))

    async def flow(session: Any) -> Any:
        await prestations.submit_prestation(session, world.actor("omar"), draft.id)
        with pytest.raises(PermissionDenied):
            await prestations.validate_prestations(session, world.actor("omar"), [draft.id])
        done = await prestations.validate_prestations(session, world.actor("carla"), [draft.id])
        entry_id, status = done[0].entry_id, done[0].status
        with pytest.raises(Conflict):
            await prestations.validate_prestations(session, world.actor("carla"), [draft.id])
        async with session.begin():
            lines = (
                await session.exec(select(LedgerLine).where(LedgerLine.entry_id == entry_id))
            ).all()
        return status, lines

    status, lines = run(flow)
    assert status == "validated"
    assert sorted(line.amount for line in lines) == [-8250, -1200, 9450]
    assert sum(line.amount for line in lines) == 0


def test_a_rejected_prestation_keeps_its_reason(run: Any, world: Any, client_ids: Any) -> None:
    draft, _ = record(run, world.actor("omar"), form(client_ids["chu"]), submit=True)

    async def flow(session: Any) -> Any:
        with pytest.raises(Invalid):
            await prestations.reject_prestation(session, world.actor("carla"), draft.id, {})
        return await prestations.reject_prestation(
            session, world.actor("carla"), draft.id, {"reason": "Wrong client: it was the CPAS"}
        )

    rejected = run(flow)
    assert (rejected.status, rejected.rejection_reason) == (
        "rejected",
        "Wrong client: it was the CPAS",
    )


def test_journal_rows_cannot_be_updated_or_deleted(
    run: Any, world: Any, client_ids: Any, settings: Settings
) -> None:
    draft, _ = record(run, world.actor("omar"), form(client_ids["chu"]), submit=True)

    async def validate(session: Any) -> Any:
        return await prestations.validate_prestations(session, world.actor("carla"), [draft.id])

    run(validate)
    engine = create_engine(db.sync_url(settings.database_url))
    for statement in (
        "UPDATE ledger_line SET amount = amount + 1",
        "DELETE FROM ledger_line",
        "UPDATE journal_entry SET memo = 'changed'",
        "DELETE FROM journal_entry",
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    engine.dispose()


def test_fifty_concurrent_creations_with_one_key_give_one_prestation(
    settings: Settings, world: Any, client_ids: Any
) -> None:
    async def scenario() -> tuple[set[int], int]:
        engine = db.make_engine(settings.database_url)
        maker = db.make_sessionmaker(engine)

        async def one() -> int:
            async with maker() as session:
                prestation, _ = await prestations.record_prestation(
                    session,
                    world.actor("omar"),
                    form(client_ids["chu"]),
                    language="fr",
                    today=TODAY,
                    idempotency_key="same-key-for-all-50",
                )
                assert prestation.id is not None
                return prestation.id

        ids = set(await asyncio.gather(*(one() for _ in range(50))))
        async with maker() as session, session.begin():
            count = len((await session.exec(select(Prestation))).all())
        await engine.dispose()
        return ids, count

    ids, count = asyncio.run(scenario())
    assert len(ids) == 1
    assert count == 1


def test_two_coordinators_validating_at_once_post_one_entry(
    settings: Settings, run: Any, world: Any, client_ids: Any
) -> None:
    draft, _ = record(run, world.actor("omar"), form(client_ids["chu"]), submit=True)

    async def scenario() -> tuple[list[str], int]:
        engine = db.make_engine(settings.database_url)
        maker = db.make_sessionmaker(engine)

        async def one() -> str:
            async with maker() as session:
                try:
                    await prestations.validate_prestations(
                        session, world.actor("carla"), [draft.id]
                    )
                except Conflict:
                    return "refused"
                return "validated"

        outcomes = sorted(await asyncio.gather(*(one() for _ in range(6))))
        async with maker() as session, session.begin():
            lines = len((await session.exec(select(LedgerLine))).all())
        await engine.dispose()
        return outcomes, lines

    outcomes, lines = asyncio.run(scenario())
    assert outcomes == ["refused"] * 5 + ["validated"]
    assert lines == 2  # one entry: Dr receivable / Cr revenue
