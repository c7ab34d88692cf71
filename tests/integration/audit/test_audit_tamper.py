"""Attacks on the audit trail by whoever holds the database, and what catches each one.

The intruder drops the append-only triggers (or runs as a replica on PostgreSQL), then deletes
checkpoints, cuts events off the end of the chain, or rewrites the whole chain with every hash
recomputed and every checkpoint signed again with the cooperative's own key (it is in the
database). `governance audit verify` runs for real and must name what it found; against the
last attack only a head a member saved earlier (`--witness`) can tell.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from governance.audit.chain import GENESIS, EventPayload, event_hash
from governance.audit.checkpoints import signing
from governance.audit.checkpoints.daily import sign_daily
from governance.audit.service import record
from governance.base import clock
from governance.base.settings import Settings
from governance.cli import main
from governance.ledger.closing import closing
from tests.audit_support import LATER, query, tamper
from tests.closing_support import build_october, everyone_read

MONTHS = ("2026-10", "2026-11", "2026-12")


def verify(settings: Settings, monkeypatch: Any, capsys: Any, *more: str) -> tuple[int, str, str]:
    """`governance audit verify --coop alpha ...`, through the command's own entry point."""
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("GOVERNANCE_SECRET_KEY", settings.secret_key)
    code = main(["audit", "verify", "--coop", "alpha", *more])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def checkpoints(settings: Settings, world: Any) -> list[Any]:
    return query(
        settings,
        "SELECT id, number, kind, month, seq, head_hash, previous, signature "
        "FROM checkpoint WHERE cooperative_id = :coop ORDER BY number",
        {"coop": world.alpha},
    )


def last_seq(settings: Settings, world: Any) -> int:
    rows = query(
        settings,
        "SELECT MAX(seq) AS last FROM audit_event WHERE chain = :chain",
        {"chain": f"coop:{world.alpha}"},
    )
    return int(rows[0].last)


def add_events(run: Any, world: Any, count: int) -> None:
    async def action(session: Any) -> None:
        async with session.begin():
            for n in range(count):
                await record(
                    session,
                    cooperative_id=world.alpha,
                    actor_id=world.ids["carla"],
                    action="test.later",
                    subject_type="test",
                    subject_id=n,
                    data={"n": n},
                )

    run(action)


def sign_a_day_later(run: Any, world: Any) -> Any:
    async def action(session: Any) -> Any:
        with clock.shifted(dt.timedelta(days=2)):
            async with session.begin():
                return await sign_daily(session, world.alpha)

    return run(action)


def download(make_visitor: Any, who: str = "omar") -> Any:
    """What a member keeps: /c/alpha/checkpoints.json as downloaded."""
    visitor = make_visitor()
    visitor.login(who)
    response = visitor.get("/c/alpha/checkpoints.json")
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def closed(settings: Settings, run: Any, world: Any) -> list[Any]:
    """Alpha with three months closed for real: checkpoints 1, 2 and 3."""
    run(lambda session: build_october(session, world))

    async def close(session: Any, month: str) -> None:
        await closing.start_review(session, world.actor("carla"), month, today=LATER)
        await everyone_read(session, world.alpha, month)
        await closing.finalize(session, world.actor("carla"), month)

    for month in MONTHS:
        run(lambda s, month=month: close(s, month))
    return checkpoints(settings, world)


def test_three_closes_make_a_chain_of_checkpoints_that_verifies(
    settings: Settings, world: Any, closed: list[Any], monkeypatch: Any, capsys: Any
) -> None:
    assert [(c.number, c.kind, c.month) for c in closed] == [
        (1, "close", "2026-10"),
        (2, "close", "2026-11"),
        (3, "close", "2026-12"),
    ]
    assert closed[0].previous == GENESIS
    for before, after in itertools.pairwise(closed):
        line = signing.message_v2(
            world.alpha, before.month, before.seq, before.head_hash, before.previous
        )
        assert after.previous == signing.checkpoint_hash(line)
    code, out, _err = verify(settings, monkeypatch, capsys)
    assert code == 0, out
    assert "checkpoints of alpha: 3 checked, all valid" in out


