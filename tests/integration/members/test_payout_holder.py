"""Payouts banks accept: the account holder's name the member wrote (never a transliteration),
the months each transfer pays, a file valid against pain.001.001.03, and the confirmation
page that says what cannot be undone."""

from __future__ import annotations

import datetime as dt
import json
import os
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import sepaxml
import xmlschema
from sqlmodel import col, select, update

from governance.audit.models import AuditEvent
from governance.auth import service as auth_service
from governance.auth.models import Person
from governance.base import clock, i18n
from governance.base.errors import Invalid
from governance.ledger.books.journal import Posting, month_of
from governance.ledger.books.models import JournalEntry
from governance.ledger.books.posting import post
from governance.ledger.payouts import payouts
from governance.members import bank
from governance.members.models import Cooperative

COOP_IBAN = "BE68539007547034"
OMAR_IBAN = "BE71096123456769"
WEN_IBAN = "FR1420041010050500013M02606"
CARLA_IBAN = "BE62510007547061"
KHALED = "خالد المصري"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
XSD = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", "pain.001.001.03.xsd")


def months_back(count: int) -> list[str]:
    """The `count` months before this one, oldest first: ["2026-09", "2026-10", "2026-11"]."""
    first = clock.today().replace(day=1)
    months = []
    for _ in range(count):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        months.insert(0, month_of(first))
    return months


def numbers(month: str) -> str:
    return f"{month[5:7]}/{month[:4]}"


async def credit(session: Any, coop: int, month: str, owed: dict[int, int]) -> None:
    """A month's shares credited to the members, in that month (what its close posts)."""
    async with session.begin():
        await post(
            session,
            cooperative_id=coop,
            day=dt.date(int(month[:4]), int(month[5:7]), 28),
            kind="close",
            memo=f"shares {month}",
            author_id=None,
            postings=[
                Posting("revenue", sum(owed.values())),
                *(Posting(f"payable:{member}", -cents) for member, cents in owed.items()),
            ],
        )


async def paid_earlier(session: Any, coop: int, member: int, cents: int) -> None:
    """A payout sent before (Dr payable, Cr bank)."""
    async with session.begin():
        await post(
            session,
            cooperative_id=coop,
            day=clock.today(),
            kind="payout",
            memo="payout batch 0",
            author_id=None,
            postings=[Posting(f"payable:{member}", cents), Posting("bank", -cents)],
        )


@pytest.fixture
def books(run: Any, world: Any) -> Any:
    """Three months ago, two months ago, last month (m1, m2, m3):
    - Omar, renamed خالد المصري, his account held by "Khaled El Masri": 100.00, 200.00, 300.00,
      and 150.00 paid before (m1 and half of m2): owed 450.00, for m2 and m3.
    - Carla: 50.00 in m3 only.
    - Wen: 70.00 in m3, an IBAN given before holders' names were asked (none on her profile).
    """
    m1, m2, m3 = months_back(3)
    omar, wen, carla = world.ids["omar"], world.ids["wen"], world.ids["carla"]

    async def build(session: Any) -> None:
        async with session.begin():
            cooperative = await session.get(Cooperative, world.alpha)
            cooperative.iban, cooperative.bic, cooperative.legal_name = (
                COOP_IBAN,
                "GKCCBEBB",
                "Alpha SC",
            )
            session.add(cooperative)
        await auth_service.update_profile(session, omar, {"name": KHALED, "language": "ar"})
        await bank.set_bank_details(session, omar, OMAR_IBAN, "", "Khaled El Masri")
        await bank.set_bank_details(session, carla, CARLA_IBAN, "", "Carla Coordinator")
        await bank.set_bank_details(session, wen, WEN_IBAN, "", "Wen Worker")
        async with session.begin():  # as an account saved before migration 0014 stands
            await session.exec(
                update(Person).where(col(Person.id) == wen).values(account_holder="")
            )
        await credit(session, world.alpha, m1, {omar: 10000})
        await credit(session, world.alpha, m2, {omar: 20000})
        await credit(session, world.alpha, m3, {omar: 30000, carla: 5000, wen: 7000})
        await paid_earlier(session, world.alpha, omar, 15000)

    run(build)
    return world


