"""What the bank page shows a coordinator: the reconciliation of the books' bank account with
the last statement, the lines that wait, with their proposals in words, and the statements."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.base.i18n import date_short
from governance.ledger.bank.book_reads import books_bank_cents, invoices_by_communication, live
from governance.ledger.bank.matching import MatchKind, OpenInvoice, Proposal
from governance.ledger.bank.models import BankFile, BankLine, BankMatch, BankStatement
from governance.ledger.books.memos import entry_memo
from governance.ledger.books.models import JournalEntry
from governance.ledger.costs.costs import categories_of
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative

WAITING_SHOWN = 200  # the oldest lines first; the rest once these are matched
RECENT_SHOWN = 50  # the latest matched lines, each with its undo form


@dataclass(frozen=True)
class ProposalView:
    index: int
    proposal: Proposal
    label: str  # what it names: an invoice's reference and client, a payment, a category


@dataclass(frozen=True)
class WaitingLine:
    line: BankLine
    proposals: list[ProposalView]


@dataclass
class BankPage:
    cooperative: Cooperative
    books_cents: int
    last: BankStatement | None
    waiting: list[WaitingLine]
    waiting_count: int
    waiting_cents: int
    statements: list[tuple[BankStatement, str]]  # with the file's name
    open_invoices: list[OpenInvoice]
    categories: tuple[str, ...]
    matched: dict[str, int] = field(default_factory=dict)  # kind -> lines, last statement
    # The latest matched lines, with their live match: what a coordinator may undo.
    recent: list[tuple[BankLine, BankMatch]] = field(default_factory=list)

    @property
    def difference_cents(self) -> int:
        """Books minus bank; 0 when reconciled."""
        return self.books_cents - (self.last.closing_cents if self.last else 0)

    @property
    def unseen_cents(self) -> int:
        """Movements in the books that no statement has shown yet."""
        return self.difference_cents + self.waiting_cents

    @property
    def reconciled(self) -> bool:
        return self.last is not None and self.difference_cents == 0 and self.waiting_count == 0


def _waiting() -> object:
    matched = select(BankMatch.line_id).where(col(BankMatch.line_id) == BankLine.id, live())
    return ~matched.exists()


async def _labels(
    session: AsyncSession,
    cooperative_id: int,
    invoices: dict[int, OpenInvoice],
    lines: list[BankLine],
) -> dict[tuple[str, int], str]:
    ids = {
        (Proposal.from_dict(p).kind, Proposal.from_dict(p).target or 0)
        for line in lines
        for p in line.proposals
    }
    entry_ids = [t for k, t in ids if k == MatchKind.ENTRY]
    labels: dict[tuple[str, int], str] = {
        (MatchKind.INVOICE, i.id): f"{i.reference} · {i.client_name}" for i in invoices.values()
    }
    if entry_ids:
        rows = await session.exec(
            select(JournalEntry).where(
                JournalEntry.cooperative_id == cooperative_id, col(JournalEntry.id).in_(entry_ids)
            )
        )
        for entry in rows.all():
            labels[(MatchKind.ENTRY, entry.id or 0)] = (
                f"{date_short(entry.date)} · {entry_memo(entry)}"
            )
    return labels


async def bank_page(session: AsyncSession, actor: Actor) -> BankPage:
    async with session.begin():
        await authorize(session, actor, Permission.POST_JOURNAL)
        cooperative = await session.get(Cooperative, actor.cooperative_id)
        assert cooperative is not None
        statements = list(
            (
                await session.exec(
                    select(BankStatement, BankFile.name)
                    .join(BankFile, col(BankFile.id) == BankStatement.file_id)
                    .where(BankStatement.cooperative_id == actor.cooperative_id)
                    .order_by(col(BankStatement.to_day).desc(), col(BankStatement.id).desc())
                    .limit(12)
                )
            ).all()
        )
        mine = (BankLine.cooperative_id == actor.cooperative_id, _waiting())
        count, total = (
            await session.exec(
                select(func.count(), func.coalesce(func.sum(BankLine.amount_cents), 0)).where(
                    *mine  # type: ignore[arg-type]
                )
            )
        ).one()
        lines = list(
            (
                await session.exec(
                    select(BankLine)
                    .where(*mine)  # type: ignore[arg-type]
                    .order_by(
                        col(BankLine.booked_on), col(BankLine.statement_id), col(BankLine.position)
                    )
                    .limit(WAITING_SHOWN)
                )
            ).all()
        )
        invoices = {
            i.id: i
            for i in (await invoices_by_communication(session, actor.cooperative_id)).values()
        }
        labels = await _labels(session, actor.cooperative_id, invoices, lines)
        waiting = [
            WaitingLine(
                line,
                [
                    ProposalView(
                        index, proposal, labels.get((proposal.kind, proposal.target or 0), "")
                    )
                    for index, proposal in enumerate(Proposal.from_dict(p) for p in line.proposals)
                ],
            )
            for line in lines
        ]
        last = statements[0][0] if statements else None
        matched: dict[str, int] = {}
        if last is not None:
            kinds = await session.exec(
                select(BankMatch.kind, func.count())
                .join(BankLine, col(BankLine.id) == BankMatch.line_id)
                .where(BankLine.statement_id == last.id, live())
                .group_by(col(BankMatch.kind))
            )
            matched = dict(kinds.all())
        recent = (
            await session.exec(
                select(BankLine, BankMatch)
                .join(BankMatch, col(BankMatch.line_id) == BankLine.id)
                .where(BankLine.cooperative_id == actor.cooperative_id, live())
                .order_by(col(BankLine.booked_on).desc(), col(BankLine.id).desc())
                .limit(RECENT_SHOWN)
            )
        ).all()
        return BankPage(
            cooperative=cooperative,
            books_cents=await books_bank_cents(session, actor.cooperative_id),
            last=last,
            waiting=waiting,
            waiting_count=int(count),
            waiting_cents=int(total),
            statements=[(s, name) for s, name in statements],
            open_invoices=sorted(
                (i for i in invoices.values() if i.outstanding_cents > 0),
                key=lambda i: i.reference,
            ),
            categories=categories_of(cooperative.settings),
            matched=matched,
            recent=[(line, match) for line, match in recent],
        )


@dataclass(frozen=True)
class ImportSummary:
    file: BankFile
    statements: int
    lines: int
    matched: dict[str, int]  # automatic matches by kind
    proposed: int
    waiting: int


async def import_summary(session: AsyncSession, actor: Actor, file_id: int) -> ImportSummary | None:
    """What an import recorded, read back: None when the file is not this cooperative's."""
    async with session.begin():
        await authorize(session, actor, Permission.POST_JOURNAL)
        bank_file = await session.get(BankFile, file_id)
        if bank_file is None or bank_file.cooperative_id != actor.cooperative_id:
            return None
        rows = (
            await session.exec(
                select(BankLine.proposals, BankMatch.kind, BankMatch.automatic)
                .join(BankStatement, col(BankStatement.id) == BankLine.statement_id)
                .outerjoin(BankMatch, col(BankMatch.line_id) == BankLine.id)
                .where(BankStatement.file_id == file_id)
            )
        ).all()
        statements = (
            await session.exec(select(func.count()).where(BankStatement.file_id == file_id))
        ).one()
    matched: dict[str, int] = {}
    proposed = waiting = 0
    for proposals, kind, automatic in rows:
        if kind is not None and automatic:
            matched[kind] = matched.get(kind, 0) + 1
        elif kind is None and proposals:
            proposed += 1
        elif kind is None:
            waiting += 1
    return ImportSummary(bank_file, int(statements), len(rows), matched, proposed, waiting)
