"""Payouts: a batch of what is owed to members, its SEPA file, confirmed once, never twice."""

from __future__ import annotations

import datetime as dt
import json
import os
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import sepaxml
import xmlschema
from sqlmodel import col, func, select

from governance.audit.models import AuditEvent
from governance.auth.models import Person
from governance.base import clock, i18n
from governance.base.errors import Conflict, Invalid, NotFound, PermissionDenied
from governance.ledger.books.journal import Posting
from governance.ledger.books.models import Account, JournalEntry, LedgerLine
from governance.ledger.books.posting import balance_of, post
from governance.ledger.payouts import payout_sepa, payouts
from governance.ledger.payouts.models import PayoutBatch
from governance.members import bank
from tests.conftest import two_at_once
from tests.payouts_support import COOP_IBAN, owe, set_cooperative_bank

OMAR_IBAN = "BE71096123456769"
WEN_IBAN = "FR1420041010050500013M02606"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}


def later(days: int = 2) -> dt.date:
    return clock.today() + dt.timedelta(days=days)


@pytest.fixture
def owed(run: Any, world: Any) -> Any:
    """Omar is owed 123.45 and has an IBAN; Wen is owed 50.00 and has none; Carla owes the
    cooperative 5.00 (her payable is a debit: nothing to pay her)."""

    async def build(session: Any) -> None:
        await set_cooperative_bank(session, world.alpha)
        await bank.set_bank_details(
            session, world.ids["omar"], OMAR_IBAN, "GKCCBEBB", "Omar Cooperator"
        )
        await owe(
            session,
            world.alpha,
            {world.ids["omar"]: 12345, world.ids["wen"]: 5000, world.ids["carla"]: -500},
        )

    run(build)
    return world


def call(run: Any, function: Any, *args: Any, **kwargs: Any) -> Any:
    async def action(session: Any) -> Any:
        return await function(session, *args, **kwargs)

    return run(action)


def prepare(run: Any, world: Any, key: str = "carla", **kwargs: Any) -> payouts.PreparedBatch:
    return call(run, payouts.prepare_batch, world.actor(key), later(), **kwargs)


def owed_to(run: Any, world: Any, key: str) -> int:
    async def action(session: Any) -> int:
        async with session.begin():
            account = (
                await session.exec(
                    select(Account).where(
                        Account.cooperative_id == world.alpha,
                        Account.code == f"payable:{world.ids[key]}",
                    )
                )
            ).one()
            return -(await balance_of(session, account.id))

    return run(action)


def payout_entries(run: Any, world: Any) -> list[JournalEntry]:
    async def action(session: Any) -> list[JournalEntry]:
        async with session.begin():
            rows = await session.exec(
                select(JournalEntry).where(
                    JournalEntry.cooperative_id == world.alpha, JournalEntry.kind == "payout"
                )
            )
            return list(rows.all())

    return run(action)


def events(run: Any, action_name: str) -> list[AuditEvent]:
    async def action(session: Any) -> list[AuditEvent]:
        async with session.begin():
            rows = await session.exec(
                select(AuditEvent)
                .where(AuditEvent.action == action_name)
                .order_by(col(AuditEvent.id))
            )
            return list(rows.all())

    return run(action)


def test_a_batch_pays_members_with_an_iban_and_lists_the_others(run: Any, owed: Any) -> None:
    prepared = prepare(run, owed)
    assert [(line.member_id, line.iban, line.amount_cents) for line in prepared.lines] == [
        (owed.ids["omar"], OMAR_IBAN, 12345)
    ]
    assert prepared.batch.total_cents == 12345
    assert prepared.batch.state == "prepared"
    assert [(m.member_id, m.name, m.amount_cents) for m in prepared.left_out] == [
        (owed.ids["wen"], "Wen Worker", 5000)
    ]
    # Nothing is posted before the bank has the file.
    assert payout_entries(run, owed) == []
    assert owed_to(run, owed, "omar") == 12345
    (event,) = events(run, "payout.prepared")
    assert json.loads(event.data)["total_cents"] == 12345
    assert json.loads(event.data)["left_out"] == [[owed.ids["wen"], 5000]]


