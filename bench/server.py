"""The HTTP benchmark's server: granian on the real app or the bare one, one worker, on a free
port, until the block ends; its CPU time; logging in as the demo cooperator."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bench.common import ROOT, BenchError
from bench.load import Response, build_request, request_once

HOST = "127.0.0.1"


DEMO_COOP = "univerbal"


DEMO_EMAIL = "amina@univerbal.example"  # a cooperator


DEMO_PASSWORD = "univerbal-demo-2026"  # the public demo password


GRANIAN_OPTIONS = [
    "--interface",
    "asgi",
    "--factory",
    "--host",
    HOST,
    "--workers",
    "1",
    "--runtime-threads",
    "1",
    "--http",
    "1",
    "--no-ws",
    "--log-level",
    "warning",
    "--no-access-log",
]


FACTORY = "bench.apps:create_bench_app"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _process_tree_cpu_seconds(root_pid: int) -> float | None:
    """user+system CPU seconds of a process and its descendants (Linux /proc), or None."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        table: dict[int, tuple[int, int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            table[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    except (OSError, ValueError):
        return None
    if root_pid not in table:
        return None
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += table[pid][1]
        todo += [child for child, (parent, _) in table.items() if parent == pid]
    return total / ticks


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def cpu_seconds(self) -> float | None:
        return _process_tree_cpu_seconds(self.process.pid)


@contextlib.contextmanager
def serve(env: dict[str, str], log: Path, ready_path: str) -> Iterator[Server]:
    """granian with GRANIAN_OPTIONS on a free port, until the block ends."""
    port = _free_port()
    command = [sys.executable, "-m", "granian", *GRANIAN_OPTIONS, "--port", str(port), FACTORY]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so it can be stopped as a whole
        )
    server = Server(process, port, log)
    try:
        probe = build_request("GET", HOST, port, ready_path)
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise BenchError(f"the server exited with {process.returncode}:\n{_tail(log)}")
            try:
                asyncio.run(request_once(HOST, port, probe, limit=2))
                break
            except (OSError, TimeoutError, asyncio.IncompleteReadError):
                if time.monotonic() > deadline:
                    raise BenchError(f"the server did not answer in 30 s:\n{_tail(log)}") from None
                time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def get_page(port: int, path: str, headers: list[tuple[str, str]]) -> Response:
    return asyncio.run(request_once(HOST, port, build_request("GET", HOST, port, path, headers)))


def log_in(port: int) -> dict[str, str]:
    """The cookies a browser holds after logging in as the demo cooperator."""
    first = get_page(port, "/login", [])
    csrf = first.cookies().get("csrftoken")
    if first.status != 200 or not csrf:
        raise BenchError(f"GET /login gave {first.status} and no csrftoken cookie")
    form = urlencode({"email": DEMO_EMAIL, "password": DEMO_PASSWORD, "_csrf_token": csrf})
    post = build_request(
        "POST",
        HOST,
        port,
        "/login",
        [("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", f"csrftoken={csrf}")],
        form.encode(),
    )
    answer = asyncio.run(request_once(HOST, port, post))
    session = answer.cookies().get("governance_session")
    if answer.status not in (302, 303) or not session:
        raise BenchError(f"POST /login gave {answer.status} and no governance_session cookie")
    return {"csrftoken": csrf, "governance_session": session}
