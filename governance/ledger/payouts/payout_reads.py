"""Payouts, read: what is owed to whom, the batches, and a batch's SEPA file (coordinators).

The helpers without a leading underscore (`cooperative_of`, `owed_of`, `batch_of`, `lines_of`,
`missing_details`) run inside a caller's transaction, for the services of
`governance/ledger/payouts/payouts.py` that change batches; the public functions are each one
read-only transaction, permission-checked (PAY_MEMBERS).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.base import i18n
from governance.base.errors import Conflict, Invalid, NotFound
from governance.base.i18n import _
from governance.input.iban import compact, iban_problem
from governance.ledger.books.models import Account
from governance.ledger.books.posting import balance_of
from governance.ledger.payouts.models import PayoutBatch, PayoutLine
from governance.ledger.payouts.payout_months import PAYABLE, months_of_lines
from governance.ledger.payouts.payout_sepa import (
    build_sepa,
    debtor_name,
    remittance,
    remittance_language,
)
from governance.ledger.payouts.states import PayoutState
from governance.members.access import Actor, Permission, authorize
from governance.members.bank import bic_problem, holder_problem
from governance.members.models import Cooperative


@dataclass(frozen=True)
class Owed:
    """A member the cooperative owes money to, and whether a transfer can reach them."""

    member_id: int
    name: str
    amount_cents: int
    iban: str
    bic: str
    holder: str  # the account holder's name, as the bank writes it ('' when not given)
    # Why they cannot be paid by transfer (no or bad IBAN, no account holder's name); None:
    # they can.
    problem: str | None


@dataclass(frozen=True)
class LineView:
    line: PayoutLine  # line.name is the account holder's name the file gives the bank
    member_name: str  # the member's name in the cooperative
    months: list[str]  # the months (YYYY-MM) the transfer pays, oldest first
    # The member changed their IBAN, or the holder's name, since the batch was prepared: the
    # file pays the old one.
    iban_changed: bool
    holder_changed: bool


@dataclass(frozen=True)
class BatchView:
    batch: PayoutBatch
    lines: list[LineView]
    created_by: str
    decided_by: str


def missing_details(cooperative: Cooperative) -> list[str]:
    missing = []
    if not cooperative.iban:
        missing.append(_("IBAN"))
    if not cooperative.bic:
        missing.append(_("BIC"))
    if not debtor_name(cooperative):
        missing.append(_("Legal name"))
    return missing


async def cooperative_of(session: AsyncSession, actor: Actor) -> Cooperative:
    cooperative = await session.get(Cooperative, actor.cooperative_id)
    if cooperative is None:
        raise NotFound(_("There is no cooperative at this address."))
    return cooperative


async def owed_of(session: AsyncSession, cooperative_id: int) -> list[Owed]:
    """Every member with a positive amount owed on their `payable:` account, by member id.

    The ledger is debit-positive: a share credited to the member makes the balance negative,
    so what is owed is minus the balance.
    """
    accounts = (
        await session.exec(
            select(Account).where(
                Account.cooperative_id == cooperative_id,
                col(Account.code).startswith(PAYABLE),
            )
        )
    ).all()
    amounts: dict[int, int] = {}
    for account in accounts:
        member = account.code[len(PAYABLE) :]
        if not member.isdigit() or account.id is None:
            continue
        owed = -(await balance_of(session, account.id))
        if owed > 0:
            amounts[int(member)] = owed
    if not amounts:
        return []
    people = {
        person.id: person
        for person in (
            await session.exec(
                select(Person)
                .where(col(Person.id).in_(list(amounts)))
                .execution_options(populate_existing=True)
            )
        ).all()
    }
    result = []
    for member_id in sorted(amounts):
        person = people.get(member_id)
        name = person.name if person else f"#{member_id}"
        iban = person.iban if person else ""
        bic = person.bic if person else ""
        holder = person.account_holder if person else ""
        problem = transfer_problem(iban, holder)
        if problem is None and bic and bic_problem(bic):
            bic = ""  # an unreadable BIC is left out: the IBAN alone is enough for SEPA
        result.append(
            Owed(
                member_id=member_id,
                name=name,
                amount_cents=amounts[member_id],
                iban=compact(iban),
                bic=compact(bic),
                holder=holder,
                problem=problem,
            )
        )
    return result


def transfer_problem(iban: str, holder: str) -> str | None:
    """Why a transfer cannot reach this account; None if it can. Pure."""
    if not iban:
        return _("There is no IBAN on the profile.")
    problem = iban_problem(iban)
    if problem is not None:
        return problem
    if not holder:
        return _("Needs the account holder's name, as the bank writes it, on their profile.")
    if holder_problem(holder) is not None:
        return _(
            "The account holder's name on the profile is not in the letters banks accept: "
            "the member must write it again."
        )
    return None


async def owed_members(session: AsyncSession, actor: Actor) -> list[Owed]:
    """What a batch prepared now would pay, and who would be left out (coordinators)."""
    async with session.begin():
        await authorize(session, actor, Permission.PAY_MEMBERS)
        return await owed_of(session, actor.cooperative_id)


async def batch_of(session: AsyncSession, actor: Actor, batch_id: int) -> PayoutBatch:
    """The batch, read again from the database; NotFound outside the actor's cooperative."""
    batch = (
        await session.exec(
            select(PayoutBatch)
            .where(PayoutBatch.id == batch_id)
            .execution_options(populate_existing=True)
        )
    ).first()
    if batch is None or batch.cooperative_id != actor.cooperative_id:
        raise NotFound(_("This payout batch does not exist."))
    return batch