def test_the_sepa_file_is_a_valid_pain_001_with_the_right_amounts(run: Any, owed: Any) -> None:
    async def give_wen_an_iban(session: Any) -> None:
        await bank.set_bank_details(session, owed.ids["wen"], WEN_IBAN, "", "Wen Worker")

    run(give_wen_an_iban)
    prepared = prepare(run, owed)
    body = call(run, payouts.sepa_file, owed.actor("carla"), prepared.batch.id)
    schema = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", "pain.001.001.03.xsd")
    xmlschema.XMLSchema(schema).validate(body.decode())
    root = ET.fromstring(body)
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    assert header is not None
    assert header.findtext("p:NbOfTxs", namespaces=NS) == "2"
    assert header.findtext("p:CtrlSum", namespaces=NS) == "173.45"
    assert (
        header.findtext("p:MsgId", namespaces=NS) == f"GOV-{owed.alpha}-PAYOUT-{prepared.batch.id}"
    )
    info = root.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    assert info is not None
    assert info.findtext("p:ReqdExctnDt", namespaces=NS) == later().isoformat()
    assert info.findtext("p:Dbtr/p:Nm", namespaces=NS) == "Alpha SC"
    assert info.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == COOP_IBAN
    assert info.findtext("p:DbtrAgt/p:FinInstnId/p:BIC", namespaces=NS) == "GKCCBEBB"
    transfers = {
        tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS): (
            tx.findtext("p:Amt/p:InstdAmt", namespaces=NS),
            tx.find("p:Amt/p:InstdAmt", NS).get("Ccy"),  # type: ignore[union-attr]
            tx.findtext("p:Cdtr/p:Nm", namespaces=NS),
            tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS),
        )
        for tx in info.findall("p:CdtTrfTxInf", NS)
    }
    lines = {line.member_id: line.id for line in prepared.lines}
    batch_id = prepared.batch.id
    omar, wen = owed.ids["omar"], owed.ids["wen"]
    assert transfers == {
        OMAR_IBAN: ("123.45", "EUR", "Omar Cooperator", f"B{batch_id}-L{lines[omar]}-M{omar}"),
        WEN_IBAN: ("50.00", "EUR", "Wen Worker", f"B{batch_id}-L{lines[wen]}-M{wen}"),
    }
    remittance = info.findtext("p:CdtTrfTxInf/p:RmtInf/p:Ustrd", namespaces=NS)
    assert remittance is not None and remittance.startswith("Alpha ")


def test_names_are_written_in_the_letters_banks_accept() -> None:
    assert payout_sepa.sepa_text("Amina Ḥaddād & Chloé", 70) == "Amina Haddad Chloe"
    assert payout_sepa.sepa_text("محمد", 70) != ""


def test_confirming_posts_one_entry_and_zeroes_what_was_owed(run: Any, owed: Any) -> None:
    prepared = prepare(run, owed)
    sent = call(run, payouts.confirm_sent, owed.actor("carla"), prepared.batch.id)
    assert sent.state == "sent"
    assert sent.decided_by_id == owed.ids["carla"]
    (entry,) = payout_entries(run, owed)
    assert sent.entry_id == entry.id
    assert entry.date == clock.today()

    async def lines(session: Any) -> list[tuple[str, int]]:
        async with session.begin():
            rows = await session.exec(
                select(Account.code, LedgerLine.amount)
                .join(Account, col(Account.id) == LedgerLine.account_id)
                .where(LedgerLine.entry_id == entry.id)
            )
            return sorted(rows.all())

    assert run(lines) == sorted([("bank", -12345), (f"payable:{owed.ids['omar']}", 12345)])
    assert owed_to(run, owed, "omar") == 0
    assert owed_to(run, owed, "wen") == 5000
    remaining = call(run, payouts.owed_members, owed.actor("carla"))
    assert [(o.member_id, o.amount_cents) for o in remaining] == [(owed.ids["wen"], 5000)]
    assert len(events(run, "payout.sent")) == 1
    # The file of a sent batch can be downloaded again; the batch cannot change any more.
    assert call(run, payouts.sepa_file, owed.actor("carla"), prepared.batch.id).startswith(b"<?xml")
    with pytest.raises(Conflict):
        call(run, payouts.cancel_batch, owed.actor("carla"), prepared.batch.id, not_sent=True)
    with pytest.raises(Conflict):
        call(run, payouts.confirm_sent, owed.actor("carla"), prepared.batch.id)
    assert len(payout_entries(run, owed)) == 1


