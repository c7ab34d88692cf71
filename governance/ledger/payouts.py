"""Payouts: what the cooperative owes its members, paid by one SEPA credit transfer.

A coordinator prepares a batch of every positive `payable:<member>` balance (a member's share
is credited to that account, so what is owed is minus its balance), downloads the pain.001
file for the bank, and confirms once the bank has it: then, and only then, one entry posts
`Dr payable:<member>` for each line and `Cr bank` for the total. A prepared batch can be
cancelled; a sent one cannot. One prepared batch at a time, so money is never in two batches.

Every public function is one transaction, permission-checked (PAY_MEMBERS), and audited in
the cooperative's chain. Those that read balances and then write take the cooperative's lock
first, so two coordinators pressing the same button give one result and one refusal.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sepaxml import SepaTransfer
from sepaxml.validation import ValidationError as SepaValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from text_unidecode import unidecode

from governance import clock, i18n
from governance.audit.service import lock_cooperative, record
from governance.errors import Conflict, Invalid, NotFound
from governance.forms import Form
from governance.i18n import _
from governance.ledger.journal import Posting
from governance.ledger.models import Account, PayoutBatch, PayoutLine, PayoutState
from governance.ledger.posting import balance_of, post
from governance.members.access import Actor, Permission, authorize
from governance.members.bank import bic_problem, compact, iban_problem
from governance.members.models import Cooperative, Person

SCHEMA = "pain.001.001.03"
MAX_DAYS_AHEAD = 60
PAYABLE = "payable:"
# The characters every SEPA bank accepts in names and remittance texts (EPC's Latin set).
_NOT_SEPA_RE = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]+")


@dataclass(frozen=True)
class Owed:
    """A member the cooperative owes money to, and whether a transfer can reach them."""

    member_id: int
    name: str
    amount_cents: int
    iban: str
    bic: str
    problem: str | None  # why they cannot be paid by transfer (no or bad IBAN); None: they can


@dataclass(frozen=True)
class MissingIban:
    """Owed money but left out of the batch: nothing is paid to nowhere."""

    member_id: int
    name: str
    amount_cents: int
    reason: str


@dataclass(frozen=True)
class PreparedBatch:
    batch: PayoutBatch
    lines: list[PayoutLine]
    missing_iban: list[MissingIban]


@dataclass(frozen=True)
class LineView:
    line: PayoutLine
    # The member changed their IBAN since the batch was prepared: the file pays the old one.
    iban_changed: bool


@dataclass(frozen=True)
class BatchView:
    batch: PayoutBatch
    lines: list[LineView]
    created_by: str
    decided_by: str


def parse_execution_date(data: Mapping[str, Any]) -> dt.date:
    """The date asked of the bank, from the form (2026-11-27 or 27/11/2026). Raises Invalid."""
    form = Form(data)
    day = form.day("execution_date")
    form.done()
    assert day is not None
    return day


def check_execution_date(day: dt.date, today: dt.date) -> None:
    """Not in the past, at most MAX_DAYS_AHEAD days ahead (what banks accept). Pure."""
    if day < today:
        message = _("The execution date cannot be in the past.")
    elif day > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        message = _("The execution date can be at most %(days)d days ahead.") % {
            "days": MAX_DAYS_AHEAD
        }
    else:
        return
    raise Invalid(message, {"execution_date": message})


def sepa_text(text: str, limit: int) -> str:
    """Latin letters only, as banks accept them: "Amina Ḥaddād & co" as "Amina Haddad co"."""
    ascii_text = unidecode(unicodedata.normalize("NFC", text))
    return " ".join(_NOT_SEPA_RE.sub(" ", ascii_text).split())[:limit].strip()


def debtor_name(cooperative: Cooperative) -> str:
    """The account holder the bank knows: the legal name, else the usual name (as invoices)."""
    return cooperative.legal_name or cooperative.name


def _missing_details(cooperative: Cooperative) -> list[str]:
    missing = []
    if not cooperative.iban:
        missing.append(_("IBAN"))
    if not cooperative.bic:
        missing.append(_("BIC"))
    if not debtor_name(cooperative):
        missing.append(_("Legal name"))
    return missing


async def _cooperative(session: AsyncSession, actor: Actor) -> Cooperative:
    cooperative = await session.get(Cooperative, actor.cooperative_id)
    if cooperative is None:
        raise NotFound(_("There is no cooperative at this address."))
    return cooperative


async def _owed(session: AsyncSession, cooperative_id: int) -> list[Owed]:
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
        problem = iban_problem(iban) if iban else _("There is no IBAN on the profile.")
        if problem is None and bic and bic_problem(bic):
            bic = ""  # an unreadable BIC is left out: the IBAN alone is enough for SEPA
        result.append(
            Owed(
                member_id=member_id,
                name=name,
                amount_cents=amounts[member_id],
                iban=compact(iban),
                bic=compact(bic),
                problem=problem,
            )
        )
    return result


async def owed_members(session: AsyncSession, actor: Actor) -> list[Owed]:
    """What a batch prepared now would pay, and who would be left out (coordinators)."""
    async with session.begin():
        await authorize(session, actor, Permission.PAY_MEMBERS)
        return await _owed(session, actor.cooperative_id)


async def _prepared_batch_id(session: AsyncSession, cooperative_id: int) -> int | None:
    return (
        await session.exec(
            select(PayoutBatch.id).where(
                PayoutBatch.cooperative_id == cooperative_id,
                PayoutBatch.state == PayoutState.PREPARED,
            )
        )
    ).first()


async def prepare_batch(
    session: AsyncSession, actor: Actor, execution_date: dt.date, *, today: dt.date | None = None
) -> PreparedBatch:
    """A coordinator prepares a batch of everything owed to members who have a valid IBAN.

    Raises PermissionDenied; Invalid (execution date; the cooperative's IBAN or BIC missing);
    Conflict (a prepared batch is waiting; nobody can be paid).
    """
    today = today or clock.today()
    async with session.begin():
        await authorize(session, actor, Permission.PAY_MEMBERS)
        check_execution_date(execution_date, today)
        # Balances are read, then a batch that depends on them is written.
        await lock_cooperative(session, actor.cooperative_id)
        cooperative = await _cooperative(session, actor)
        missing = _missing_details(cooperative)
        if missing:
            message = _(
                "Before preparing a payout, fill in the cooperative's %(details)s on its "
                "details page."
            ) % {"details": ", ".join(missing)}
            raise Invalid(message, {"cooperative_details": message})
        waiting = await _prepared_batch_id(session, actor.cooperative_id)
        if waiting is not None:
            raise Conflict(
                _(
                    "Payout batch #%(id)d is prepared and not sent yet: confirm it as sent, "
                    "or cancel it, before preparing another."
                )
                % {"id": waiting}
            )
        owed = await _owed(session, actor.cooperative_id)
        payable = [o for o in owed if o.problem is None]
        left_out = [
            MissingIban(o.member_id, o.name, o.amount_cents, o.problem or "")
            for o in owed
            if o.problem is not None
        ]
        if not payable:
            if left_out:
                raise Conflict(
                    _(
                        "Nobody can be paid: the members who are owed money have no valid "
                        "IBAN on their profile yet."
                    )
                )
            raise Conflict(_("Nobody is owed money: there is nothing to pay."))
        batch = PayoutBatch(
            cooperative_id=actor.cooperative_id,
            state=PayoutState.PREPARED,
            total_cents=sum(o.amount_cents for o in payable),
            execution_date=execution_date,
            created_by_id=actor.person_id,
            created_at=clock.now(),
        )
        session.add(batch)
        await session.flush()
        assert batch.id is not None
        lines = [
            PayoutLine(
                batch_id=batch.id,
                member_id=o.member_id,
                name=o.name[:120],
                iban=o.iban,
                bic=o.bic,
                amount_cents=o.amount_cents,
            )
            for o in payable
        ]
        session.add_all(lines)
        await session.flush()
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="payout.prepared",
            subject_type="payout_batch",
            subject_id=batch.id,
            data={
                "execution_date": execution_date.isoformat(),
                "total_cents": batch.total_cents,
                "count": len(lines),
                "lines": [[line.member_id, line.amount_cents] for line in lines],
                "left_out": [[m.member_id, m.amount_cents] for m in left_out],
            },
        )
    return PreparedBatch(batch=batch, lines=lines, missing_iban=left_out)


async def _batch(session: AsyncSession, actor: Actor, batch_id: int) -> PayoutBatch:
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


async def _lines(session: AsyncSession, batch_id: int) -> list[PayoutLine]:
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
    """One batch with its lines (coordinators). Raises PermissionDenied, NotFound."""
    async with session.begin():
        await authorize(session, actor, Permission.PAY_MEMBERS)
        batch = await _batch(session, actor, batch_id)
        assert batch.id is not None
        lines = await _lines(session, batch.id)
        ids = {line.member_id for line in lines} | {batch.created_by_id}
        if batch.decided_by_id is not None:
            ids.add(batch.decided_by_id)
        people = {
            person.id: person
            for person in (
                await session.exec(select(Person).where(col(Person.id).in_(list(ids))))
            ).all()
        }
    current = {pid: compact(p.iban) for pid, p in people.items()}
    views = [
        LineView(
            line=line,
            iban_changed=batch.state == PayoutState.PREPARED
            and current.get(line.member_id, "") != line.iban,
        )
        for line in lines
    ]
    created_by = people.get(batch.created_by_id)
    decided_by = people.get(batch.decided_by_id) if batch.decided_by_id is not None else None
    return BatchView(
        batch=batch,
        lines=views,
        created_by=created_by.name if created_by else "",
        decided_by=decided_by.name if decided_by else "",
    )


def _message_id(batch: PayoutBatch) -> str:
    """The same for every download of one batch, so a bank refuses the same file twice."""
    return f"GOV-{batch.cooperative_id}-PAYOUT-{batch.id}"


class _Transfer(SepaTransfer):
    """sepaxml's transfer with our own message id instead of a random one."""

    def __init__(self, config: dict[str, Any], message_id: str) -> None:
        self._message_id = message_id
        super().__init__(config, schema=SCHEMA)

    def _create_header(self) -> None:
        self.msg_id = self._message_id
        super()._create_header()


def build_sepa(
    cooperative: Cooperative, batch: PayoutBatch, lines: list[PayoutLine], description: str
) -> bytes:
    """The pain.001.001.03 credit transfer of `lines`, checked against its XML schema. Pure
    (but for the file's creation time)."""
    config: dict[str, Any] = {
        "name": sepa_text(debtor_name(cooperative), 70) or "Cooperative",
        "IBAN": cooperative.iban,
        "BIC": cooperative.bic,
        "batch": True,
        "currency": cooperative.currency,
    }
    transfer = _Transfer(config, _message_id(batch))
    for line in lines:
        payment: dict[str, Any] = {
            "name": sepa_text(line.name, 70) or f"Member {line.member_id}",
            "IBAN": line.iban,
            "amount": line.amount_cents,
            "execution_date": batch.execution_date,
            "description": sepa_text(description, 140),
            "endtoend_id": f"B{batch.id}-L{line.id}-M{line.member_id}"[:35],
        }
        if line.bic:
            payment["BIC"] = line.bic
        transfer.add_payment(payment)
    try:
        out: bytes = transfer.export(validate=True)
    except SepaValidationError as error:
        raise Invalid(
            _("The SEPA file does not pass the bank's format check; nothing was exported.")
        ) from error
    return out


async def sepa_file(session: AsyncSession, actor: Actor, batch_id: int) -> bytes:
    """The batch as a SEPA credit-transfer file (pain.001.001.03) for the bank.

    Prepared and sent batches (to download it again); Conflict for a cancelled one.
    """
    async with session.begin():
        await authorize(session, actor, Permission.PAY_MEMBERS)
        batch = await _batch(session, actor, batch_id)
        if batch.state == PayoutState.CANCELLED:
            raise Conflict(_("This payout batch was cancelled: there is no file to send."))
        assert batch.id is not None
        lines = await _lines(session, batch.id)
        cooperative = await _cooperative(session, actor)
        if _missing_details(cooperative):
            message = _("Fill in the cooperative's IBAN and BIC on its details page first.")
            raise Invalid(message, {"cooperative_details": message})
    # Bank statements show Latin letters only: a right-to-left language falls back to French.
    language = cooperative.language if i18n.direction(cooperative.language) == "ltr" else "fr"
    with i18n.language(language):
        description = _("%(name)s share %(month)s") % {
            "name": cooperative.name,
            "month": f"{batch.execution_date.month:02d}/{batch.execution_date.year:04d}",
        }
    return build_sepa(cooperative, batch, lines, description)


async def confirm_sent(
    session: AsyncSession, actor: Actor, batch_id: int, *, today: dt.date | None = None
) -> PayoutBatch:
    """The bank has the file: post Dr payable:<member> per line, Cr bank for the total.

    Exactly once: the state is read again under the cooperative's lock. Raises
    PermissionDenied, NotFound, Conflict (already sent or cancelled; a member is now owed
    less than their line), Invalid (today's period is not open).
    """
    today = today or clock.today()
    async with session.begin():
        await authorize(session, actor, Permission.PAY_MEMBERS)
        await lock_cooperative(session, actor.cooperative_id)
        batch = await _batch(session, actor, batch_id)
        _check_prepared(batch)
        assert batch.id is not None
        lines = await _lines(session, batch.id)
        owed = {o.member_id: o.amount_cents for o in await _owed(session, actor.cooperative_id)}
        short = [line for line in lines if line.amount_cents > owed.get(line.member_id, 0)]
        if short:
            raise Conflict(
                _(
                    "The books changed since this batch was prepared, and these members are now "
                    "owed less than their line: %(names)s. Cancel this batch and prepare a new one."
                )
                % {"names": ", ".join(line.name for line in short)}
            )
        entry = await post(
            session,
            cooperative_id=actor.cooperative_id,
            day=today,
            kind="payout",
            memo=f"payout batch {batch.id}",
            author_id=actor.person_id,
            postings=[
                *(Posting(f"{PAYABLE}{line.member_id}", line.amount_cents) for line in lines),
                Posting("bank", -batch.total_cents),
            ],
        )
        batch.state = PayoutState.SENT
        batch.decided_by_id = actor.person_id
        batch.decided_at = clock.now()
        batch.entry_id = entry.id
        session.add(batch)
        await session.flush()
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="payout.sent",
            subject_type="payout_batch",
            subject_id=batch.id,
            data={
                "date": today.isoformat(),
                "total_cents": batch.total_cents,
                "count": len(lines),
                "entry_id": entry.id,
            },
        )
    return batch


