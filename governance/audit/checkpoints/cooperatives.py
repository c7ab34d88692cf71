"""The cooperatives as the checkpoints see them: their ids and their published public keys.

Audit knows cooperatives by id only: it reads and writes these two columns of the `cooperative`
table by name, through SQLAlchemy core, and imports nothing from governance.members (whose
`Cooperative` model owns the table). Every function works inside the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy import Integer, String, column, table, update
from sqlalchemy import inspect as inspect_instance
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

COOPERATIVE = table("cooperative", column("id", Integer), column("public_key", String))


async def cooperative_ids(session: AsyncSession) -> list[int]:
    """Every cooperative's id, in order."""
    rows = await session.exec(select(COOPERATIVE.c.id).order_by(COOPERATIVE.c.id))
    return [int(cooperative_id) for cooperative_id in rows.all()]


async def published_key(session: AsyncSession, cooperative_id: int) -> str:
    """The public key the cooperative publishes ("" if none yet). LookupError if no such
    cooperative. Changes of the session not yet written are written first (a core query does
    not flush them itself)."""
    await session.flush()
    found = (
        await session.exec(
            select(COOPERATIVE.c.public_key).where(COOPERATIVE.c.id == cooperative_id)
        )
    ).first()
    if found is None:
        raise LookupError(f"no cooperative {cooperative_id}")
    return str(found)


async def publish_key(session: AsyncSession, cooperative_id: int, public_key: str) -> None:
    """Publish the cooperative's public key; a cooperative already loaded in the session sees
    it too, as if read again (nothing else of it is touched)."""
    await session.exec(
        update(COOPERATIVE).where(COOPERATIVE.c.id == cooperative_id).values(public_key=public_key)
    )
    for instance in list(session.identity_map.values()):
        state = inspect_instance(instance)
        if state.mapper.local_table.name == COOPERATIVE.name and state.identity == (
            cooperative_id,
        ):
            set_committed_value(instance, "public_key", public_key)
