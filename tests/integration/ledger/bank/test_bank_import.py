"""Importing a bank statement: payments by structured communication, payouts by their
end-to-end ids, proposals confirmed, and files refused or repeated that record nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlmodel import select

from governance.base import clock
from governance.base.errors import Conflict, Invalid, NotFound, PermissionDenied
from governance.base.i18n import language
from governance.ledger.bank import bank_reads, confirmations, undo
from governance.ledger.bank.models import BankLine, BankMatch
from governance.ledger.bank.sample_files import camt053, coda
from governance.ledger.bank.statement_import import import_statement
from governance.ledger.billing.invoice_views import views_of
from governance.ledger.billing.invoices import issue_invoice
from governance.ledger.billing.models import Invoice
from governance.ledger.payouts import payouts
from governance.ledger.payouts.models import PayoutBatch
from governance.ledger.payouts.payout_sepa import end_to_end_id
from governance.members import bank
from tests.bank_support import CLIENT_IBAN, bank_line, import_file, statement, written
from tests.billing_support import _client_with_work
from tests.conftest import two_at_once
from tests.payouts_support import owe, set_cooperative_bank


@pytest.fixture
def invoiced(run: Any, world: Any) -> Any:
    """Alpha has an IBAN and one invoice of this month's work, unpaid."""
    run(lambda s: set_cooperative_bank(s, world.alpha))
    client_id, _work = _client_with_work(run, world)
    month = clock.today().strftime("%Y-%m")
    invoice = run(lambda s: issue_invoice(s, world.actor("carla"), client_id, month, clock.today()))
    world.invoice = invoice
    return world


def outstanding(run: Any, invoice_id: int) -> int:
    async def action(session: Any) -> int:
        async with session.begin():
            row = await session.get(Invoice, invoice_id)
            return (await views_of(session, [(row, "")], set()))[0].outstanding_cents

    return run(action)  # type: ignore[no-any-return]


def page(run: Any, world: Any) -> bank_reads.BankPage:
    return run(lambda s: bank_reads.bank_page(s, world.actor("carla")))  # type: ignore[no-any-return]


@pytest.mark.parametrize("writer", ["camt02", "camt08", "coda"])
def test_a_communication_pays_its_invoice_and_the_same_file_again_records_nothing(
    run: Any, invoiced: Any, writer: str
) -> None:
    invoice = invoiced.invoice
    day = clock.today()
    lines = [
        bank_line(
            invoice.total_cents,
            day,
            communication=invoice.communication,
            counterparty_name="Clinique",
            counterparty_iban=CLIENT_IBAN,
        ),
        bank_line(-1250, day, 2, text="Frais de gestion", bank_code="ACMT/MDOP/CHRG"),
    ]
    parsed = statement(lines, opening=10000, first=day, last=day)
    data = {"camt02": camt053(parsed, "02"), "camt08": camt053(parsed, "08")}.get(writer)
    data = data if data is not None else coda(parsed)
    result = import_file(run, invoiced.actor("carla"), data)
    assert (result.lines, result.counts["invoice"], result.counts["proposed"]) == (2, 1, 1)
    assert outstanding(run, invoice.id) == 0
    before = written(run)
    again = import_file(run, invoiced.actor("carla"), data)
    assert again.already and written(run) == before
    view = page(run, invoiced)
    assert view.waiting_count == 1 and view.last is not None
    assert view.last.closing_cents == 10000 + invoice.total_cents - 1250


def test_confirming_every_proposal_brings_the_difference_to_the_opening(
    run: Any, invoiced: Any
) -> None:
    """The books' bank account started at 0, the statement at 0: once every line is matched
    the books equal the bank."""
    invoice = invoiced.invoice
    day = clock.today()
    lines = [
        bank_line(invoice.total_cents - 1000, day, counterparty_name="CLINIQUE", text="merci"),
        bank_line(-1250, day, 2, text="Frais de gestion", bank_code="ACMT/MDOP/CHRG"),
        bank_line(1000, day, 3, text="solde", counterparty_iban=CLIENT_IBAN),
    ]
    import_file(run, invoiced.actor("carla"), camt053(statement(lines, first=day, last=day)))
    view = page(run, invoiced)
    assert view.difference_cents == -(invoice.total_cents - 1250)
    first, fee, rest = view.waiting
    assert first.proposals[0].proposal.target == invoice.id  # the client by name, not amount
    carla = invoiced.actor("carla")
    for waiting, data in (
        (first, {"proposal": "0"}),
        (fee, {"proposal": "0", "category": "bank_fees"}),
        (rest, {"invoice_id": str(invoice.id)}),
    ):
        run(lambda s, w=waiting, d=data: confirmations.confirm_line(s, carla, w.line.id, d))
    view = page(run, invoiced)
    assert view.waiting_count == 0 and view.difference_cents == 0 and view.reconciled
    assert outstanding(run, invoice.id) == 0
    # Confirmed once: a second confirmation of the same line is refused, nothing written.
    before = written(run)
    with pytest.raises(Conflict):
        run(lambda s: confirmations.confirm_line(s, carla, first.line.id, {"proposal": "0"}))
    assert written(run) == before


