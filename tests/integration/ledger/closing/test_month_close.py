"""The month close through the ledger: review, contests, the close, statements against books."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, func, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from governance.audit.checkpoints.checkpoints import verify_checkpoints
from governance.audit.models import Checkpoint
from governance.audit.service import verify_chain
from governance.base import db
from governance.base.errors import Conflict, Invalid, NotFound, PermissionDenied
from governance.base.i18n import language
from governance.base.settings import Settings
from governance.ledger.books.kinds import ClientKind
from governance.ledger.books.models import Account, JournalEntry, LedgerLine, Period
from governance.ledger.closing import closing, contests
from governance.ledger.closing.models import PeriodClose, Statement
from governance.ledger.closing.period_views import distribution_view, member_share
from governance.ledger.costs import costs
from governance.ledger.sharing.figures import counted_lines
from governance.ledger.work import prestations
from governance.ledger.work.clients import create_client
from governance.ledger.work.statuses import ContestStatus
from tests.closing_support import TODAY, everyone_read
from tests.closing_support import record_work as _work


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The refusals are matched on their English text."""
    with language("en"):
        yield


def review(run: Any, world: Any, who: str = "carla", month: str = "2026-10") -> Any:
    return run(lambda s: closing.start_review(s, world.actor(who), month, today=TODAY))


def finalize(run: Any, world: Any, who: str = "carla", month: str = "2026-10") -> Any:
    """The close, every member concerned having read their draft (not waiting for the minimum
    review time: tests/integration/ledger/closing/test_review_window.py)."""
    run(lambda s: everyone_read(s, world.alpha, month))
    return run(lambda s: closing.finalize(s, world.actor(who), month))


async def balances(session: Any, cooperative_id: int) -> dict[str, int]:
    rows = await session.exec(
        select(Account.code, func.sum(LedgerLine.amount))
        .join(Account, col(Account.id) == LedgerLine.account_id)
        .where(LedgerLine.cooperative_id == cooperative_id)
        .group_by(Account.code)
    )
    return {code: int(total) for code, total in rows.all()}


def test_the_golden_example_is_closed_to_the_cent(
    run: Any, world: Any, october: dict[str, int]
) -> None:
    review(run, world)
    closed = finalize(run, world)
    ids = world.ids

    async def read(session: Any) -> Any:
        statements = (await session.exec(select(Statement))).all()
        return await balances(session, world.alpha), {s.member_id: s for s in statements}

    books, statements = run(read)
    assert books["fund:reserve"] == -11600
    assert books["fund:training"] == -5800
    assert books[f"payable:{ids['omar']}"] == -56656
    assert books[f"payable:{ids['wen']}"] == -31615
    assert books[f"payable:{ids['carla']}"] == -10330
    assert books["revenue"] == 0 and books["expense:rent"] == 0
    assert {m: s.share_cents for m, s in statements.items()} == {
        ids["omar"]: 56656,
        ids["wen"]: 31615,
        ids["carla"]: 10330,
    }
    # Every statement equals the ledger: its share is the close entry's line on its payable.
    for member_id, statement in statements.items():
        assert -books[f"payable:{member_id}"] == statement.share_cents
        share = member_share(closed.distribution, member_id)
        assert share is not None and share["cents"] == statement.share_cents
    assert closed.distribution["distributable_cents"] == 116001
    assert closed.entry_id is not None


def test_the_close_signs_a_checkpoint_that_verifies(
    run: Any, world: Any, october: dict[str, int]
) -> None:
    review(run, world)
    closed = finalize(run, world)

    async def read(session: Any) -> Any:
        async with session.begin():
            checkpoint = await session.get(Checkpoint, closed.checkpoint_id)
            problems = await verify_checkpoints(session, world.alpha)
            chain = await verify_chain(session, world.alpha)
            return checkpoint, problems, chain

    checkpoint, problems, chain = run(read)
    assert checkpoint.month == "2026-10" and problems == []
    assert chain.problem is None


def test_the_review_freezes_the_month(run: Any, world: Any, october: dict[str, int]) -> None:
    review(run, world)

    async def late(session: Any) -> Any:
        return await costs.record_cost(
            session,
            world.actor("carla"),
            {"date": "2026-10-16", "category": "rent", "supplier": "Lux", "amount": "1"},
            language="fr",
            today=TODAY,
        )

    with pytest.raises(Invalid) as caught:
        run(late)
    assert "2026-10" in caught.value.message


def test_only_coordinators_close(run: Any, world: Any, october: dict[str, int]) -> None:
    for who in ("omar", "wen", "olga"):
        with pytest.raises(PermissionDenied):
            review(run, world, who)
    review(run, world)
    with pytest.raises(PermissionDenied):
        finalize(run, world, "omar")
    with pytest.raises(PermissionDenied):  # a coordinator of another cooperative
        run(lambda s: closing.finalize(s, world.actor("bea"), "2026-10"))


