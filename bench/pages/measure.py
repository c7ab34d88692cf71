"""Serving both databases' pages in-process and timing them: one app per database
(`governance.app.create_app`, its lifespan run), a member and the coordinator logged in on each
through the login form, every page fetched once untimed, then `runs` times on each database in
turn. Each request's SQL statements are counted (and timed) from the app's engines' events.
Slow pages get one more request under cProfile.
"""

from __future__ import annotations

import contextlib
import cProfile
import logging
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

from bench.common import BenchError, profiled
from bench.pages import GOAL_MS, GOAL_RATIO, PAGES, PageSpec
from bench.pages.targets import Targets


@dataclass
class Statements:
    """The SQL statements of the request under way: each one's text and seconds."""

    done: list[tuple[str, float]] = field(default_factory=list)
    started: list[float] = field(default_factory=list)

    def listen(self, engine: Any) -> None:
        @event.listens_for(engine, "before_cursor_execute")
        def _before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            self.started.append(time.perf_counter())

        @event.listens_for(engine, "after_cursor_execute")
        def _after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            seconds = time.perf_counter() - self.started.pop() if self.started else 0.0
            self.done.append((" ".join(statement.split()), seconds))

    def take(self) -> list[tuple[str, float]]:
        done, self.done = self.done, []
        return done


@dataclass
class Site:
    """One database served: its app's clients by who is logged in, and its statements."""

    label: str
    targets: Targets
    clients: dict[str, httpx.AsyncClient]
    statements: Statements


async def _log_in(client: httpx.AsyncClient, email: str, password: str) -> None:
    await client.get("/login")
    response = await client.post(
        "/login",
        data={
            "_csrf_token": client.cookies["csrftoken"],
            "email": email,
            "password": password,
            "next": "/",
        },
    )
    if response.status_code not in (302, 303):
        raise BenchError(f"login as {email} failed: {response.status_code}")


@contextlib.asynccontextmanager
async def serve(label: str, url: str, targets: Targets) -> AsyncIterator[Site]:
    from governance.app import create_app
    from governance.base.settings import Settings

    settings = Settings(database_url=url, secret_key=os.environ["GOVERNANCE_SECRET_KEY"])
    app = create_app(settings)
    statements = Statements()
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(app.lifespan())
        statements.listen(app.state.engine.sync_engine)
        statements.listen(app.state.read_engine.sync_engine)
        clients = {}
        for who, email, password in (
            ("member", targets.member_email, targets.member_password),
            ("coordinator", targets.coordinator_email, targets.coordinator_password),
        ):
            client = await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
                    base_url="http://testserver.local",
                    timeout=600,
                )
            )
            await _log_in(client, email, password)
            clients[who] = client
        statements.take()
        yield Site(label, targets, clients, statements)


@dataclass
class Timed:
    seconds: list[float] = field(default_factory=list)
    status: int = 0
    size: int = 0
    statements: int = 0
    statement_seconds: float = 0.0
    problem: str = ""

    @property
    def best(self) -> float:
        return min(self.seconds) if self.seconds else float("nan")


async def fetch(site: Site, spec: PageSpec) -> tuple[float, httpx.Response, list[Any]]:
    path = spec.path.format(**site.targets.fields())
    site.statements.take()
    started = time.perf_counter()
    response = await site.clients[spec.who].get(path)
    seconds = time.perf_counter() - started
    return seconds, response, site.statements.take()


def _check(spec: PageSpec, response: httpx.Response) -> str:
    if response.status_code != 200:
        return f"status {response.status_code}"
    if spec.must_show and spec.must_show.encode() not in response.content[:2_000_000]:
        return f"does not show {spec.must_show!r}"
    return ""


async def measure_page(sites: list[Site], spec: PageSpec, runs: int) -> dict[str, Timed]:
    """The page once untimed on each site, then `runs` times on each in turn."""
    found = {site.label: Timed() for site in sites}
    for site in sites:
        _s, response, done = await fetch(site, spec)
        timed = found[site.label]
        timed.status, timed.size = response.status_code, len(response.content)
        timed.statements = len(done)
        timed.problem = _check(spec, response)
    for _ in range(runs):
        for site in sites:
            if found[site.label].problem:
                continue
            seconds, response, done = await fetch(site, spec)
            timed = found[site.label]
            if seconds < timed.best or not timed.seconds:
                timed.statement_seconds = sum(s for _t, s in done)
            timed.seconds.append(seconds)
            if response.status_code != 200:
                timed.problem = f"status {response.status_code}"
    return found


def slow(demo: Timed, big: Timed, spec: PageSpec) -> bool:
    if big.problem or demo.problem:
        return False
    return big.best * 1000 > GOAL_MS or big.best / demo.best > GOAL_RATIO


async def profile_page(site: Site, spec: PageSpec, out: Path) -> dict[str, Any]:
    """One more request under cProfile: the app's own functions and templates by cumulative
    time, everything by own time, and the SQL statements grouped, slowest first."""
    profiler = cProfile.Profile()
    profiler.enable()
    seconds, _response, done = await fetch(site, spec)
    profiler.disable()
    kinds: dict[str, list[float]] = {}
    for statement, spent in done:
        kinds.setdefault(statement[:160], []).append(spent)
    return {
        "seconds": seconds,
        "statements": len(done),
        "statement_seconds": sum(s for _t, s in done),
        "statement_kinds": sorted(
            ([len(v), sum(v), k] for k, v in kinds.items()), key=lambda q: -float(q[1])
        )[:8],
        **profiled(profiler, out, r"governance/|\.html"),
    }


async def measure_all(
    databases: dict[str, tuple[str, Targets]],
    runs: int,
    profile: str,
    profile_dir: Path,
    stamp: str,
    only: list[str] | None,
) -> list[dict[str, Any]]:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    results = []
    async with contextlib.AsyncExitStack() as stack:
        sites = [
            await stack.enter_async_context(serve(label, url, targets))
            for label, (url, targets) in databases.items()
        ]
        for spec in PAGES:
            if only and spec.name not in only:
                continue
            found = await measure_page(sites, spec, runs)
            demo, big = found["demo"], found["big"]
            row: dict[str, Any] = {
                "page": spec.name,
                "who": spec.who,
                "apart": spec.apart,
                "path": spec.path,
                **{
                    label: {
                        "best_seconds": t.best if t.seconds else None,
                        "all_seconds": t.seconds,
                        "bytes": t.size,
                        "statements": t.statements,
                        "statement_seconds": t.statement_seconds,
                        "problem": t.problem,
                    }
                    for label, t in found.items()
                },
            }
            print(
                f"  {spec.name}: demo {demo.best * 1000:.1f} ms, big {big.best * 1000:.1f} ms "
                f"({big.statements} SQL statements)"
                + (
                    f" {demo.problem or ''} {big.problem or ''}"
                    if demo.problem or big.problem
                    else ""
                ),
                flush=True,
            )
            if profile == "always" or (profile == "auto" and slow(demo, big, spec)):
                name = (
                    spec.name.replace(" ", "-").replace(".", "").replace("(", "").replace(")", "")
                )
                out = profile_dir / f"pages-{name}-{stamp}.prof"
                out.parent.mkdir(parents=True, exist_ok=True)
                row["profile"] = await profile_page(sites[-1], spec, out)
            results.append(row)
    return results
