"""Benchmark runner: the real pages against a bare Litestar page of the same size, same server.

    .venv/bin/python -m bench.run            # from the repository root; see bench/README.md

For each benchmark it serves the real app with granian (one worker), measures requests per
second with the pure-Python load generator of bench/load.py (its own process), then serves a
bare Litestar app returning a page of the same byte size with the same granian options and
measures it the same way. It prints app/bare ratios. Exits non-zero if any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # `python bench/run.py` works too
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS_DIR, ROOT, BenchError
from bench.databases import Store
from bench.load import LoadResult, build_request, run_load
from bench.run_report import Round, Summary, report
from bench.server import (
    DEMO_COOP,
    DEMO_EMAIL,
    FACTORY,
    GRANIAN_OPTIONS,
    HOST,
    Server,
    get_page,
    log_in,
    serve,
)


@dataclass(frozen=True)
class Benchmark:
    name: str
    path: str
    logged_in: bool
    description: str


BENCHMARKS = {
    b.name: b
    for b in (
        Benchmark("login_page", "/login", False, "GET /login, anonymous (csrftoken cookie sent)"),
        Benchmark(
            "home_page",
            f"/c/{DEMO_COOP}/",
            True,
            f"GET /c/{DEMO_COOP}/ as {DEMO_EMAIL} (session + csrftoken cookies)",
        ),
    )
}


# --------------------------------------------------------------------------- server process


# --------------------------------------------------------------------------- set-up


def request_headers(bench: Benchmark, cookies: dict[str, str]) -> list[tuple[str, str]]:
    """What a browser that has logged in sends (the login page: without the session cookie)."""
    jar = dict(cookies) if bench.logged_in else {"csrftoken": cookies["csrftoken"]}
    return [("Accept", "text/html"), ("Cookie", "; ".join(f"{k}={v}" for k, v in jar.items()))]


def probe_size(port: int, bench: Benchmark, headers: list[tuple[str, str]]) -> int:
    """Fetch the page twice (a first visit may differ); it must be 200; its size in bytes."""
    for _ in range(2):
        page = get_page(port, bench.path, headers)
        if page.status != 200:
            raise BenchError(f"{bench.name}: GET {bench.path} gave {page.status}, not 200")
    return len(page.body)


# --------------------------------------------------------------------------- measuring


def measure(
    server: Server, path: str, headers: list[tuple[str, str]], args: argparse.Namespace
) -> LoadResult:
    request = build_request("GET", HOST, server.port, path, headers)
    return asyncio.run(
        run_load(
            HOST,
            server.port,
            request,
            concurrency=args.concurrency,
            warmup=args.warmup,
            duration=args.duration,
            server_cpu_seconds=server.cpu_seconds,
        )
    )


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _database(args: argparse.Namespace, workdir: Path, databases: Store) -> str:
    """The URL of the demo's database: a SQLite file in `workdir`, or with `--db postgresql`
    a new migrated database `bench_run_demo_<random>` (dropped at the end unless `--keep`)."""
    if args.db == "sqlite":
        return f"sqlite+aiosqlite:///{workdir / 'governance.db'}"
    return databases.fresh("demo")


def run(args: argparse.Namespace) -> tuple[list[Summary], dict[str, object]]:
    selected = [BENCHMARKS[name] for name in (args.only or BENCHMARKS)]
    workdir = Path(tempfile.mkdtemp(prefix="governance-bench-"))
    log = workdir / "server.log"
    databases = Store(args.db, "run", workdir)
    base_env = {
        **os.environ,
        "DATABASE_URL": _database(args, workdir, databases),
        "GOVERNANCE_VAR_DIR": str(workdir),
        "GOVERNANCE_SECRET_KEY": secrets.token_urlsafe(48),
        "GOVERNANCE_ENV": "development",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    try:
        _progress(f"[bench] demo database: {base_env['DATABASE_URL']}")
        demo = subprocess.run(
            [sys.executable, "-m", "governance.cli", "demo"],
            cwd=ROOT,
            env=base_env,
            capture_output=True,
            text=True,
            check=False,
        )
        if demo.returncode != 0:
            raise BenchError(f"`governance demo` failed:\n{demo.stdout}\n{demo.stderr}")

        app_env = {**base_env, "BENCH_APP": "governance"}
        summaries = {b.name: Summary(b.name, b.description, 0, []) for b in selected}
        cookies: dict[str, str] = {}
        for round_number in range(1, args.rounds + 1):
            for bench in selected:
                tag = f"[bench] round {round_number}/{args.rounds} {bench.name}"
                with serve(app_env, log, "/healthz") as server:
                    # The session token is signed with the fixed secret key: valid across restarts.
                    cookies = cookies or log_in(server.port)
                    headers = request_headers(bench, cookies)
                    # Probed on this very server: the templates may change between two runs.
                    size = probe_size(server.port, bench, headers)
                    _progress(f"{tag}: governance app ({size} bytes) ...")
                    app = measure(server, bench.path, headers, args)
                _progress(f"{tag}:   {app.requests_per_second:,.0f} req/s")
                bare_env = {
                    **base_env,
                    "BENCH_APP": "bare",
                    "BENCH_PATH": bench.path,
                    "BENCH_BODY_SIZE": str(size),
                }
                _progress(f"{tag}: bare Litestar page of {size} bytes ...")
                with serve(bare_env, log, bench.path) as server:
                    bare = measure(server, bench.path, headers, args)
                _progress(f"{tag}:   {bare.requests_per_second:,.0f} req/s")
                summaries[bench.name].body_bytes = size
                summaries[bench.name].rounds.append(Round(app, bare, size))
        server_log = log.read_text(errors="replace") if log.exists() else ""
    finally:
        if args.keep:
            kept = f" and database {', '.join(databases.created)}" if databases.created else ""
            _progress(f"[bench] kept {workdir}{kept}")
        else:
            databases.drop_all()
            shutil.rmtree(workdir, ignore_errors=True)
    return list(summaries.values()), {"server_log_tail": server_log.splitlines()[-20:]}


# --------------------------------------------------------------------------- report


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for package in ("granian", "litestar", "sqlalchemy", "aiosqlite", "psycopg", "jinja2"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "?"
    return found


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--duration", type=float, default=10, help="measured seconds per measurement (10)"
    )
    parser.add_argument("--warmup", type=float, default=2, help="warm-up seconds, not counted (2)")
    parser.add_argument("--concurrency", type=int, default=32, help="open connections (32)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="repeat app-then-bare this many times; medians are reported (1)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(BENCHMARKS),
        help="run only this benchmark (repeatable)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        help="save results to this file (default: bench/results/run-<UTC time>.json)",
    )
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgresql"],
        default="sqlite",
        help="the demo's database: a SQLite file, or a throw-away PostgreSQL database (sqlite)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary database and log")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.warmup < 0 or args.concurrency < 1 or args.rounds < 1:
        parser.error("--duration > 0, --warmup >= 0, --concurrency >= 1, --rounds >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC)
    load_before = _loadavg()
    versions = _versions()
    print(
        f"governance bench  {started:%Y-%m-%d %H:%M:%S} UTC  cpus={os.cpu_count()}  "
        f"loadavg={_fmt_load(load_before)}"
    )
    print(
        f"server: granian {versions['granian']}, 1 worker, asgi, HTTP/1.1, {args.db}; "
        f"load: {args.concurrency} keep-alive connections, {args.warmup:g} s warm-up + "
        f"{args.duration:g} s measured, {args.rounds} round(s)"
    )
    print()
    try:
        summaries, extra = run(args)
    except BenchError as error:
        print(f"\nBENCHMARK FAILED: {error}", file=sys.stderr)
        return 2
    elapsed = (datetime.now(UTC) - started).total_seconds()
    load_after = _loadavg()
    warnings = report(summaries, args)
    errors = sum(s.errors for s in summaries)

    path = args.json or RESULTS_DIR / f"run-{started:%Y%m%d-%H%M%S}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "started": started.isoformat(),
        "elapsed_seconds": round(elapsed, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "loadavg_before": load_before,
            "loadavg_after": load_after,
            "platform": platform.platform(),
        },
        "versions": versions,
        "options": {
            "duration": args.duration,
            "warmup": args.warmup,
            "concurrency": args.concurrency,
            "rounds": args.rounds,
            "db": args.db,
            "granian": [*GRANIAN_OPTIONS, FACTORY],
        },
        "benchmarks": [
            {
                "name": s.name,
                "description": s.description,
                "body_bytes": s.body_bytes,
                "ratio": s.ratio,
                "cpu_ratio": s.cpu_ratio,
                "rounds": [
                    {
                        "ratio": r.ratio,
                        "cpu_ratio": r.cpu_ratio,
                        "cpu_ms": {"app": r.cpu_ms("app"), "bare": r.cpu_ms("bare")},
                        "body_bytes": r.body_bytes,
                        "app": asdict(r.app),
                        "bare": asdict(r.bare),
                    }
                    for r in s.rounds
                ],
            }
            for s in summaries
        ],
        "errors": errors,
        "warnings": warnings,
        **extra,
    }
    path.write_text(json.dumps(payload, indent=2) + "\n")
    print(
        f"\nresults saved to {_relative(path)}  (run took {elapsed:.0f} s; loadavg after: "
        f"{_fmt_load(load_after)})"
    )

    if warnings:
        print()
        for warning in warnings:
            print(f"warning: {warning}")
    if errors:
        message = f"!!! {errors} REQUESTS FAILED: these figures are not valid (see above) !!!"
        print(f"\n{message}")
        print(message, file=sys.stderr)
        return 1
    return 0


def _loadavg() -> tuple[float, float, float] | None:
    try:
        return os.getloadavg()
    except (AttributeError, OSError):
        return None


def _fmt_load(load: tuple[float, float, float] | None) -> str:
    return "/".join(f"{x:.2f}" for x in load) if load else "?"


def _relative(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.resolve().relative_to(Path.cwd()))
    return str(path)


if __name__ == "__main__":
    sys.exit(main())