def call(run: Any, function: Any, *args: Any, **kwargs: Any) -> Any:
    async def action(session: Any) -> Any:
        return await function(session, *args, **kwargs)

    return run(action)


def prepare(run: Any, world: Any) -> payouts.PreparedBatch:
    return call(
        run, payouts.prepare_batch, world.actor("carla"), clock.today() + dt.timedelta(days=2)
    )


def transfers(body: bytes) -> dict[str, tuple[str, str, str]]:
    """Each transfer by creditor IBAN: (creditor name, amount, remittance text)."""
    root = ET.fromstring(body)
    return {
        str(tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS)): (
            str(tx.findtext("p:Cdtr/p:Nm", namespaces=NS)),
            str(tx.findtext("p:Amt/p:InstdAmt", namespaces=NS)),
            str(tx.findtext("p:RmtInf/p:Ustrd", namespaces=NS)),
        )
        for tx in root.iterfind(".//p:CdtTrfTxInf", NS)
    }


def test_the_sepa_file_pays_the_holders_names_for_the_months_owed(run: Any, books: Any) -> None:
    m1, m2, m3 = months_back(3)
    prepared = prepare(run, books)
    # Wen has no holder's name: listed as needing it, left out, her money still owed.
    with i18n.language("en"):
        owed = call(run, payouts.owed_members, books.actor("carla"))
    wen = [o for o in owed if o.member_id == books.ids["wen"]]
    assert len(wen) == 1 and wen[0].problem is not None
    assert [(m.member_id, m.amount_cents) for m in prepared.left_out] == [(books.ids["wen"], 7000)]
    assert "account holder's name" in str(wen[0].problem)
    body = call(run, payouts.sepa_file, books.actor("carla"), prepared.batch.id)
    xmlschema.XMLSchema(XSD).validate(body.decode())
    sent = transfers(body)
    assert set(sent) == {OMAR_IBAN, CARLA_IBAN}  # Wen is not in the file
    name, amount, text = sent[OMAR_IBAN]
    assert name == "Khaled El Masri"  # what he wrote; never "khld lmSry"
    assert amount == "450.00"
    # 150.00 paid before settled m1 and half of m2: this transfer pays the rest of m2, and m3.
    assert numbers(m2) in text and numbers(m3) in text and numbers(m1) not in text
    assert text.index(numbers(m2)) < text.index(numbers(m3))
    assert sent[CARLA_IBAN][0] == "Carla Coordinator"
    assert numbers(m3) in sent[CARLA_IBAN][2] and numbers(m2) not in sent[CARLA_IBAN][2]
    # Every remittance names a paid month, never the execution month's.
    this_month = numbers(month_of(clock.today()))
    for _name, _amount, remittance in sent.values():
        assert remittance.startswith("Alpha ") and len(remittance) <= 140
        assert this_month not in remittance
    assert "خالد" not in body.decode() and "khld" not in body.decode()


def test_the_file_of_a_sent_batch_still_names_the_months_it_paid(run: Any, books: Any) -> None:
    _m1, m2, m3 = months_back(3)
    prepared = prepare(run, books)
    first = transfers(call(run, payouts.sepa_file, books.actor("carla"), prepared.batch.id))
    call(run, payouts.confirm_sent, books.actor("carla"), prepared.batch.id)
    again = transfers(call(run, payouts.sepa_file, books.actor("carla"), prepared.batch.id))
    assert again == first
    view = call(run, payouts.load_batch, books.actor("carla"), prepared.batch.id)
    by_member = {v.line.member_id: v for v in view.lines}
    assert by_member[books.ids["omar"]].months == [m2, m3]
    assert by_member[books.ids["omar"]].member_name == KHALED
    assert by_member[books.ids["omar"]].line.name == "Khaled El Masri"