def test_review_refusals(run: Any, world: Any, october: dict[str, int]) -> None:
    with pytest.raises(Invalid, match="not over"):
        run(lambda s: closing.start_review(s, world.actor("carla"), "2026-11", today=TODAY))
    with pytest.raises(Conflict, match="review"):
        finalize(run, world)
    with pytest.raises(NotFound):
        review(run, world, month="2026-13")
    review(run, world)
    with pytest.raises(Conflict):
        review(run, world)


def test_submitted_work_of_the_month_is_listed_and_stops_the_review(
    run: Any, world: Any, october: dict[str, int]
) -> None:
    async def waiting(session: Any) -> int:
        client = await create_client(
            session, world.actor("carla"), name="CPAS", kind=ClientKind.OTHER
        )
        prestation, _ = await prestations.record_prestation(
            session,
            world.actor("omar"),
            {
                "client_id": str(client.id),
                "date": "2026-10-30",
                "fixed_amount": "10",
                "kind": "on_site",
            },
            language="fr",
            today=TODAY,
            submit=True,
        )
        assert prestation.id is not None
        return prestation.id

    pid = run(waiting)
    with pytest.raises(Invalid) as caught:
        review(run, world)
    assert f"#{pid}" in caught.value.message

    async def state(session: Any) -> str:
        period = (await session.exec(select(Period).where(Period.month == "2026-10"))).one()
        return str(period.state)

    assert run(state) == "open"


def test_a_contest_blocks_the_close_until_resolved_by_a_correction(
    run: Any, world: Any, october: dict[str, int]
) -> None:
    review(run, world)
    contest = run(
        lambda s: contests.contest_line(
            s,
            world.actor("wen"),
            "2026-10",
            {"prestation_id": str(october["wen"]), "comment": "It was 450 €, not 400 €."},
        )
    )
    # Another member's line, or a second contest of the same line, is refused.
    with pytest.raises(NotFound):
        run(
            lambda s: contests.contest_line(
                s,
                world.actor("omar"),
                "2026-10",
                {"prestation_id": str(october["wen"]), "comment": "x"},
            )
        )
    with pytest.raises(Conflict):
        run(
            lambda s: contests.contest_line(
                s,
                world.actor("wen"),
                "2026-10",
                {"prestation_id": str(october["wen"]), "comment": "y"},
            )
        )
    with pytest.raises(Invalid, match="contest"):
        finalize(run, world)
    with pytest.raises(PermissionDenied):
        run(lambda s: contests.keep_line(s, world.actor("omar"), contest.id, {"reason": "no"}))
    resolved = run(
        lambda s: contests.correct_line(
            s,
            world.actor("carla"),
            contest.id,
            {"amount": "450", "reason": "The hospital confirmed 450 €."},
            language="fr",
        )
    )
    assert resolved.status == ContestStatus.CORRECTED
    closed = finalize(run, world)
    assert closed.distribution["distributable_cents"] == 116001 + 5000

    async def read(session: Any) -> Any:
        statement = (
            await session.exec(select(Statement).where(Statement.member_id == world.ids["wen"]))
        ).one()
        return statement, await balances(session, world.alpha)

    statement, books = run(read)
    assert statement.revenue_cents == 45000
    assert -books[f"payable:{world.ids['wen']}"] == statement.share_cents
    lines = run(lambda s: counted_lines(s, world.alpha, "2026-10", world.ids["wen"]))
    amounts = [line["amount_cents"] for line in lines]
    assert sorted(amounts) == [-40000, 40000, 45000]


def test_a_line_kept_with_a_reason(run: Any, world: Any, october: dict[str, int]) -> None:
    review(run, world)
    contest = run(
        lambda s: contests.contest_line(
            s, world.actor("omar"), "2026-10", {"comment": "My share looks low."}
        )
    )
    with pytest.raises(Conflict):
        run(
            lambda s: contests.correct_line(
                s, world.actor("carla"), contest.id, {"amount": "1", "reason": "r"}, language="fr"
            )
        )
    with pytest.raises(Invalid):
        run(lambda s: contests.keep_line(s, world.actor("carla"), contest.id, {"reason": " "}))
    kept = run(
        lambda s: contests.keep_line(
            s, world.actor("carla"), contest.id, {"reason": "The rule adopted in March."}
        )
    )
    assert kept.status == ContestStatus.KEPT
    finalize(run, world)
    with pytest.raises(Conflict, match="already closed"):
        finalize(run, world)


