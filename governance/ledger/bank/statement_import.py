"""Importing a bank's statement file: checks, then every new line matched or proposed.

One transaction under the cooperative's lock: the file is read (`statement_files`), each
statement must be of the cooperative's IBAN and currency and continue the last imported one
(its opening balance is that statement's closing balance); a line already imported (same
`dedup_key`: the bank's reference, or account, day, amount and reference) is never imported
again, so a file imported twice, or at the same time by two coordinators, records its lines
and payments once. Each new line is decided by `matching.decide` and its automatic match
applied (`match_apply`); the file is kept and its SHA-256 written in the audit trail.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import lock_cooperative, record
from governance.base import clock
from governance.base.errors import Invalid
from governance.base.i18n import _, money
from governance.input.iban import compact, format_iban
from governance.ledger.bank import match_apply
from governance.ledger.bank.book_reads import book_state
from governance.ledger.bank.matching import decide
from governance.ledger.bank.models import BankFile, BankLine, BankStatement
from governance.ledger.bank.parsed import BankLine as ParsedLine
from governance.ledger.bank.parsed import ParsedStatement
from governance.ledger.bank.statement_files import read_statements
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative


@dataclass
class ImportResult:
    file_id: int | None = None
    already: bool = False  # the same file was imported before: nothing recorded
    statements: int = 0
    lines: int = 0
    skipped: int = 0  # lines already imported from another file
    counts: Counter[str] = field(default_factory=Counter)  # automatic kind / "proposed" / "waiting"


def dedup_key(iban: str, line: ParsedLine) -> str:
    """The bank's reference, or the account, day, amount and what the line says."""
    if line.bank_reference:
        return f"ref:{line.bank_reference}"[:100]
    said = "|".join((line.end_to_end_id, line.communication, line.text, line.counterparty_iban))
    digest = hashlib.sha256(said.encode()).hexdigest()[:32]
    return f"day:{iban}:{line.booked_on.isoformat()}:{line.amount_cents}:{digest}"


def _keys(statement: ParsedStatement) -> list[str]:
    """Each line's key; a key repeated inside the file is numbered, so two same lines stay two."""
    seen: Counter[str] = Counter()
    keys = []
    for line in statement.lines:
        key = dedup_key(statement.iban, line)
        seen[key] += 1
        keys.append(key if seen[key] == 1 else f"{key}#{seen[key]}"[:100])
    return keys


def _check_account(statement: ParsedStatement, cooperative: Cooperative) -> None:
    if not cooperative.iban:
        raise Invalid(
            _("Enter the cooperative's IBAN in its details before importing its bank statements.")
        )
    if compact(statement.iban) != compact(cooperative.iban):
        raise Invalid(
            _(
                "This statement is of the account %(theirs)s, not of the cooperative's "
                "account %(ours)s. Nothing was imported."
            )
            % {"theirs": format_iban(statement.iban), "ours": format_iban(cooperative.iban)}
        )
    if statement.currency != cooperative.currency:
        raise Invalid(
            _("This statement is in %(theirs)s; the cooperative keeps its books in %(ours)s.")
            % {"theirs": statement.currency, "ours": cooperative.currency}
        )


async def _last_statement(session: AsyncSession, cooperative_id: int) -> BankStatement | None:
    return (
        await session.exec(
            select(BankStatement)
            .where(BankStatement.cooperative_id == cooperative_id)
            .order_by(col(BankStatement.to_day).desc(), col(BankStatement.id).desc())
            .limit(1)
        )
    ).first()


def _check_continues(statement: ParsedStatement, last: BankStatement | None) -> None:
    if last is None or statement.opening_cents == last.closing_cents:
        return
    figures = {
        "number": statement.number,
        "opening": money(statement.opening_cents, last.currency),
        "last": last.number,
        "closing": money(last.closing_cents, last.currency),
        "day": last.to_day.isoformat(),
    }
    if statement.from_day <= last.to_day:
        message = _(
            "Statement %(number)s overlaps statement %(last)s already imported (up to "
            "%(day)s): it opens at %(opening)s where %(last)s closed at %(closing)s. "
            "Nothing was imported."
        )
    else:
        message = _(
            "Statement %(number)s opens at %(opening)s, but the last imported statement, "
            "%(last)s of %(day)s, closed at %(closing)s: a statement between them is "
            "missing. Import it first; nothing was imported."
        )
    raise Invalid(message % figures)