async def lines_of(session: AsyncSession, batch_id: int) -> list[PayoutLine]:
    rows = await session.exec(
        select(PayoutLine)
        .where(PayoutLine.batch_id == batch_id)
        .order_by(col(PayoutLine.member_id), col(PayoutLine.id))
    )
    return list(rows.all())


async def list_batches(
    session: AsyncSession, actor: Actor, *, limit: int = 100
) -> list[PayoutBatch]:
    """The cooperative's batches, newest first (coordinators)."""
    async with session.begin():
        await authorize(session, actor, Permission.PAY_MEMBERS)
        rows = await session.exec(
            select(PayoutBatch)
            .where(PayoutBatch.cooperative_id == actor.cooperative_id)
            .order_by(col(PayoutBatch.id).desc())
            .limit(limit)
        )
        return list(rows.all())


async def load_batch(session: AsyncSession, actor: Actor, batch_id: int) -> BatchView:
    """One batch with its lines and the months each pays (coordinators). Raises
    PermissionDenied, NotFound."""
    async with session.begin():
        await authorize(session, actor, Permission.PAY_MEMBERS)
        batch = await batch_of(session, actor, batch_id)
        assert batch.id is not None
        lines = await lines_of(session, batch.id)
        months = await _months(session, batch, lines)
        ids = {line.member_id for line in lines} | {batch.created_by_id}
        if batch.decided_by_id is not None:
            ids.add(batch.decided_by_id)
        people = {
            person.id: person
            for person in (
                await session.exec(select(Person).where(col(Person.id).in_(list(ids))))
            ).all()
        }
    prepared = batch.state == PayoutState.PREPARED
    views = []
    for line in lines:
        person = people.get(line.member_id)
        views.append(
            LineView(
                line=line,
                member_name=person.name if person else f"#{line.member_id}",
                months=months.get(line.member_id, []),
                iban_changed=prepared and (compact(person.iban) if person else "") != line.iban,
                holder_changed=prepared and (person.account_holder if person else "") != line.name,
            )
        )
    created_by = people.get(batch.created_by_id)
    decided_by = people.get(batch.decided_by_id) if batch.decided_by_id is not None else None
    return BatchView(
        batch=batch,
        lines=views,
        created_by=created_by.name if created_by else "",
        decided_by=decided_by.name if decided_by else "",
    )


async def _months(
    session: AsyncSession, batch: PayoutBatch, lines: list[PayoutLine]
) -> dict[int, list[str]]:
    """The months each line pays, as the books stood before the batch was paid."""
    return await months_of_lines(session, batch.cooperative_id, lines, batch.entry_id)


async def sepa_file(session: AsyncSession, actor: Actor, batch_id: int) -> bytes:
    """The batch as a SEPA credit-transfer file (pain.001.001.03) for the bank, each
    transfer's text naming the months it pays.

    Prepared and sent batches (to download it again); Conflict for a cancelled one, or for a
    line whose name is not in SEPA's characters.
    """
    async with session.begin():
        await authorize(session, actor, Permission.PAY_MEMBERS)
        batch = await batch_of(session, actor, batch_id)
        if batch.state == PayoutState.CANCELLED:
            raise Conflict(_("This payout batch was cancelled: there is no file to send."))
        assert batch.id is not None
        lines = await lines_of(session, batch.id)
        months = await _months(session, batch, lines)
        cooperative = await cooperative_of(session, actor)
        if missing_details(cooperative):
            message = _("Fill in the cooperative's IBAN and BIC on its details page first.")
            raise Invalid(message, {"cooperative_details": message})
    with i18n.language(remittance_language(cooperative)):
        descriptions = {
            line.id: remittance(cooperative.name, months.get(line.member_id, []), batch.id)
            for line in lines
            if line.id is not None
        }
    return build_sepa(cooperative, batch, lines, descriptions)