def test_a_second_prepared_batch_is_refused_until_the_first_is_cancelled(
    run: Any, owed: Any
) -> None:
    first = prepare(run, owed)
    with pytest.raises(Conflict) as caught:
        prepare(run, owed)
    assert str(first.batch.id) in caught.value.message
    cancelled = call(run, payouts.cancel_batch, owed.actor("carla"), first.batch.id, not_sent=True)
    assert cancelled.state == "cancelled"
    assert owed_to(run, owed, "omar") == 12345
    assert payout_entries(run, owed) == []
    with pytest.raises(Conflict):
        call(run, payouts.sepa_file, owed.actor("carla"), first.batch.id)
    with pytest.raises(Conflict):
        call(run, payouts.confirm_sent, owed.actor("carla"), first.batch.id)
    second = prepare(run, owed)
    assert second.batch.total_cents == 12345
    assert len(events(run, "payout.cancelled")) == 1


def test_an_empty_batch_is_refused(run: Any, world: Any) -> None:
    run(lambda session: set_cooperative_bank(session, world.alpha))
    with i18n.language("en"), pytest.raises(Conflict) as caught:
        prepare(run, world)
    assert "Nobody is owed money" in caught.value.message

    # Only members without an IBAN are owed: still nothing to send.
    run(lambda session: owe(session, world.alpha, {world.ids["wen"]: 5000}))
    with i18n.language("en"), pytest.raises(Conflict) as caught:
        prepare(run, world)
    assert "no valid IBAN" in caught.value.message


@pytest.mark.parametrize("days", [-1, 61])
def test_the_execution_date_is_not_past_nor_too_far(run: Any, owed: Any, days: int) -> None:
    with pytest.raises(Invalid) as caught:
        call(run, payouts.prepare_batch, owed.actor("carla"), later(days))
    assert "execution_date" in caught.value.fields


def test_the_execution_date_can_be_today_or_sixty_days_ahead(run: Any, owed: Any) -> None:
    first = call(run, payouts.prepare_batch, owed.actor("carla"), clock.today())
    call(run, payouts.cancel_batch, owed.actor("carla"), first.batch.id, not_sent=True)
    call(run, payouts.prepare_batch, owed.actor("carla"), later(60))


def test_the_cooperative_needs_its_own_iban_and_bic(run: Any, world: Any) -> None:
    run(lambda session: owe(session, world.alpha, {world.ids["omar"]: 100}))
    with i18n.language("en"), pytest.raises(Invalid) as caught:
        prepare(run, world)
    assert "cooperative_details" in caught.value.fields
    assert "IBAN, BIC" in caught.value.message


def test_only_coordinators_pay(run: Any, owed: Any) -> None:
    for key in ("omar", "wen", "olga"):
        with pytest.raises(PermissionDenied):
            prepare(run, owed, key)
        with pytest.raises(PermissionDenied):
            call(run, payouts.list_batches, owed.actor(key))


def test_a_batch_of_another_cooperative_does_not_exist(run: Any, owed: Any) -> None:
    batch_id = prepare(run, owed).batch.id
    bea = owed.actor("bea", "beta")
    for function in (
        payouts.load_batch,
        payouts.sepa_file,
        payouts.confirm_sent,
    ):
        with pytest.raises(NotFound):
            call(run, function, bea, batch_id)
    with pytest.raises(NotFound):
        call(run, payouts.cancel_batch, bea, batch_id, not_sent=True)
    assert call(run, payouts.list_batches, bea) == []


def test_confirming_is_refused_when_the_books_changed(run: Any, owed: Any) -> None:
    prepared = prepare(run, owed)

    async def omar_is_owed_less(session: Any) -> None:
        async with session.begin():
            await post(
                session,
                cooperative_id=owed.alpha,
                day=clock.today(),
                kind="cost",
                memo="advance",
                author_id=None,
                postings=[Posting(f"payable:{owed.ids['omar']}", 1000), Posting("bank", -1000)],
            )

    run(omar_is_owed_less)
    with pytest.raises(Conflict) as caught:
        call(run, payouts.confirm_sent, owed.actor("carla"), prepared.batch.id)
    assert "Omar Cooperator" in caught.value.message
    assert payout_entries(run, owed) == []


def test_a_line_shows_a_changed_iban(run: Any, owed: Any) -> None:
    prepared = prepare(run, owed)
    run(
        lambda session: bank.set_bank_details(
            session, owed.ids["omar"], WEN_IBAN, "", "Omar Cooperator"
        )
    )
    view = call(run, payouts.load_batch, owed.actor("carla"), prepared.batch.id)
    assert [v.iban_changed for v in view.lines] == [True]
    assert view.created_by == "Carla Coordinator"


