"""The bank page's words: what a proposal means, why a line waits, what the import did. Pure."""

from __future__ import annotations

from governance.base.i18n import N_, _
from governance.ledger.bank.matching import MatchKind, Proposal, Waiting

_PROPOSALS = {
    MatchKind.INVOICE: N_("Payment of invoice %(label)s"),
    MatchKind.ENTRY: N_("Already in the books: %(label)s"),
    MatchKind.COST: N_("A cost"),
}
_REASONS = {
    "reference": N_("its text names the invoice"),
    "client": N_("this client paid from this account before, or bears this name"),
    "amount": N_("the same amount as the invoice still waits for"),
    "typed": N_("the same amount, recorded within 15 days"),
    "fee": N_("the bank's fees"),
    "debit": N_("money that left the account"),
    "chosen": N_("chosen by a coordinator"),
    "communication": N_("its structured communication"),
    "end_to_end": N_("its transfer id"),
    "returned": N_("sent back by the bank"),
}
_WAITING = {
    Waiting.SETTLED: N_(
        "Its structured communication names an invoice that no longer waits for money (paid "
        "or cancelled). If the payment was recorded by hand, choose it; otherwise it may be "
        "an over-payment to give back."
    ),
    Waiting.UNKNOWN: N_("Its structured communication is not one of this cooperative's invoices."),
    Waiting.NOTHING: N_("No invoice, payment or client fits: it waits for you."),
    Waiting.TYPED: N_(
        "A payment of this client and amount is already in the books, typed by hand: if it is "
        "this one, choose it, so that the invoice is not paid twice."
    ),
    Waiting.PAYOUT: N_(
        "Its transfer id is a payout line's, but its amount or the batch's state does not fit."
    ),
}
_MATCHED = {
    MatchKind.INVOICE: N_("invoice payments"),
    MatchKind.ENTRY: N_("movements already in the books"),
    MatchKind.COST: N_("costs"),
    MatchKind.PAYOUT: N_("payout transfers"),
    MatchKind.PAYOUT_RETURN: N_("payout transfers sent back"),
}


def proposal_text(proposal: Proposal, label: str) -> str:
    return _(_PROPOSALS[proposal.kind]) % {"label": label or "?"}


def reason_text(reason: str) -> str:
    return _(_REASONS[reason]) if reason in _REASONS else ""


def waiting_text(why: str) -> str:
    return _(_WAITING[Waiting(why)]) if why in set(Waiting) else ""


def matched_text(kind: str) -> str:
    return _(_MATCHED[MatchKind(kind)]) if kind in set(MatchKind) else kind
