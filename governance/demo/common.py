"""What the three demo cooperatives share: their people, a month's invoices and payments, the
month close and the payout. Every step goes through the services, as a coordinator would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.base import clock
from governance.language.months import Month
from governance.ledger.billing import invoices
from governance.ledger.billing.invoices import issue_invoice
from governance.ledger.billing.models import Invoice
from governance.ledger.billing.payments import record_payment
from governance.ledger.books.kinds import ClientKind
from governance.ledger.closing import closing
from governance.ledger.closing.review_window import review_hours
from governance.ledger.costs.costs import record_cost
from governance.ledger.payouts import payouts
from governance.ledger.sharing.new_cooperative import found_cooperative
from governance.ledger.work.clients import create_client
from governance.ledger.work.day_work import Day, set_work_kinds
from governance.ledger.work.prestations import record_prestation
from governance.members import Role, details
from governance.members import service as members
from governance.members.access import Actor
from governance.members.bank import set_bank_details
from governance.members.models import Cooperative

DEMO_PASSWORD = "univerbal-demo-2026"  # noqa: S105  (printed to the person running the demo)


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    role: Role
    language: str
    languages: tuple[str, ...]
    cooperative: str = "univerbal"


@dataclass(frozen=True)
class Bank:
    """A member's fictitious account; `holder` as written at the bank (SEPA's Latin letters),
    empty for a member who has not given it yet."""

    iban: str
    holder: str = ""


def month_start(day: dt.date, back: int) -> dt.date:
    """The first day of the month `back` months before `day`'s."""
    month = Month.of(day)
    for _ in range(back):
        month = month.previous
    return month.first_day


def weekdays(first: dt.date, before: dt.date | None = None) -> list[dt.date]:
    """The working days of `first`'s month (before `before`, when given)."""
    days = []
    day = first
    while day.month == first.month and (before is None or day < before):
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


async def add_people(
    session: AsyncSession, slug: str, people: Sequence[DemoPerson]
) -> dict[str, int]:
    """Each person joins the cooperative with their role (new or already known); email -> id."""
    for person in people:
        await members.add_person_to_cooperative(
            session,
            slug=slug,
            email=person.email,
            name=person.name,
            password=DEMO_PASSWORD,
            role=person.role,
            language=person.language,
        )
    ids = {}
    async with session.begin():
        for person in people:
            row = (await session.exec(select(Person).where(Person.email == person.email))).one()
            if person.cooperative == slug:  # a person's languages are set by their first coop
                row.languages = list(person.languages)
                session.add(row)
            assert row.id is not None
            ids[person.email] = row.id
    return ids


# A client: name, kind, address, usual hourly rate in cents.
Client = tuple[str, ClientKind, str, int]


async def create_clients(
    session: AsyncSession, coordinator: Actor, clients: Sequence[Client]
) -> list[int]:
    """Each client created; their ids, in order."""
    client_ids = []
    for name, kind, address, rate in clients:
        client = await create_client(
            session, coordinator, name=name, kind=kind, address=address, default_rate_cents=rate
        )
        assert client.id is not None
        client_ids.append(client.id)
    return client_ids


async def submit_work(
    session: AsyncSession, member: Actor, data: dict[str, str], today: dt.date
) -> int:
    """The member records and submits a prestation (in French); its id."""
    prestation, _ = await record_prestation(
        session, member, data, language="fr", today=today, submit=True
    )
    assert prestation.id is not None
    return prestation.id


async def cooperative_id(session: AsyncSession, slug: str) -> int:
    async with session.begin():
        coop = (await session.exec(select(Cooperative).where(Cooperative.slug == slug))).one()
    assert coop.id is not None
    return coop.id


async def coordinator_of(session: AsyncSession, coop: SmallCoop) -> Actor:
    """The small cooperative's coordinator, as an actor."""
    async with session.begin():
        person = (await session.exec(select(Person).where(Person.email == coop.coordinator))).one()
    assert person.id is not None
    return Actor(person_id=person.id, cooperative_id=await cooperative_id(session, coop.slug))


async def set_banks(session: AsyncSession, ids: dict[str, int], banks: dict[str, Bank]) -> None:
    for email, bank in banks.items():
        await set_bank_details(session, ids[email], bank.iban, "", bank.holder)