def test_only_coordinators_import_and_confirm_and_only_their_own_lines(
    run: Any, invoiced: Any
) -> None:
    day = clock.today()
    data = camt053(statement([bank_line(500, day)], first=day, last=day))
    for key in ("omar", "olga"):
        with pytest.raises(PermissionDenied):
            import_file(run, invoiced.actor(key), data)
    import_file(run, invoiced.actor("carla"), data)
    line_id = page(run, invoiced).waiting[0].line.id
    with pytest.raises(PermissionDenied):
        run(lambda s: confirmations.confirm_line(s, invoiced.actor("omar"), line_id, {}))
    with pytest.raises(NotFound):  # Bea coordinates Beta, not Alpha
        run(
            lambda s: confirmations.confirm_line(
                s, invoiced.actor("bea", "beta"), line_id, {"invoice_id": "1"}
            )
        )


def test_a_statement_must_be_ours_and_continue_the_last_one(run: Any, invoiced: Any) -> None:
    day = clock.today()
    carla = invoiced.actor("carla")
    first = statement([bank_line(500, day)], opening=1000, first=day, last=day)
    import_file(run, carla, camt053(first))
    before = written(run)
    refusals = {
        "account": statement([bank_line(7, day, 9)], iban=CLIENT_IBAN, first=day, last=day),
        "currency": statement([bank_line(7, day, 9)], currency="USD", first=day, last=day),
        "gap": statement(
            [bank_line(7, day + dt.timedelta(days=2), 9)],
            opening=1400,
            number="3",
            first=day + dt.timedelta(days=2),
            last=day + dt.timedelta(days=2),
        ),
        "overlap": statement(
            [bank_line(7, day, 9)], opening=1000, number="1b", first=day, last=day
        ),
    }
    messages = {}
    for name, parsed in refusals.items():
        with pytest.raises(Invalid) as caught, language("en"):
            import_file(run, carla, camt053(parsed))
        messages[name] = caught.value.message
        assert written(run) == before, name
    assert "BE71 0961 2345 6769" in messages["account"]
    assert "USD" in messages["currency"]
    assert "missing" in messages["gap"] and "€15.00" in messages["gap"]
    assert "overlaps" in messages["overlap"]
    # The next statement, continuing, is taken.
    following = statement(
        [bank_line(-200, day + dt.timedelta(days=1), 1, text="x")],
        opening=1500,
        number="2",
        first=day + dt.timedelta(days=1),
        last=day + dt.timedelta(days=1),
    )
    assert import_file(run, carla, camt053(following)).lines == 1


def test_a_broken_file_names_its_line_and_records_nothing(run: Any, invoiced: Any) -> None:
    day = clock.today()
    good = camt053(statement([bank_line(500, day)], first=day, last=day))
    broken = good.replace(b"</Ntry>", b"</Ntri>", 1)
    before = written(run)
    with pytest.raises(Invalid) as caught:
        import_file(run, invoiced.actor("carla"), broken)
    assert any(char.isdigit() for char in caught.value.message)
    assert written(run) == before


def test_two_imports_of_one_file_at_once_record_one_set_of_payments(
    run: Any, invoiced: Any, settings: Any
) -> None:
    invoice = invoiced.invoice
    day = clock.today()
    data = camt053(
        statement(
            [bank_line(invoice.total_cents, day, communication=invoice.communication)],
            first=day,
            last=day,
        )
    )
    before = written(run)
    results = two_at_once(settings, import_statement, invoiced.actor("carla"), data, "a.xml")
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(r.already for r in results) == [False, True]
    after = written(run)
    assert after["payments"] == before["payments"] + 1 and after["lines"] == before["lines"] + 1


