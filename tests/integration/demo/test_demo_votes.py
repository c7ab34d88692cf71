"""The demo's votes: three closed (public, secret, ranked between two rules) and one open rule
proposal; `governance votes verify` passes on every board it publishes and fails on a board
with one ballot altered."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlmodel import select

from governance.auth.models import Person
from governance.cli import main
from governance.demo.univerbal import DEMO_SLUG, create_demo
from governance.members.access import Actor
from governance.members.models import Cooperative
from governance.votes import reads
from governance.votes.models import Proposal

TODAY = dt.date(2026, 11, 27)


def _boards(run: Any) -> tuple[list[Proposal], list[dict[str, Any]]]:
    async def read(session: Any) -> Any:
        async with session.begin():
            coop = (
                await session.exec(select(Cooperative).where(Cooperative.slug == DEMO_SLUG))
            ).one()
            reader = (
                await session.exec(select(Person).where(Person.email == "jeanne@univerbal.example"))
            ).one()
            proposals = list((await session.exec(select(Proposal).order_by(Proposal.id))).all())
        actor = Actor(person_id=reader.id, cooperative_id=coop.id)
        boards = []
        for proposal in proposals:
            async with session.begin():
                board = await reads.board(session, actor, proposal.id)
            if board is not None:
                boards.append(board)
        return proposals, boards

    return run(read)


def test_the_demo_boards_verify_and_an_altered_ballot_fails(
    run: Any, tmp_path: Path, capsys: Any
) -> None:
    run(lambda s: create_demo(s, TODAY))
    proposals, boards = _boards(run)
    assert [(p.state, p.visibility, p.method) for p in proposals] == [
        ("closed", "public", "approval"),
        ("closed", "secret", "approval"),
        ("closed", "public", "ranked"),
        ("open", "public", "approval"),
    ]
    assert [p.kind for p in proposals][2:] == ["distribution_rule", "distribution_rule"]
    assert len(boards) == 3
    assert boards[2]["result"]["winner"] == "equal"
    for index, board in enumerate(boards):
        path = tmp_path / f"board-{index}.json"
        path.write_text(json.dumps(board, ensure_ascii=False), encoding="utf-8")
        assert main(["votes", "verify", str(path)]) == 0
    # One ballot changed: a "no" turned into a "yes" no longer gives the stated counts.
    altered = json.loads(json.dumps(boards[0]))
    first_no = next(b for b in altered["ballots"] if b["choice"] == "no")
    first_no["choice"] = "yes"
    path = tmp_path / "altered.json"
    path.write_text(json.dumps(altered), encoding="utf-8")
    capsys.readouterr()
    assert main(["votes", "verify", str(path)]) == 1
    assert "counts" in capsys.readouterr().out
    # The secret vote's board names nobody.
    assert all(set(b) == {"receipt", "choice"} for b in boards[1]["ballots"])