def test_a_holder_changed_after_the_batch_is_shown_on_its_line(
    run: Any, books: Any, make_visitor: Any
) -> None:
    prepared = prepare(run, books)
    run(lambda s: bank.set_bank_details(s, books.ids["omar"], OMAR_IBAN, "", "K El Masri"))
    view = call(run, payouts.load_batch, books.actor("carla"), prepared.batch.id)
    changed = {v.line.member_id: v.holder_changed for v in view.lines}
    assert changed == {books.ids["omar"]: True, books.ids["carla"]: False}
    carla = make_visitor()
    carla.login("carla")
    path = f"/c/alpha/payouts/{prepared.batch.id}"
    assert carla.get(path).text.count('<p class="error">') == 1
    assert 'class="flash flash--error" role="note"' in carla.get(f"{path}/confirm").text


# -- The holder's name on the profile ---------------------------------------------------------


def stored(run: Any, person_id: int) -> tuple[str, str, str]:
    async def action(session: Any) -> tuple[str, str, str]:
        async with session.begin():
            person = await session.get(Person, person_id)
            return person.account_holder, person.iban, person.bic

    return run(action)


def bank_events(run: Any) -> list[AuditEvent]:
    async def action(session: Any) -> list[AuditEvent]:
        async with session.begin():
            rows = await session.exec(
                select(AuditEvent)
                .where(AuditEvent.action == "person.bank_details_changed")
                .order_by(col(AuditEvent.id))
            )
            return list(rows.all())

    return run(action)


def test_the_holders_name_is_saved_from_the_account_page_and_audited(
    make_visitor: Any, world: Any, run: Any
) -> None:
    wen = make_visitor()
    wen.login("wen")
    page = wen.get("/account").text
    assert 'name="holder"' in page and page.index('name="holder"') < page.index('name="iban"')
    saved = wen.post(
        "/account/bank",
        {"holder": "  Wen  O’Brien-Li ", "iban": "BE71 0961 2345 6769", "bic": ""},
    )
    assert saved.status_code in (302, 303), saved.text
    assert stored(run, world.ids["wen"]) == ("Wen O'Brien-Li", OMAR_IBAN, "")
    (event,) = bank_events(run)
    assert event.actor_id == world.ids["wen"] and event.cooperative_id is None
    data = json.loads(event.data)
    assert data["before"]["holder"] == "" and data["after"]["holder"] == "Wen O'Brien-Li"
    assert OMAR_IBAN not in event.data  # the IBAN stays masked
    assert 'value="Wen O&#39;Brien-Li"' in wen.get("/account").text
    # A new name alone is a change, audited.
    wen.post("/account/bank", {"holder": "Wen Li", "iban": OMAR_IBAN, "bic": ""})
    assert json.loads(bank_events(run)[-1].data)["after"]["holder"] == "Wen Li"


@pytest.mark.parametrize(
    ("holder", "iban", "field", "message"),
    [
        (KHALED, OMAR_IBAN, "holder", "Latin letters"),
        ("Chloé Şahin", OMAR_IBAN, "holder", "for example: \u2068Chloe Sahin"),
        ("Wen & Co", OMAR_IBAN, "holder", "for example: \u2068Wen Co\u2069"),
        ("W" * 71, OMAR_IBAN, "holder", "At most 70 characters"),
        ("", OMAR_IBAN, "holder", "account holder's name too"),
        ("Wen Worker", "", "iban", "Enter the IBAN too"),
    ],
)
def test_a_bad_holders_name_is_refused_with_a_message_and_nothing_changes(
    make_visitor: Any, world: Any, run: Any, holder: str, iban: str, field: str, message: str
) -> None:
    run(lambda s: bank.set_bank_details(s, world.ids["wen"], WEN_IBAN, "", "Wen Worker"))
    with i18n.language("en"), pytest.raises(Invalid) as caught:
        run(lambda s: bank.set_bank_details(s, world.ids["wen"], iban, "", holder))
    assert message in caught.value.fields[field]
    wen = make_visitor()
    wen.login("wen")
    refused = wen.post("/account/bank", {"holder": holder, "iban": iban, "bic": ""})
    assert refused.status_code == 400
    assert 'id="f-' + field + '-error"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert stored(run, world.ids["wen"]) == ("Wen Worker", WEN_IBAN, "")
    assert len(bank_events(run)) == 1


