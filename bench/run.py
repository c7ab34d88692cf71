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
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

if __package__ in (None, ""):  # `python bench/run.py` works too
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import LoadResult, Response, build_request, request_once, run_load

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
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


class BenchError(RuntimeError):
    """The benchmark could not be set up or run."""


# --------------------------------------------------------------------------- server process


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


# --------------------------------------------------------------------------- set-up


def _get(port: int, path: str, headers: list[tuple[str, str]]) -> Response:
    return asyncio.run(request_once(HOST, port, build_request("GET", HOST, port, path, headers)))


def log_in(port: int) -> dict[str, str]:
    """The cookies a browser holds after logging in as the demo cooperator."""
    first = _get(port, "/login", [])
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


def request_headers(bench: Benchmark, cookies: dict[str, str]) -> list[tuple[str, str]]:
    """What a browser that has logged in sends (the login page: without the session cookie)."""
    jar = dict(cookies) if bench.logged_in else {"csrftoken": cookies["csrftoken"]}
    return [("Accept", "text/html"), ("Cookie", "; ".join(f"{k}={v}" for k, v in jar.items()))]


def probe_size(port: int, bench: Benchmark, headers: list[tuple[str, str]]) -> int:
    """Fetch the page twice (a first visit may differ); it must be 200; its size in bytes."""
    for _ in range(2):
        page = _get(port, bench.path, headers)
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


@dataclass
class Round:
    app: LoadResult
    bare: LoadResult
    body_bytes: int

    @property
    def ratio(self) -> float:
        bare = self.bare.requests_per_second
        return self.app.requests_per_second / bare if bare else float("nan")


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclass
class Summary:
    name: str
    description: str
    body_bytes: int
    rounds: list[Round]

    def med(self, side: str, attribute: str) -> float:
        values = [getattr(getattr(r, side), attribute) for r in self.rounds]
        return _median([v for v in values if v is not None])

    @property
    def ratio(self) -> float:
        return _median([r.ratio for r in self.rounds if r.ratio == r.ratio])  # NaN-free

    @property
    def errors(self) -> int:
        return sum(r.app.errors + r.bare.errors for r in self.rounds)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> tuple[list[Summary], dict[str, object]]:
    selected = [BENCHMARKS[name] for name in (args.only or BENCHMARKS)]
    workdir = Path(tempfile.mkdtemp(prefix="governance-bench-"))
    log = workdir / "server.log"
    base_env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'governance.base.db'}",
        "GOVERNANCE_VAR_DIR": str(workdir),
        "GOVERNANCE_SECRET_KEY": secrets.token_urlsafe(48),
        "GOVERNANCE_ENV": "development",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    try:
        _progress(f"[bench] demo database in {workdir}")
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
            _progress(f"[bench] kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return list(summaries.values()), {"server_log_tail": server_log.splitlines()[-20:]}


# --------------------------------------------------------------------------- report


def _fmt(value: float | None, spec: str) -> str:
    if value is None or value != value:  # None or NaN
        return "-"
    return format(value, spec)


def report(summaries: list[Summary], args: argparse.Namespace) -> list[str]:
    """Print the tables and the one-line results; return the warnings."""
    rows = [
        (
            "benchmark",
            "bytes",
            "req/s",
            "bare req/s",
            "ratio",
            "p50 ms",
            "p99 ms",
            "bare p50 ms",
            "bare p99 ms",
            "errors",
        )
    ]
    for s in summaries:
        rows.append(
            (
                s.name,
                str(s.body_bytes),
                _fmt(s.med("app", "requests_per_second"), ",.0f"),
                _fmt(s.med("bare", "requests_per_second"), ",.0f"),
                _fmt(s.ratio, ".2f"),
                _fmt(s.med("app", "p50_ms"), ".1f"),
                _fmt(s.med("app", "p99_ms"), ".1f"),
                _fmt(s.med("bare", "p50_ms"), ".1f"),
                _fmt(s.med("bare", "p99_ms"), ".1f"),
                str(s.errors),
            )
        )
    _table(rows)

    print()
    rows = [("measurement", "responses", "server cpu %", "load generator cpu %", "body bytes")]
    for s in summaries:
        for side, label in (("app", s.name), ("bare", f"{s.name} (bare)")):
            rows.append(
                (
                    label,
                    _fmt(s.med(side, "responses"), ",.0f"),
                    _fmt(s.med(side, "server_cpu_percent"), ".0f"),
                    _fmt(s.med(side, "client_cpu_percent"), ".0f"),
                    _fmt(s.med(side, "mean_body_bytes"), ".0f"),
                )
            )
    _table(rows)

    print()
    for s in summaries:
        print(
            f"{s.name}: {s.med('app', 'requests_per_second'):.0f} req/s vs bare "
            f"{s.med('bare', 'requests_per_second'):.0f} req/s -> ratio {s.ratio:.2f}"
        )

    warnings = []
    for s in summaries:
        for r in s.rounds:
            for side, result in (("app", r.app), ("bare", r.bare)):
                if result.errors:
                    warnings.append(
                        f"{s.name} ({side}): {result.errors} failed requests: {result.error_kinds}"
                    )
                if result.responses and abs(result.mean_body_bytes - r.body_bytes) > 0.05 * (
                    r.body_bytes or 1
                ):
                    warnings.append(
                        f"{s.name} ({side}): responses averaged {result.mean_body_bytes:.0f} "
                        f"bytes, the baseline has {r.body_bytes}: the page changed during the run"
                    )
                if (result.client_cpu_percent or 0) > 90:
                    warnings.append(
                        f"{s.name} ({side}): the load generator used "
                        f"{result.client_cpu_percent:.0f}% of a core; it may have been the "
                        "bottleneck, so this req/s figure is a floor"
                    )
                if result.server_cpu_percent is not None and result.server_cpu_percent < 80:
                    warnings.append(
                        f"{s.name} ({side}): the server used only "
                        f"{result.server_cpu_percent:.0f}% of a core; it was not saturated "
                        "(load generator too slow, or the machine busy with something else)"
                    )
    return warnings


def _table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for number, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        print("  ".join(cells))
        if number == 0:
            print("  ".join("-" * w for w in widths))


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for package in ("granian", "litestar", "sqlalchemy", "aiosqlite", "jinja2"):
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
        f"server: granian {versions['granian']}, 1 worker, asgi, HTTP/1.1; "
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
            "granian": [*GRANIAN_OPTIONS, FACTORY],
        },
        "benchmarks": [
            {
                "name": s.name,
                "description": s.description,
                "body_bytes": s.body_bytes,
                "ratio": s.ratio,
                "rounds": [
                    {
                        "ratio": r.ratio,
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
