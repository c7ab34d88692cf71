"""The bank page as a coordinator uses it, and as others may not: upload, what the import did,
a proposal confirmed by its form, and refusals that change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from governance.base import clock
from governance.ledger.bank.sample_files import camt053, coda
from governance.ledger.bank.statement_files import MAX_FILE_BYTES
from tests.bank_support import CLIENT_IBAN, bank_line, statement, written
from tests.payouts_support import set_cooperative_bank

BANK = "/c/alpha/bank/"


def _upload(visitor: Any, content: bytes, name: str = "extrait.xml") -> Any:
    return visitor.post(
        BANK + "import", files={"file": (name, content, "application/octet-stream")}
    )


def _file(day: dt.date) -> bytes:
    return camt053(
        statement(
            [
                bank_line(2500, day, text="Acompte", counterparty_iban=CLIENT_IBAN),
                bank_line(-1250, day, 2, text="Frais de gestion", bank_code="ACMT/MDOP/CHRG"),
            ],
            opening=1250,
            first=day,
            last=day,
        )
    )


def test_a_coordinator_imports_confirms_and_sees_the_difference_explained(
    run: Any, world: Any, make_visitor: Any
) -> None:
    run(lambda s: set_cooperative_bank(s, world.alpha))
    carla = make_visitor()
    carla.login("carla")
    done = _upload(carla, _file(clock.today()))
    assert done.status_code in (302, 303), done.text
    summary = carla.get(done.headers["location"])
    assert summary.status_code == 200
    assert "extrait.xml" in summary.text and 'id="import-summary"' in summary.text
    page = carla.get(BANK)
    # the fee is proposed as a bank fee; the 25.00 from nobody known waits
    assert 'value="bank_fees" selected' in page.text
    line_id = page.text.split('action="/c/alpha/bank/lines/')[1].split('"')[0]
    confirmed = carla.post(f"{BANK}lines/{line_id}", {"proposal": "0", "category": "bank_fees"})
    assert confirmed.status_code in (302, 303), confirmed.text
    # the same line again: refused, nothing written
    before = written(run)
    again = carla.post(f"{BANK}lines/{line_id}", {"proposal": "0", "category": "bank_fees"})
    assert again.status_code == 409 and written(run) == before
    # the same file again: nothing new, said so
    repeated = _upload(carla, _file(clock.today()))
    assert repeated.status_code in (302, 303) and written(run) == before


def test_bad_files_are_refused_with_a_message_and_change_nothing(
    run: Any, world: Any, make_visitor: Any
) -> None:
    run(lambda s: set_cooperative_bank(s, world.alpha))
    carla = make_visitor()
    carla.login("carla")
    before = written(run)
    day = clock.today()
    for content, name in (
        (b"%PDF-1.7\n", "extrait.pdf"),
        (b"date;montant\n2026-11-02;12,50\n", "export.csv"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "bomb.xml"),
        (_file(day).replace(b"<Amt", b"<Amount", 1), "broken.xml"),
        (coda(statement([bank_line(500, day)], first=day, last=day))[:-300], "cut.cod"),
        (b"", "empty.xml"),
    ):
        refused = _upload(carla, content, name)
        assert refused.status_code == 400, (name, refused.status_code)
        assert 'class="flash flash--error"' in refused.text, name
        assert written(run) == before, name
    missing = carla.post(BANK + "import", {})
    assert missing.status_code == 400
    huge = _upload(carla, b"0" * (MAX_FILE_BYTES + 1))
    assert huge.status_code == 413
    assert written(run) == before


def test_others_may_not_see_or_touch_the_bank(run: Any, world: Any, make_visitor: Any) -> None:
    run(lambda s: set_cooperative_bank(s, world.alpha))
    carla = make_visitor()
    carla.login("carla")
    _upload(carla, _file(clock.today()))
    page = carla.get(BANK)
    line_id = page.text.split('action="/c/alpha/bank/lines/')[1].split('"')[0]
    before = written(run)
    for key in ("omar", "wen", "olga"):
        member = make_visitor()
        member.login(key)
        assert member.get(BANK).status_code == 403
        assert _upload(member, _file(clock.today())).status_code == 403
        assert member.post(f"{BANK}lines/{line_id}", {"proposal": "0"}).status_code == 403
    bea = make_visitor()
    bea.login("bea")
    assert bea.post(f"/c/beta/bank/lines/{line_id}", {"proposal": "0"}).status_code == 404
    assert written(run) == before
    # hostile values: a file key that is no number, out of range, or another's, a bad choice
    assert carla.get(BANK + "?file=abc").status_code == 400
    assert carla.get(BANK + "?file=99999999999999999999").status_code == 400
    for data in ({"proposal": "7"}, {"proposal": "-1"}, {"invoice_id": "x"}, {}):
        answer = carla.post(f"{BANK}lines/{line_id}", data)
        assert answer.status_code == 400, (data, answer.status_code)
    assert written(run) == before
