"""Contested lines of a draft statement, and their resolution by a coordinator.

A member contests one of their prestations counted in a month under review (or their share as
a whole) with a comment. While a contest is open the month cannot close. A coordinator either
keeps the line, with a reason the member reads, or corrects it (any of its date, duration,
kind, client, amount, travel): the prestation's entry is reversed and a corrected prestation is
recorded and validated, both in the month under review; an invoiced line is credited alone.
A coordinator never resolves a contest about their own work (another coordinator does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import record
from governance.base import clock
from governance.base.errors import Conflict, NotFound
from governance.base.i18n import _
from governance.input.forms import Form
from governance.ledger.billing.credit_notes import credit_line
from governance.ledger.books.journal import prestation_postings
from governance.ledger.books.kinds import PeriodState
from governance.ledger.books.memos import Memo
from governance.ledger.books.models import JournalEntry, Period
from governance.ledger.books.posting import post, reverse
from governance.ledger.closing.contest_correction import corrected_prestation, parse_correction
from governance.ledger.closing.draft import _locked_period, _month, last_day
from governance.ledger.sharing.figures import counted_prestations
from governance.ledger.work.models import Contest, Prestation
from governance.ledger.work.prestation_input import kinds_of
from governance.ledger.work.prestations import _client as client_of
from governance.ledger.work.statuses import ContestStatus, PrestationStatus
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative
from governance.members.roles import active_coordinators

MAX_COMMENT = 1000


@dataclass(frozen=True)
class OpenContest:
    id: int
    member_id: int
    prestation_id: int | None

    @property
    def label(self) -> str:
        if self.prestation_id is None:
            return _("contest #%(id)s (share)") % {"id": self.id}
        return _("contest #%(id)s (prestation #%(prestation)s)") % {
            "id": self.id,
            "prestation": self.prestation_id,
        }


async def open_contests(
    session: AsyncSession, cooperative_id: int, month: str
) -> list[OpenContest]:
    rows = await session.exec(
        select(Contest.id, Contest.member_id, Contest.prestation_id)
        .join(Period, col(Period.id) == Contest.period_id)
        .where(
            Contest.cooperative_id == cooperative_id,
            Period.month == month,
            Contest.status == ContestStatus.OPEN,
        )
        .order_by(col(Contest.id))
    )
    return [OpenContest(i, m, p) for i, m, p in rows.all() if i is not None]


async def contests_of(
    session: AsyncSession, actor: Actor, month: str, *, everyone: bool
) -> list[Contest]:
    """The month's contests: a member's own, or all of them for a coordinator."""
    query = (
        select(Contest)
        .join(Period, col(Period.id) == Contest.period_id)
        .where(Contest.cooperative_id == actor.cooperative_id, Period.month == month)
        .order_by(col(Contest.id))
    )
    if not everyone:
        query = query.where(Contest.member_id == actor.person_id)
    return list((await session.exec(query)).all())


async def contest_line(
    session: AsyncSession, actor: Actor, month: str, data: Mapping[str, Any]
) -> Contest:
    """A member contests a line of their own draft statement for a month under review.

    `data`: comment (required), prestation_id (optional: none means the share as a whole).
    Raises PermissionDenied, NotFound (another member's or an uncounted prestation), Conflict
    (the month is not under review; this line is already contested), Invalid.
    """
    month = _month(month)
    form = Form(data)
    comment = form.text("comment", max_length=MAX_COMMENT, multiline=True)
    prestation_id = form.integer("prestation_id", required=False) or None
    form.done()
    async with session.begin():
        await authorize(session, actor, Permission.CONTEST_STATEMENT)
        period = await _locked_period(session, actor, month)
        if period.state != PeriodState.REVIEW:
            raise Conflict(
                _("Only a month under review can be contested; %(month)s is not.")
                % {"month": month}
            )
        if prestation_id is not None:
            counted = await counted_prestations(
                session, actor.cooperative_id, month, actor.person_id
            )
            if prestation_id not in {c.prestation_id for c in counted}:
                raise NotFound(_("This prestation is not on your statement for this month."))
        same = (
            await session.exec(
                select(Contest.id).where(
                    Contest.period_id == period.id,
                    Contest.member_id == actor.person_id,
                    Contest.prestation_id == prestation_id,
                    Contest.status == ContestStatus.OPEN,
                )
            )
        ).first()
        if same is not None:
            raise Conflict(_("You have already contested this line; a coordinator will answer."))
        assert period.id is not None
        contest = Contest(
            cooperative_id=actor.cooperative_id,
            period_id=period.id,
            member_id=actor.person_id,
            prestation_id=prestation_id,
            comment=comment,
            created_at=clock.now(),
        )
        session.add(contest)
        await session.flush()
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="contest.opened",
            subject_type="contest",
            subject_id=contest.id,
            data={"month": month, "prestation_id": prestation_id, "comment": comment},
        )
    return contest


async def _open_contest(session: AsyncSession, actor: Actor, contest_id: int) -> Contest:
    contest = await session.get(Contest, contest_id)
    if contest is None or contest.cooperative_id != actor.cooperative_id:
        raise NotFound(_("This contest does not exist."))
    if contest.status != ContestStatus.OPEN:
        raise Conflict(_("This contest has already been resolved."))
    return contest


async def _not_about_self(session: AsyncSession, actor: Actor, contest: Contest) -> None:
    """A coordinator does not settle a contest about their own money: another coordinator
    does, or, when there is none, the members by a vote. Raises Conflict saying which."""
    owner = contest.member_id
    if contest.prestation_id is not None:
        prestation = await session.get(Prestation, contest.prestation_id)
        owner = prestation.member_id if prestation is not None else owner
    if actor.person_id not in {owner, contest.member_id}:
        return
    if await active_coordinators(session, actor.cooperative_id) > 1:
        raise Conflict(_("This contest is about your own work: another coordinator resolves it."))
    raise Conflict(
        _(
            "This contest is about your own work and the cooperative has no other coordinator "
            "to resolve it: the members decide it by a vote."
        )
    )


async def _period_month(session: AsyncSession, contest: Contest) -> str:
    period = await session.get(Period, contest.period_id)
    assert period is not None
    if period.state != PeriodState.REVIEW:
        raise Conflict(
            _("The period %(month)s is no longer under review.") % {"month": period.month}
        )
    return period.month


async def keep_line(
    session: AsyncSession, actor: Actor, contest_id: int, data: Mapping[str, Any]
) -> Contest:
    """Keep the contested line as it is, with a reason the member reads."""
    form = Form(data)
    reason = form.text("reason", max_length=MAX_COMMENT, multiline=True)
    form.done()
    async with session.begin():
        await authorize(session, actor, Permission.CLOSE_PERIOD)
        contest = await _open_contest(session, actor, contest_id)
        await _not_about_self(session, actor, contest)
        await _locked_period(session, actor, await _period_month(session, contest))
        await session.refresh(contest)
        if contest.status != ContestStatus.OPEN:
            raise Conflict(_("This contest has already been resolved."))
        contest.status = ContestStatus.KEPT
        contest.resolution = reason
        contest.resolved_by_id = actor.person_id
        contest.resolved_at = clock.now()
        session.add(contest)
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="contest.kept",
            subject_type="contest",
            subject_id=contest.id,
            data={"before": "open", "after": "kept", "reason": reason},
        )
    return contest


async def correct_line(
    session: AsyncSession, actor: Actor, contest_id: int, data: Mapping[str, Any], *, language: str
) -> Contest:
    """Correct the contested prestation: reverse it, record the corrected one, in the month.

    `data`: reason, and any of date (in the month under review), duration_minutes (empty: a
    fixed price), kind, client_id, amount, travel; a field left out keeps its value
    (`contest_correction.parse_correction`); settlement ("refund", "offset": money the client
    paid on the line, when it is invoiced and paid). A prestation on an invoice is credited
    alone by a credit note in the same transaction; the corrected one waits for the client's
    next invoice. Raises Conflict (resolved already; a contest of the share as a whole),
    Invalid (a bad field; nothing changes; no settlement where one is needed), NotFound.
    """
    async with session.begin():
        await authorize(session, actor, Permission.CLOSE_PERIOD)
        contest = await _open_contest(session, actor, contest_id)
        await _not_about_self(session, actor, contest)
        month = await _period_month(session, contest)
        await _locked_period(session, actor, month)
        await session.refresh(contest)
        if contest.status != ContestStatus.OPEN:
            raise Conflict(_("This contest has already been resolved."))
        if contest.prestation_id is None:
            raise Conflict(_("Only a contested prestation can be corrected; keep this line."))
        original = await session.get(Prestation, contest.prestation_id)
        assert original is not None and original.id is not None
        if original.status != PrestationStatus.VALIDATED or original.entry_id is None:
            raise Conflict(_("Only a validated prestation can be corrected."))
        cooperative = await session.get(Cooperative, actor.cooperative_id)
        assert cooperative is not None
        fix = parse_correction(
            data, original, month=month, kinds=kinds_of(cooperative.settings), language=language
        )
        if fix.client_id != original.client_id:
            await client_of(session, actor.cooperative_id, fix.client_id)
        credit_note = await credit_line(
            session, actor, original.id, fix.reason, str(data.get("settlement") or "")
        )
        entry = await session.get(JournalEntry, original.entry_id)
        assert entry is not None
        await reverse(
            session,
            entry,
            day=max(original.date, last_day(month).replace(day=1)),
            memo=Memo("contest_correction", {"prestation": original.id, "contest": contest.id}),
            author_id=actor.person_id,
            into_review=month,
        )
        original.status = PrestationStatus.REVERSED
        original.rejection_reason = fix.reason[:500]
        original.decided_by_id = actor.person_id
        original.decided_at = clock.now()
        session.add(original)
        corrected = corrected_prestation(original, fix, actor.person_id)
        session.add(corrected)
        await session.flush()
        new_entry = await post(
            session,
            cooperative_id=actor.cooperative_id,
            day=corrected.date,
            kind="prestation",
            memo=Memo(
                "prestation_correction", {"prestation": corrected.id, "original": original.id}
            ),
            author_id=actor.person_id,
            postings=prestation_postings(
                corrected.client_id,
                corrected.member_id,
                corrected.amount_cents,
                corrected.travel_cents,
            ),
            into_review=month,
        )
        corrected.entry_id = new_entry.id
        session.add(corrected)
        contest.status = ContestStatus.CORRECTED
        contest.resolution = fix.reason
        contest.correction_id = corrected.id
        contest.resolved_by_id = actor.person_id
        contest.resolved_at = clock.now()
        session.add(contest)
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="contest.corrected",
            subject_type="contest",
            subject_id=contest.id,
            data={
                "before": "open",
                "after": "corrected",
                "reason": fix.reason,
                "prestation_id": original.id,
                "correction_id": corrected.id,
                "amount_before": original.amount_cents,
                "amount_after": corrected.amount_cents,
                "changes": fix.changes(original),
                "credit_note_id": credit_note.id if credit_note is not None else None,
            },
        )
    return contest
