"""Reading the statements of closed months: a member's, the cooperative's, lists and earnings.

Read-only: every public function is one read transaction (one snapshot, also on PostgreSQL)
that checks who reads, scoped to the actor's cooperative. Who reads what:

- their own statements: whoever is paid (cooperators, workers, coordinators);
- everyone's, and the cooperative's statement: coordinators and observers, and cooperators
  while the cooperative's `open_books` setting is on (anything but a real `true` closes them).

Another member's statement that the reader may not see is NotFound, like one that does not
exist, so nobody learns who was paid what by guessing addresses.

The statement rows were frozen at the close; every amount shown is checked against the
ledger as it is now: a member's share must be minus the close entry's line on their
`payable:` account (a fund's on `fund:<name>`). A difference is a bug, never shown as if
true: LedgerMismatch is raised.
"""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.base.errors import NotFound, PermissionDenied
from governance.base.i18n import _
from governance.language.months import is_month
from governance.ledger.books.kinds import AccountType
from governance.ledger.books.reading import snapshot
from governance.ledger.closing.models import PeriodClose, Statement
from governance.ledger.closing.period_views import member_share
from governance.ledger.reversals.reversal_lines import reversals_of
from governance.ledger.sharing.figures import counted_lines
from governance.ledger.sharing.models import DistributionRule
from governance.ledger.statements.statement_ledger import LedgerMismatch, reconciliation
from governance.ledger.statements.statement_ledger import checkpoint_of as _checkpoint
from governance.ledger.statements.statement_ledger import close_lines as _close_lines
from governance.ledger.statements.statement_ledger import credited as _credited
from governance.ledger.statements.statement_ledger import names as _names
from governance.ledger.statements.statement_ledger import owed_now as _owed_now
from governance.ledger.statements.statement_ledger import payable as _payable
from governance.ledger.statements.statement_views import (
    CooperativeStatement,
    Earnings,
    MemberRow,
    MemberStatement,
    RuleView,
    StatementIndex,
    StatementSummary,
    fraction_of,
    funds_of,
    prestations_of,
    rule_of,
    share_of,
)
from governance.members.access import Actor, Permission, allows, authorize
from governance.members.models import Cooperative, Membership
from governance.members.visibility import reads_everyones_money

LATEST = 3


def _month(month: str) -> str:
    if not is_month(month):
        raise NotFound(_("This period does not exist."))
    return month


def reads_all(membership: Membership, cooperative: Cooperative) -> bool:
    """Whether this member reads every member's statement and the cooperative's: whoever
    reads every member's money (governance.members.visibility)."""
    return reads_everyones_money(membership.role, cooperative.settings)


async def _reader(session: AsyncSession, actor: Actor) -> tuple[Membership, Cooperative]:
    membership = await authorize(session, actor, Permission.READ_COOPERATIVE)
    cooperative = await session.get(Cooperative, actor.cooperative_id)
    if cooperative is None:
        raise NotFound(_("There is no cooperative at this address."))
    return membership, cooperative


async def _may_read_member(session: AsyncSession, actor: Actor, member_id: int) -> Cooperative:
    membership, cooperative = await _reader(session, actor)
    if reads_all(membership, cooperative):
        return cooperative
    if member_id != actor.person_id:
        raise NotFound(_("This statement does not exist."))
    if not allows(membership.role, Permission.READ_OWN_STATEMENT):
        raise PermissionDenied(_("Your role does not allow this."))
    return cooperative


def _must_equal(what: str, stored: int, ledger: int) -> None:
    if stored != ledger:
        raise LedgerMismatch(f"{what}: the statement says {stored}, the ledger {ledger}")


async def _close(session: AsyncSession, cooperative_id: int, month: str) -> PeriodClose:
    close = (
        await session.exec(
            select(PeriodClose).where(
                PeriodClose.cooperative_id == cooperative_id, PeriodClose.month == month
            )
        )
    ).first()
    if close is None:
        raise NotFound(_("This period is not closed: it has no statement yet."))
    return close


async def _rule(session: AsyncSession, close: PeriodClose) -> RuleView:
    version = await session.get(DistributionRule, close.rule_id)
    return rule_of(
        close.distribution.get("rule", {}),
        version.start_month if version else "",
        version.template if version else "",
        close.month,
    )