# --- (a) a deleted checkpoint ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ((2,), ["Checkpoint 2 (month 2026-11) is missing."]),
        ((3,), ["Checkpoint 3 (month 2026-12) is missing."]),
        (
            (1, 2, 3),  # the attack that once read "0 checked, all valid"
            [
                "Checkpoint 1 (month 2026-10) is missing.",
                "Checkpoint 2 (month 2026-11) is missing.",
                "Checkpoint 3 (month 2026-12) is missing.",
            ],
        ),
    ],
)
def test_a_deleted_checkpoint_is_named(
    settings: Settings,
    world: Any,
    closed: list[Any],
    monkeypatch: Any,
    capsys: Any,
    numbers: tuple[int, ...],
    expected: list[str],
) -> None:
    for number in numbers:
        tamper(
            settings,
            (
                "DELETE FROM checkpoint WHERE cooperative_id = :coop AND number = :n",
                {"coop": world.alpha, "n": number},
            ),
        )
    code, out, _err = verify(settings, monkeypatch, capsys)
    assert code == 1, out
    assert ", whole;" in out  # the events are untouched: only the checkpoints tell
    assert f"{3 - len(numbers)} checked, {len(expected)} problem(s)" in out
    for line in expected:
        assert f"  - {line}" in out


def test_a_checkpoint_and_its_closed_month_deleted_together_are_still_named(
    settings: Settings, world: Any, closed: list[Any], monkeypatch: Any, capsys: Any
) -> None:
    # The close's own row goes too: the period.closed event in the chain still tells.
    tamper(
        settings,
        ("DELETE FROM period_close WHERE month = '2026-12'", {}),
        ("DELETE FROM checkpoint WHERE number = 3 AND cooperative_id = :c", {"c": world.alpha}),
    )
    code, out, _err = verify(settings, monkeypatch, capsys)
    assert code == 1
    assert "  - Checkpoint 3 (month 2026-12) is missing." in out


def test_a_checkpoint_that_no_longer_follows_the_one_before_is_named(
    settings: Settings, world: Any, closed: list[Any], monkeypatch: Any, capsys: Any
) -> None:
    # Checkpoint 2 replaced by one that links to nothing (a forged one, or a stray copy).
    tamper(
        settings,
        (
            "UPDATE checkpoint SET previous = :other WHERE cooperative_id = :c AND number = 2",
            {"other": "ab" * 32, "c": world.alpha},
        ),
    )
    code, out, _err = verify(settings, monkeypatch, capsys)
    assert code == 1
    assert "  - Checkpoint 2 does not follow checkpoint 1." in out
    assert "  - Checkpoint 3 does not follow checkpoint 2." in out  # its hash changed with it
    assert "The signature of the checkpoint of 2026-11" in out  # and its signature broke


def test_a_deleted_daily_checkpoint_is_named_by_its_day(
    settings: Settings,
    run: Any,
    world: Any,
    closed: list[Any],
    monkeypatch: Any,
    capsys: Any,
) -> None:
    add_events(run, world, 3)
    daily = sign_a_day_later(run, world)
    assert daily is not None and daily.number == 4
    tamper(
        settings,
        ("DELETE FROM checkpoint WHERE cooperative_id = :c AND number = 4", {"c": world.alpha}),
    )
    code, out, _err = verify(settings, monkeypatch, capsys)
    assert code == 1
    assert f"  - Checkpoint 4 (day {daily.month}) is missing." in out


# --- (b) events cut off the end -------------------------------------------------------------


