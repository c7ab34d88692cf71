"""What the ledger's JSON API reads and answers: prestations, clients and the books.

Amounts are integer cents (`rate_cents`, like every amount the API answers), never text read
in the caller's language; dates are ISO-8601. A body is turned into the form's fields for the
services (`as_form`), which keep deciding what the values mean: an amount written with
`format_cents` reads the same in every language.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from governance.input.json_body import Body, RowId
from governance.input.money import format_cents
from governance.ledger.billing import invoices
from governance.ledger.books.account_names import AccountNames
from governance.ledger.books.export import EntryRecord
from governance.ledger.books.memos import render
from governance.ledger.books.reading import AccountPage, BalanceRow, JournalPage
from governance.ledger.work.models import Client, Prestation

# The form's field for each amount of the API, so that a refusal names the field sent.
PRESTATION_AMOUNTS = {
    "rate": "rate_cents",
    "travel": "travel_cents",
    "fixed_amount": "fixed_amount_cents",
}
CLIENT_AMOUNTS = {"default_rate": "default_rate_cents"}


class PrestationIn(Body):
    """A prestation to record: a duration at an hourly rate, or a fixed amount."""

    client_id: RowId
    date: dt.date
    kind: str
    member_id: RowId | None = None  # coordinators record for others; oneself otherwise
    start_time: str | None = None  # "14:30"
    duration_minutes: int | None = None
    rate_cents: int | None = None  # per hour; the client's default rate when left out
    fixed_amount_cents: int | None = None  # instead of a duration and a rate
    travel_cents: int | None = None
    languages: list[str] = msgspec.field(default_factory=list)  # ["ar", "fr"]
    note: str | None = None
    submit: bool = False  # send it for validation at once

    def as_form(self) -> dict[str, Any]:
        form: dict[str, Any] = {
            "client_id": str(self.client_id),
            "date": self.date.isoformat(),
            "kind": self.kind,
            "languages": list(self.languages),
        }
        if self.member_id is not None:
            form["member_id"] = str(self.member_id)
        if self.start_time is not None:
            form["start_time"] = self.start_time
        if self.duration_minutes is not None:
            form["duration_minutes"] = str(self.duration_minutes)
        if self.note is not None:
            form["note"] = self.note
        for name, api_name in PRESTATION_AMOUNTS.items():
            cents = getattr(self, api_name)
            if cents is not None:
                form[name] = format_cents(cents)
        return form


class ValidateIn(Body):
    """The prestations to validate, all or none."""

    ids: list[RowId]


class ReasonIn(Body):
    """Why a validated prestation is reversed."""

    reason: str


class ClientIn(Body):
    """A client to add; `kind` is one of the cooperative's client kinds."""

    name: str
    kind: str
    vat_number: str | None = None
    address: str | None = None
    default_rate_cents: int | None = None  # per hour

    def as_form(self) -> dict[str, str]:
        form = {"name": self.name, "kind": self.kind}
        if self.vat_number is not None:
            form["vat_number"] = self.vat_number
        if self.address is not None:
            form["address"] = self.address
        if self.default_rate_cents is not None:
            form["default_rate"] = format_cents(self.default_rate_cents)
        return form


class PrestationOut(msgspec.Struct):
    id: int
    member_id: int
    client_id: int
    date: dt.date
    start_time: str | None  # "14:30:00", local time of day (no zone)
    duration_minutes: int | None
    rate_cents: int | None
    amount_cents: int
    travel_cents: int
    kind: str
    languages: list[str]
    note: str
    status: str
    rejection_reason: str
    entry_id: int | None

    @classmethod
    def of(cls, p: Prestation) -> PrestationOut:
        assert p.id is not None
        return cls(
            id=p.id,
            member_id=p.member_id,
            client_id=p.client_id,
            date=p.date,
            start_time=p.start_time.isoformat() if p.start_time else None,
            duration_minutes=p.duration_minutes,
            rate_cents=p.rate_cents,
            amount_cents=p.amount_cents,
            travel_cents=p.travel_cents,
            kind=p.kind,
            languages=list(p.languages),
            note=p.note,
            status=p.status,
            rejection_reason=p.rejection_reason,
            entry_id=p.entry_id,
        )


class OpenInvoiceOut(msgspec.Struct):
    id: int
    reference: str
    issued_on: dt.date
    due_on: dt.date
    total_cents: int
    paid_cents: int
    outstanding_cents: int
    communication: str


