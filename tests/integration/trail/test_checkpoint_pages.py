"""Witnesses: every member of a cooperative sees its checkpoints and downloads their heads, in
the format `governance audit verify --witness` takes; nobody else learns they exist."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from governance.audit.checkpoints import witness
from governance.audit.checkpoints.checkpoints import sign_head
from governance.audit.models import Checkpoint
from governance.base.settings import Settings
from governance.cli import main
from governance.ledger.closing import closing
from tests.audit_support import LATER
from tests.closing_support import build_october, everyone_read

MEMBERS = ("carla", "omar", "wen", "olga")


@pytest.fixture
def signed(run: Any, world: Any) -> list[Checkpoint]:
    """Two checkpoints of alpha (signed heads), one of beta."""

    async def action(session: Any) -> list[Checkpoint]:
        async with session.begin():
            first = await sign_head(session, world.alpha, "2026-10")
            other = await sign_head(session, world.beta, "2026-10")
        async with session.begin():
            from governance.audit.service import record

            await record(
                session,
                cooperative_id=world.alpha,
                actor_id=None,
                action="test.more",
                subject_type="test",
                subject_id=1,
            )
            second = await sign_head(session, world.alpha, "2026-11")
        assert other.cooperative_id == world.beta
        return [first, second]

    result: list[Checkpoint] = run(action)
    return result


@pytest.mark.parametrize("who", MEMBERS)
def test_every_member_reads_the_checkpoints_page(
    make_visitor: Any, world: Any, signed: list[Checkpoint], who: str
) -> None:
    visitor = make_visitor()
    visitor.login(who)
    page = visitor.get("/c/alpha/checkpoints")
    assert page.status_code == 200, page.text
    for checkpoint in signed:
        assert checkpoint.head_hash in page.text
        assert checkpoint.signature[:16] in page.text
        assert f">{checkpoint.seq}</td>" in page.text
    assert 'href="/c/alpha/checkpoints.json"' in page.text
    assert "governance audit verify --coop alpha --witness checkpoints-alpha.json" in page.text
    trail = visitor.get("/c/alpha/audit/")
    assert 'href="/c/alpha/checkpoints"' in trail.text


@pytest.mark.parametrize("who", MEMBERS)
def test_every_member_downloads_the_heads_as_a_witness(
    make_visitor: Any, world: Any, signed: list[Checkpoint], who: str
) -> None:
    visitor = make_visitor()
    visitor.login(who)
    response = visitor.get("/c/alpha/checkpoints.json")
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    body = response.json()
    assert [(item["number"], item["seq"], item["head"]) for item in body] == [
        (c.number, c.seq, c.head_hash) for c in signed
    ]
    assert body[1]["previous"] == body[0]["hash"]
    # Exactly what --witness reads.
    assert witness.parse(response.text) == [
        witness.SavedHead(seq=c.seq, head=c.head_hash) for c in signed
    ]


@pytest.mark.parametrize("path", ["/c/alpha/checkpoints", "/c/alpha/checkpoints.json"])
def test_no_one_outside_the_cooperative_learns_of_its_checkpoints(
    make_visitor: Any, world: Any, signed: list[Checkpoint], path: str
) -> None:
    outsider = make_visitor()
    outsider.login("bea@beta.example")
    response = outsider.get(path)
    assert response.status_code == 404
    assert signed[0].head_hash not in response.text
    anonymous = make_visitor().get(path)
    assert anonymous.status_code in (302, 303, 401)
    assert signed[0].head_hash not in anonymous.text


def test_a_cooperative_without_checkpoints_says_so(make_visitor: Any, world: Any) -> None:
    visitor = make_visitor()
    visitor.login("omar")
    assert visitor.get("/c/alpha/checkpoints.json").json() == []
    page = visitor.get("/c/alpha/checkpoints")
    assert page.status_code == 200
    assert '<p class="empty">' in page.text and "<table>" not in page.text


def test_the_command_printed_on_a_statement_checks_valid(
    settings: Settings,
    run: Any,
    world: Any,
    make_visitor: Any,
    capsys: Any,
) -> None:
    run(lambda session: build_october(session, world))
    run(lambda s: closing.start_review(s, world.actor("carla"), "2026-10", today=LATER))
    run(lambda s: everyone_read(s, world.alpha))
    closed = run(lambda s: closing.finalize(s, world.actor("carla"), "2026-10"))
    visitor = make_visitor()
    visitor.login("omar")
    page = visitor.get(f"/c/alpha/statements/2026-10/members/{world.ids['omar']}")
    assert page.status_code == 200, page.text
    start = page.text.index("governance audit check-statement")
    command = page.text[start : page.text.index("</code>", start)].split()
    assert "--previous" in command
    assert main(command[1:]) == 0
    assert capsys.readouterr().out.strip() == "valid"
    assert closed.checkpoint_id is not None


def test_a_witness_file_saved_from_the_page_passes_while_nothing_changed(
    settings: Settings,
    world: Any,
    signed: list[Checkpoint],
    make_visitor: Any,
    monkeypatch: Any,
    capsys: Any,
    tmp_path: Path,
) -> None:
    visitor = make_visitor()
    visitor.login("olga")
    path = tmp_path / "checkpoints-alpha.json"
    path.write_text(visitor.get("/c/alpha/checkpoints.json").text, encoding="utf-8")
    assert len(json.loads(path.read_text(encoding="utf-8"))) == 2
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("GOVERNANCE_SECRET_KEY", settings.secret_key)
    code = main(["audit", "verify", "--coop", "alpha", "--witness", str(path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"witness {path}: 2 saved head(s), all still in the chain" in out
