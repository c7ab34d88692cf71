"""The home page is a to-do list (governance.home): each item appears when there is something
to do and goes once it is done; a member reads only their own money; a cooperator, a worker
and an observer see none of the coordinator's items; reading the page writes nothing.

Read over HTTP, as each person of tests/world.py, on a fixed clock: the golden October
(tests/closing_support.py) is over on 20 November 2026.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlmodel import SQLModel, select

from governance.base import clock, i18n
from governance.ledger.billing import credit_notes, invoices, payments
from governance.ledger.billing.models import InvoiceLine
from governance.ledger.books.models import Client
from governance.ledger.closing import closing
from governance.ledger.payouts import payouts
from governance.ledger.payouts.models import PayoutBatch
from governance.ledger.work import prestations
from governance.members import bank
from governance.members.models import Cooperative
from tests.closing_support import TODAY, build_october, everyone_read
from tests.votes_support import DECISION, open_vote, vote

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
HOME = "/c/alpha/"
COORDINATOR_ITEMS = (
    "todo-waiting",
    "todo-month",
    "todo-batch",
    "todo-overdue",
    "todo-votes-ending",
)
COORDINATOR_LINKS = ("/c/alpha/work/queue", "/c/alpha/payouts/", "/c/alpha/invoices/")
# The golden October's shares (Omar, Wen, Carla), as a French page writes them.
SHARES = {"omar": "566,56", "wen": "316,15", "carla": "103,30"}


def money(cents: int) -> str:
    """An amount as a French page writes it, without the euro sign."""
    with i18n.language("fr"):
        return i18n.money(cents).replace("\xa0€", "").replace("\u202f€", "")


def set_clock(monkeypatch: pytest.MonkeyPatch, moment: dt.datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)


@pytest.fixture
def people(make_visitor: Any, world: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    visitors = {}
    for key in ("carla", "omar", "wen", "olga"):
        visitors[key] = make_visitor()
        visitors[key].login(key)
    # After the logins: a session starts on the real clock (its cookie expires on it).
    set_clock(monkeypatch, NOW)
    return visitors


def home(visitor: Any) -> str:
    response = visitor.get(HOME)
    assert response.status_code == 200, response.text
    return str(response.text)


def items(page: str) -> set[str]:
    """The ids of the to-do items on the page."""
    found = re.findall(r'id="(todo-[a-z-]+|review-notice)"', page)
    return {name for name in found if not name.endswith("-title")}


def section(page: str, item: str) -> str:
    found = re.search(rf'<section[^>]*id="{item}".*?</section>', page, re.S)
    assert found, f"no {item} on the page"
    return found.group(0)


def database(run: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to compare before and after reading pages."""

    async def read(session: Any) -> dict[str, list[tuple[Any, ...]]]:
        async with session.begin():
            connection = await session.connection()
            tables = {}
            for table in SQLModel.metadata.sorted_tables:
                rows = (await connection.execute(table.select())).all()
                tables[table.name] = sorted((tuple(row) for row in rows), key=repr)
            return tables

    return run(read)  # type: ignore[no-any-return]


def test_nothing_to_do_is_said_in_a_sentence(people: dict[str, Any]) -> None:
    for key, visitor in people.items():
        page = home(visitor)
        assert items(page) == {"todo-none"}, key
        # The other places stay below the list.
        assert page.index('id="todo"') < page.index('class="places"')
        assert 'href="/c/alpha/proposals/"' in page and 'href="/c/alpha/audit/"' in page