class AgeingOut(msgspec.Struct):
    owed_cents: int
    not_due_cents: int
    late_up_to_30_days_cents: int
    late_31_to_60_days_cents: int
    late_61_to_90_days_cents: int
    late_over_90_days_cents: int
    unallocated_cents: int
    open_invoices: list[OpenInvoiceOut]

    @classmethod
    def of(cls, ageing: invoices.Ageing) -> AgeingOut:
        late = ageing.buckets_cents
        return cls(
            owed_cents=ageing.owed_cents,
            not_due_cents=ageing.not_due_cents,
            late_up_to_30_days_cents=late[0],
            late_31_to_60_days_cents=late[1],
            late_61_to_90_days_cents=late[2],
            late_over_90_days_cents=late[3],
            unallocated_cents=ageing.unallocated_cents,
            open_invoices=[
                OpenInvoiceOut(
                    id=view.invoice.id or 0,
                    reference=view.invoice.reference,
                    issued_on=view.invoice.issued_on,
                    due_on=view.invoice.due_on,
                    total_cents=view.invoice.total_cents,
                    paid_cents=view.paid_cents,
                    outstanding_cents=view.outstanding_cents,
                    communication=invoices.structured(view.invoice.communication),
                )
                for view in ageing.open_invoices
            ],
        )


class ClientOut(msgspec.Struct, omit_defaults=True):
    """A client; `owes` only for those who may read the books (left out otherwise)."""

    id: int
    name: str
    kind: str
    vat_number: str | None
    address: str
    default_rate_cents: int
    archived: bool
    owes: AgeingOut | None = None

    @classmethod
    def of(cls, client: Client, owes: AgeingOut | None = None) -> ClientOut:
        assert client.id is not None
        return cls(
            id=client.id,
            name=client.name,
            kind=client.kind,
            vat_number=client.vat_number,
            address=client.address,
            default_rate_cents=client.default_rate_cents,
            archived=client.archived,
            owes=owes,
        )


# The books keep their codes (`account`, `memo` in stable English, as the exports): programs
# read them. `account_name` and `memo_text` add the same in words, in the caller's language
# (the profile's), for programs that show them to people (docs/books.md).


class BalanceOut(msgspec.Struct):
    account: str
    type: str
    debit_cents: int
    credit_cents: int
    balance_cents: int
    account_name: str


class TrialBalanceOut(msgspec.Struct):
    period: str | None
    accounts: list[BalanceOut]
    total_debit_cents: int
    total_credit_cents: int

    @classmethod
    def of(cls, period: str | None, rows: list[BalanceRow], names: AccountNames) -> TrialBalanceOut:
        return cls(
            period=period,
            accounts=[
                BalanceOut(
                    r.account,
                    r.type,
                    r.debit_cents,
                    r.credit_cents,
                    r.balance_cents,
                    names.name(r.account),
                )
                for r in rows
            ],
            total_debit_cents=sum(r.debit_cents for r in rows),
            total_credit_cents=sum(r.credit_cents for r in rows),
        )


class AccountLineOut(msgspec.Struct):
    line_id: int
    entry_id: int
    date: dt.date
    kind: str
    memo: str  # stable English
    amount_cents: int  # debit positive
    balance_cents: int  # the account's balance after this line
    memo_text: str  # the memo in the caller's language


class AccountOut(msgspec.Struct):
    account: str
    type: str
    opening_balance_cents: int
    lines: list[AccountLineOut]
    next_after_id: int | None
    account_name: str

    @classmethod
    def of(cls, page: AccountPage, names: AccountNames) -> AccountOut:
        return cls(
            account=page.account,
            account_name=names.name(page.account),
            type=page.type,
            opening_balance_cents=page.opening_balance,
            lines=[
                AccountLineOut(
                    line.line_id,
                    line.entry_id,
                    line.date,
                    line.kind,
                    line.memo,
                    line.amount,
                    line.balance,
                    line.memo_text,
                )
                for line in page.lines
            ],
            next_after_id=page.next_after_id,
        )


class EntryLineOut(msgspec.Struct):
    account: str
    type: str
    amount_cents: int  # debit positive
    account_name: str


class EntryOut(msgspec.Struct):
    id: int
    date: dt.date
    period: str
    kind: str
    memo: str  # stable English
    reverses_id: int | None
    lines: list[EntryLineOut]
    memo_text: str  # the memo in the caller's language

    @classmethod
    def of(cls, entry: EntryRecord, names: AccountNames) -> EntryOut:
        return cls(
            id=entry.id,
            date=entry.date,
            period=entry.period,
            kind=entry.kind,
            memo=entry.memo,
            reverses_id=entry.reverses_id,
            lines=[
                EntryLineOut(li.account, li.account_type, li.amount, names.name(li.account))
                for li in entry.lines
            ],
            memo_text=render(entry.memo_code, entry.memo_args, entry.memo),
        )


class EntriesOut(msgspec.Struct):
    entries: list[EntryOut]
    next_after_id: int | None

    @classmethod
    def of(cls, page: JournalPage, names: AccountNames) -> EntriesOut:
        return cls([EntryOut.of(e, names) for e in page.entries], page.next_after_id)