async def _existing_keys(session: AsyncSession, cooperative_id: int, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = await session.exec(
            select(BankLine.dedup_key).where(
                BankLine.cooperative_id == cooperative_id, col(BankLine.dedup_key).in_(chunk)
            )
        )
        found.update(rows.all())
    return found


async def import_statement(
    session: AsyncSession, actor: Actor, data: bytes, name: str
) -> ImportResult:
    """Import a CAMT.053 or CODA file. Raises PermissionDenied, Invalid (StatementError: the
    file's line), nothing recorded then."""
    statements = read_statements(data)
    sha256 = hashlib.sha256(data).hexdigest()
    result = ImportResult()
    async with session.begin():
        await authorize(session, actor, Permission.POST_JOURNAL)
        await lock_cooperative(session, actor.cooperative_id)
        cooperative = await session.get(Cooperative, actor.cooperative_id)
        assert cooperative is not None
        known = (
            await session.exec(
                select(BankFile.id).where(
                    BankFile.cooperative_id == actor.cooperative_id, BankFile.sha256 == sha256
                )
            )
        ).first()
        if known is not None:
            return ImportResult(file_id=known, already=True)
        keyed = []
        for statement in statements:
            _check_account(statement, cooperative)
            keys = _keys(statement)
            keyed.append(
                (statement, keys, await _existing_keys(session, actor.cooperative_id, keys))
            )
        if all(len(existing) == len(keys) for _s, keys, existing in keyed):
            # Every line came in another file already (an overlapping export): nothing new.
            return ImportResult(already=True, skipped=sum(len(k) for _s, k, _e in keyed))
        bank_file = BankFile(
            cooperative_id=actor.cooperative_id,
            sha256=sha256,
            name=name[:200],
            file_format=statements[0].file_format,
            content=data,
            imported_by_id=actor.person_id,
            created_at=clock.now(),
        )
        session.add(bank_file)
        await session.flush()
        assert bank_file.id is not None
        result.file_id = bank_file.id
        book = await book_state(
            session,
            cooperative,
            min(s.from_day for s in statements),
            max(s.to_day for s in statements),
            {line.end_to_end_id for s in statements for line in s.lines if line.end_to_end_id},
        )
        for statement, keys, existing in keyed:
            if len(existing) == len(keys):
                result.skipped += len(keys)
                continue
            _check_continues(statement, await _last_statement(session, actor.cooperative_id))
            row = BankStatement(
                cooperative_id=actor.cooperative_id,
                file_id=bank_file.id,
                iban=compact(statement.iban),
                currency=statement.currency,
                number=statement.number[:40],
                from_day=statement.from_day,
                to_day=statement.to_day,
                opening_cents=statement.opening_cents,
                closing_cents=statement.closing_cents,
                line_count=len(statement.lines),
                created_at=clock.now(),
            )
            session.add(row)
            await session.flush()
            result.statements += 1
            for line, key in zip(statement.lines, keys, strict=True):
                if key in existing:
                    result.skipped += 1
                    continue
                decision = decide(line, book)
                bank_line = BankLine(
                    cooperative_id=actor.cooperative_id,
                    statement_id=row.id or 0,
                    position=line.position,
                    file_line=line.file_line,
                    booked_on=line.booked_on,
                    amount_cents=line.amount_cents,
                    bank_reference=line.bank_reference[:140],
                    end_to_end_id=line.end_to_end_id[:35],
                    communication=line.communication,
                    text=line.text[:1000],
                    counterparty_name=line.counterparty_name[:140],
                    counterparty_iban=line.counterparty_iban[:34],
                    bank_code=line.bank_code[:40],
                    dedup_key=key,
                    proposals=[p.as_dict() for p in decision.proposals],
                    why=decision.why,
                )
                session.add(bank_line)
                result.lines += 1
                if decision.automatic is not None:
                    await session.flush()  # the match needs the line's id; the others wait
                    await match_apply.apply(
                        session, actor, bank_line, decision.automatic, book, automatic=True
                    )
                    result.counts[decision.automatic.kind] += 1
                else:
                    result.counts["proposed" if decision.proposals else "waiting"] += 1
            await session.flush()  # the statement's lines without a match, in one INSERT
        await match_apply.confirm_batches_seen(session, actor, book)
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="bank.statement_imported",
            subject_type="bank_file",
            subject_id=bank_file.id,
            data={
                "sha256": sha256,
                "name": name[:200],
                "format": statements[0].file_format,
                "statements": result.statements,
                "lines": result.lines,
                "skipped": result.skipped,
                "matched": {str(k): v for k, v in sorted(result.counts.items())},
            },
        )
    return result
