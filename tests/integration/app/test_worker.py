"""The worker: what happens by time, with no page visited. `governance worker --once` counts
a due vote; `governance serve` runs the worker beside itself unless GOVERNANCE_WORKER=external;
a failing job waits longer each time and the worker recovers when the database returns."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from governance import worker
from governance.base.settings import Settings
from governance.votes.models import Proposal
from tests.conftest import TEST_SECRET, is_postgres
from tests.votes_support import open_vote

DAY_AHEAD = "90000"  # seconds: past the closing time of a vote opened for 24 hours


def _env(settings: Settings, tmp_path: Path, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVERNANCE_")}
    env.update(
        DATABASE_URL=settings.database_url,
        GOVERNANCE_SECRET_KEY=TEST_SECRET,
        GOVERNANCE_VAR_DIR=str(tmp_path),
        **more,
    )
    return env


def _state(run: Any, proposal_id: int) -> str:
    async def read(session: Any) -> str:
        proposal = await session.get(Proposal, proposal_id)
        return str(proposal.state)

    return str(run(read))


def test_a_failing_job_waits_longer_each_time_then_its_usual_time() -> None:
    job = worker.Job("votes", 15.0, worker.count_votes)
    schedule = worker.Schedule(jobs=(job,))
    assert schedule.due(0.0) == [job]
    waits = []
    for _ in range(6):
        schedule.done(job, 100.0, ok=False)
        waits.append(schedule.next_at["votes"] - 100.0)
    assert waits == [30.0, 60.0, 120.0, 240.0, 300.0, 300.0]  # doubling, capped at 5 minutes
    schedule.done(job, 100.0, ok=True)
    assert schedule.next_at["votes"] == 115.0 and schedule.failures["votes"] == 0
    assert schedule.due(114.0) == [] and schedule.due(115.0) == [job]


def test_worker_once_counts_a_due_vote_and_only_a_due_one(
    settings: Settings, run: Any, world: Any, tmp_path: Path
) -> None:
    pid = run(lambda s: open_vote(s, world))
    command = [sys.executable, "-m", "governance", "worker", "--once"]
    now = subprocess.run(command, env=_env(settings, tmp_path), capture_output=True, check=False)
    assert now.returncode == 0, now.stderr
    assert _state(run, pid) == "open"
    later = _env(settings, tmp_path, GOVERNANCE_CLOCK_SHIFT_SECONDS=DAY_AHEAD)
    done = subprocess.run(command, env=later, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert _state(run, pid) == "closed"
    assert "job votes: 1 done" in done.stderr


def test_worker_once_signs_the_daily_checkpoints_of_chains_that_grew(
    settings: Settings, run: Any, world: Any, tmp_path: Path
) -> None:
    from governance.audit.checkpoints.checkpoints import checkpoints_of

    command = [sys.executable, "-m", "governance", "worker", "--once"]
    first = subprocess.run(
        command, env=_env(settings, tmp_path), capture_output=True, text=True, check=False
    )
    assert first.returncode == 0, first.stderr
    assert "job checkpoints: 2 done" in first.stderr  # alpha and beta
    again = subprocess.run(
        command, env=_env(settings, tmp_path), capture_output=True, text=True, check=False
    )
    assert again.returncode == 0, again.stderr
    assert "job checkpoints" not in again.stderr  # nothing new since

    async def read(session: Any) -> list[tuple[int, str]]:
        async with session.begin():
            return [(c.number, c.kind) for c in await checkpoints_of(session, world.alpha)]

    assert run(read) == [(1, "daily")]


def test_worker_once_forgets_login_attempts_older_than_the_throttling_window(
    settings: Settings, run: Any, world: Any, tmp_path: Path
) -> None:
    from datetime import timedelta

    from sqlmodel import select

    from governance.auth.models import LoginAttempt
    from governance.base import clock

    async def add(session: Any) -> None:
        async with session.begin():
            for minutes, email in ((60, "old@attempt.example"), (1, "recent@attempt.example")):
                at = clock.now() - timedelta(minutes=minutes)
                session.add(LoginAttempt(email=email, address="192.0.2.7", at=at))

    run(add)
    command = [sys.executable, "-m", "governance", "worker", "--once"]
    done = subprocess.run(
        command, env=_env(settings, tmp_path), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "job purge:" in done.stderr

    async def left(session: Any) -> list[str]:
        rows = await session.exec(
            select(LoginAttempt.email).where(LoginAttempt.address == "192.0.2.7")
        )
        return sorted(rows.all())

    assert run(left) == ["recent@attempt.example"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(settings: Settings, tmp_path: Path, **more: str) -> subprocess.Popen[bytes]:
    port = str(_free_port())
    command = [sys.executable, "-m", "governance", "serve", "--port", port]
    env = _env(settings, tmp_path, GOVERNANCE_CLOCK_SHIFT_SECONDS=DAY_AHEAD, **more)
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _wait_for(condition: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_serve_counts_due_votes_with_no_page_visited_unless_told_a_worker_does(
    settings: Settings, run: Any, world: Any, tmp_path: Path
) -> None:
    first = run(lambda s: open_vote(s, world))
    external = _serve(settings, tmp_path, GOVERNANCE_WORKER="external")
    try:
        time.sleep(8)  # long enough for an in-process worker's first round
        assert _state(run, first) == "open"
    finally:
        external.terminate()
        external.wait(20)
    server = _serve(settings, tmp_path)
    try:
        assert _wait_for(lambda: _state(run, first) == "closed", 60)
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode(errors="replace")
    assert "Traceback" not in output, output
    # The server's worker ends with it.
    assert _wait_for(lambda: f"worker --parent {server.pid}" not in _processes(), 10)


def _processes() -> str:
    return subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout


class Relay:
    """A TCP relay to PostgreSQL that can be cut and restored: the database 'down' and back."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = _free_port()
        self.server: socket.socket | None = None

    def up(self) -> None:
        self.server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.server,), daemon=True).start()

    def down(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)


