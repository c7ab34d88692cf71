"""Random sequences of ledger operations keep the books whole after every step.

Operations: record, submit, validate, reject, invoice, cancel an invoice, pay, cost, reverse
(a cost entry), reverse a prestation, import a bank statement (CAMT.053 or CODA; sometimes a
file imported before). After every step: each entry and the whole ledger sum to zero, no
earlier entry changed or vanished, each client's receivable equals what its validated, not
reversed, work is worth (invoiced or still to invoice) minus what it paid, each reversed
prestation's entry is reversed exactly once, by an entry that links to it, and each bank line
is matched at most once, to an entry that moves the bank account by the line's amount.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from sqlalchemy import func
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from governance.base import db
from governance.base.errors import DomainError
from governance.ledger.bank.models import BankLine, BankMatch
from governance.ledger.bank.sample_files import camt053, coda
from governance.ledger.bank.statement_import import import_statement
from governance.ledger.billing import credit_notes, invoices, payments
from governance.ledger.billing.models import Invoice, Payment
from governance.ledger.books.models import Account, JournalEntry, LedgerLine
from governance.ledger.books.posting import reverse
from governance.ledger.costs import costs
from governance.ledger.reversals import reversals
from governance.ledger.work import prestations
from governance.ledger.work.models import Prestation
from tests.bank_support import bank_line, statement
from tests.conftest import empty_postgres
from tests.payouts_support import set_cooperative_bank
from tests.world import build_world

TODAY = dt.date(2026, 11, 27)


class LedgerMachine(RuleBasedStateMachine):
    fresh_database: Any  # () -> URL of an empty, migrated database

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.engine = db.make_engine(type(self).fresh_database())
        self.maker = db.make_sessionmaker(self.engine)
        self.seen: dict[int, tuple[tuple[str, int], ...]] = {}

    def run(self, action: Any) -> Any:
        async def main() -> Any:
            async with self.maker() as session:
                return await action(session)

        return self.loop.run_until_complete(main())

    def teardown(self) -> None:
        self.loop.run_until_complete(self.engine.dispose())
        self.loop.close()

    @initialize()
    def build(self) -> None:
        from governance.ledger.books.kinds import ClientKind
        from governance.ledger.work.clients import create_client

        self.world = self.run(build_world)

        async def clients(session: Any) -> list[int]:
            ids = []
            for name in ("CHU", "CPAS"):
                client = await create_client(
                    session,
                    self.world.actor("carla"),
                    name=name,
                    kind=ClientKind.HOSPITAL,
                    default_rate_cents=5500,
                )
                ids.append(client.id)
            return ids

        self.clients = self.run(clients)
        self.run(lambda s: set_cooperative_bank(s, self.world.alpha))
        self.bank_closing, self.statements, self.files = 0, 0, []

    def attempt(self, action: Any) -> Any:
        try:
            return self.run(action)
        except DomainError:
            return None

    @rule(
        who=st.sampled_from(["omar", "wen", "carla"]),
        client=st.integers(0, 1),
        minutes=st.integers(1, 600),
        travel=st.integers(0, 5000),
        day=st.integers(1, 27),
        month=st.sampled_from([10, 11]),
        submit=st.booleans(),
    )
    def record(
        self,
        who: str,
        client: int,
        minutes: int,
        travel: int,
        day: int,
        month: int,
        submit: bool,
    ) -> None:
        data = {
            "client_id": str(self.clients[client]),
            "date": f"2026-{month:02d}-{day:02d}",
            "duration_minutes": str(minutes),
            "kind": "on_site",
            "travel": f"{travel // 100},{travel % 100:02d}",
        }

        async def action(session: Any) -> Any:
            return await prestations.record_prestation(
                session, self.world.actor(who), data, language="fr", today=TODAY, submit=submit
            )

        self.attempt(action)

    def _ids(self, status: str) -> list[int]:
        async def action(session: Any) -> list[int]:
            async with session.begin():
                rows = await session.exec(select(Prestation.id).where(Prestation.status == status))
                return [r for r in rows.all() if r is not None]

        return self.run(action)

    @rule(data=st.data())
    def submit(self, data: st.DataObject) -> None:
        drafts = self._ids("draft")
        if drafts:
            pid = data.draw(st.sampled_from(drafts))
            self.attempt(lambda s: prestations.submit_prestation(s, self.world.actor("carla"), pid))

    @rule(data=st.data())
    def validate(self, data: st.DataObject) -> None:
        submitted = self._ids("submitted")
        if submitted:
            chosen = data.draw(st.lists(st.sampled_from(submitted), min_size=1, max_size=3))
            self.attempt(
                lambda s: prestations.validate_prestations(s, self.world.actor("carla"), chosen)
            )

    @rule(data=st.data())
    def reject(self, data: st.DataObject) -> None:
        submitted = self._ids("submitted")
        if submitted:
            pid = data.draw(st.sampled_from(submitted))
            self.attempt(
                lambda s: prestations.reject_prestation(
                    s, self.world.actor("carla"), pid, {"reason": "non"}
                )
            )

    @rule(client=st.integers(0, 1), month=st.sampled_from(["2026-10", "2026-11"]))
    def invoice(self, client: int, month: str) -> None:
        self.attempt(
            lambda s: invoices.issue_invoice(
                s, self.world.actor("carla"), self.clients[client], month, TODAY
            )
        )

    def _invoice_ids(self) -> list[int]:
        async def action(session: Any) -> list[int]:
            async with session.begin():
                rows = await session.exec(select(Invoice.id).where(Invoice.kind == "invoice"))
                return [r for r in rows.all() if r is not None]

        return self.run(action)

    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        ids = self._invoice_ids()
        if ids:
            chosen = data.draw(st.sampled_from(ids))
            self.attempt(
                lambda s: credit_notes.cancel_invoice(
                    s, self.world.actor("carla"), chosen, TODAY, reason="test"
                )
            )

    @rule(data=st.data(), client=st.integers(0, 1), cents=st.integers(1, 10**6))
    def pay(self, data: st.DataObject, client: int, cents: int) -> None:
        ids = self._invoice_ids()
        chosen = data.draw(st.lists(st.sampled_from(ids), max_size=2, unique=True)) if ids else []
        form = {
            "client_id": str(self.clients[client]),
            "date": "2026-11-27",
            "amount": f"{cents // 100},{cents % 100:02d}",
            "invoice_ids": [str(i) for i in chosen],
        }
        self.attempt(
            lambda s: payments.record_payment(
                s, self.world.actor("carla"), form, language="fr", today=TODAY
            )
        )

    @rule(cents=st.integers(1, 10**7), day=st.integers(1, 27))
    def cost(self, cents: int, day: int) -> None:
        form = {
            "date": f"2026-11-{day:02d}",
            "category": "rent",
            "supplier": "X",
            "amount": f"{cents // 100},{cents % 100:02d}",
        }
        self.attempt(
            lambda s: costs.record_cost(
                s, self.world.actor("carla"), form, language="fr", today=TODAY
            )
        )

    @rule(data=st.data())
    def reverse_a_cost(self, data: st.DataObject) -> None:
        async def cost_entries(session: Any) -> list[int]:
            async with session.begin():
                rows = await session.exec(
                    select(JournalEntry.id).where(JournalEntry.kind == "cost")
                )
                return [r for r in rows.all() if r is not None]

        found = self.run(cost_entries)
        if not found:
            return
        entry_id = data.draw(st.sampled_from(found))

        async def action(session: Any) -> None:
            async with session.begin():
                entry = await session.get(JournalEntry, entry_id)
                await reverse(
                    session, entry, day=TODAY, memo="correction", author_id=self.world.ids["carla"]
                )

        self.attempt(action)

    def _has_validated_work(self) -> bool:
        return hasattr(self, "world") and bool(self._ids("validated"))

    @precondition(_has_validated_work)
    @rule(data=st.data())
    def reverse_a_prestation(self, data: st.DataObject) -> None:
        # Mostly validated work; sometimes reversed work again, which must be refused.
        found = self._ids("validated") + self._ids("reversed")
        pid = data.draw(st.sampled_from(found))
        done = self.attempt(
            lambda s: reversals.reverse_prestation(
                s, self.world.actor("carla"), pid, "erreur de client", today=TODAY
            )
        )
        event("prestation reversed" if done is not None else "reversal refused")

    @rule(data=st.data())
    def import_a_statement(self, data: st.DataObject) -> None:
        if self.files and data.draw(st.booleans()):
            content = data.draw(st.sampled_from(self.files))  # imported before: nothing new
            closing = self.bank_closing
        else:
            invoices = self._communications()
            lines = []
            for position in range(1, data.draw(st.integers(1, 4)) + 1):
                kind = data.draw(st.sampled_from(["invoice", "credit", "debit"]))
                communication, amount = "", data.draw(st.integers(1, 10**6))
                if kind == "invoice" and invoices:
                    communication, total = data.draw(st.sampled_from(invoices))
                    amount = data.draw(st.sampled_from([total, max(1, total // 2), total + 100]))
                lines.append(
                    bank_line(
                        -amount if kind == "debit" else amount,
                        TODAY,
                        position,
                        bank_reference=f"S{self.statements}-{position}",
                        communication=communication,
                        bank_code="ACMT/MDOP/CHRG" if kind == "debit" else "",
                    )
                )
            parsed = statement(
                lines,
                opening=self.bank_closing,
                number=str(self.statements),
                first=TODAY,
                last=TODAY,
            )
            writer = data.draw(st.sampled_from(["camt", "coda"]))
            content = camt053(parsed) if writer == "camt" else coda(parsed)
            closing = parsed.closing_cents
        result = self.attempt(
            lambda s: import_statement(s, self.world.actor("carla"), content, "s.xml")
        )
        assert result is not None, "a well-made statement that continues the last is imported"
        if not result.already:
            self.bank_closing, self.statements = closing, self.statements + 1
            self.files.append(content)
        event("statement imported" if not result.already else "statement again: nothing new")

    def _communications(self) -> list[tuple[str, int]]:
        async def action(session: Any) -> list[tuple[str, int]]:
            async with session.begin():
                rows = await session.exec(
                    select(Invoice.communication, Invoice.total_cents).where(
                        Invoice.kind == "invoice"
                    )
                )
                return [(c, t) for c, t in rows.all() if t > 0]

        return self.run(action)

    @invariant()
    def bank_lines_move_the_bank_by_their_amount(self) -> None:
        if not hasattr(self, "world"):
            return

        async def action(session: Any) -> Any:
            async with session.begin():
                matched = (
                    await session.exec(
                        select(BankMatch.line_id, BankLine.amount_cents, BankMatch.entry_id).join(
                            BankLine, col(BankLine.id) == BankMatch.line_id
                        )
                    )
                ).all()
                moves = dict(
                    (
                        await session.exec(
                            select(LedgerLine.entry_id, func.sum(LedgerLine.amount))
                            .join(Account, col(Account.id) == LedgerLine.account_id)
                            .where(Account.code == "bank")
                            .group_by(col(LedgerLine.entry_id))
                        )
                    ).all()
                )
                lines = (await session.exec(select(func.count()).select_from(BankLine))).one()
            return matched, moves, lines

        matched, moves, lines = self.run(action)
        assert len({line_id for line_id, _a, _e in matched}) == len(matched) <= lines
        for _line_id, amount, entry_id in matched:
            assert entry_id is not None and moves.get(entry_id) == amount

    @invariant()
    def reversed_work_is_reversed_once(self) -> None:
        if not hasattr(self, "world"):
            return

        async def action(session: Any) -> Any:
            async with session.begin():
                work = (
                    await session.exec(
                        select(Prestation.status, Prestation.entry_id).where(
                            col(Prestation.status).in_(["validated", "reversed"])
                        )
                    )
                ).all()
                links = (
                    await session.exec(
                        select(JournalEntry.reverses_id).where(
                            col(JournalEntry.reverses_id).is_not(None)
                        )
                    )
                ).all()
            return work, links

        work, links = self.run(action)
        assert len(links) == len(set(links)), "an entry was reversed twice"
        for status, entry_id in work:
            assert entry_id is not None
            assert (entry_id in links) == (status == "reversed"), (status, entry_id)

    @invariant()
    def books_are_whole(self) -> None:
        if not hasattr(self, "world"):
            return

        async def action(session: Any) -> Any:
            async with session.begin():
                rows = await session.exec(
                    select(LedgerLine.entry_id, Account.code, LedgerLine.amount, LedgerLine.balance)
                    .join(Account, col(Account.id) == LedgerLine.account_id)
                    .order_by(col(LedgerLine.id))
                )
                return rows.all()

        entries: dict[int, list[tuple[str, int]]] = {}
        running: dict[str, int] = {}
        for entry_id, code, amount, balance in self.run(action):
            entries.setdefault(entry_id, []).append((code, amount))
            running[code] = running.get(code, 0) + amount
            assert balance == running[code], "a line's running balance is wrong"
        assert sum(amount for lines in entries.values() for _c, amount in lines) == 0
        for entry_id, lines in entries.items():
            assert sum(amount for _code, amount in lines) == 0, entry_id
            assert len(lines) >= 2
            if entry_id in self.seen:
                assert tuple(lines) == self.seen[entry_id], "an earlier entry changed"
            self.seen[entry_id] = tuple(lines)
        assert set(self.seen) <= set(entries), "an earlier entry disappeared"
        self._receivables_match(entries)

    def _receivables_match(self, entries: dict[int, list[tuple[str, int]]]) -> None:
        async def figures(session: Any) -> Any:
            async with session.begin():
                worth = dict(
                    (
                        await session.exec(
                            select(
                                Prestation.client_id,
                                func.sum(Prestation.amount_cents + Prestation.travel_cents),
                            )
                            # Reversed work is no longer owed: its entry was reversed.
                            .where(Prestation.status == "validated")
                            .group_by(col(Prestation.client_id))
                        )
                    ).all()
                )
                paid = dict(
                    (
                        await session.exec(
                            select(Payment.client_id, func.sum(Payment.amount_cents)).group_by(
                                col(Payment.client_id)
                            )
                        )
                    ).all()
                )
            return worth, paid

        worth, paid = self.run(figures)
        balances: dict[str, int] = {}
        for lines in entries.values():
            for code, amount in lines:
                balances[code] = balances.get(code, 0) + amount
        for client_id in self.clients:
            expected = int(worth.get(client_id, 0) or 0) - int(paid.get(client_id, 0) or 0)
            assert balances.get(f"receivable:{client_id}", 0) == expected


def test_random_sequences_keep_the_books_whole(template_database: str, tmp_path: Path) -> None:
    counter = iter(range(10**6))

    def fresh() -> str:
        if template_database.startswith("sqlite"):
            source = make_url(template_database).database
            assert source
            target = tmp_path / f"machine-{next(counter)}.db"
            shutil.copyfile(source, target)
            return f"sqlite+aiosqlite:///{target}"
        empty_postgres(template_database)
        return template_database

    LedgerMachine.fresh_database = staticmethod(fresh)
    machine = LedgerMachine.TestCase
    machine.settings = settings(
        max_examples=8,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    machine().runTest()
