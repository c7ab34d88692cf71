"""The daily checkpoint: every cooperative whose audit chain grew since its last checkpoint,
made over a day ago, gets its head signed (the worker's "checkpoints" job). Members who keep
the heads (the checkpoints page, its JSON, their statements) then hold a witness of every day
with new events, not only of every month close.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.chain import DAILY, chain_key
from governance.audit.checkpoints.checkpoints import SigningKeyMismatch, last_checkpoint, sign_head
from governance.audit.checkpoints.cooperatives import cooperative_ids
from governance.audit.models import AuditEvent, Checkpoint
from governance.audit.service import lock_cooperative, record
from governance.base import clock

log = logging.getLogger("governance.audit")
DAILY_EVERY = timedelta(days=1)  # a chain that grew gets a checkpoint at most this often


def _moment(at: str) -> datetime:
    return datetime.fromisoformat(at.replace("Z", "+00:00"))


async def sign_daily(session: AsyncSession, cooperative_id: int) -> Checkpoint | None:
    """Sign the head of a chain that grew since its last checkpoint, made over a day ago.

    Inside the caller's transaction. Announces the checkpoint first, with its number, in the
    chain ("checkpoint.daily", by no one), so that the checkpoint signs its own announcement
    and deleting it leaves an event that names it. None when nothing is due.
    """
    await lock_cooperative(session, cooperative_id)
    last_seq = (
        await session.exec(
            select(func.max(AuditEvent.seq)).where(AuditEvent.chain == chain_key(cooperative_id))
        )
    ).one()
    before = await last_checkpoint(session, cooperative_id)
    if not last_seq or (before is not None and before.seq >= last_seq):
        return None
    now = clock.now()
    if before is not None and _moment(before.at) > now - DAILY_EVERY:
        return None
    day = clock.today().isoformat()
    number = before.number + 1 if before is not None else 1
    await record(
        session,
        cooperative_id=cooperative_id,
        actor_id=None,
        action="checkpoint.daily",
        subject_type="checkpoint",
        subject_id=number,
        data={"number": number, "day": day, "after_seq": last_seq},
    )
    return await sign_head(session, cooperative_id, day, kind=DAILY)


async def sign_due_checkpoints(session: AsyncSession) -> int:
    """The worker's daily checkpoints: one transaction per cooperative; how many were signed.

    A cooperative whose keys do not match (SigningKeyMismatch), or whose last checkpoint is too
    malformed to link to (ValueError), is logged and skipped: an operator must look (and
    `governance audit verify` names the problem), and the other cooperatives still get theirs.
    """
    async with session.begin():
        ids = await cooperative_ids(session)
    signed = 0
    for cooperative_id in ids:
        try:
            async with session.begin():
                if await sign_daily(session, cooperative_id) is not None:
                    signed += 1
        except (SigningKeyMismatch, ValueError) as error:
            log.error("no daily checkpoint for cooperative %s: %s", cooperative_id, error)
    return signed