def test_events_cut_back_past_the_last_checkpoint_are_named(
    settings: Settings,
    run: Any,
    world: Any,
    closed: list[Any],
    monkeypatch: Any,
    capsys: Any,
) -> None:
    add_events(run, world, 4)
    last = closed[-1]
    end = last_seq(settings, world)
    tamper(
        settings,
        (
            "DELETE FROM audit_event WHERE chain = :chain AND seq >= :seq",
            {"chain": f"coop:{world.alpha}", "seq": last.seq - 2},
        ),
    )
    assert end == last.seq + 4
    code, out, _err = verify(settings, monkeypatch, capsys)
    assert code == 1
    assert f"{last.seq - 3} events, whole" in out  # what is left is a whole chain
    assert (
        f"  - Events {last.seq - 2}–{last.seq} are gone: the audit trail ends at event "
        f"{last.seq - 3} but checkpoint 3 (2026-12) signed event {last.seq}."
    ) in out


def test_events_cut_after_the_last_checkpoint_are_caught_by_a_saved_head(
    settings: Settings,
    run: Any,
    world: Any,
    closed: list[Any],
    make_visitor: Any,
    monkeypatch: Any,
    capsys: Any,
    tmp_path: Path,
) -> None:
    add_events(run, world, 5)
    daily = sign_a_day_later(run, world)  # the day's checkpoint signs them
    saved = download(make_visitor)
    assert [item["number"] for item in saved] == [1, 2, 3, 4]
    assert saved[-1]["seq"] == daily.seq
    witness = tmp_path / "checkpoints.json"
    witness.write_text(json.dumps(saved), encoding="utf-8")
    code, out, _err = verify(settings, monkeypatch, capsys, "--witness", str(witness))
    assert code == 0, out
    assert f"witness {witness}: 4 saved head(s), all still in the chain" in out

    # Everything after checkpoint 3 goes, its daily checkpoint and announcement with it.
    tamper(
        settings,
        (
            "DELETE FROM audit_event WHERE chain = :chain AND seq > :seq",
            {"chain": f"coop:{world.alpha}", "seq": closed[-1].seq},
        ),
        ("DELETE FROM checkpoint WHERE cooperative_id = :c AND number = 4", {"c": world.alpha}),
    )
    code, out, _err = verify(settings, monkeypatch, capsys)
    assert code == 0, out  # the database alone cannot tell: nothing left points past the cut
    code, out, _err = verify(settings, monkeypatch, capsys, "--witness", str(witness))
    assert code == 1
    assert (
        f"  - seq {daily.seq} is missing: the chain ends at {closed[-1].seq}: events were "
        "deleted after you saved this head"
    ) in out


# --- (c) history rewritten and signed again with the cooperative's own key -------------------


def rewrite_everything(settings: Settings, world: Any) -> None:
    """Omar becomes Omer in every event, every hash recomputed, every checkpoint re-signed."""
    chain = f"coop:{world.alpha}"
    rows = query(
        settings,
        "SELECT seq, cooperative_id, at, actor_id, action, subject_type, subject_id, data "
        "FROM audit_event WHERE chain = :chain ORDER BY seq",
        {"chain": chain},
    )
    assert any("Omar" in row.data for row in rows)
    steps: list[tuple[str, dict[str, Any]]] = []
    hashes: dict[int, str] = {}
    prev = GENESIS
    for row in rows:
        data = row.data.replace("Omar", "Omer")
        payload = EventPayload(
            chain=chain,
            seq=row.seq,
            at=row.at,
            cooperative_id=row.cooperative_id,
            actor_id=row.actor_id,
            action=row.action,
            subject_type=row.subject_type,
            subject_id=row.subject_id,
            data=data,
        )
        hashes[row.seq] = new_hash = event_hash(prev, payload)
        steps.append(
            (
                "UPDATE audit_event SET data = :data, prev_hash = :prev, hash = :hash "
                "WHERE chain = :chain AND seq = :seq",
                {"data": data, "prev": prev, "hash": new_hash, "chain": chain, "seq": row.seq},
            )
        )
        prev = new_hash
    (key,) = query(
        settings,
        "SELECT private_key FROM signing_key WHERE cooperative_id = :c",
        {"c": world.alpha},
    )
    previous = GENESIS
    for checkpoint in checkpoints(settings, world):
        head = hashes[checkpoint.seq]
        line = signing.message_v2(world.alpha, checkpoint.month, checkpoint.seq, head, previous)
        steps.append(
            (
                "UPDATE checkpoint SET head_hash = :head, previous = :previous, "
                "signature = :signature WHERE id = :id",
                {
                    "head": head,
                    "previous": previous,
                    "signature": signing.sign(key.private_key, line),
                    "id": checkpoint.id,
                },
            )
        )
        previous = signing.checkpoint_hash(line)
    tamper(settings, *steps)