def test_coordinator_items_come_when_due_and_go_when_done(
    people: dict[str, Any], run: Any, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    carla, omar, wen = people["carla"], people["omar"], people["wen"]
    ids = run(lambda session: build_october(session, world))

    # October is over and open: its review can start.
    page = home(carla)
    assert items(page) == {"todo-month"}
    assert 'href="/c/alpha/periods/2026-10"' in section(page, "todo-month")
    assert "todo-month" not in items(home(omar))

    # Wen sends a late October prestation, Omar a November one: two wait for validation, and
    # October's review waits for Wen's.
    async def submit(session: Any) -> dict[str, int]:
        client = (await session.exec(select(Client.id))).first()
        await session.commit()
        sent = {}
        for who, day in (("wen", "2026-10-28"), ("omar", "2026-11-12")):
            work, _ = await prestations.record_prestation(
                session,
                world.actor(who),
                {"client_id": str(client), "date": day, "fixed_amount": "70", "kind": "phone"},
                language="fr",
                today=NOW.date(),
                submit=True,
            )
            sent[who] = work.id
        return sent

    sent = run(submit)
    page = home(carla)
    assert items(page) == {"todo-month", "todo-waiting"}
    waiting = section(page, "todo-waiting")
    assert re.search(r"\b2\b", waiting) and 'href="/c/alpha/work/queue"' in waiting
    assert "28/10/2026" in waiting  # the oldest one
    assert re.search(r"\b1\b", section(page, "todo-month").split("</h3>", 1)[1])
    assert not items(home(omar)) & set(COORDINATOR_ITEMS)

    # Carla rejects Wen's with a reason: Wen reads it, with a link to record it again.
    rejected = carla.post(
        f"/c/alpha/work/{sent['wen']}/reject", {"reason": "Pas de bon de commande."}
    )
    assert rejected.status_code in (302, 303), rejected.text
    assert rejected.headers["location"] == "/c/alpha/work/queue"
    mine = section(home(wen), "todo-rejected")
    assert "Pas de bon de commande." in mine and "70,00" in mine
    assert 'href="/c/alpha/work/new"' in mine
    assert '<bdi><time datetime="2026-10-28">28/10/2026</time></bdi>, <bdi>CHU</bdi>' in mine
    assert "todo-rejected" not in items(home(omar))
    assert "Pas de bon de commande." not in home(omar)
    assert re.search(r"\b1\b", section(home(carla), "todo-waiting").split("</h3>")[0])

    # The review starts: the month item gives way to the review notice.
    assert carla.post("/c/alpha/periods/2026-10/review").status_code == 303
    page = home(carla)
    assert "todo-month" not in items(page) and "review-notice" in items(page)
    assert "review-notice" in items(home(omar))

    # Closed: each member is owed their share and reads it on their home page.
    async def close(session: Any) -> None:
        await everyone_read(session, world.alpha)
        await closing.finalize(session, world.actor("carla"), "2026-10")

    run(close)
    for key, visitor in (("omar", omar), ("wen", wen), ("carla", carla)):
        owed = section(home(visitor), "todo-owed")
        assert SHARES[key] in owed and 'href="/c/alpha/me/earnings"' in owed, key

    # A payout batch is prepared: the coordinator must send it; Omar sees his transfer coming.
    async def prepare(session: Any) -> int:
        async with session.begin():
            cooperative = await session.get(Cooperative, world.alpha)
            cooperative.iban, cooperative.bic = "BE68539007547034", "GKCCBEBB"
            cooperative.legal_name = "Alpha SC"
            session.add(cooperative)
        await bank.set_bank_details(
            session, world.ids["omar"], "BE71096123456769", "GKCCBEBB", "Omar Cooperator"
        )
        batch = await payouts.prepare_batch(
            session, world.actor("carla"), NOW.date() + dt.timedelta(days=2)
        )
        assert batch.batch.id is not None
        return batch.batch.id

    batch_id = run(prepare)
    batch = section(home(carla), "todo-batch")
    assert f'href="/c/alpha/payouts/{batch_id}"' in batch and "566,56" in batch
    assert "22/11/2026" in batch
    assert "22/11/2026" in section(home(omar), "todo-owed")
    assert "22/11/2026" not in section(home(wen), "todo-owed")  # Wen has no IBAN: not in it
    run(lambda session: payouts.confirm_sent(session, world.actor("carla"), batch_id))
    run(lambda session: _sent(session, batch_id))
    assert "todo-batch" not in items(home(carla))
    page = home(omar)
    assert "todo-owed" not in items(page)  # paid: nothing owed any more, a quiet line says so
    paid = re.search(r'<p[^>]*id="todo-paid".*?</p>', page, re.S)
    assert paid and "566,56" in paid.group(0) and "/c/alpha/me/earnings" in paid.group(0)
    assert 'id="todo-none"' in page

    # October's invoice is due on 5 December: overdue from the 6th, gone once paid.
    async def invoice(session: Any) -> tuple[int, int]:
        client = (await session.exec(select(Client.id))).first()
        await session.commit()
        issued = await invoices.issue_invoice(
            session, world.actor("carla"), client, "2026-10", TODAY
        )
        assert issued.id is not None
        return client, issued.id

    client_id, invoice_id = run(invoice)
    assert "todo-overdue" not in items(home(carla))
    set_clock(monkeypatch, dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC))
    overdue = section(home(carla), "todo-overdue")
    assert "1\u202f260,01" in overdue and "05/12/2026" in overdue
    assert 'href="/c/alpha/invoices/"' in overdue
    assert "todo-overdue" not in items(home(omar))

    # A credit note for one line: the home page asks for what is left, not the whole total.
    async def credit_one(session: Any) -> int:
        line = (
            await session.exec(
                select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id).limit(1)
            )
        ).one()
        await session.commit()
        await credit_notes.credit_lines(
            session,
            world.actor("carla"),
            invoice_id,
            [line.prestation_id],
            dt.date(2026, 12, 7),
            reason="Wrong duration",
        )
        return int(line.amount_cents)

    credited = run(credit_one)
    left = 126001 - credited
    overdue = section(home(carla), "todo-overdue")
    assert money(left) in overdue and "1\u202f260,01" not in overdue

    async def pay(session: Any) -> None:
        await payments.record_payment(
            session,
            world.actor("carla"),
            {
                "client_id": str(client_id),
                "date": "2026-12-07",
                "amount": f"{left // 100},{left % 100:02d}",
                "invoice_ids": [str(invoice_id)],
            },
            language="fr",
            today=dt.date(2026, 12, 7),
        )

    run(pay)
    assert "todo-overdue" not in items(home(carla))
    assert ids  # the golden work was recorded


