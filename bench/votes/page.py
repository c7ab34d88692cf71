"""The votes benchmark's page child: the proposal page against the members page, through the
real app in-process, and preview.compare alone."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

from bench.common import (
    BenchError,
    peak_kb,
    profiled,
)
from bench.cooperative import (
    PASSWORD,
)
from bench.votes import (
    COOP_SLUG,
    MONTHS,
    READER,
)
from governance.members.access import Actor
from governance.votes.drafting import preview_reads as preview
from governance.votes.models import Proposal


async def _page(
    url: str,
    cooperative_id: int,
    reader_id: int,
    proposal_id: int,
    runs: int,
    profile: str,
    profile_out: Path | None,
) -> dict[str, Any]:
    import logging

    import httpx

    from governance.app import create_app

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request
    from governance.base.settings import Settings

    settings = Settings(database_url=url, secret_key=os.environ["GOVERNANCE_SECRET_KEY"])
    app = create_app(settings)
    proposal_path = f"/c/{COOP_SLUG}/proposals/{proposal_id}"
    members_path = f"/c/{COOP_SLUG}/members"
    problems: list[str] = []
    async with (
        app.lifespan(),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
            base_url="http://testserver.local",
        ) as client,
    ):
        await client.get("/login")
        response = await client.post(
            "/login",
            data={
                "_csrf_token": client.cookies["csrftoken"],
                "email": READER,
                "password": PASSWORD,
                "next": "/",
            },
        )
        if response.status_code not in (302, 303):
            raise BenchError(f"login as {READER} failed: {response.status_code}")

        async def fetch(path: str) -> tuple[float, httpx.Response]:
            started = time.perf_counter()
            response = await client.get(path)
            return time.perf_counter() - started, response

        actor = Actor(person_id=reader_id, cooperative_id=cooperative_id)

        async def compare() -> tuple[float, Any]:
            async with app.state.read_sessionmaker() as session:
                proposal = await session.get(Proposal, proposal_id)
                assert proposal is not None
                started = time.perf_counter()
                found = await preview.compare(session, actor, proposal)
                return time.perf_counter() - started, found

        # One of each untimed first: compiled statements, template cache, pool connections.
        _s, first_members = await fetch(members_path)
        _s, first_page = await fetch(proposal_path)
        _s, comparison = await compare()
        members_s, page_s, compare_s = [], [], []
        statuses = set()
        sizes = {
            "members_page": len(first_members.content),
            "proposal_page": len(first_page.content),
        }
        for _ in range(runs):
            seconds, response = await fetch(members_path)
            members_s.append(seconds)
            statuses.add(response.status_code)
            seconds, response = await fetch(proposal_path)
            page_s.append(seconds)
            statuses.add(response.status_code)
            seconds, comparison = await compare()
            compare_s.append(seconds)
        body = first_page.text
        if statuses != {200} or first_members.status_code != 200 or first_page.status_code != 200:
            problems.append(f"statuses {sorted(statuses)}")
        if 'id="comparison"' not in body or 'id="my-difference"' not in body:
            problems.append("the proposal page has no comparison table with the reader's row")
        if comparison is None:
            problems.append("preview.compare found nothing to compare")
        rows = len(comparison.rows) if comparison is not None else 0
        months = list(comparison.months) if comparison is not None else []
        if months != list(MONTHS):
            problems.append(f"compared months {months}, not {list(MONTHS)}")
        if first_members.text.count("Member ") < 1:
            problems.append("the members page lists no member")
        report: dict[str, Any] = {
            "seconds": min(page_s),
            "all_seconds": page_s,
            "baseline_seconds": min(members_s),
            "all_baseline_seconds": members_s,
            "compare_seconds": min(compare_s),
            "all_compare_seconds": compare_s,
            "sizes": sizes,
            "comparison_rows": rows,
            "comparison_months": months,
            "problems": problems,
        }
        if profile_out and profile == "always":
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
            seconds, _r = await fetch(proposal_path)
            profiler.disable()
            # Coroutines resumed many times make the framework's cumulative times unreadable:
            # the service's own functions and the templates only.
            report["profile"] = {
                "seconds": seconds,
                **profiled(profiler, profile_out, r"governance/|\.html"),
            }
    return report


def child_page(
    url: str,
    cooperative_id: int,
    reader_id: int,
    proposal_id: int,
    runs: int,
    profile: str,
    profile_out: Path | None,
) -> dict[str, Any]:
    startup = peak_kb()
    report = asyncio.run(
        _page(url, cooperative_id, reader_id, proposal_id, runs, profile, profile_out)
    )
    report.update(startup_peak_kb=startup, peak_kb=peak_kb())
    return report