def test_the_bank_showing_a_batch_confirms_it_and_a_returned_transfer_is_owed_again(
    run: Any, world: Any
) -> None:
    async def build(session: Any) -> None:
        await set_cooperative_bank(session, world.alpha)
        await bank.set_bank_details(
            session, world.ids["omar"], CLIENT_IBAN, "GKCCBEBB", "Omar Cooperator"
        )
        await owe(session, world.alpha, {world.ids["omar"]: 12345})

    run(build)
    carla = world.actor("carla")
    prepared = run(lambda s: payouts.prepare_batch(s, carla, clock.today(), today=clock.today()))
    (line,) = prepared.lines
    e2e = end_to_end_id(prepared.batch.id, line.id, line.member_id)
    day = clock.today()
    sent = statement(
        [bank_line(-12345, day, end_to_end_id=e2e, counterparty_name="Omar Cooperator")],
        opening=50000,
        first=day,
        last=day,
    )
    result = import_file(run, carla, coda(sent))
    assert result.counts["payout"] == 1

    async def state(session: Any) -> tuple[str, int]:
        async with session.begin():
            batch = await session.get(PayoutBatch, prepared.batch.id)
            owed = {
                o.member_id: o.amount_cents for o in await payouts.owed_of(session, world.alpha)
            }
            return batch.state, owed.get(world.ids["omar"], 0)

    assert run(state) == ("sent", 0)
    back = statement(
        [bank_line(12345, day, 1, end_to_end_id=e2e, text="RETURN AC04", bank_reference="R1")],
        opening=50000 - 12345,
        number="2",
        first=day,
        last=day,
    )
    assert import_file(run, carla, camt053(back)).counts["payout_return"] == 1
    assert run(state) == ("sent", 12345)

    async def matched(session: Any) -> list[str]:
        async with session.begin():
            rows = await session.exec(
                select(BankMatch.kind).join(BankLine).where(BankLine.cooperative_id == world.alpha)
            )
            return sorted(rows.all())

    assert run(matched) == ["payout", "payout_return"]
    paid_line = page(run, world).recent[-1][0]
    assert paid_line.amount_cents == -12345
    with pytest.raises(Conflict):  # the bank did pay it
        run(lambda s: undo.undo_match(s, carla, paid_line.id, {"reason": "x"}))


def test_a_wrong_match_is_undone_by_a_reversal_and_the_line_waits_again(
    run: Any, invoiced: Any, make_visitor: Any
) -> None:
    invoice = invoiced.invoice
    carla = invoiced.actor("carla")
    day = clock.today()
    data = camt053(
        statement(
            [bank_line(invoice.total_cents, day, communication=invoice.communication)],
            first=day,
            last=day,
        )
    )
    import_file(run, carla, data)
    assert outstanding(run, invoice.id) == 0
    line_id = page(run, invoiced).recent[0][0].id
    books_before = page(run, invoiced).books_cents
    with pytest.raises(Invalid):  # a reason is required
        run(lambda s: undo.undo_match(s, carla, line_id, {"reason": ""}))
    with pytest.raises(PermissionDenied):
        run(lambda s: undo.undo_match(s, invoiced.actor("omar"), line_id, {"reason": "x"}))
    done = run(lambda s: undo.undo_match(s, carla, line_id, {"reason": "autre client"}))
    assert done.reversal_entry_id is not None
    assert outstanding(run, invoice.id) == invoice.total_cents  # the payment no longer pays
    view = page(run, invoiced)
    assert view.waiting_count == 1 and view.books_cents == books_before - invoice.total_cents
    assert view.recent == []
    browser = make_visitor()
    browser.login("carla")
    assert browser.get("/c/alpha/payments/").text.count('class="settled reversed"') == 1
    before = written(run)
    with pytest.raises(Conflict):  # nothing left to undo
        run(lambda s: undo.undo_match(s, carla, line_id, {"reason": "encore"}))
    assert written(run) == before
    # Decided again, rightly this time: the line is matched once more.
    run(lambda s: confirmations.confirm_line(s, carla, line_id, {"invoice_id": str(invoice.id)}))
    view = page(run, invoiced)
    assert view.waiting_count == 0 and view.books_cents == books_before
    assert outstanding(run, invoice.id) == 0


def test_an_undone_cost_is_marked_and_no_longer_counts_on_the_costs_page(
    run: Any, invoiced: Any, make_visitor: Any
) -> None:
    carla = invoiced.actor("carla")
    day = clock.today()
    parsed = statement(
        [bank_line(-4321, day, text="Frais", bank_code="ACMT/MDOP/CHRG")], first=day, last=day
    )
    import_file(run, carla, camt053(parsed))
    line_id = page(run, invoiced).waiting[0].line.id
    run(lambda s: confirmations.confirm_line(s, carla, line_id, {"proposal": "0"}))
    browser = make_visitor()
    browser.login("carla")
    costs = browser.get("/c/alpha/costs/").text
    assert "43,21" in costs and 'class="hint reversed"' not in costs
    run(lambda s: undo.undo_match(s, carla, line_id, {"reason": "doublon"}))
    costs = browser.get("/c/alpha/costs/").text
    assert costs.count('class="hint reversed"') == 1
    assert page(run, invoiced).waiting_count == 1
