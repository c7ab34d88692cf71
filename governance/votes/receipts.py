"""Receipts as a voter types them, and the receipts a vote no longer counts.

A receipt is written `K7QM-2XRT-9BWD`; typed back from a note or a phone it may come in lower
case, with spaces or without dashes: `receipt_key` keeps only its letters and digits, upper
case, so that all these find it.

Changing a vote gives the ballot a new receipt; taking a proxy back withdraws the ballot the
holder cast with it. The old receipt is kept in `replaced_receipt` (the proposal, the receipt
and why; no voter, no choice, no time), so that the board can say "this receipt was replaced
when you changed your vote" instead of "not found". Such a receipt is tied to no choice on
the board: keeping it tells nobody who chose what, even in a secret vote. Append-only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

# What a search may be: the 12 characters and their dashes, plus some spaces around.
MAX_TYPED = 40


class Replaced(StrEnum):
    CHANGED = "changed"  # the voter (or their proxy holder) changed the vote
    WITHDRAWN = "withdrawn"  # the giver took their proxy back: the holder's ballot is gone


class ReplacedReceipt(SQLModel, table=True):
    __tablename__ = "replaced_receipt"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    receipt: str = Field(max_length=20)
    cause: str = Field(max_length=10)


def receipt_key(typed: str) -> str:
    """ "k7qm 2xrt-9bwd" -> "K7QM2XRT9BWD": letters and digits only, upper case."""
    return "".join(c for c in typed[:MAX_TYPED].upper() if c.isascii() and c.isalnum())


def find_on_board(typed: str, receipts: Iterable[str]) -> str | None:
    """The receipt of the board that `typed` names, however it was typed; None if none."""
    key = receipt_key(typed)
    if not key:
        return None
    return next((r for r in receipts if receipt_key(r) == key), None)


async def remember(session: AsyncSession, proposal_id: int, receipt: str, cause: Replaced) -> None:
    """Keep a receipt the vote no longer counts (in the caller's transaction)."""
    session.add(ReplacedReceipt(proposal_id=proposal_id, receipt=receipt, cause=cause.value))


async def replaced(session: AsyncSession, proposal_id: int, typed: str) -> Replaced | None:
    """Why the vote no longer counts the receipt `typed` (None: it never had it)."""
    key = receipt_key(typed)
    if not key:
        return None
    rows = await session.exec(
        select(ReplacedReceipt.receipt, ReplacedReceipt.cause)
        .where(ReplacedReceipt.proposal_id == proposal_id)
        .order_by(col(ReplacedReceipt.id))
    )
    return next(
        (Replaced(cause) for receipt, cause in rows.all() if receipt_key(receipt) == key), None
    )


@dataclass(frozen=True)
class Search:
    """What the board's search found: `typed` as the reader typed it (trimmed), the board's
    receipt it names (`found`), or why the vote no longer counts it (`replaced`); neither:
    no such receipt."""

    typed: str
    found: str | None = None
    replaced: Replaced | None = None


async def search(
    session: AsyncSession, proposal_id: int, typed: str, board: Iterable[str]
) -> Search | None:
    """The board's answer to a receipt typed in its search box (None: nothing typed)."""
    typed = " ".join(typed[:MAX_TYPED].split())
    if not typed:
        return None
    found = find_on_board(typed, board)
    if found is not None:
        return Search(typed, found=found)
    return Search(typed, replaced=await replaced(session, proposal_id, typed))