def test_two_confirms_at_once_post_one_entry(run: Any, owed: Any, settings: Any) -> None:
    prepared = prepare(run, owed)
    results = two_at_once(settings, payouts.confirm_sent, owed.actor("carla"), prepared.batch.id)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "PayoutBatch"], results
    assert len(payout_entries(run, owed)) == 1
    assert owed_to(run, owed, "omar") == 0
    assert len(events(run, "payout.sent")) == 1


def test_two_prepares_at_once_make_one_batch(run: Any, owed: Any, settings: Any) -> None:
    results = two_at_once(settings, payouts.prepare_batch, owed.actor("carla"), later())
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "PreparedBatch"], results

    async def count(session: Any) -> int:
        async with session.begin():
            query = select(func.count()).select_from(PayoutBatch)
            return int((await session.exec(query)).one())

    assert run(count) == 1


# -- The member's IBAN, on their own profile ------------------------------------------------


def stored_bank(run: Any, person_id: int) -> tuple[str, str]:
    async def action(session: Any) -> tuple[str, str]:
        async with session.begin():
            person = await session.get(Person, person_id)
            return person.iban, person.bic

    return run(action)


def test_bank_details_are_stored_compact_and_audited_masked(run: Any, world: Any) -> None:
    omar = world.ids["omar"]
    run(
        lambda session: bank.set_bank_details(
            session, omar, " be71 0961-2345 6769 ", "gkccbebb", " Omar  Cooperator "
        )
    )
    assert stored_bank(run, omar) == (OMAR_IBAN, "GKCCBEBB")
    (event,) = events(run, "person.bank_details_changed")
    assert event.cooperative_id is None
    assert json.loads(event.data)["after"] == {
        "iban": "************6769",
        "bic": "GKCCBEBB",
        "holder": "Omar Cooperator",
    }
    assert OMAR_IBAN not in event.data
    # The same again changes nothing; both empty removes them.
    run(
        lambda session: bank.set_bank_details(
            session, omar, OMAR_IBAN, "GKCCBEBB", "Omar Cooperator"
        )
    )
    assert len(events(run, "person.bank_details_changed")) == 1
    run(lambda session: bank.set_bank_details(session, omar, "", "", ""))
    assert stored_bank(run, omar) == ("", "")


@pytest.mark.parametrize(
    ("iban", "bic", "field", "message"),
    [
        ("BE72096123456769", "", "iban", "check digits"),
        ("BE7109612345676", "", "iban", "has 16 characters; this one has 15"),
        ("XX71096123456769", "", "iban", "XX is not one"),
        ("TR330006100519786457841326", "", "iban", "outside the SEPA area"),
        ("BE71 0961 2345 676!", "", "iban", "only letters and digits"),
        ("not an iban", "", "iban", "valid IBAN"),
        (OMAR_IBAN, "GKCC", "bic", "not a valid BIC"),
        ("", "GKCCBEBB", "iban", "Enter the IBAN too"),
    ],
)
def test_bad_bank_details_are_refused_and_nothing_is_stored(
    run: Any, world: Any, iban: str, bic: str, field: str, message: str
) -> None:
    wen = world.ids["wen"]
    run(lambda session: bank.set_bank_details(session, wen, WEN_IBAN, "", "Wen Worker"))
    with i18n.language("en"), pytest.raises(Invalid) as caught:
        run(lambda session: bank.set_bank_details(session, wen, iban, bic, "Wen Worker"))
    assert message in caught.value.fields[field]
    assert stored_bank(run, wen) == (WEN_IBAN, "")
    assert len(events(run, "person.bank_details_changed")) == 1


# -- The pages -----------------------------------------------------------------------------