async def member_statement(
    session: AsyncSession, actor: Actor, month: str, member_id: int
) -> MemberStatement:
    """A member's statement of a closed month, every amount checked against the ledger.

    Raises NotFound (not "YYYY-MM"; the month is not closed; no statement for this member;
    another member's statement the reader may not see), PermissionDenied (not an active
    member; an observer asking for their own), LedgerMismatch (a bug: the statement and the
    ledger disagree).
    """
    month = _month(month)
    async with session.begin():
        await snapshot(session)
        cooperative = await _may_read_member(session, actor, member_id)
        statement = (
            await session.exec(
                select(Statement).where(
                    Statement.cooperative_id == actor.cooperative_id,
                    Statement.month == month,
                    Statement.member_id == member_id,
                )
            )
        ).first()
        if statement is None:
            raise NotFound(_("This statement does not exist."))
        close = await _close(session, actor.cooperative_id, month)
        lines = await _close_lines(session, actor.cooperative_id, [close.entry_id])
        share = share_of(member_share(close.distribution, member_id))
        _must_equal(f"share of {member_id} in {month}", share.cents, statement.share_cents)
        _must_equal(
            f"share of {member_id} in {month}",
            statement.share_cents,
            _credited(lines, close.entry_id, f"payable:{member_id}"),
        )
        rule = await _rule(session, close)
        month_data = close.distribution
        funds = funds_of(
            month_data.get("shares", ()), rule, int(month_data.get("distributable_cents", 0))
        )
        for fund in funds:
            _must_equal(
                f"fund {fund.fund} in {month}",
                fund.share.cents,
                _credited(lines, close.entry_id, f"fund:{fund.fund}"),
            )
        account = await _payable(session, actor.cooperative_id, member_id)
        owed = await reconciliation(session, account, month)
        _must_equal(f"share of {member_id} in {month}", owed.share_cents, statement.share_cents)
        _must_equal(
            f"owed to {member_id} today", owed.today_cents, await _owed_now(session, account)
        )
        names = await _names(session, [member_id])
        return MemberStatement(
            cooperative=cooperative.name,
            currency=cooperative.currency,
            month=month,
            member_id=member_id,
            member_name=names.get(member_id, ""),
            closed_at=close.closed_at,
            prestations=prestations_of(
                await counted_lines(session, actor.cooperative_id, month, member_id)
            ),
            minutes=statement.minutes,
            revenue_cents=statement.revenue_cents,
            share=share,
            funds=funds,
            rule=rule,
            distributable_cents=int(month_data.get("distributable_cents", 0)),
            pool=fraction_of(month_data.get("pool", "0")),
            notes=tuple(month_data.get("notes", ())),
            reconciliation=owed,
            checkpoint=await _checkpoint(session, close),
        )


async def cooperative_statement(
    session: AsyncSession, actor: Actor, month: str
) -> CooperativeStatement:
    """The cooperative's statement of a closed month: totals, funds, every member's share.

    Raises NotFound (not "YYYY-MM"; not closed), PermissionDenied (not an active member; a
    role that does not read everyone's statements, or a cooperator with closed books),
    LedgerMismatch (a bug: the close and the ledger disagree).
    """
    month = _month(month)
    async with session.begin():
        await snapshot(session)
        membership, cooperative = await _reader(session, actor)
        if not reads_all(membership, cooperative):
            raise PermissionDenied(_("Your role does not allow this."))
        close = await _close(session, actor.cooperative_id, month)
        data = close.distribution
        lines = await _close_lines(session, actor.cooperative_id, [close.entry_id])
        income = sum(a for (_e, _c), (t, a) in lines.items() if t == AccountType.INCOME)
        expense = -sum(a for (_e, _c), (t, a) in lines.items() if t == AccountType.EXPENSE)
        _must_equal(f"income of {month}", int(data["income_cents"]), income)
        _must_equal(f"expenses of {month}", int(data["expense_cents"]), expense)
        rule = await _rule(session, close)
        funds = funds_of(data.get("shares", ()), rule, int(data["distributable_cents"]))
        for fund in funds:
            _must_equal(
                f"fund {fund.fund} in {month}",
                fund.share.cents,
                _credited(lines, close.entry_id, f"fund:{fund.fund}"),
            )
        shares = {s["member_id"]: s for s in data.get("shares", ()) if s.get("member_id")}
        figures = data.get("members", ())
        names = await _names(session, [m["member_id"] for m in figures])
        with_statement = set(
            (
                await session.exec(
                    select(Statement.member_id).where(
                        Statement.cooperative_id == actor.cooperative_id, Statement.month == month
                    )
                )
            ).all()
        )
        members = []
        for figure in figures:
            member_id = int(figure["member_id"])
            share = share_of(shares.get(member_id))
            _must_equal(
                f"share of {member_id} in {month}",
                share.cents,
                _credited(lines, close.entry_id, f"payable:{member_id}"),
            )
            members.append(
                MemberRow(
                    member_id=member_id,
                    name=names.get(member_id, ""),
                    revenue_cents=int(figure["revenue_cents"]),
                    minutes=int(figure["minutes"]),
                    prestations=int(figure["prestations"]),
                    share=share,
                    has_statement=member_id in with_statement,
                )
            )
        return CooperativeStatement(
            cooperative=cooperative.name,
            currency=cooperative.currency,
            month=month,
            closed_at=close.closed_at,
            income_cents=income,
            expense_cents=expense,
            distributable_cents=int(data["distributable_cents"]),
            pool=fraction_of(data.get("pool", "0")),
            loss_cents=int(data.get("loss_cents", 0)),
            notes=tuple(data.get("notes", ())),
            rule=rule,
            funds=funds,
            members=tuple(members),
            checkpoint=await _checkpoint(session, close),
        )