def test_the_account_page_asks_for_a_missing_holders_name(make_visitor: Any, books: Any) -> None:
    wen = make_visitor()
    wen.login("wen")
    page = wen.get("/account").text
    assert 'class="flash flash--error" role="note"' in page
    omar = make_visitor()
    omar.login("omar")
    assert 'class="flash flash--error" role="note"' not in omar.get("/account").text


# -- Confirming that the bank has the file -----------------------------------------------------


def payout_entries(run: Any, world: Any) -> int:
    async def action(session: Any) -> int:
        async with session.begin():
            rows = await session.exec(
                select(JournalEntry.id).where(
                    JournalEntry.cooperative_id == world.alpha,
                    JournalEntry.kind == "payout",
                    JournalEntry.memo != "payout batch 0",
                )
            )
            return len(rows.all())

    return run(action)


def test_confirming_asks_on_a_page_that_says_what_cannot_be_undone(
    make_visitor: Any, books: Any, run: Any
) -> None:
    batch_id = prepare(run, books).batch.id
    carla = make_visitor()
    carla.login("carla")
    path = f"/c/alpha/payouts/{batch_id}"
    detail = carla.get(path).text
    # The batch page only leads to the question: no form there posts the confirmation.
    assert f'method="get" action="{path}/confirm"' in detail
    assert f'method="post" action="{path}/confirm"' not in detail
    with i18n.language("fr"):
        undone = i18n.gettext("This cannot be undone")
    asked = carla.get(f"{path}/confirm")
    assert asked.status_code == 200
    assert undone in asked.text
    assert f'method="post" action="{path}/confirm"' in asked.text
    assert "Khaled El Masri" not in asked.text and KHALED in asked.text
    assert asked.text.count("<li>") >= 4  # sent, recorded as paid, statements, no deletion
    assert 'class="flash flash--error" role="note"' not in asked.text  # no details changed
    # Looking at the question changes nothing.
    assert call(run, payouts.load_batch, books.actor("carla"), batch_id).batch.state == ("prepared")
    assert payout_entries(run, books) == 0
    # Others cannot see it.
    omar, bea = make_visitor(), make_visitor()
    omar.login("omar")
    bea.login("bea")
    assert omar.get(f"{path}/confirm").status_code == 403
    assert bea.get(f"/c/beta/payouts/{batch_id}/confirm").status_code == 404
    # The answer does it, once.
    assert carla.post(f"{path}/confirm").status_code in (302, 303)
    assert call(run, payouts.load_batch, books.actor("carla"), batch_id).batch.state == "sent"
    assert payout_entries(run, books) == 1
    # A sent batch has nothing to ask: back to its page.
    again = carla.get(f"{path}/confirm")
    assert again.status_code in (302, 303) and again.headers["location"] == path
    assert carla.post(f"{path}/confirm").status_code == 409
    assert payout_entries(run, books) == 1


def test_the_payouts_page_lists_who_needs_the_holders_name(make_visitor: Any, books: Any) -> None:
    carla = make_visitor()
    carla.login("carla")
    page = carla.get("/c/alpha/payouts/").text
    left_out = page[page.index('id="left-out"') :]
    assert "Wen Worker" in left_out and KHALED not in left_out
    with i18n.language("fr"):
        reason = i18n.gettext(
            "Needs the account holder's name, as the bank writes it, on their profile."
        )
    assert reason.replace("'", "&#39;") in left_out
    assert "Khaled El Masri" in page[: page.index('id="left-out"')]