def test_a_rewrite_signed_again_with_the_own_key_is_caught_only_by_a_saved_head(
    settings: Settings,
    world: Any,
    closed: list[Any],
    make_visitor: Any,
    monkeypatch: Any,
    capsys: Any,
    tmp_path: Path,
) -> None:
    witness = tmp_path / "checkpoints.json"
    saved = download(make_visitor, "wen")
    witness.write_text(json.dumps(saved), encoding="utf-8")
    rewrite_everything(settings, world)

    code, out, _err = verify(settings, monkeypatch, capsys)
    assert code == 0, out  # every check inside the database passes: that is the point
    assert "3 checked, all valid" in out

    code, out, _err = verify(settings, monkeypatch, capsys, "--witness", str(witness))
    assert code == 1
    assert f"witness {witness}: 3 problem(s):" in out
    now = {c.seq: c.head_hash for c in checkpoints(settings, world)}
    for item in saved:
        assert now[item["seq"]] != item["head"]
        assert (
            f"  - seq {item['seq']}: the chain has hash {now[item['seq']]}, your witness says "
            f"{item['head']}: history was rewritten after you saved it"
        ) in out


def test_one_saved_head_is_a_witness_too(
    settings: Settings,
    world: Any,
    closed: list[Any],
    make_visitor: Any,
    tmp_path: Path,
) -> None:
    first = download(make_visitor)[0]
    witness = tmp_path / "head.json"
    witness.write_text(json.dumps({"seq": first["seq"], "head": first["head"]}), "utf-8")
    rewrite_everything(settings, world)
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "GOVERNANCE_SECRET_KEY": settings.secret_key,
    }
    done = subprocess.run(
        [
            *(sys.executable, "-m", "governance", "audit", "verify"),
            *("--coop", "alpha", "--witness", str(witness)),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"seq {first['seq']}: the chain has hash " in done.stdout
    assert f"your witness says {first['head']}: history was rewritten" in done.stdout


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{not json", "not JSON"),
        ("[]", "the list is empty"),
        ('"abc"', "expected a JSON list of {seq, head} objects"),
        ('[{"seq": 3}]', "item 1: head must be 64 hex digits"),
        ('[{"seq": "3", "head": "' + "a" * 64 + '"}]', "item 1: seq must be a positive"),
        ('{"seq": 0, "head": "' + "a" * 64 + '"}', "the object: seq must be a positive"),
    ],
)
def test_a_malformed_witness_is_refused_with_a_clear_message(
    settings: Settings,
    world: Any,
    monkeypatch: Any,
    capsys: Any,
    tmp_path: Path,
    content: str,
    says: str,
) -> None:
    witness = tmp_path / "witness.json"
    witness.write_text(content, encoding="utf-8")
    code, out, err = verify(settings, monkeypatch, capsys, "--witness", str(witness))
    assert code == 2
    assert out == ""
    assert err.startswith(f"error: the witness {witness} is not a list of {{seq, head}}: ")
    assert says in err
    assert "Traceback" not in err


def test_a_missing_witness_file_is_refused_with_a_clear_message(
    settings: Settings, world: Any, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    code, _out, err = verify(settings, monkeypatch, capsys, "--witness", str(tmp_path / "no"))
    assert code == 2
    assert err.startswith(f"error: cannot read the witness {tmp_path / 'no'}")
