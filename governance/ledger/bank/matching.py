"""What a bank line is, in the books' terms: the rules that match it or propose for it. Pure.

`decide(line, book)` reads one line of a statement against `BookState` (what the books hold
that a line may settle: open invoices, payments and costs typed by hand and not yet seen at
the bank, payout lines by their end-to-end id) and returns a `Decision`:

- `automatic`: applied at import, without asking. A credit carrying an invoice's structured
  communication pays that invoice (any amount, as a payment typed by hand would), unless a
  payment of that client and amount was typed by hand near that day (then both are proposed,
  the one typed first: paying twice is the mistake to avoid); a debit
  whose end-to-end id is a payout line's, for that line's amount, is that line paid; a credit
  with a sent payout line's end-to-end id and amount is that line returned by the bank.
- `proposals`, best first, for a coordinator to confirm: a movement already in the books (a
  payment or cost typed by hand, a fund's spending) of the same amount within `NEAR_DAYS`
  days; an open invoice ranked by the client (the counterparty's IBAN seen before, or their
  name), the amount and the invoice's reference in the text; every other debit as a cost, bank
  fees as `bank_fees`.
- otherwise the line waits, with `why`.

`BookState` changes as the import applies decisions (`settle`, `take`...), so that
two lines of one file never settle the same thing twice.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from governance.ledger.bank.parsed import BankLine

NEAR_DAYS = 15
MAX_PROPOSALS = 3
FEE_CODES = ("CHRG", "FEES", "COMM")  # ISO 20022 sub-families of charges and commissions
CODA_FEE_FAMILIES = ("35", "37")  # CODA families of periodic settlements and costs
FEE_WORDS = ("frais", "fee", "fees", "kosten", "commission", "cotisation", "abonnement")
_STOP_WORDS = {"asbl", "vzw", "srl", "sprl", "bvba", "scrl", "the", "les", "des", "van", "de"}


class MatchKind(StrEnum):
    INVOICE = "invoice"  # a payment recorded against an invoice
    ENTRY = "entry"  # the line is a movement already in the books (a payment typed by hand…)
    COST = "cost"  # a cost recorded
    PAYOUT = "payout"  # a payout line the bank paid
    PAYOUT_RETURN = "payout_return"  # a payout line the bank sent back: the member is owed again


class Waiting(StrEnum):
    NOTHING = "nothing"  # no invoice, payment or client fits
    SETTLED = "settled"  # its communication names an invoice that no longer waits for money
    UNKNOWN = "unknown_communication"  # a structured communication of no invoice of ours
    PAYOUT = "payout"  # an end-to-end id of a payout line that does not fit (amount, state)
    TYPED = "typed"  # the invoice's client has a payment of this amount typed by hand


@dataclass(frozen=True)
class Proposal:
    kind: MatchKind
    target: int | None  # the invoice, payment, cost or payout line; None for a new cost
    reason: str  # a key of bank_views.REASONS
    category: str = ""  # for a new cost

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": str(self.kind),
            "target": self.target,
            "reason": self.reason,
            "category": self.category,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Proposal:
        target = data.get("target")
        return cls(
            kind=MatchKind(str(data["kind"])),
            target=target if isinstance(target, int) else None,
            reason=str(data.get("reason", "")),
            category=str(data.get("category", "")),
        )


@dataclass(frozen=True)
class Decision:
    automatic: Proposal | None = None
    proposals: tuple[Proposal, ...] = ()
    why: str = ""


@dataclass
class OpenInvoice:
    id: int
    reference: str
    communication: str
    client_id: int
    client_name: str
    outstanding_cents: int


@dataclass(frozen=True)
class TypedMoney:
    """A journal entry that moved the bank account (a payment or a cost typed by hand, a fund's
    spending) and that no bank line has shown yet: its id, day and bank amount (signed)."""

    id: int
    day: dt.date
    amount_cents: int
    client_id: int | None = None  # a client's payment


@dataclass
class PayoutRef:
    line_id: int
    batch_id: int
    amount_cents: int
    batch_state: str  # payouts.states.PayoutState
    paid: bool = False  # a bank line already showed it paid
    paid_on: dt.date | None = None
    returned: bool = False


@dataclass
class BookState:
    invoices: dict[str, OpenInvoice] = field(default_factory=dict)  # by communication
    client_names: dict[int, str] = field(default_factory=dict)
    client_of_iban: dict[str, int] = field(default_factory=dict)
    typed: list[TypedMoney] = field(default_factory=list)
    proposed: set[int] = field(default_factory=set)  # entries already proposed first
    payouts: dict[str, PayoutRef] = field(default_factory=dict)  # by end-to-end id
    categories: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.by_id = {invoice.id: invoice for invoice in self.invoices.values()}

    def settle(self, invoice_id: int, cents: int) -> None:
        invoice = self.by_id.get(invoice_id)
        if invoice is not None:
            invoice.outstanding_cents = max(0, invoice.outstanding_cents - cents)

    def take(self, entry_id: int) -> None:
        self.typed = [t for t in self.typed if t.id != entry_id]

    def typed_for(self, amount_cents: int, day: dt.date) -> list[TypedMoney]:
        """Entries of this bank amount within NEAR_DAYS days of `day`: those not proposed yet
        to another line first, then the nearest in time."""
        found = [t for t in self.typed if t.amount_cents == amount_cents and _near(day, t.day)]
        return sorted(found, key=lambda t: (t.id in self.proposed, abs((day - t.day).days), t.id))


def words(name: str) -> set[str]:
    """`"CHU de Liège ASBL"` -> {"chu", "liege"}: no accents, case or legal forms."""
    bare = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in bare if not unicodedata.combining(c))
    return {w for w in re.findall(r"\w+", plain) if len(w) >= 3 and w not in _STOP_WORDS}


def same_name(client: str, counterparty: str) -> bool:
    mine, theirs = words(client), words(counterparty)
    return bool(mine) and (mine <= theirs or len(mine & theirs) * 2 >= len(mine | theirs))


def is_fee(line: BankLine) -> bool:
    code = line.bank_code.upper()
    if any(part in FEE_CODES for part in code.split("/")):
        return True
    if re.fullmatch(r"\d{8}", code) and code[1:3] in CODA_FEE_FAMILIES:
        return True
    return bool(words(line.text) & set(FEE_WORDS)) and not line.counterparty_iban


def _near(day: dt.date, other: dt.date) -> bool:
    return abs((day - other).days) <= NEAR_DAYS


def _client_of(line: BankLine, book: BookState) -> int | None:
    if line.counterparty_iban and line.counterparty_iban in book.client_of_iban:
        return book.client_of_iban[line.counterparty_iban]
    for client_id, name in book.client_names.items():
        if line.counterparty_name and same_name(name, line.counterparty_name):
            return client_id
    return None


def _credit_proposals(line: BankLine, book: BookState) -> list[Proposal]:
    client = _client_of(line, book)
    scored: list[tuple[int, int, Proposal]] = []
    for typed in book.typed_for(line.amount_cents, line.booked_on):
        # A movement already proposed first to another line of this file comes after the
        # invoices: two equal halves of one invoice are one typed, one not.
        score = (15 if typed.id in book.proposed else 60) + (20 if typed.client_id == client else 0)
        scored.append((score, typed.id, Proposal(MatchKind.ENTRY, typed.id, "typed")))
    text = line.text.casefold()
    for invoice in book.invoices.values():
        if invoice.outstanding_cents <= 0:
            continue
        score, reason = 0, ""
        if invoice.reference.casefold() in text:
            score, reason = score + 40, "reference"
        if invoice.client_id == client and client is not None:
            score, reason = score + 20, reason or "client"
        if invoice.outstanding_cents == line.amount_cents:
            score, reason = score + 30, reason or "amount"
        if score >= 30 or (score >= 20 and reason == "client"):
            scored.append((score, invoice.id, Proposal(MatchKind.INVOICE, invoice.id, reason)))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [proposal for _score, _id, proposal in scored[:MAX_PROPOSALS]]


def _cost_category(line: BankLine, categories: tuple[str, ...]) -> tuple[str, str]:
    if is_fee(line) and "bank_fees" in categories:
        return "bank_fees", "fee"
    return ("other" if "other" in categories else categories[-1]), "debit"


def _debit_proposals(line: BankLine, book: BookState) -> list[Proposal]:
    proposals = [
        Proposal(MatchKind.ENTRY, typed.id, "typed")
        for typed in book.typed_for(line.amount_cents, line.booked_on)
    ][: MAX_PROPOSALS - 1]
    if book.categories:
        category, reason = _cost_category(line, book.categories)
        proposals.append(Proposal(MatchKind.COST, None, reason, category))
    return proposals


def _payout(line: BankLine, ref: PayoutRef) -> Decision:
    if line.amount_cents == -ref.amount_cents and not ref.paid and ref.batch_state != "cancelled":
        return Decision(automatic=Proposal(MatchKind.PAYOUT, ref.line_id, "end_to_end"))
    if line.amount_cents == ref.amount_cents and ref.batch_state == "sent" and not ref.returned:
        return Decision(automatic=Proposal(MatchKind.PAYOUT_RETURN, ref.line_id, "returned"))
    return Decision(why=Waiting.PAYOUT)


def _decide(line: BankLine, book: BookState) -> Decision:
    ref = book.payouts.get(line.end_to_end_id) if line.end_to_end_id else None
    if ref is not None:
        decision = _payout(line, ref)
        if decision.automatic is not None or line.amount_cents < 0:
            return decision
    if line.amount_cents < 0:
        return Decision(proposals=tuple(_debit_proposals(line, book)))
    why = ""
    if line.communication:
        invoice = book.invoices.get(line.communication)
        if invoice is not None and invoice.outstanding_cents > 0:
            pays = Proposal(MatchKind.INVOICE, invoice.id, "communication")
            typed = [
                Proposal(MatchKind.ENTRY, t.id, "typed")
                for t in book.typed_for(line.amount_cents, line.booked_on)
                if t.client_id == invoice.client_id
            ]
            if typed:  # typed by hand already? Paying again would count it twice: ask.
                return Decision(proposals=(*typed[: MAX_PROPOSALS - 1], pays), why=Waiting.TYPED)
            return Decision(automatic=pays)
        why = Waiting.SETTLED if invoice is not None else Waiting.UNKNOWN
    proposals = tuple(_credit_proposals(line, book))
    return Decision(proposals=proposals, why=why or ("" if proposals else Waiting.NOTHING))


def decide(line: BankLine, book: BookState) -> Decision:
    """What `line` is; the movement it proposes first is noted in `book`, so that the next
    line of the same amount (two rents, two equal invoices) proposes another one first."""
    decision = _decide(line, book)
    if decision.proposals and decision.proposals[0].kind == MatchKind.ENTRY:
        book.proposed.add(decision.proposals[0].target or 0)
    return decision