def _check_prepared(batch: PayoutBatch) -> None:
    if batch.state == PayoutState.SENT:
        raise Conflict(
            _("This payout batch is already confirmed as sent; it cannot change any more.")
        )
    if batch.state == PayoutState.CANCELLED:
        raise Conflict(_("This payout batch was cancelled; it cannot change any more."))


async def cancel_batch(
    session: AsyncSession, actor: Actor, batch_id: int, *, not_sent: bool
) -> PayoutBatch:
    """A prepared batch is dropped: nothing was posted, the money stays owed.

    `not_sent`: the coordinator confirms that the batch's file was not given to the bank. A
    file already at the bank pays the members once; cancelling its batch would leave them
    owed, and the next batch would pay them again.

    Raises PermissionDenied, NotFound, Conflict (sent: the money has left; or cancelled),
    Invalid (no confirmation; field `not_sent`).
    """
    async with session.begin():
        await authorize(session, actor, Permission.PAY_MEMBERS)
        await lock_cooperative(session, actor.cooperative_id)
        batch = await _batch(session, actor, batch_id)
        _check_prepared(batch)
        if not_sent is not True:
            message = _(
                "Tick the box to confirm that this file was not sent to the bank. If the bank "
                "has it, confirm the batch as sent instead: cancelling it would let the next "
                "batch pay the same members again."
            )
            raise Invalid(message, {"not_sent": message})
        batch.state = PayoutState.CANCELLED
        batch.decided_by_id = actor.person_id
        batch.decided_at = clock.now()
        session.add(batch)
        await session.flush()
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="payout.cancelled",
            subject_type="payout_batch",
            subject_id=batch.id,
            data={"total_cents": batch.total_cents, "not_sent_confirmed": True},
        )
    return batch