async def _sent(session: Any, batch_id: int) -> None:
    async with session.begin():
        batch = await session.get(PayoutBatch, batch_id)
        assert batch is not None and batch.state == "sent"


def test_votes_to_cast_and_votes_ending(
    people: dict[str, Any], run: Any, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    carla, omar, wen = people["carla"], people["omar"], people["wen"]
    soon = run(lambda session: open_vote(session, world, hours=20))
    later = run(
        lambda session: open_vote(
            session, world, {**DECISION, "title": "Change the logo"}, hours=24 * 6
        )
    )
    page = home(omar)
    votes = section(page, "todo-votes")
    assert f'href="/c/alpha/proposals/{soon}"' in votes
    assert f'href="/c/alpha/proposals/{later}"' in votes
    assert "<strong>" in votes  # the one closing within a day stands out
    assert "todo-votes" not in items(home(wen))  # workers do not vote
    ending = section(home(carla), "todo-votes-ending")
    assert f"/proposals/{soon}" in ending and f"/proposals/{later}" not in ending
    assert "todo-votes-ending" not in items(home(omar))

    run(lambda session: vote(session, world, "omar", soon, choice="yes"))
    votes = section(home(omar), "todo-votes")
    assert f"/proposals/{soon}" not in votes and f"/proposals/{later}" in votes
    assert re.search(r"\b1\b\D+\b[23]\b", section(home(carla), "todo-votes-ending"))

    # Past its closing time and not yet counted by the worker: waiting for the count.
    set_clock(monkeypatch, NOW + dt.timedelta(hours=21))
    ending = section(home(carla), "todo-votes-ending")
    assert f"/proposals/{soon}" in ending and "todo__due" in ending
    assert f"/proposals/{soon}" not in home(omar)


def test_privacy_and_no_write(
    people: dict[str, Any], run: Any, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker reads only their own money; nobody but the coordinator sees her items; and
    reading every home page changes no row of any table."""

    async def scene(session: Any) -> None:
        await build_october(session, world)
        await closing.start_review(session, world.actor("carla"), "2026-10", today=TODAY)
        await everyone_read(session, world.alpha)
        await closing.finalize(session, world.actor("carla"), "2026-10")
        client = (await session.exec(select(Client.id))).first()
        await session.commit()
        await prestations.record_prestation(
            session,
            world.actor("omar"),
            {"client_id": str(client), "date": "2026-11-12", "fixed_amount": "70", "kind": "phone"},
            language="fr",
            today=NOW.date(),
            submit=True,
        )
        await invoices.issue_invoice(session, world.actor("carla"), client, "2026-10", TODAY)
        await open_vote(session, world, hours=20)

    run(scene)
    set_clock(monkeypatch, dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC))
    before = database(run)
    pages = {key: home(visitor) for key, visitor in people.items()}
    assert database(run) == before

    assert {"todo-waiting", "todo-overdue", "todo-votes-ending"} <= items(pages["carla"])
    for key in ("omar", "wen", "olga"):
        assert not items(pages[key]) & set(COORDINATOR_ITEMS), key
        todo = pages[key].split('id="todo"', 1)[1].split('class="places"', 1)[0]
        assert not any(f'href="{link}' in todo for link in COORDINATOR_LINKS), key
    wen = pages["wen"]
    assert SHARES["wen"] in wen
    assert SHARES["omar"] not in wen and SHARES["carla"] not in wen
    assert "1\u202f260,01" not in wen and "70,00" not in wen
    assert SHARES["omar"] in pages["omar"] and SHARES["wen"] not in pages["omar"]
    assert "todo-owed" not in items(pages["olga"])  # observers are not paid
