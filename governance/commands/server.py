"""`governance serve` (the web server, granian) and `governance worker` (the timed jobs)."""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from typing import Any

from governance.base import db
from governance.base.settings import Settings, SettingsError

# How long a stopping server lets its requests finish before it ends them (docker stop
# sends SIGKILL after 10 s).
STOP_GRACE_SECONDS = 5


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        sys.exit(f"error: {error}")


def _public_address(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 (a name)
    return f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}"


def start_jobs() -> subprocess.Popen[bytes]:
    """The in-process worker of a server without a separate one: `governance worker` as a
    child that ends with this process."""
    command = [sys.executable, "-m", "governance", "worker", "--parent", str(os.getpid())]
    return subprocess.Popen(command)  # noqa: S603 (our own command)


def cmd_serve(args: argparse.Namespace) -> int:
    from granian import Granian
    from granian.constants import Interfaces

    settings = _settings()
    try:
        db.check_migrated(settings.database_url)
    except db.NotMigratedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    address = _public_address(args.host, args.port)
    if not settings.base_url_set:
        # Development without GOVERNANCE_BASE_URL: links in mails and invitations point at
        # the address actually served (`./scripts/demo --port 8741` gives links on 8741).
        os.environ["GOVERNANCE_BASE_URL"] = address
    jobs = start_jobs() if settings.worker == "internal" else None
    print(f"governance is running at {address}/", flush=True)
    try:
        Granian(
            "governance.asgi:app",
            address=args.host,
            port=args.port,
            interface=Interfaces.ASGI,
            workers=args.workers,
            log_access=False,
            log_level=os.environ.get("GOVERNANCE_SERVER_LOG_LEVEL", "warning"),  # type: ignore[arg-type]
            workers_kill_timeout=STOP_GRACE_SECONDS,
            respawn_failed_workers=True,
        ).serve()
    finally:
        if jobs is not None:
            jobs.terminate()
            try:
                jobs.wait(STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                jobs.kill()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    import asyncio

    from governance import worker
    from governance.request_log import configure_logging

    settings = _settings()
    configure_logging(settings)  # the servers' format: plain or JSON lines
    logging.getLogger("alembic").setLevel(logging.WARNING)  # the schema check's chatter
    try:
        db.check_migrated(settings.database_url)
    except db.NotMigratedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.once:
        return 0 if asyncio.run(worker.run_once(settings)) else 1
    worker.serve_forever(settings, parent_pid=args.parent)
    return 0


def _workers(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 64:
        raise argparse.ArgumentTypeError("between 1 and 64")
    return number


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--workers", type=_workers, default=1, help="server processes (about one per core)"
    )


def register(commands: argparse._SubParsersAction[Any]) -> None:
    serve = commands.add_parser("serve", help="run the web server (refuses an unmigrated DB)")
    add_serve_arguments(serve)
    serve.set_defaults(func=cmd_serve)

    work = commands.add_parser(
        "worker",
        help="run the timed jobs forever: count due votes, end lapsed mandates, send the mail "
        "outbox (GOVERNANCE_WORKER=external tells the web servers not to run them)",
    )
    work.add_argument("--once", action="store_true", help="run every job once, then exit")
    work.add_argument("--parent", type=int, help=argparse.SUPPRESS)
    work.set_defaults(func=cmd_worker)