def test_the_payout_pages(make_visitor: Any, owed: Any, run: Any) -> None:
    carla, omar, bea = make_visitor(), make_visitor(), make_visitor()
    carla.login("carla")
    listing = carla.get("/c/alpha/payouts/")
    assert listing.status_code == 200
    assert "Wen Worker" in listing.text
    assert "BE71 0961 2345 6769" in listing.text
    assert carla.post("/c/alpha/payouts/", {"execution_date": "01/01/2000"}).status_code == 400
    done = carla.post("/c/alpha/payouts/", {"execution_date": later().isoformat()})
    assert done.status_code in (302, 303), done.text
    detail_path = done.headers["location"]
    batch_id = int(detail_path.rstrip("/").rsplit("/", 1)[1])
    detail = carla.get(detail_path)
    assert detail.status_code == 200
    assert "Omar Cooperator" in detail.text
    assert f"/c/alpha/payouts/{batch_id}/confirm" in detail.text
    # A second batch while one waits: refused on the page.
    again = carla.post("/c/alpha/payouts/", {"execution_date": later().isoformat()})
    assert again.status_code == 409
    xml = carla.get(f"/c/alpha/payouts/{batch_id}/sepa.xml")
    assert xml.status_code == 200
    assert xml.headers["content-type"].startswith("application/xml")
    assert xml.headers["content-disposition"].startswith("attachment;")
    assert b'<InstdAmt Ccy="EUR">123.45</InstdAmt>' in xml.content
    omar.login("omar")
    assert omar.get(detail_path).status_code == 403
    assert omar.get(f"/c/alpha/payouts/{batch_id}/sepa.xml").status_code == 403
    assert omar.post(f"/c/alpha/payouts/{batch_id}/confirm").status_code == 403
    bea.login("bea")
    assert bea.get(f"/c/beta/payouts/{batch_id}").status_code == 404
    assert bea.get(f"/c/beta/payouts/{batch_id}/sepa.xml").status_code == 404
    assert bea.post(f"/c/beta/payouts/{batch_id}/confirm").status_code == 404
    assert carla.post(f"/c/alpha/payouts/{batch_id}/confirm").status_code in (302, 303)
    assert len(payout_entries(run, owed)) == 1
    sent = carla.get(detail_path).text
    assert f"/c/alpha/payouts/{batch_id}/confirm" not in sent
    assert carla.post(f"/c/alpha/payouts/{batch_id}/cancel").status_code == 409
    assert carla.post(f"/c/alpha/payouts/{batch_id}/confirm").status_code == 409
    assert len(payout_entries(run, owed)) == 1


def test_the_bank_details_form_on_the_account_page(make_visitor: Any, world: Any, run: Any) -> None:
    wen = make_visitor()
    wen.login("wen")
    assert 'action="/account/bank"' in wen.get("/account").text
    refused = wen.post("/account/bank", {"iban": "BE72 0961 2345 6769", "bic": ""})
    assert refused.status_code == 400
    assert 'value="BE72 0961 2345 6769"' in refused.text
    assert stored_bank(run, world.ids["wen"]) == ("", "")
    saved = wen.post(
        "/account/bank",
        {"holder": "Wen Worker", "iban": "BE71 0961 2345 6769", "bic": "gkccbebb"},
    )
    assert saved.status_code in (302, 303)
    assert stored_bank(run, world.ids["wen"]) == (OMAR_IBAN, "GKCCBEBB")
    assert 'value="BE71 0961 2345 6769"' in wen.get("/account").text


def test_cancelling_needs_the_confirmation_that_the_file_is_not_at_the_bank(
    run: Any, owed: Any, make_visitor: Any
) -> None:
    """A file already uploaded pays the members; its batch cancelled, the next batch would
    pay them again. Without the confirmation nothing changes."""
    prepared = prepare(run, owed)
    batch_id = prepared.batch.id
    with i18n.language("en"), pytest.raises(Invalid) as caught:
        call(run, payouts.cancel_batch, owed.actor("carla"), batch_id, not_sent=False)
    assert "not_sent" in caught.value.fields
    assert "pay the same members again" in caught.value.message
    assert call(run, payouts.load_batch, owed.actor("carla"), batch_id).batch.state == "prepared"
    assert events(run, "payout.cancelled") == []

    carla = make_visitor()
    carla.login("carla")
    path = f"/c/alpha/payouts/{batch_id}"
    assert 'name="not_sent"' in carla.get(path).text
    refused = carla.post(f"{path}/cancel")
    assert refused.status_code == 400
    assert 'aria-invalid="true"' in refused.text
    assert call(run, payouts.load_batch, owed.actor("carla"), batch_id).batch.state == "prepared"
    assert carla.post(f"{path}/cancel", data={"not_sent": "yes"}).status_code in (302, 303)
    assert call(run, payouts.load_batch, owed.actor("carla"), batch_id).batch.state == "cancelled"
    (event,) = events(run, "payout.cancelled")
    assert json.loads(event.data)["not_sent_confirmed"] is True
