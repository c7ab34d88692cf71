"""Casting ballots and giving proxies on an open proposal: one counted ballot per eligible
voter (unique in the database), changeable until the close, each version with a new receipt
(the old one kept as replaced: `remember`, governance/votes/counting/receipts.py).

For a secret vote the audit trail records that a person voted (or voted for someone by
proxy), never what: no choice, no receipt.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import lock_cooperative, record
from governance.auth.models import Person
from governance.base import clock
from governance.base.errors import Conflict, Invalid, NotFound, PermissionDenied
from governance.base.i18n import _, ngettext
from governance.input.forms import Form
from governance.members import MembershipStatus
from governance.members.access import Actor, Permission, allows, authorize
from governance.members.models import Cooperative
from governance.members.service import membership_of
from governance.votes import mails
from governance.votes.counting.kinds import ProposalState
from governance.votes.counting.methods import APPROVAL_CHOICES, CONSENT_CHOICES
from governance.votes.counting.receipts import Replaced
from governance.votes.drafting.drafting import option_labels
from governance.votes.drafting.voting_rules import voting_rules
from governance.votes.models import Ballot, EligibleVoter, Proposal, Proxy, ReplacedReceipt
from governance.votes.service import proposal_of

MAX_REASON = 1000
# Receipts: 12 characters without look-alikes (0/O, 1/I/L), about 58 bits.
_RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


async def _open_for_voter(session: AsyncSession, actor: Actor, proposal_id: int) -> Proposal:
    """The proposal, open, read again under the cooperative's lock (a close that committed
    while this request waited is seen), with the actor among its voters frozen at the
    opening (a role changed since then changes nothing to this vote)."""
    membership = await authorize(session, actor, Permission.READ_PROPOSALS)
    _open(await proposal_of(session, actor, proposal_id))
    await lock_cooperative(session, actor.cooperative_id)
    proposal = await proposal_of(session, actor, proposal_id, lock=True)
    _open(proposal)
    if not await _eligible(session, proposal_id, actor.person_id):
        if not allows(membership.role, Permission.VOTE):
            raise PermissionDenied(
                _("Only cooperators vote; workers and observers can read and discuss proposals.")
            )
        raise PermissionDenied(_("You are not among the voters of this proposal."))
    return proposal


async def remember(session: AsyncSession, proposal_id: int, receipt: str, cause: Replaced) -> None:
    """Keep a receipt the vote no longer counts (in the caller's transaction)."""
    session.add(ReplacedReceipt(proposal_id=proposal_id, receipt=receipt, cause=cause.value))


def new_receipt() -> str:
    code = "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(12))
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def _open(proposal: Proposal) -> None:
    now = clock.now()
    if proposal.state == ProposalState.DRAFT or (
        proposal.opens_at is not None and now < proposal.opens_at
    ):
        raise Conflict(_("This vote is not open yet."))
    if proposal.state == ProposalState.CLOSED or (
        proposal.closes_at is not None and now >= proposal.closes_at
    ):
        raise Conflict(_("This vote is closed: no more ballots are accepted."))


async def _eligible(session: AsyncSession, proposal_id: int, person_id: int) -> bool:
    found = await session.exec(
        select(EligibleVoter.id).where(
            EligibleVoter.proposal_id == proposal_id, EligibleVoter.person_id == person_id
        )
    )
    return found.first() is not None


def parse_choice(proposal: Proposal, data: Mapping[str, Any]) -> tuple[Any, str]:
    """The choice (a string, or the ranking best first) and the objection's reason."""
    form = Form(data)
    reason = ""
    choice: Any
    if proposal.method == "ranked":
        labels = option_labels(proposal.options)
        # From JSON: "ranking": [labels]. From a form: rank_1 = label, rank_2 = label...
        raw = data.get("ranking")
        if raw is None:
            picked: list[Any] = [form.raw(f"rank_{n}").strip() for n in range(1, len(labels) + 1)]
        else:
            picked = raw if isinstance(raw, list) else [None]
        ranking = [p for p in picked if p != ""]
        if any(not isinstance(p, str) for p in ranking):
            form.fail("ranking", _("This option does not exist."))
        elif not ranking:
            form.fail("ranking", _("Rank at least one option."))
        elif any(p not in labels for p in ranking):
            form.fail("ranking", _("This option does not exist."))
        elif len(set(ranking)) != len(ranking):
            form.fail("ranking", _("Each option can be ranked only once."))
        choice = ranking
    else:
        choices = APPROVAL_CHOICES if proposal.method == "approval" else CONSENT_CHOICES
        choice = form.choice("choice", choices)
        if choice == "object":
            reason = form.text("reason", max_length=MAX_REASON, multiline=True, required=False)
            if not reason and "reason" not in form.errors:
                form.fail("reason", _("An objection needs a reason: say what you object to."))
    form.done()
    return choice, reason


async def cast_ballot(
    session: AsyncSession,
    actor: Actor,
    proposal_id: int,
    data: Mapping[str, Any],
    *,
    voter_id: int | None = None,
) -> Ballot:
    """The actor's ballot, or (`voter_id`) the ballot of someone whose proxy the actor holds.

    Replaces the voter's earlier ballot (new receipt). A proxy holder cannot replace a ballot
    the voter cast themselves. Raises PermissionDenied (not eligible; no proxy), NotFound,
    Conflict (not open yet, closed), Invalid (unknown option, duplicates, objection without
    reason).
    """
    voter = actor.person_id if voter_id is None else voter_id
    async with session.begin():
        proposal = await _open_for_voter(session, actor, proposal_id)
        choice, reason = parse_choice(proposal, data)
        if voter != actor.person_id:
            proxy = await _active_proxy(session, proposal_id, voter)
            if proxy is None or proxy.holder_id != actor.person_id:
                raise PermissionDenied(_("You do not hold this member's proxy."))
        ballot = (
            await session.exec(
                select(Ballot).where(Ballot.proposal_id == proposal_id, Ballot.voter_id == voter)
            )
        ).first()
        if ballot is not None and voter != actor.person_id and ballot.cast_by_id == voter:
            raise Conflict(_("This member has voted themselves: their own ballot counts."))
        changed = ballot is not None
        if ballot is not None:  # the board will say this receipt was replaced
            await remember(session, proposal_id, ballot.receipt, Replaced.CHANGED)
        if ballot is None:
            ballot = Ballot(
                proposal_id=proposal_id,
                voter_id=voter,
                cast_by_id=actor.person_id,
                choice=choice,
                receipt=new_receipt(),
                cast_at=clock.now(),
            )
        ballot.cast_by_id = actor.person_id
        ballot.choice = choice
        ballot.reason = reason
        ballot.receipt = new_receipt()
        ballot.cast_at = clock.now()
        session.add(ballot)
        try:
            await session.flush()
        except IntegrityError as error:  # a concurrent first ballot of the same voter
            raise Conflict(_("Your ballot was already being recorded; reload the page.")) from error
        # The choice stays out of the trail for every vote: a public vote shows who voted
        # what on its board after the close, not while it is open.
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="ballot.changed" if changed else "ballot.cast",
            subject_type="proposal",
            subject_id=proposal_id,
            data={"voter_id": voter},
        )
    return ballot


