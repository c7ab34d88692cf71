"""Prestations: recorded by members, validated by coordinators, posted to the journal.

Each public function is one transaction, permission-checked and audited.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import lock_cooperative, record
from governance.base import clock
from governance.base.errors import Conflict, Invalid, NotFound
from governance.base.i18n import _
from governance.input.forms import Form
from governance.language.months import Month, is_month
from governance.ledger.books.journal import prestation_postings
from governance.ledger.books.memos import Memo
from governance.ledger.books.models import Client
from governance.ledger.books.posting import open_period_for, post
from governance.ledger.work.day_work import expand as expand_days
from governance.ledger.work.models import Prestation
from governance.ledger.work.prestation_input import kinds_of, parse_input
from governance.ledger.work.statuses import WORKING_ROLES, PrestationStatus
from governance.ledger.work.work_dates import window_of
from governance.members import MembershipStatus, Role
from governance.members.access import Actor, Permission, allows, authorize
from governance.members.models import Cooperative, Membership

KEY_RE = re.compile(r"^[A-Za-z0-9_.:\-]{8,100}\Z")


async def _client(session: AsyncSession, cooperative_id: int, client_id: int) -> Client:
    client = await session.get(Client, client_id)
    if client is None or client.cooperative_id != cooperative_id or client.archived:
        message = _("Choose a client of this cooperative.")
        raise Invalid(message, {"client_id": message})
    return client


async def _check_member(session: AsyncSession, cooperative_id: int, person_id: int) -> None:
    membership = (
        await session.exec(
            select(Membership).where(
                Membership.cooperative_id == cooperative_id, Membership.person_id == person_id
            )
        )
    ).first()
    if (
        membership is None
        or membership.status != MembershipStatus.ACTIVE
        or membership.role not in WORKING_ROLES
    ):
        message = _("Choose an active member of this cooperative.")
        raise Invalid(message, {"member_id": message})


async def _existing(session: AsyncSession, cooperative_id: int, key: str) -> Prestation | None:
    return (
        await session.exec(
            select(Prestation).where(
                Prestation.cooperative_id == cooperative_id, Prestation.idempotency_key == key
            )
        )
    ).first()


@runtime_checkable
class Reverser(Protocol):
    """Reversing a validated prestation (`reverse_prestation`, ledger/reversals/reversals.py).

    Reversing billed work credits its invoice line, so the use case sits above billing, which
    work may not import; app.py gives it to the work pages and API as the dependency
    `reverse_prestation`."""

    async def __call__(
        self,
        session: AsyncSession,
        actor: Actor,
        prestation_id: int,
        reason: str,
        *,
        today: dt.date,
        credit_invoice: bool = False,
        settlement: str = "",
    ) -> Prestation: ...


async def record_prestation(
    session: AsyncSession,
    actor: Actor,
    data: Mapping[str, Any],
    *,
    language: str,
    today: dt.date,
    submit: bool = False,
    idempotency_key: str | None = None,
    language_names: bool = False,
) -> tuple[Prestation, bool]:
    """Record a prestation (a draft, or submitted at once); returns it and whether it is new.

    A member records their own; a coordinator records for anyone. Raises PermissionDenied,
    Invalid (every bad field, a date in a period under review, older or further ahead than the
    cooperative accepts (`work_dates`), a client or member of another cooperative), Conflict
    when the idempotency key was used with other data.
    A repeat with the same key and data returns the first prestation and writes nothing.
    """
    if idempotency_key is not None and not KEY_RE.match(idempotency_key):
        raise Invalid(_("The idempotency key is not valid."))
    async with session.begin():
        membership = await authorize(session, actor, Permission.RECORD_OWN_WORK)
        cooperative = await session.get(Cooperative, actor.cooperative_id)
        assert cooperative is not None
        data = expand_days(data, cooperative.settings, language)
        client_rate = None
        client_id = Form(data).integer("client_id", required=False)
        if client_id:
            client = await session.get(Client, client_id)
            if client is not None and client.cooperative_id == actor.cooperative_id:
                client_rate = client.default_rate_cents or None
        clean = parse_input(
            data,
            actor_person_id=actor.person_id,
            language=language,
            kinds=kinds_of(cooperative.settings),
            client_rate=client_rate,
            language_names=language_names,
        )
        if clean.member_id != actor.person_id and not allows(
            membership.role, Permission.RECORD_FOR_ANYONE
        ):
            message = _("You can only record your own work.")
            raise Invalid(message, {"member_id": message})
        fingerprint = clean.fingerprint
        if idempotency_key:
            found = await _existing(session, actor.cooperative_id, idempotency_key)
            if found is not None:
                return _same_or_conflict(found, fingerprint), False
        await _client(session, actor.cooperative_id, clean.client_id)
        await _check_member(session, actor.cooperative_id, clean.member_id)
        outside = window_of(cooperative.settings, today).problem(clean.date)
        if outside is not None:
            raise Invalid(outside, {"date": outside})
        await open_period_for(session, actor.cooperative_id, clean.date)
        prestation = Prestation(
            cooperative_id=actor.cooperative_id,
            member_id=clean.member_id,
            client_id=clean.client_id,
            date=clean.date,
            start_time=clean.start_time,
            duration_minutes=clean.duration_minutes,
            rate_cents=clean.rate_cents,
            amount_cents=clean.amount_cents,
            travel_cents=clean.travel_cents,
            kind=clean.kind,
            languages=list(clean.languages),
            note=clean.note,
            status=PrestationStatus.SUBMITTED if submit else PrestationStatus.DRAFT,
            idempotency_key=idempotency_key,
            request_fingerprint=fingerprint,
            created_by_id=actor.person_id,
            created_at=clock.now(),
        )
        try:
            async with session.begin_nested():
                session.add(prestation)
                await session.flush()
        except IntegrityError:
            # Another request with the same key won the race: answer as it did.
            found = await _existing(session, actor.cooperative_id, idempotency_key or "")
            if found is None:
                raise
            return _same_or_conflict(found, fingerprint), False
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="prestation.recorded",
            subject_type="prestation",
            subject_id=prestation.id,
            data={**prestation.describe(), "status": prestation.status},
        )
    return prestation, True


def _same_or_conflict(found: Prestation, fingerprint: str) -> Prestation:
    if found.request_fingerprint != fingerprint:
        raise Conflict(_("This idempotency key was already used for another prestation."))
    return found


async def load_prestation(session: AsyncSession, actor: Actor, prestation_id: int) -> Prestation:
    """The cooperative's prestation; NotFound for an unknown id or another cooperative's."""
    prestation = await session.get(Prestation, prestation_id)
    if prestation is None or prestation.cooperative_id != actor.cooperative_id:
        raise NotFound(_("This prestation does not exist."))
    return prestation


async def submit_prestation(session: AsyncSession, actor: Actor, prestation_id: int) -> Prestation:
    """A member submits their own draft. Raises PermissionDenied, NotFound, Conflict."""
    async with session.begin():
        membership = await authorize(session, actor, Permission.RECORD_OWN_WORK)
        prestation = await load_prestation(session, actor, prestation_id)
        if prestation.member_id != actor.person_id and not allows(
            membership.role, Permission.RECORD_FOR_ANYONE
        ):
            raise NotFound(_("This prestation does not exist."))
        if prestation.status != PrestationStatus.DRAFT:
            raise Conflict(_("Only a draft can be submitted."))
        prestation.status = PrestationStatus.SUBMITTED
        session.add(prestation)
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="prestation.submitted",
            subject_type="prestation",
            subject_id=prestation.id,
            data={"before": "draft", "after": "submitted"},
        )
    return prestation


async def _validate_one(session: AsyncSession, actor: Actor, prestation_id: int) -> Prestation:
    prestation = await load_prestation(session, actor, prestation_id)
    if prestation.status == PrestationStatus.VALIDATED:
        raise Conflict(_("This prestation is already validated."))
    if prestation.status != PrestationStatus.SUBMITTED:
        raise Conflict(_("Only a submitted prestation can be validated."))
    entry = await post(
        session,
        cooperative_id=actor.cooperative_id,
        day=prestation.date,
        kind="prestation",
        memo=Memo("prestation", {"prestation": prestation.id}),
        author_id=actor.person_id,
        postings=prestation_postings(
            prestation.client_id,
            prestation.member_id,
            prestation.amount_cents,
            prestation.travel_cents,
        ),
    )
    prestation.status = PrestationStatus.VALIDATED
    prestation.decided_by_id = actor.person_id
    prestation.decided_at = clock.now()
    prestation.entry_id = entry.id
    session.add(prestation)
    await record(
        session,
        cooperative_id=actor.cooperative_id,
        actor_id=actor.person_id,
        action="prestation.validated",
        subject_type="prestation",
        subject_id=prestation.id,
        data={"entry_id": entry.id, "amount_cents": prestation.amount_cents},
    )
    return prestation


async def validate_prestations(
    session: AsyncSession, actor: Actor, prestation_ids: Sequence[int]
) -> list[Prestation]:
    """Validate one or many, all or none; each posts Dr receivable / Cr revenue.

    Raises PermissionDenied (not a coordinator), NotFound, Conflict (already validated, not
    submitted), Invalid (the period is no longer open).
    """
    async with session.begin():
        await authorize(session, actor, Permission.VALIDATE_WORK)
        if not prestation_ids:
            raise Invalid(_("Choose at least one prestation."))
        # Before reading any status: two coordinators validating the same work at once
        # queue here, and the second then finds it validated (no second entry).
        await lock_cooperative(session, actor.cooperative_id)
        # Row order fixed so that two coordinators validating overlapping sets queue cleanly.
        return [await _validate_one(session, actor, pid) for pid in sorted(set(prestation_ids))]


async def reject_prestation(
    session: AsyncSession, actor: Actor, prestation_id: int, data: Mapping[str, Any]
) -> Prestation:
    """Reject a submitted prestation with a reason the member sees."""
    async with session.begin():
        await authorize(session, actor, Permission.VALIDATE_WORK)
        form = Form(data)
        reason = form.text("reason", max_length=500)
        form.done()
        prestation = await load_prestation(session, actor, prestation_id)
        if prestation.status != PrestationStatus.SUBMITTED:
            raise Conflict(_("Only a submitted prestation can be rejected."))
        prestation.status = PrestationStatus.REJECTED
        prestation.rejection_reason = reason
        prestation.decided_by_id = actor.person_id
        prestation.decided_at = clock.now()
        session.add(prestation)
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="prestation.rejected",
            subject_type="prestation",
            subject_id=prestation.id,
            data={"reason": reason},
        )
    return prestation


async def prestations_of(
    session: AsyncSession,
    actor: Actor,
    *,
    member_id: int | None = None,
    status: str | None = None,
    month: str | None = None,
    limit: int = 500,
) -> list[Prestation]:
    """A member's own work, or anyone's for coordinators and observers."""
    async with session.begin():
        membership = await authorize(session, actor, Permission.READ_COOPERATIVE)
        query = select(Prestation).where(Prestation.cooperative_id == actor.cooperative_id)
        sees_all = membership.role in (Role.COORDINATOR, Role.OBSERVER)
        if not sees_all:
            member_id = actor.person_id
        if member_id is not None:
            query = query.where(Prestation.member_id == member_id)
        if status:
            query = query.where(Prestation.status == status)
        if month and is_month(month):
            first, after = Month.parse(month).first_day, Month.parse(month).next.first_day
            query = query.where(Prestation.date >= first, Prestation.date < after)
        rows = await session.exec(
            query.order_by(col(Prestation.date).desc(), col(Prestation.id).desc()).limit(limit)
        )
        return list(rows.all())