async def invoice_months(
    session: AsyncSession,
    coordinator: Actor,
    client_ids: Sequence[int],
    months: Sequence[dt.date],
    today: dt.date,
    *,
    paid: int,
) -> None:
    """Invoice each client for each month; the first `paid` months' invoices are paid."""
    for index, first in enumerate(months):
        for client_id in client_ids:
            invoice = await issue_invoice(
                session,
                coordinator,
                client_id,
                str(Month.of(first)),
                min(today, (first + dt.timedelta(days=33)).replace(day=2)),
            )
            if index < paid:
                await pay_invoice(session, coordinator, invoice, invoice.total_cents, today)


async def pay_invoice(
    session: AsyncSession, coordinator: Actor, invoice: Invoice, amount: int, today: dt.date
) -> None:
    """The client pays `amount` cents of the invoice, by its due day (today at the latest)."""
    await record_payment(
        session,
        coordinator,
        {
            "client_id": str(invoice.client_id),
            "date": min(today, invoice.due_on).isoformat(),
            "amount": f"{amount // 100},{amount % 100:02d}",
            "reference": invoices.structured(invoice.communication),
            "invoice_ids": [str(invoice.id)],
        },
        language="fr",
        today=today,
    )


async def monthly_costs(
    session: AsyncSession,
    coordinator: Actor,
    months: Sequence[dt.date],
    costs: Sequence[tuple[str, str, str]],
    today: dt.date,
) -> None:
    """Each (category, supplier, amount) paid on the 5th of each month."""
    for first in months:
        for category, supplier, price in costs:
            await record_cost(
                session,
                coordinator,
                {
                    "date": min(today, first.replace(day=5)).isoformat(),
                    "category": category,
                    "supplier": supplier,
                    "amount": price,
                },
                language="fr",
                today=today,
            )


async def close_months(
    session: AsyncSession, coordinator: Actor, months: Sequence[str], today: dt.date
) -> None:
    """Review and close each month in turn. The review is started as long ago as the
    cooperative's minimum review time (the clock moved back), so that members had it."""
    async with session.begin():
        coop = await session.get(Cooperative, coordinator.cooperative_id)
        assert coop is not None
        hours = review_hours(coop.settings)
    for month in months:
        with clock.shifted(-dt.timedelta(hours=hours + 1)):
            await closing.start_review(session, coordinator, month, today=today)
        await closing.finalize(session, coordinator, month)


async def pay_members(session: AsyncSession, coordinator: Actor, today: dt.date) -> None:
    """Prepare the payout of what members are owed and confirm the bank has it."""
    prepared = await payouts.prepare_batch(session, coordinator, today, today=today)
    await payouts.confirm_sent(session, coordinator, prepared.batch.id or 0, today=today)


# What fills a small cooperative's months: (session, coordinator, member ids by email, client
# ids, the months from oldest to this one, today).
Work = Callable[
    [AsyncSession, Actor, dict[str, int], list[int], list[dt.date], dt.date], Awaitable[None]
]


@dataclass(frozen=True)
class SmallCoop:
    """A demo cooperative besides Univerbal, filled the same way: its people, details, kinds of
    work (and day rates), clients, members' accounts and monthly costs."""

    slug: str
    name: str
    people: Sequence[DemoPerson]
    coordinator: str  # email
    details: dict[str, str]
    kinds: list[str]
    days: dict[str, Day]
    clients: Sequence[Client]
    banks: dict[str, Bank]
    costs: Sequence[tuple[str, str, str]]


async def create_small_coop(
    session: AsyncSession, coop: SmallCoop, work: Work, today: dt.date
) -> list[DemoPerson]:
    """Found the cooperative and fill it: three months of work before this one's, two of them
    invoiced, paid, closed and paid out, the last full one invoiced and ready to close."""
    await found_cooperative(session, slug=coop.slug, name=coop.name, language="fr")
    ids = await add_people(session, coop.slug, coop.people)
    coordinator = Actor(
        person_id=ids[coop.coordinator], cooperative_id=await cooperative_id(session, coop.slug)
    )
    await details.update_details(session, coordinator, coop.details)
    await set_work_kinds(session, coordinator, coop.kinds, coop.days)
    client_ids = await create_clients(session, coordinator, coop.clients)
    await set_banks(session, ids, coop.banks)
    months = [month_start(today, back) for back in (3, 2, 1, 0)]
    await work(session, coordinator, ids, client_ids, months, today)
    await invoice_months(session, coordinator, client_ids, months[:3], today, paid=2)
    await monthly_costs(session, coordinator, months, coop.costs, today)
    await close_months(session, coordinator, [str(Month.of(m)) for m in months[:2]], today)
    await pay_members(session, coordinator, today)
    return list(coop.people)
