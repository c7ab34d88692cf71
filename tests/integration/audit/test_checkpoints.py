"""Signed checkpoints: every cooperative gets a key, the month close signs the chain head, and
`governance audit verify` catches what recomputing the hashes alone cannot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import col, select

from governance.audit.chain import EventPayload, event_hash
from governance.audit.checkpoints import signing
from governance.audit.checkpoints.checkpoints import (
    SigningKeyMismatch,
    checkpoints_of,
    ensure_key,
    sign_head,
    verify_checkpoints,
)
from governance.audit.models import AuditEvent, Checkpoint, SigningKey
from governance.audit.service import lock_cooperative, record
from governance.base import clock
from governance.base.i18n import language
from governance.base.settings import Settings
from governance.cli import main
from governance.members.models import Cooperative
from tests.audit_support import query, tamper


@dataclass(frozen=True)
class Signed:
    month: str
    seq: int
    head_hash: str
    signature: str
    public_key: str
    previous: str | None


def close_month(run: Any, world: Any, month: str, events: int = 2) -> Signed:
    """What a month close does at its end: some events, then the head signed, one transaction."""

    async def action(session: Any) -> Signed:
        async with session.begin():
            await lock_cooperative(session, world.alpha)
            for n in range(events):
                await record(
                    session,
                    cooperative_id=world.alpha,
                    actor_id=world.ids["carla"],
                    action="test.close",
                    subject_type="test",
                    subject_id=n,
                    data={"month": month, "n": n},
                )
            checkpoint = await sign_head(session, world.alpha, month)
            return Signed(
                checkpoint.month,
                checkpoint.seq,
                checkpoint.head_hash,
                checkpoint.signature,
                checkpoint.public_key,
                checkpoint.previous,
            )

    result: Signed = run(action)
    return result


def problems(run: Any, world: Any) -> list[str]:
    async def action(session: Any) -> list[str]:
        async with session.begin():
            with language("en"):
                return await verify_checkpoints(session, world.alpha)

    result: list[str] = run(action)
    return result


def verify_cli(settings: Settings, monkeypatch: Any, capsys: Any) -> tuple[int, str]:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("GOVERNANCE_SECRET_KEY", settings.secret_key)
    code = main(["audit", "verify", "--coop", "alpha"])
    return code, capsys.readouterr().out


def public_key_of(run: Any, cooperative_id: int) -> str:
    async def action(session: Any) -> str:
        async with session.begin():
            cooperative = await session.get(Cooperative, cooperative_id)
            return str(cooperative.public_key)

    result: str = run(action)
    return result


@pytest.fixture
def closed(run: Any, world: Any) -> list[Signed]:
    """Alpha with two closed months: October and November."""
    return [close_month(run, world, "2026-10"), close_month(run, world, "2026-11", events=3)]


# --- keys ---------------------------------------------------------------------------------


def test_a_cooperative_gets_its_key_pair_at_creation(run: Any, world: Any) -> None:
    async def action(session: Any) -> dict[str, Any]:
        async with session.begin():
            keys = {
                key.cooperative_id: key.private_key
                for key in (await session.exec(select(SigningKey))).all()
            }
            coops = {c.id: c.public_key for c in (await session.exec(select(Cooperative))).all()}
            created = (
                await session.exec(
                    select(AuditEvent.data).where(
                        AuditEvent.cooperative_id == world.alpha,
                        AuditEvent.action == "cooperative.created",
                    )
                )
            ).one()
            return {"keys": keys, "coops": coops, "created": json.loads(created)}

    found = run(action)
    assert set(found["keys"]) == {world.alpha, world.beta}
    for coop_id, private in found["keys"].items():
        assert len(found["coops"][coop_id]) == 64
        assert signing.public_key_of(private) == found["coops"][coop_id]
    assert found["coops"][world.alpha] != found["coops"][world.beta]
    assert found["created"]["public_key"] == found["coops"][world.alpha]


def test_every_member_sees_the_public_key_on_the_details_page(
    run: Any, world: Any, make_visitor: Any
) -> None:
    public = public_key_of(run, world.alpha)
    for who in ("carla", "olga"):
        visitor = make_visitor()
        visitor.login(who)
        page = visitor.get("/c/alpha/details")
        assert page.status_code == 200
        assert public in page.text
        assert f"governance audit check-statement --coop-id {world.alpha}" in page.text
    # The private key is shown nowhere.
    private = run(lambda session: _private_key(session, world.alpha))
    assert private not in page.text


async def _private_key(session: Any, cooperative_id: int) -> str:
    async with session.begin():
        key = await session.get(SigningKey, cooperative_id)
        return str(key.private_key)


def test_an_older_cooperative_gets_a_key_when_first_asked(
    settings: Settings, run: Any, world: Any
) -> None:
    # As before migration 0007: no key at all.
    tamper(
        settings,
        ("DELETE FROM signing_key WHERE cooperative_id = :coop", {"coop": world.alpha}),
        ("UPDATE cooperative SET public_key = '' WHERE id = :coop", {"coop": world.alpha}),
    )

    async def twice(session: Any) -> tuple[str, str]:
        async with session.begin():
            first = await ensure_key(session, world.alpha)
        async with session.begin():
            second = await ensure_key(session, world.alpha)
        return first, second

    first, second = run(twice)
    assert len(first) == 64 and first == second == public_key_of(run, world.alpha)
    assert signing.public_key_of(run(lambda s: _private_key(s, world.alpha))) == first

    async def announced(session: Any) -> list[str]:
        async with session.begin():
            rows = await session.exec(
                select(AuditEvent.data).where(AuditEvent.action == "cooperative.key_created")
            )
            return list(rows.all())

    (data,) = run(announced)  # made once, announced once, with its public key
    assert first in data


def test_a_published_key_that_lost_its_private_half_is_not_replaced(
    settings: Settings, run: Any, world: Any
) -> None:
    public = public_key_of(run, world.alpha)
    tamper(settings, ("DELETE FROM signing_key WHERE cooperative_id = :c", {"c": world.alpha}))

    async def action(session: Any) -> None:
        async with session.begin():
            await sign_head(session, world.alpha, "2026-11")

    with pytest.raises(SigningKeyMismatch):
        run(action)
    assert public_key_of(run, world.alpha) == public


def test_signing_an_empty_chain_is_a_programming_error(run: Any, world: Any) -> None:
    async def action(session: Any) -> None:
        async with session.begin():
            cooperative = Cooperative(slug="empty", name="Empty", created_at=clock.now())
            session.add(cooperative)
            await session.flush()
            assert cooperative.id is not None
            await ensure_key(session, cooperative.id, announce=False)
            await sign_head(session, cooperative.id, "2026-11")

    with pytest.raises(RuntimeError, match="no audit event"):
        run(action)


def test_a_malformed_month_is_refused(run: Any, world: Any) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        close_month(run, world, "2026-13")


# --- signing and verifying --------------------------------------------------------------


def test_the_close_signs_the_head_it_just_recorded(
    run: Any, world: Any, closed: list[Signed]
) -> None:
    october, november = closed
    public = public_key_of(run, world.alpha)

    async def action(session: Any) -> tuple[list[Checkpoint], int, str]:
        async with session.begin():
            head = (
                await session.exec(
                    select(AuditEvent)
                    .where(AuditEvent.cooperative_id == world.alpha)
                    .order_by(col(AuditEvent.seq).desc())
                    .limit(1)
                )
            ).one()
            return await checkpoints_of(session, world.alpha), head.seq, head.hash

    checkpoints, last_seq, last_hash = run(action)
    assert [c.month for c in checkpoints] == ["2026-10", "2026-11"]
    assert (november.seq, november.head_hash) == (last_seq, last_hash)
    assert october.seq == november.seq - 3
    for signed in closed:
        assert signed.public_key == public
        assert signing.check_printed(
            world.alpha,
            signed.month,
            signed.seq,
            signed.head_hash,
            signed.signature,
            signed.public_key,
            signed.previous,
        )
    assert problems(run, world) == []


def test_verify_counts_the_checkpoints_of_a_whole_trail(
    settings: Settings, world: Any, closed: list[Signed], monkeypatch: Any, capsys: Any
) -> None:
    code, out = verify_cli(settings, monkeypatch, capsys)
    assert code == 0, out
    assert "12 events, whole" in out
    assert "checkpoints of alpha: 2 checked, all valid" in out


def test_verify_without_checkpoints_says_none_were_checked(
    settings: Settings, world: Any, monkeypatch: Any, capsys: Any
) -> None:
    code, out = verify_cli(settings, monkeypatch, capsys)
    assert code == 0, out
    assert "checkpoints of alpha: 0 checked, all valid" in out


def test_a_statement_is_checked_offline_from_the_command_line(
    world: Any, closed: list[Signed], capsys: Any
) -> None:
    november = closed[1]
    argv = [
        "audit",
        "check-statement",
        "--coop-id",
        str(world.alpha),
        "--month",
        november.month,
        "--seq",
        str(november.seq),
        "--head",
        november.head_hash,
        "--signature",
        november.signature,
        "--public-key",
        november.public_key,
        "--previous",
        str(november.previous),
    ]
    assert main(argv) == 0
    assert capsys.readouterr().out.strip() == "valid"
    for flag, value in (("--seq", str(november.seq - 1)), ("--month", "2026-10")):
        changed = list(argv)
        changed[changed.index(flag) + 1] = value
        assert main(changed) == 1
        assert capsys.readouterr().out.strip() == "NOT valid"


def test_check_statement_needs_no_database(world: Any, closed: list[Signed]) -> None:
    november = closed[1]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DATABASE_URL"] = "postgresql+psycopg://nobody@127.0.0.1:1/nothing"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "governance.cli", "audit", "check-statement"),
            *("--coop-id", str(world.alpha), "--month", november.month),
            *("--seq", str(november.seq), "--head", november.head_hash),
            *("--signature", november.signature, "--public-key", november.public_key),
            *("--previous", str(november.previous)),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "valid"


# --- what the checkpoints catch ----------------------------------------------------------


def test_a_truncated_chain_is_caught(
    settings: Settings,
    run: Any,
    world: Any,
    closed: list[Signed],
    monkeypatch: Any,
    capsys: Any,
) -> None:
    november = closed[1]
    # The last two events go: the chain that is left is whole, so only the checkpoint knows.
    tamper(
        settings,
        (
            "DELETE FROM audit_event WHERE chain = :chain AND seq >= :seq",
            {"chain": f"coop:{world.alpha}", "seq": november.seq - 1},
        ),
    )
    found = problems(run, world)
    assert found == [
        f"Events {november.seq - 1}–{november.seq} are gone: the audit trail ends at event "
        f"{november.seq - 2} but checkpoint 2 (2026-11) signed event {november.seq}."
    ]
    code, out = verify_cli(settings, monkeypatch, capsys)
    assert code == 1
    assert f"{november.seq - 2} events, whole" in out
    assert "2 checked, 1 problem(s)" in out
    assert found[0] in out


def test_a_chain_rewritten_with_recomputed_hashes_is_caught(
    settings: Settings,
    run: Any,
    world: Any,
    closed: list[Signed],
    monkeypatch: Any,
    capsys: Any,
) -> None:
    chain = f"coop:{world.alpha}"
    rows = query(
        settings,
        "SELECT seq, cooperative_id, at, actor_id, action, subject_type, subject_id, data "
        "FROM audit_event WHERE chain = :chain ORDER BY seq",
        {"chain": chain},
    )
    steps: list[tuple[str, dict[str, Any]]] = []
    prev = "0" * 64
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
        new_hash = event_hash(prev, payload)
        steps.append(
            (
                "UPDATE audit_event SET data = :data, prev_hash = :prev, hash = :hash "
                "WHERE chain = :chain AND seq = :seq",
                {"data": data, "prev": prev, "hash": new_hash, "chain": chain, "seq": row.seq},
            )
        )
        prev = new_hash
    assert any("Omar" in row.data for row in rows)
    tamper(settings, *steps)

    found = problems(run, world)
    assert found == [
        f"The audit trail was rewritten: event {signed.seq} no longer has the hash signed in "
        f"the checkpoint of {signed.month}."
        for signed in closed
    ]
    code, out = verify_cli(settings, monkeypatch, capsys)
    assert code == 1
    assert "12 events, whole" in out  # every hash recomputed: the chain alone looks fine
    assert "2 checked, 2 problem(s)" in out
    assert all(line in out for line in found)


def test_a_forged_signature_is_caught(
    settings: Settings,
    run: Any,
    world: Any,
    closed: list[Signed],
    monkeypatch: Any,
    capsys: Any,
) -> None:
    october = closed[0]
    # Signed with another key, as someone without the cooperative's private key would.
    forged = signing.sign(
        signing.new_private_key(),
        signing.message(world.alpha, october.month, october.seq, october.head_hash),
    )
    tamper(
        settings,
        (
            "UPDATE checkpoint SET signature = :forged WHERE cooperative_id = :coop AND seq = :seq",
            {"forged": forged, "coop": world.alpha, "seq": october.seq},
        ),
    )
    found = problems(run, world)
    assert found == [
        f"The signature of the checkpoint of 2026-10 (event {october.seq}) is not valid."
    ]
    code, out = verify_cli(settings, monkeypatch, capsys)
    assert code == 1
    assert found[0] in out


def test_a_checkpoint_moved_to_another_event_is_caught(
    settings: Settings, run: Any, world: Any, closed: list[Signed]
) -> None:
    october = closed[0]
    tamper(
        settings,
        (
            "UPDATE checkpoint SET seq = :seq WHERE cooperative_id = :coop AND month = '2026-10'",
            {"seq": october.seq + 1, "coop": world.alpha},
        ),
    )
    assert problems(run, world) == [
        # Moved, it is no longer the checkpoint that November's signed.
        "Checkpoint 2 does not follow checkpoint 1.",
        f"The audit trail was rewritten: event {october.seq + 1} no longer has the hash signed "
        "in the checkpoint of 2026-10.",
        f"The signature of the checkpoint of 2026-10 (event {october.seq + 1}) is not valid.",
    ]


def test_a_changed_public_key_is_caught(
    settings: Settings,
    run: Any,
    world: Any,
    closed: list[Signed],
    monkeypatch: Any,
    capsys: Any,
) -> None:
    other = signing.public_key_of(signing.new_private_key())
    tamper(
        settings,
        (
            "UPDATE cooperative SET public_key = :key WHERE id = :coop",
            {"key": other, "coop": world.alpha},
        ),
    )
    found = problems(run, world)
    assert found == [
        "The cooperative's public key is not the one recorded when it was created.",
        "The checkpoint of 2026-10 was signed with a key that is not the cooperative's public key.",
        "The checkpoint of 2026-11 was signed with a key that is not the cooperative's public key.",
    ]
    code, out = verify_cli(settings, monkeypatch, capsys)
    assert code == 1
    assert all(line in out for line in found)


def test_a_new_key_with_every_checkpoint_signed_again_is_still_caught(
    settings: Settings, run: Any, world: Any, closed: list[Signed]
) -> None:
    # The intruder swaps the key pair and signs every checkpoint again with the new one: the
    # checkpoints agree with each other, but not with the key recorded at the creation (nor
    # with the members' printed statements).
    private = signing.new_private_key()
    public = signing.public_key_of(private)
    steps: list[tuple[str, dict[str, Any]]] = [
        (
            "UPDATE cooperative SET public_key = :key WHERE id = :coop",
            {"key": public, "coop": world.alpha},
        ),
        (
            "UPDATE signing_key SET private_key = :key WHERE cooperative_id = :coop",
            {"key": private, "coop": world.alpha},
        ),
    ]
    for signed in closed:
        signature = signing.sign(
            private,
            signing.signed_line(
                world.alpha, signed.month, signed.seq, signed.head_hash, signed.previous
            ),
        )
        steps.append(
            (
                "UPDATE checkpoint SET signature = :sig, public_key = :key "
                "WHERE cooperative_id = :coop AND seq = :seq",
                {"sig": signature, "key": public, "coop": world.alpha, "seq": signed.seq},
            )
        )
    tamper(settings, *steps)
    assert problems(run, world) == [
        "The cooperative's public key is not the one recorded when it was created."
    ]
    # And a member's printed statement no longer matches the published key.
    october = closed[0]
    assert october.public_key != public_key_of(run, world.alpha)


def test_the_command_exits_1_and_names_the_checkpoint_problem(
    settings: Settings, world: Any, closed: list[Signed]
) -> None:
    november = closed[1]
    tamper(
        settings,
        (
            "DELETE FROM audit_event WHERE chain = :chain AND seq = :seq",
            {"chain": f"coop:{world.alpha}", "seq": november.seq},
        ),
    )
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "GOVERNANCE_SECRET_KEY": settings.secret_key,
    }
    done = subprocess.run(
        [sys.executable, "-m", "governance.cli", "audit", "verify", "--coop", "alpha"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{november.seq - 1} events, whole" in done.stdout
    assert (
        f"Event {november.seq} is gone: the audit trail ends at event {november.seq - 1} but "
        f"checkpoint 2 (2026-11) signed event {november.seq}."
    ) in done.stdout
