"""What the cooperative's funds hold, read from the books: every fund's balance for the
drafting form, one fund's for the close that spends from it, and a spending proposal's fund
for its page. The words about funds are in governance/votes/drafting/funds.py (pure)."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.ledger.books.models import Account
from governance.ledger.books.posting import balance_of
from governance.votes.counting.kinds import ProposalKind, ProposalState
from governance.votes.drafting.funds import FUND_PREFIX, FundState
from governance.votes.models import Proposal


async def fund_balances(session: AsyncSession, cooperative_id: int) -> dict[str, int]:
    """What each of the cooperative's funds holds now, in cents, by fund name."""
    accounts = await session.exec(
        select(Account.id, Account.code).where(
            Account.cooperative_id == cooperative_id,
            col(Account.code).startswith(FUND_PREFIX),
        )
    )
    held: dict[str, int] = {}
    for account_id, code in accounts.all():
        assert account_id is not None
        held[code.removeprefix(FUND_PREFIX)] = -(await balance_of(session, account_id))
    return held


async def fund_held(session: AsyncSession, cooperative_id: int, fund: str) -> int:
    """What `fund` holds now (0 for a fund that never received anything)."""
    account_id = (
        await session.exec(
            select(Account.id).where(
                Account.cooperative_id == cooperative_id, Account.code == FUND_PREFIX + fund
            )
        )
    ).first()
    return -(await balance_of(session, account_id)) if account_id is not None else 0


async def proposal_fund(session: AsyncSession, proposal: Proposal) -> FundState | None:
    """For a fund spending not yet closed, its fund's balance now; None otherwise."""
    if proposal.kind != ProposalKind.FUND_SPENDING or proposal.state == ProposalState.CLOSED:
        return None
    fund = str(proposal.effect.get("fund", ""))
    held = await fund_held(session, proposal.cooperative_id, fund)
    return FundState(fund, held, int(proposal.effect.get("amount_cents", 0)))