async def _active_proxy(session: AsyncSession, proposal_id: int, giver_id: int) -> Proxy | None:
    found = await session.exec(
        select(Proxy).where(
            Proxy.proposal_id == proposal_id,
            Proxy.giver_id == giver_id,
            col(Proxy.revoked_at).is_(None),
        )
    )
    return found.first()


async def _held(session: AsyncSession, proposal_id: int, holder_id: int) -> int:
    count = await session.exec(
        select(func.count())
        .select_from(Proxy)
        .where(
            Proxy.proposal_id == proposal_id,
            Proxy.holder_id == holder_id,
            col(Proxy.revoked_at).is_(None),
        )
    )
    return count.one()


async def give_proxy(
    session: AsyncSession, actor: Actor, proposal_id: int, data: Mapping[str, Any]
) -> Proxy:
    """The actor lets another eligible voter vote for them on this proposal.

    Refused: to oneself, to a non-voter (not among the proposal's voters, or no longer an
    active member with a voting role), to a holder already carrying the cooperative's limit,
    chains (the holder gave their own proxy; the giver holds someone's), a second proxy.
    """
    async with session.begin():
        proposal = await _open_for_voter(session, actor, proposal_id)
        form = Form(data)
        holder_id = form.row_id("holder_id")
        form.done()
        assert holder_id is not None

        def refuse(message: str) -> Invalid:
            return Invalid(message, {"holder_id": message})

        if holder_id == actor.person_id:
            raise refuse(_("You cannot give your proxy to yourself."))
        if not await _eligible(session, proposal_id, holder_id):
            raise refuse(_("Choose a member who can vote on this proposal."))
        holder_membership = await membership_of(session, actor.cooperative_id, holder_id)
        if holder_membership is None or holder_membership.status != MembershipStatus.ACTIVE:
            raise refuse(_("This member is suspended: they cannot carry a proxy."))
        if not allows(holder_membership.role, Permission.VOTE):
            raise refuse(_("This member's role does not let them vote: choose a cooperator."))
        if await _active_proxy(session, proposal_id, actor.person_id) is not None:
            raise refuse(_("You have already given your proxy; take it back first."))
        if await _active_proxy(session, proposal_id, holder_id) is not None:
            raise refuse(_("This member has given their own proxy: proxies cannot be passed on."))
        if await _held(session, proposal_id, actor.person_id):
            raise refuse(_("You hold another member's proxy: you cannot give yours (no chains)."))
        cooperative = await session.get(Cooperative, actor.cooperative_id)
        assert cooperative is not None
        limit = voting_rules(cooperative.settings).proxy_limit
        if limit == 0:
            raise refuse(_("This cooperative's voting rules allow no proxies."))
        if await _held(session, proposal_id, holder_id) >= limit:
            raise refuse(
                ngettext(
                    "This member already carries %(count)d proxy, the cooperative's limit.",
                    "This member already carries %(count)d proxies, the cooperative's limit.",
                    limit,
                )
                % {"count": limit}
            )
        proxy = (
            await session.exec(
                select(Proxy).where(
                    Proxy.proposal_id == proposal_id, Proxy.giver_id == actor.person_id
                )
            )
        ).first() or Proxy(proposal_id=proposal_id, giver_id=actor.person_id, holder_id=holder_id)
        proxy.holder_id = holder_id
        proxy.given_at = clock.now()
        proxy.revoked_at = None
        session.add(proxy)
        await session.flush()
        holder = await session.get(Person, holder_id)
        assert holder is not None
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="proxy.given",
            subject_type="proposal",
            subject_id=proposal_id,
            data={"holder_id": holder_id, "holder": holder.name},
        )
        giver = await session.get(Person, actor.person_id)
        assert giver is not None
        await mails.proxy_received(session, cooperative, proposal, holder_id, giver.name)
    return proxy


async def revoke_proxy(session: AsyncSession, actor: Actor, proposal_id: int) -> None:
    """The giver takes their proxy back; a ballot the holder cast for them is withdrawn."""
    async with session.begin():
        await _open_for_voter(session, actor, proposal_id)
        proxy = await _active_proxy(session, proposal_id, actor.person_id)
        if proxy is None:
            raise NotFound(_("You have not given your proxy on this proposal."))
        proxy.revoked_at = clock.now()
        session.add(proxy)
        ballot = (
            await session.exec(
                select(Ballot).where(
                    Ballot.proposal_id == proposal_id,
                    Ballot.voter_id == actor.person_id,
                    Ballot.cast_by_id == proxy.holder_id,
                )
            )
        ).first()
        if ballot is not None:
            await remember(session, proposal_id, ballot.receipt, Replaced.WITHDRAWN)
            await session.delete(ballot)
        await session.flush()
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="proxy.revoked",
            subject_type="proposal",
            subject_id=proposal_id,
            data={"holder_id": proxy.holder_id, "ballot_withdrawn": ballot is not None},
        )