@pytest.mark.skipif(not is_postgres(), reason="the database goes away over the network")
def test_the_worker_recovers_when_the_database_returns(
    settings: Settings, run: Any, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.votes_support import later

    pid = run(lambda s: open_vote(s, world))
    later(monkeypatch)
    url = make_url(settings.database_url)
    relay = Relay((url.host or "127.0.0.1", url.port or 5432))
    through_relay = Settings(
        database_url=url.set(host="127.0.0.1", port=relay.port).render_as_string(False),
        secret_key=TEST_SECRET,
    )
    job = worker.Job("votes", 0.2, worker.count_votes)
    schedule = worker.Schedule(jobs=(job,))

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run_forever(through_relay, stop, schedule=schedule))
        deadline = time.monotonic() + 30
        while schedule.failures.get("votes", 0) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        assert schedule.failures["votes"] >= 2  # the database is down: failing, backing off
        relay.up()
        while schedule.failures.get("votes", 0) and time.monotonic() < deadline + 30:
            await asyncio.sleep(0.2)
        stop.set()
        await task

    try:
        asyncio.run(scenario())
    finally:
        relay.down()
    assert schedule.failures["votes"] == 0
    assert _state(run, pid) == "closed"


def test_in_development_links_follow_the_address_served(
    settings: Settings, world: Any, tmp_path: Path
) -> None:
    """No GOVERNANCE_BASE_URL in development: an invitation made through `serve --port P`
    points at port P, not at a dead default."""
    import re

    import httpx

    from tests.world import EMAILS, PASSWORD

    port = _free_port()
    command = [sys.executable, "-m", "governance", "serve", "--port", str(port)]
    env = _env(settings, tmp_path, GOVERNANCE_WORKER="external")
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            assert _wait_for(lambda: _answers(client), 60)
            client.get("/login")
            token = client.cookies["csrftoken"]
            form = {"email": EMAILS["carla"], "password": PASSWORD, "_csrf_token": token}
            assert client.post("/login", data=form).status_code in (302, 303)
            invited = client.post(
                "/c/alpha/members/invite",
                data={"email": "new@alpha.example", "role": "worker", "_csrf_token": token},
            )
            assert invited.status_code == 200, invited.text
            links = re.findall(r"https?://[^\s\"<]+/invite/[\w.-]+", invited.text)
            assert links and all(
                link.startswith(f"http://127.0.0.1:{port}/invite/") for link in links
            )
    finally:
        server.terminate()
        server.wait(20)


def _answers(client: Any) -> bool:
    try:
        return bool(client.get("/healthz").status_code == 200)
    except Exception:
        return False


def test_a_slow_job_does_not_hold_up_the_count_of_a_vote(
    settings: Settings, run: Any, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mail server that hangs keeps the mail job busy; the votes are counted meanwhile,
    and stopping the worker does not wait for the hung job for ever."""
    from tests.votes_support import later

    pid = run(lambda s: open_vote(s, world))
    later(monkeypatch)
    started = asyncio.Event()

    async def hung_mail(maker: Any, settings: Settings) -> int:
        started.set()
        await asyncio.sleep(3600)
        return 0

    schedule = worker.Schedule(
        jobs=(worker.Job("mail", 0.1, hung_mail), worker.Job("votes", 0.1, worker.count_votes))
    )

    async def scenario() -> float:
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run_forever(settings, stop, schedule=schedule))
        await asyncio.wait_for(started.wait(), 30)
        deadline = time.monotonic() + 30
        while "votes" not in schedule.failures and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        stop.set()
        stopping = time.monotonic()
        await asyncio.wait_for(task, 60)
        return time.monotonic() - stopping

    asyncio.run(scenario())
    assert schedule.failures["votes"] == 0
    assert _state(run, pid) == "closed"
