"""What payout and bank tests share: what members are owed, and the cooperative's bank."""

from __future__ import annotations

from typing import Any

from governance.base import clock
from governance.ledger.books.journal import Posting
from governance.ledger.books.posting import post
from governance.members.models import Cooperative

COOP_IBAN = "BE68539007547034"


async def owe(session: Any, cooperative_id: int, owed: dict[int, int]) -> None:
    """Credit each member's payable (what the month close does); a negative amount is money
    the member owes the cooperative (a debit)."""
    async with session.begin():
        await post(
            session,
            cooperative_id=cooperative_id,
            day=clock.today(),
            kind="close",
            memo="shares",
            author_id=None,
            postings=[
                Posting("revenue", sum(owed.values())),
                *(Posting(f"payable:{member}", -amount) for member, amount in owed.items()),
            ],
        )


async def set_cooperative_bank(session: Any, cooperative_id: int, iban: str = COOP_IBAN) -> None:
    async with session.begin():
        cooperative = await session.get(Cooperative, cooperative_id)
        cooperative.iban, cooperative.bic, cooperative.legal_name = iban, "GKCCBEBB", "Alpha SC"
        session.add(cooperative)
