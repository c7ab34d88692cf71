"""The checkpoints as every member sees and keeps them: a page, and the same list as JSON.

The JSON (`/c/<coop>/checkpoints.json`) is exactly what `governance audit verify --witness`
takes: a member who downloads it now can prove later that the chain still holds these heads,
whoever holds the database and its signing key (docs/audit.md). Above members (the web shell):
the pages need the cooperative of the URL and its permissions; the checkpoints themselves are
in governance.audit.checkpoints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.chain import DAILY
from governance.audit.checkpoints.checkpoints import checkpoints_of, hash_of
from governance.audit.models import Checkpoint
from governance.base.http import Db, page
from governance.base.i18n import datetime_short
from governance.members.access import Actor, Permission, authorize
from governance.members.context import Coop


async def read_checkpoints(session: AsyncSession, actor: Actor) -> list[Checkpoint]:
    """The cooperative's checkpoints, oldest first, for any of its members (READ_AUDIT)."""
    async with session.begin():
        await authorize(session, actor, Permission.READ_AUDIT)
        return await checkpoints_of(session, actor.cooperative_id)


def _hash(checkpoint: Checkpoint) -> str | None:
    try:
        return hash_of(checkpoint)
    except ValueError:
        return None  # malformed: `governance audit verify` names it


def as_witness(checkpoint: Checkpoint) -> dict[str, Any]:
    """One checkpoint as the witness file holds it: `seq` and `head` first."""
    return {
        "seq": checkpoint.seq,
        "head": checkpoint.head_hash,
        "number": checkpoint.number,
        "kind": checkpoint.kind,
        "label": checkpoint.month,
        "at": checkpoint.at,
        "cooperative_id": checkpoint.cooperative_id,
        "previous": checkpoint.previous,
        "hash": _hash(checkpoint),
        "signature": checkpoint.signature,
        "public_key": checkpoint.public_key,
    }


@dataclass(frozen=True)
class CheckpointRow:
    number: int
    daily: bool
    label: str
    seq: int
    head: str
    at: str
    signature: str
    previous: str | None


def _row(checkpoint: Checkpoint) -> CheckpointRow:
    moment = datetime.fromisoformat(checkpoint.at.replace("Z", "+00:00"))
    return CheckpointRow(
        number=checkpoint.number,
        daily=checkpoint.kind == DAILY,
        label=checkpoint.month,
        seq=checkpoint.seq,
        head=checkpoint.head_hash,
        at=datetime_short(moment),
        signature=checkpoint.signature,
        previous=checkpoint.previous,
    )


class CheckpointController(Controller):
    path = "/"

    @get("/checkpoints")
    async def index(self, request: Request, db: Db, coop: Coop) -> Template:
        """Every signed checkpoint, newest first, with the link to keep them all."""
        found = await read_checkpoints(db, coop.actor)
        return page(
            request,
            "trail/checkpoints.html",
            rows=[_row(checkpoint) for checkpoint in reversed(found)],
            public_key=coop.cooperative.public_key,
        )

    @get("/checkpoints.json")
    async def download(self, db: Db, coop: Coop) -> Response[list[dict[str, Any]]]:
        """The checkpoints as a witness file (oldest first), to keep and check later."""
        found = await read_checkpoints(db, coop.actor)
        name = f"checkpoints-{coop.cooperative.slug}.json"
        return Response(
            [as_witness(checkpoint) for checkpoint in found],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
