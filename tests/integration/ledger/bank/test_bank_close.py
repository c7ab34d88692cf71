"""The month close and the bank: a month whose bank account the imported statements do not
reconcile up to its last day is flagged on its page; the cooperative's setting
`bank_reconciliation_blocks_close` makes it refuse to close."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from governance.base.errors import Invalid
from governance.base.i18n import language
from governance.ledger.bank.sample_files import camt053
from governance.ledger.books.bank_check import BLOCKS_CLOSE
from governance.ledger.closing import closing, periods
from governance.members.models import Cooperative
from tests.bank_support import bank_line, import_file, statement
from tests.closing_support import MONTH, TODAY, build_october, everyone_read
from tests.payouts_support import set_cooperative_bank


async def _setting(session: Any, cooperative_id: int, blocks: bool) -> None:
    async with session.begin():
        cooperative = await session.get(Cooperative, cooperative_id)
        cooperative.settings = {**cooperative.settings, BLOCKS_CLOSE: blocks}
        session.add(cooperative)


def _warning(run: Any, world: Any) -> str | None:
    with language("en"):
        view = run(lambda s: periods.review_page(s, world.actor("carla"), MONTH, today=TODAY))
    return view.bank_warning  # type: ignore[no-any-return]


def test_an_unreconciled_bank_warns_and_blocks_the_close_when_the_cooperative_says_so(
    run: Any, world: Any
) -> None:
    async def october(session: Any) -> None:
        await set_cooperative_bank(session, world.alpha)
        await build_october(session, world)
        await closing.start_review(session, world.actor("carla"), MONTH, today=TODAY)
        await everyone_read(session, world.alpha, MONTH)

    run(october)
    assert _warning(run, world) is None  # no statement imported: the bank is not used
    mid = dt.date(2026, 10, 15)
    import_file(
        run,
        world.actor("carla"),
        camt053(statement([bank_line(-1250, mid, text="Frais")], first=mid, last=mid)),
    )
    warning = _warning(run, world)
    assert warning is not None and "2026-10-15" in warning and "2026-10-31" in warning
    run(lambda s: _setting(s, world.alpha, True))
    with pytest.raises(Invalid) as refused:
        run(lambda s: closing.finalize(s, world.actor("carla"), MONTH))
    assert "2026-10-15" in refused.value.message
    # The next statement reaches the month's end: the fee still waits, then the books differ.
    end = dt.date(2026, 10, 31)
    import_file(
        run,
        world.actor("carla"),
        camt053(
            statement(
                [bank_line(500, end, text="?")], opening=-1250, number="2", first=end, last=end
            )
        ),
    )
    assert "bank lines" in (_warning(run, world) or "")
    run(lambda s: _setting(s, world.alpha, False))  # warned, not blocked
    closed = run(lambda s: closing.finalize(s, world.actor("carla"), MONTH))
    assert closed.month == MONTH


def test_a_coordinator_chooses_the_rule_on_the_bank_page(
    run: Any, world: Any, make_visitor: Any
) -> None:
    carla = make_visitor()
    carla.login("carla")
    assert 'value="warn" checked' in carla.get("/c/alpha/bank/").text
    saved = carla.post("/c/alpha/bank/close-rule", {"close_rule": "block"})
    assert saved.status_code in (302, 303)
    assert 'value="block" checked' in carla.get("/c/alpha/bank/").text

    async def rule(session: Any) -> Any:
        async with session.begin():
            return (await session.get(Cooperative, world.alpha)).settings.get(BLOCKS_CLOSE)

    assert run(rule) is True
    assert carla.post("/c/alpha/bank/close-rule", {"close_rule": "maybe"}).status_code == 400
    assert run(rule) is True
