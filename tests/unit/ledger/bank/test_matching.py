"""The matching rules, without a database: what pays an invoice at once, what is proposed,
what waits."""

from __future__ import annotations

import datetime as dt

from governance.ledger.bank.matching import (
    BookState,
    MatchKind,
    OpenInvoice,
    PayoutRef,
    Proposal,
    TypedMoney,
    Waiting,
    decide,
    is_fee,
    same_name,
)
from governance.ledger.bank.parsed import BankLine

DAY = dt.date(2026, 11, 20)
CATEGORIES = ("rent", "bank_fees", "other")


def line(amount: int, **fields: object) -> BankLine:
    values: dict[str, object] = {
        "position": 1,
        "file_line": 1,
        "booked_on": DAY,
        "amount_cents": amount,
        "bank_reference": "",
        "end_to_end_id": "",
        "communication": "",
        "text": "",
        "counterparty_name": "",
        "counterparty_iban": "",
        "bank_code": "",
    }
    values.update(fields)
    return BankLine(**values)  # type: ignore[arg-type]


def book() -> BookState:
    return BookState(
        invoices={
            "020260001297": OpenInvoice(1, "2026-00012", "020260001297", 10, "CHU de Liège", 48000),
            "020260001398": OpenInvoice(2, "2026-00013", "020260001398", 11, "CPAS de Seraing", 0),
            "020260001499": OpenInvoice(
                3, "2026-00014", "020260001499", 11, "CPAS de Seraing", 7250
            ),
        },
        client_names={10: "CHU de Liège", 11: "CPAS de Seraing"},
        client_of_iban={"BE68539007547034": 11},
        typed=[TypedMoney(500, DAY - dt.timedelta(days=3), 7250, 11)],
        payouts={
            "B4-L9-M3": PayoutRef(9, 4, 125000, "prepared"),
            "B2-L5-M3": PayoutRef(5, 2, 30000, "sent", paid=True, paid_on=DAY),
        },
        categories=CATEGORIES,
    )


def test_a_structured_communication_pays_its_invoice_whatever_the_amount() -> None:
    for amount in (48000, 20000, 50000):
        decision = decide(line(amount, communication="020260001297"), book())
        assert decision.automatic == Proposal(MatchKind.INVOICE, 1, "communication")


def test_a_communication_of_a_paid_invoice_waits_and_proposes_the_payment_typed_by_hand() -> None:
    decision = decide(line(7250, communication="020260001398"), book())
    assert decision.automatic is None
    assert decision.why == Waiting.SETTLED
    assert decision.proposals[0] == Proposal(MatchKind.ENTRY, 500, "typed")


def test_an_unknown_communication_waits_with_its_reason() -> None:
    decision = decide(line(1234, communication="999999999996"), book())
    assert decision.automatic is None and decision.proposals == ()
    assert decision.why == Waiting.UNKNOWN


def test_without_communication_a_known_account_and_the_amount_rank_the_invoices() -> None:
    decision = decide(line(7250, counterparty_iban="BE68539007547034"), book())
    kinds = [(p.kind, p.target) for p in decision.proposals]
    # the payment typed by hand of that client first, then that client's invoice of that amount
    assert kinds == [(MatchKind.ENTRY, 500), (MatchKind.INVOICE, 3)]
    assert decision.automatic is None


def test_the_client_is_known_by_name_and_the_reference_in_the_text_counts_most() -> None:
    decision = decide(
        line(1000, counterparty_name="CHU DE LIEGE ASBL", text="facture 2026-00012"), book()
    )
    assert decision.proposals[0] == Proposal(MatchKind.INVOICE, 1, "reference")


def test_money_from_nobody_known_waits() -> None:
    decision = decide(line(333, counterparty_name="Jean Dupont", text="don"), book())
    assert decision == decide(line(333, counterparty_name="Jean Dupont", text="don"), book())
    assert decision.proposals == () and decision.why == Waiting.NOTHING


def test_a_payout_transfer_is_matched_by_its_end_to_end_id_and_amount() -> None:
    decision = decide(line(-125000, end_to_end_id="B4-L9-M3"), book())
    assert decision.automatic == Proposal(MatchKind.PAYOUT, 9, "end_to_end")
    wrong = decide(line(-120000, end_to_end_id="B4-L9-M3"), book())
    assert wrong.automatic is None and wrong.why == Waiting.PAYOUT


def test_a_transfer_the_bank_sent_back_returns_the_line() -> None:
    decision = decide(line(30000, end_to_end_id="B2-L5-M3"), book())
    assert decision.automatic == Proposal(MatchKind.PAYOUT_RETURN, 5, "returned")


def test_debits_are_proposed_as_costs_bank_fees_by_their_code_or_words() -> None:
    fee = decide(line(-1250, bank_code="ACMT/MDOP/CHRG"), book())
    assert fee.proposals == (Proposal(MatchKind.COST, None, "fee", "bank_fees"),)
    coda_fee = line(-1250, bank_code="13700000")
    assert is_fee(coda_fee)
    other = decide(line(-8000, counterparty_name="Ethias", text="police 123"), book())
    assert other.proposals == (Proposal(MatchKind.COST, None, "debit", "other"),)


def test_proposals_survive_their_storage() -> None:
    proposal = Proposal(MatchKind.COST, None, "fee", "bank_fees")
    assert Proposal.from_dict(proposal.as_dict()) == proposal


def test_settling_an_invoice_in_the_book_stops_a_second_line_paying_it_again() -> None:
    state = book()
    state.settle(1, 48000)
    decision = decide(line(48000, communication="020260001297"), state)
    assert decision.automatic is None and decision.why == Waiting.SETTLED


def test_names_match_without_accents_case_or_legal_forms() -> None:
    assert same_name("CHU de Liège", "C.H.U. DE LIEGE asbl")  # half the words suffice
    assert same_name("CHU de Liège", "CHU DE LIEGE ASBL")
    assert not same_name("CPAS de Seraing", "CPAS de Liège")


def test_a_communication_of_a_payment_typed_by_hand_proposes_it_rather_than_paying_twice() -> None:
    state = book()
    state.typed.append(TypedMoney(501, DAY, 20000, 10))
    decision = decide(line(20000, communication="020260001297"), state)
    assert decision.automatic is None and decision.why == Waiting.TYPED
    assert decision.proposals == (
        Proposal(MatchKind.ENTRY, 501, "typed"),
        Proposal(MatchKind.INVOICE, 1, "communication"),
    )


def test_a_bank_lines_amount_is_taken_out_of_the_trail_for_members_who_read_only_their_own() -> (
    None
):
    from governance.audit.redaction import SALT_KEY, Owners, redact

    data = {"kind": "payout", "date": "2026-11-20", "amount_cents": -125000, SALT_KEY: "x"}
    for action in ("bank.line_matched", "bank.line_confirmed"):
        seen, cut = redact(action, "7", data, lambda _who: False, Owners())
        assert cut and "amount_cents" not in seen and SALT_KEY not in seen
        assert seen["date"] == "2026-11-20"
        whole, cut = redact(action, "7", data, lambda _who: True, Owners())
        assert not cut and whole["amount_cents"] == -125000
