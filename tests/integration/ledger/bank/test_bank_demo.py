"""The demo's month of bank statements, CAMT.053 for Univerbal and CODA for Sirius: invoices
paid by their structured communication, payout transfers matched, the rest proposed; once
every line is decided the books' bank account equals the bank's closing balance; the same
files again record nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import col, select

from governance.base import clock
from governance.demo.common import coordinator_of
from governance.demo.sirius import SIRIUS
from governance.demo.univerbal import DEMO_SLUG, PEOPLE, create_demo
from governance.ledger.bank import bank_reads, confirmations
from governance.ledger.bank.models import BankFile, BankLine, BankMatch, BankStatement
from governance.ledger.bank.statement_import import import_statement
from governance.ledger.payouts.models import PayoutBatch, PayoutLine
from governance.members.access import Actor
from governance.members.models import Cooperative
from tests.bank_support import written

TODAY = dt.date(2026, 11, 27)


async def _univerbal(session: Any) -> Actor:
    async with session.begin():
        coop = (await session.exec(select(Cooperative).where(Cooperative.slug == DEMO_SLUG))).one()
    from governance.auth.models import Person

    async with session.begin():
        person = (await session.exec(select(Person).where(Person.email == PEOPLE[0].email))).one()
    return Actor(person_id=person.id, cooperative_id=coop.id)


def _decide_everything(run: Any, actor: Actor) -> bank_reads.BankPage:
    """Confirm each waiting line's best proposal; a line without one pays the first open
    invoice (the demo's loose 100.00)."""
    view = run(lambda s: bank_reads.bank_page(s, actor))
    while view.waiting:
        waiting = view.waiting[0]
        if waiting.proposals:
            data = {"proposal": "0"}
        else:
            data = {"invoice_id": str(view.open_invoices[0].id)}
        run(lambda s, w=waiting, d=data: confirmations.confirm_line(s, actor, w.line.id, d))
        view = run(lambda s: bank_reads.bank_page(s, actor))
    return run(lambda s: bank_reads.bank_page(s, actor))  # type: ignore[no-any-return]


def _kinds(run: Any, actor: Actor) -> tuple[str, dict[str, int], int, int]:
    async def action(session: Any) -> tuple[str, dict[str, int], int, int]:
        async with session.begin():
            file = (
                await session.exec(
                    select(BankFile).where(BankFile.cooperative_id == actor.cooperative_id)
                )
            ).one()
            rows = (
                await session.exec(
                    select(BankMatch.kind)
                    .join(BankLine, col(BankLine.id) == BankMatch.line_id)
                    .where(BankLine.cooperative_id == actor.cooperative_id)
                )
            ).all()
            kinds: dict[str, int] = {}
            for kind in rows:
                kinds[kind] = kinds.get(kind, 0) + 1
            lines = (
                await session.exec(
                    select(BankLine).where(BankLine.cooperative_id == actor.cooperative_id)
                )
            ).all()
            payout_lines = (
                await session.exec(
                    select(PayoutLine)
                    .join(PayoutBatch, col(PayoutBatch.id) == PayoutLine.batch_id)
                    .where(PayoutBatch.cooperative_id == actor.cooperative_id)
                )
            ).all()
            return file.file_format, kinds, len(lines), len(payout_lines)

    return run(action)  # type: ignore[no-any-return]


def _file(run: Any, actor: Actor) -> bytes:
    async def action(session: Any) -> bytes:
        async with session.begin():
            return (
                await session.exec(
                    select(BankFile.content).where(BankFile.cooperative_id == actor.cooperative_id)
                )
            ).one()

    return run(action)  # type: ignore[no-any-return]


def test_the_demo_statements_pay_match_propose_and_reconcile(run: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    run(lambda s: create_demo(s, TODAY))
    univerbal = run(_univerbal)
    sirius = run(lambda s: coordinator_of(s, SIRIUS))
    for actor, file_format in ((univerbal, "camt.053.001.08"), (sirius, "coda.2")):
        found, kinds, lines, payout_lines = _kinds(run, actor)
        assert found == file_format
        # one invoice paid by its communication, every payout transfer matched by its id
        assert kinds.get("invoice") == 1, kinds
        assert kinds.get("payout") == payout_lines > 0, kinds
        view = run(lambda s, a=actor: bank_reads.bank_page(s, a))
        assert view.last is not None and view.difference_cents != 0
        reasons = {p.proposal.reason for w in view.waiting for p in w.proposals}
        assert {"typed", "fee"} <= reasons, reasons
        assert any(not w.proposals for w in view.waiting)  # the loose 100.00 waits
        assert lines == len(view.waiting) + sum(kinds.values())
        done = _decide_everything(run, actor)
        assert (done.waiting_count, done.difference_cents) == (0, 0), done
        assert done.reconciled
        # The same file again: nothing new.
        before = written(run)
        content = _file(run, actor)
        again = run(lambda s, a=actor, c=content: import_statement(s, a, c, "again"))
        assert again.already and written(run) == before

    async def statements(session: Any) -> int:
        async with session.begin():
            return len((await session.exec(select(BankStatement))).all())

    assert run(statements) == 2