def test_two_closes_at_once_give_one_close_and_one_refusal(
    settings: Settings, run: Any, world: Any, october: dict[str, int]
) -> None:
    review(run, world)
    run(lambda s: everyone_read(s, world.alpha))

    async def scenario() -> list[Any]:
        engine = db.make_engine(settings.database_url)
        maker = db.make_sessionmaker(engine)

        async def one() -> Any:
            async with maker() as session:
                try:
                    return await closing.finalize(session, world.actor("carla"), "2026-10")
                except Conflict as error:
                    return error

        try:
            return list(await asyncio.gather(one(), one()))
        finally:
            await engine.dispose()

    results = asyncio.run(scenario())
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "PeriodClose"]

    async def count(session: Any) -> tuple[int, int]:
        closes = len((await session.exec(select(PeriodClose))).all())
        entries = len(
            (await session.exec(select(JournalEntry).where(JournalEntry.kind == "close"))).all()
        )
        return closes, entries

    assert run(count) == (1, 1)


def test_late_work_after_the_close_is_an_adjustment_of_november(
    run: Any, world: Any, october: dict[str, int]
) -> None:
    review(run, world)
    finalize(run, world)

    async def late(session: Any) -> Any:
        client = await create_client(
            session, world.actor("carla"), name="Fedasil", kind=ClientKind.OTHER
        )
        pid = await _work(session, world, "omar", client.id, "2026-10-31", "50")
        figures = await closing.draft(session, world.alpha, "2026-11")
        return pid, figures

    _pid, november = run(late)
    omar = next(m for m in november.figures.members if m.member_id == world.ids["omar"])
    assert omar.revenue_cents == 5000


def test_the_work_list_marks_late_work_as_an_adjustment(
    run: Any, world: Any, october: dict[str, int], visitor: Any
) -> None:
    review(run, world)
    finalize(run, world)

    async def late(session: Any) -> int:
        client = await create_client(
            session, world.actor("carla"), name="Fedasil", kind=ClientKind.OTHER
        )
        return await _work(session, world, "omar", client.id, "2026-10-31", "50")

    pid = run(late)
    visitor.login("omar")
    page = visitor.get("/c/alpha/work/?month=2026-10")
    assert page.status_code == 200
    # The row names the month that counts the late work, in words (French by default).
    row = page.text.split(f'id="prestation-{pid}"')[1].split("</tr>")[0]
    assert "novembre 2026" in row
    other = page.text.split(f'id="prestation-{october["omar"]}"')[1].split("</tr>")[0]
    assert "novembre 2026" not in other


def test_the_explanation_of_each_share_adds_up_to_the_share(
    run: Any, world: Any, october: dict[str, int]
) -> None:
    result = run(lambda s: closing.draft(s, world.alpha, "2026-10"))
    data = closing.distribution_data(result.rule, result.figures, result.distribution)
    view = distribution_view(data, {})
    for share in view.members:
        assert sum(k.cents for k in share.keys) + share.rounding == share.cents


def test_work_dated_before_the_last_close_in_a_month_never_opened_is_an_adjustment(
    run: Any, world: Any, october: dict[str, int]
) -> None:
    review(run, world)
    finalize(run, world)

    async def late(session: Any) -> Any:
        client = await create_client(
            session, world.actor("carla"), name="Fedasil", kind=ClientKind.OTHER
        )
        await _work(session, world, "omar", client.id, "2026-08-03", "20")
        async with session.begin():
            return dict((await session.exec(select(Period.month, Period.state))).all())

    periods = run(late)
    assert "2026-08" not in periods  # no past month opened anew
    november = run(lambda s: closing.draft(s, world.alpha, "2026-11"))
    omar = next(m for m in november.figures.members if m.member_id == world.ids["omar"])
    assert omar.revenue_cents == 2000


@pytest.mark.parametrize("month", ["0000-10", "2026-10\n", "٢٠٢٦-10", "2026-1", "2026-10x"])
def test_a_malformed_month_is_not_found(run: Any, world: Any, month: str) -> None:
    with pytest.raises(NotFound):
        review(run, world, month=month)
    with pytest.raises(NotFound):
        run(lambda s: contests.contest_line(s, world.actor("omar"), month, {"comment": "x"}))


def test_the_close_keeps_its_distributable_amount_in_a_column(
    run: Any, world: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """period_close.distributable_cents is the distribution's, written at the close and
    filled by migration 0022 for the closes made before it."""
    from alembic import command

    from tests.closing_support import closed_october

    async def close(session: Any) -> None:
        await closed_october(session, world)

    async def stored(session: Any) -> list[tuple[int, int]]:
        async with session.begin():
            rows = (await session.exec(select(PeriodClose))).all()
            return [
                (row.distributable_cents, row.distribution["distributable_cents"]) for row in rows
            ]

    run(close)
    kept = run(stored)
    assert kept == [(116001, 116001)]  # DESIGN's golden example: 1 160,01 € to share
    config = db.alembic_config(settings.database_url)
    command.downgrade(config, "0021")
    command.upgrade(config, "head")
    assert run(stored) == kept
    # The fill dropped and made again the table's append-only triggers.
    engine = create_engine(db.sync_url(settings.database_url))
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("UPDATE period_close SET distributable_cents = 0"))
    engine.dispose()