async def _statements(
    session: AsyncSession, cooperative_id: int, member_id: int
) -> list[StatementSummary]:
    """The member's statements, newest first, each share checked against its close entry."""
    rows = (
        await session.exec(
            select(Statement.month, Statement.share_cents, PeriodClose.entry_id)
            .join(
                PeriodClose,
                (col(PeriodClose.cooperative_id) == Statement.cooperative_id)
                & (col(PeriodClose.month) == Statement.month),
            )
            .where(Statement.cooperative_id == cooperative_id, Statement.member_id == member_id)
            .order_by(col(Statement.month).desc())
        )
    ).all()
    code = f"payable:{member_id}"
    lines = await _close_lines(session, cooperative_id, [entry for _m, _s, entry in rows], code)
    for month, share, entry in rows:
        _must_equal(f"share of {member_id} in {month}", share, _credited(lines, entry, code))
    return [StatementSummary(month, share) for month, share, _entry in rows]


async def _closed_months(session: AsyncSession, cooperative_id: int) -> list[StatementSummary]:
    # The distributable amount's own column: the whole distribution (a row per member) is
    # ~400 KB a month for a thousand members (migration 0022).
    rows = await session.exec(
        select(PeriodClose.month, PeriodClose.distributable_cents)
        .where(PeriodClose.cooperative_id == cooperative_id)
        .order_by(col(PeriodClose.month).desc())
    )
    return [StatementSummary(m, cents) for m, cents in rows.all()]


async def statements_of(
    session: AsyncSession, actor: Actor, member_id: int
) -> list[StatementSummary]:
    """A member's statements (month, share), newest first.

    Raises NotFound (another member's, for a reader who may not see them), PermissionDenied,
    LedgerMismatch.
    """
    async with session.begin():
        await snapshot(session)
        await _may_read_member(session, actor, member_id)
        return await _statements(session, actor.cooperative_id, member_id)


def _by_month(
    closed: list[StatementSummary], mine: list[StatementSummary], months: int
) -> tuple[StatementSummary, ...]:
    shares = {s.month: s.cents for s in mine}
    recent = sorted(s.month for s in closed)[-months:] if months > 0 else []
    return tuple(StatementSummary(month, shares.get(month, 0)) for month in recent)


async def my_earnings(session: AsyncSession, actor: Actor, months: int = 12) -> Earnings:
    """The reader's earnings page: owed now, their last statements, month by month.

    Raises PermissionDenied (not an active member; a role that is not paid), LedgerMismatch.
    """
    async with session.begin():
        await snapshot(session)
        await authorize(session, actor, Permission.READ_OWN_STATEMENT)
        mine = await _statements(session, actor.cooperative_id, actor.person_id)
        closed = await _closed_months(session, actor.cooperative_id)
        account = await _payable(session, actor.cooperative_id, actor.person_id)
        return Earnings(
            member_id=actor.person_id,
            balance_cents=await _owed_now(session, account),
            latest=tuple(mine[:LATEST]),
            months=_by_month(closed, mine, months),
            reversals=await reversals_of(session, actor.cooperative_id, actor.person_id),
        )


async def statement_index(session: AsyncSession, actor: Actor) -> StatementIndex:
    """The statements page: the reader's own (if their role is paid) and the cooperative's
    closed months (if they read everyone's). Raises PermissionDenied, LedgerMismatch."""
    async with session.begin():
        await snapshot(session)
        membership, cooperative = await _reader(session, actor)
        mine = None
        if allows(membership.role, Permission.READ_OWN_STATEMENT):
            mine = tuple(await _statements(session, actor.cooperative_id, actor.person_id))
        every = None
        if reads_all(membership, cooperative):
            every = tuple(await _closed_months(session, actor.cooperative_id))
        return StatementIndex(mine=mine, cooperative=every)
