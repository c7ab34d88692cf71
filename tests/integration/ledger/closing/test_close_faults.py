"""A close killed at any point, and two closes from two processes at once.

The close runs in a real `governance close-month` process. GOVERNANCE_FAULT kills it between
two writes of the close (governance.base.faults), or holds it there while a second process tries.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import pytest
from sqlmodel import select

from governance.audit.checkpoints.checkpoints import verify_checkpoints
from governance.audit.models import Checkpoint
from governance.audit.service import verify_chain
from governance.base.faults import FAULT_VARIABLE, KILLED_EXIT_CODE
from governance.base.settings import Settings
from governance.ledger.books.models import JournalEntry, Period
from governance.ledger.closing import closing
from governance.ledger.closing.closing import CUT_POINTS
from governance.ledger.closing.models import PeriodClose, Statement
from tests.closing_support import TODAY, everyone_read

COMMAND = [sys.executable, "-c", "from governance.cli import main; raise SystemExit(main())"]


def close_process(settings: Settings, fault: str | None = None) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = settings.database_url
    env["GOVERNANCE_SECRET_KEY"] = settings.secret_key
    env.pop(FAULT_VARIABLE, None)
    if fault:
        env[FAULT_VARIABLE] = fault
    return subprocess.Popen(
        [
            *COMMAND,
            "close-month",
            "--coop",
            "alpha",
            "--period",
            "2026-10",
            "--finalize",
            "--by",
            "carla@alpha.example",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def state(run: Any, coop: int = 1) -> dict[str, Any]:
    async def read(session: Any) -> dict[str, Any]:
        async with session.begin():
            period = (await session.exec(select(Period).where(Period.month == "2026-10"))).one()
            closes = (await session.exec(select(PeriodClose))).all()
            entries = (
                await session.exec(select(JournalEntry).where(JournalEntry.kind == "close"))
            ).all()
            statements = (await session.exec(select(Statement))).all()
            checkpoints = (await session.exec(select(Checkpoint))).all()
            chain = await verify_chain(session, coop)
            problems = await verify_checkpoints(session, coop)
        return {
            "state": period.state,
            "closes": len(closes),
            "entries": len(entries),
            "statements": len(statements),
            "checkpoints": len(checkpoints),
            "chain_ok": chain.problem is None,
            "checkpoints_ok": problems == [],
        }

    return run(read)  # type: ignore[no-any-return]


NOTHING_POSTED = {
    "state": "review",
    "closes": 0,
    "entries": 0,
    "statements": 0,
    "checkpoints": 0,
    "chain_ok": True,
    "checkpoints_ok": True,
}


@pytest.mark.usefixtures("october")
@pytest.mark.parametrize("point", CUT_POINTS)
def test_a_close_killed_at_any_point_leaves_nothing_posted(
    point: str, settings: Settings, run: Any, world: Any
) -> None:
    run(lambda s: closing.start_review(s, world.actor("carla"), "2026-10", today=TODAY))
    run(lambda s: everyone_read(s, world.alpha))
    killed = close_process(settings, point)
    _out, err = killed.communicate(timeout=120)
    assert killed.returncode == KILLED_EXIT_CODE, err
    assert state(run) == NOTHING_POSTED
    # The close can then be done again, whole.
    again = close_process(settings)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert "2026-10 closed" in out
    assert state(run) == {
        **NOTHING_POSTED,
        "state": "closed",
        "closes": 1,
        "entries": 1,
        "statements": 3,
        "checkpoints": 1,
    }


@pytest.mark.usefixtures("october")
def test_two_processes_closing_at_once_give_one_close_and_one_refusal(
    settings: Settings, run: Any, world: Any
) -> None:
    run(lambda s: closing.start_review(s, world.actor("carla"), "2026-10", today=TODAY))
    run(lambda s: everyone_read(s, world.alpha))
    # The first holds the cooperative's lock, its entry written, while the second starts.
    first = close_process(settings, "close.after_entry=sleep:2")
    time.sleep(0.5)
    second = close_process(settings)
    results = [p.communicate(timeout=120) for p in (first, second)]
    codes = sorted([first.returncode, second.returncode])
    assert codes == [0, 2], results
    refusal = next(
        err for p, (_o, err) in zip((first, second), results, strict=True) if p.returncode
    )
    assert "already closed" in refusal
    assert state(run)["closes"] == 1 and state(run)["entries"] == 1
