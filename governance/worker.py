"""What happens by time, not by request: count the votes whose time has come, end the
mandates whose term is over, remind members that a month's review ends within a day, deliver
the mail outbox, sign the daily audit checkpoints, forget old login attempts and sessions.

`governance worker` runs `run_forever`; `governance worker --once` runs `run_once`; with no
separate worker (GOVERNANCE_WORKER=internal, the default) `governance serve` starts the same
loop in a process of its own. Several of them at once are safe: a vote is counted under its
cooperative's lock and re-read there (counted once), a mandate likewise, and a mail is claimed
before it is sent (governance/mail/sender.py). A job that fails (the database or the mail
server down) is logged and tried again later, each failure doubling the wait up to MAX_WAIT.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.base import db
from governance.base.settings import Settings

log = logging.getLogger("governance.worker")

Maker = async_sessionmaker[AsyncSession]
MAX_WAIT = 300.0  # seconds between two tries of a failing job, at most
TICK = 1.0  # how often the loop looks at the clock and at its parent
STOP_GRACE = 5.0  # seconds the jobs at hand get to finish when the worker stops


async def count_votes(maker: Maker, settings: Settings) -> int:
    """Close every vote whose closing time has passed; how many."""
    from governance.votes.outcome import close_due

    async with maker() as session:
        return await close_due(session)


async def lapse_mandates(maker: Maker, settings: Settings) -> int:
    """End the coordinators' mandates whose term is over; how many."""
    from governance.votes.mandates import lapse_due

    async with maker() as session:
        return await lapse_due(session)


async def send_mail(maker: Maker, settings: Settings) -> int:
    """Deliver the outbox when a mail server is configured; how many were sent."""
    from governance.mail.sender import send_pending, smtp_config

    config = smtp_config()
    if config is None:
        return 0
    async with maker() as session:
        sent, failed = await send_pending(session, config, settings.base_url)
    if failed and not sent:
        # Nothing went through: the mail job waits longer before it tries again.
        raise MailNotDelivered(f"{failed} mail(s) not delivered")
    return sent


async def sign_checkpoints(maker: Maker, settings: Settings) -> int:
    """Sign the head of every chain that grew since its last checkpoint, a day or more ago."""
    from governance.audit.checkpoints.daily import sign_due_checkpoints

    async with maker() as session:
        return await sign_due_checkpoints(session)


async def purge_auth(maker: Maker, settings: Settings) -> int:
    """Forget the login attempts older than the throttling window and the sessions that ended
    or expired over 30 days ago (docs/sessions.md); how many rows went."""
    from governance.auth.service import purge_login_attempts
    from governance.auth.sessions import purge_sessions
    from governance.base import clock

    now = clock.now()
    async with maker() as session:
        attempts = await purge_login_attempts(
            session, now, window_minutes=settings.login_window_minutes
        )
    async with maker() as session:
        return attempts + await purge_sessions(session, now)


async def remind_reviews(maker: Maker, settings: Settings) -> int:
    """Remind the members, once, that a month's review ends within a day; how many reviews."""
    from governance.ledger.closing.review_steps import remind_due

    async with maker() as session:
        return await remind_due(session)


class MailNotDelivered(RuntimeError):
    """A run of the mail job in which no mail was delivered and some failed."""


@dataclass(frozen=True)
class Job:
    name: str
    every: float  # seconds between two runs when all goes well
    run: Callable[[Maker, Settings], Awaitable[int]]


JOBS = (
    Job("mandates", 60.0, lapse_mandates),
    Job("votes", 15.0, count_votes),
    Job("reviews", 300.0, remind_reviews),  # before the mail: its reminders go in the same run
    Job("mail", 10.0, send_mail),
    Job("checkpoints", 3600.0, sign_checkpoints),
    Job("purge", 3600.0, purge_auth),
)


@dataclass
class Schedule:
    """When each job runs next, and how many times in a row it failed."""

    jobs: tuple[Job, ...] = JOBS
    next_at: dict[str, float] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)

    def due(self, now: float) -> list[Job]:
        return [job for job in self.jobs if self.next_at.get(job.name, 0.0) <= now]

    def done(self, job: Job, now: float, ok: bool) -> None:
        failures = 0 if ok else self.failures.get(job.name, 0) + 1
        self.failures[job.name] = failures
        wait = job.every if ok else min(job.every * 2**failures, MAX_WAIT)
        self.next_at[job.name] = now + wait


async def run_job(job: Job, maker: Maker, settings: Settings) -> bool:
    """Run one job; False (logged, never raised) when it failed."""
    try:
        done = await job.run(maker, settings)
    except Exception as error:  # the database or the mail server down: try again later
        log.warning("job %s failed: %s", job.name, type(error).__name__)
        log.debug("job %s failed", job.name, exc_info=True)
        return False
    if done:
        log.info("job %s: %d done", job.name, done)
    return True


async def run_once(settings: Settings, jobs: tuple[Job, ...] = JOBS) -> bool:
    """Every job once, in order; True when all of them succeeded."""
    engine = db.make_engine(settings.database_url)
    try:
        maker = db.make_sessionmaker(engine)
        results = [await run_job(job, maker, settings) for job in jobs]
    finally:
        await engine.dispose()
    return all(results)


def _orphaned(parent_pid: int | None) -> bool:
    """True when the process that started this one (`governance serve`) is gone."""
    return parent_pid is not None and os.getppid() != parent_pid


async def run_forever(
    settings: Settings,
    stop: asyncio.Event,
    parent_pid: int | None = None,
    schedule: Schedule | None = None,
) -> None:
    """Run the jobs as they fall due until `stop` is set (or the parent process is gone)."""
    schedule = schedule or Schedule()
    engine = db.make_engine(settings.database_url)
    maker = db.make_sessionmaker(engine)
    # Each job runs in a task of its own: a mail server that takes its time never holds up
    # the count of a vote. A job is not started again while its last run goes on.
    running: dict[str, asyncio.Task[None]] = {}

    async def run_and_reschedule(job: Job) -> None:
        ok = await run_job(job, maker, settings)
        schedule.done(job, time.monotonic(), ok)

    log.info("worker started: %s", ", ".join(job.name for job in schedule.jobs))
    try:
        while not stop.is_set() and not _orphaned(parent_pid):
            for job in schedule.due(time.monotonic()):
                if job.name not in running or running[job.name].done():
                    running[job.name] = asyncio.create_task(run_and_reschedule(job))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=TICK)
    finally:
        # The jobs at hand get a moment to finish; a mail cut off here is sent again once
        # its claim expires (docs/mail.md).
        busy = [task for task in running.values() if not task.done()]
        if busy:
            _done, pending = await asyncio.wait(busy, timeout=STOP_GRACE)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await engine.dispose()
        log.info("worker stopped")


def serve_forever(settings: Settings, parent_pid: int | None = None) -> None:
    """`governance worker`: the loop, stopped by SIGTERM or SIGINT after the job at hand."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await run_forever(settings, stop, parent_pid)

    asyncio.run(main())
