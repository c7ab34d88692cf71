"""Statements of a closed month: each member's page, PDF and CSV, the cooperative's statement,
the earnings page, who reads what, and every amount against the ledger."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import math
import re
import zlib
from fractions import Fraction
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from governance.audit.models import Checkpoint
from governance.base import i18n
from governance.base.errors import NotFound, PermissionDenied
from governance.ledger.books.kinds import ClientKind
from governance.ledger.books.models import Account, JournalEntry, LedgerLine
from governance.ledger.books.posting import balance_of
from governance.ledger.closing.models import PeriodClose, Statement
from governance.ledger.closing.period_views import member_share
from governance.ledger.payouts import payouts
from governance.ledger.reversals import reversals
from governance.ledger.statements import statement_files, statements
from governance.ledger.work.clients import create_client
from governance.ledger.work.models import Prestation
from governance.members import bank
from governance.members.models import Cooperative
from tests.authorization_support import PERSONAS, coop_page, worker_action
from tests.closing_support import (
    FUNDS,
    MONTH,
    SHARES,
    TODAY,
    build_october,
    close_month,
    record_work,
)

MEMBERS = ("omar", "wen", "carla")
OMAR_TRAVEL = 1250
COOP_IBAN = "BE68539007547034"
OMAR_IBAN = "BE71096123456769"


def euros(cents: int) -> str:
    """An amount as the French pages print it: `566,56 €` (with Babel's spaces)."""
    with i18n.language("fr"):
        return i18n.money(cents)


@pytest.fixture
def closed(run: Any, world: Any) -> Any:
    """The golden October, closed; Omar also had 12,50 € of travel costs on his prestation."""

    async def build(session: Any) -> Any:
        await build_october(session, world, travel={"omar": "12,50"})
        return await close_month(session, world)

    return run(build)


def login(make_visitor: Any, who: str) -> Any:
    visitor = make_visitor()
    visitor.login(who)
    return visitor


def statement_url(world: Any, who: str, month: str = MONTH, suffix: str = "") -> str:
    return f"/c/alpha/statements/{month}/members/{world.ids[who]}{suffix}"


async def ledger_of(
    session: Any, cooperative_id: int, member_id: int, month: str
) -> dict[str, Any]:
    """What the ledger itself says about a member's month, read with plain queries."""
    async with session.begin():
        close = (
            await session.exec(
                select(PeriodClose).where(
                    PeriodClose.cooperative_id == cooperative_id, PeriodClose.month == month
                )
            )
        ).one()
        account = (
            await session.exec(
                select(Account).where(
                    Account.cooperative_id == cooperative_id,
                    Account.code == f"payable:{member_id}",
                )
            )
        ).first()
        if account is None:
            return {"share": 0, "balance": 0, "travel": 0, "paid": []}
        close_line = (
            await session.exec(
                select(func.sum(LedgerLine.amount)).where(
                    LedgerLine.account_id == account.id, LedgerLine.entry_id == close.entry_id
                )
            )
        ).one()
        travel = (
            await session.exec(
                select(func.sum(LedgerLine.amount))
                .join(JournalEntry, col(JournalEntry.id) == LedgerLine.entry_id)
                .where(
                    LedgerLine.account_id == account.id,
                    LedgerLine.period == month,
                    col(JournalEntry.kind).in_(["prestation", "reversal"]),
                )
            )
        ).one()
        paid = (
            await session.exec(
                select(JournalEntry.date, LedgerLine.amount)
                .join(JournalEntry, col(JournalEntry.id) == LedgerLine.entry_id)
                .where(
                    LedgerLine.account_id == account.id,
                    JournalEntry.kind == "payout",
                    col(JournalEntry.id) > close.entry_id,
                )
            )
        ).all()
        assert account.id is not None
        return {
            "share": -int(close_line or 0),
            "balance": -(await balance_of(session, account.id)),
            "travel": -int(travel or 0),
            "paid": [(day, int(amount)) for day, amount in paid],
        }


def statement_rows(run: Any, month: str = MONTH) -> dict[int, Statement]:
    async def read(session: Any) -> dict[int, Statement]:
        async with session.begin():
            rows = (await session.exec(select(Statement).where(Statement.month == month))).all()
        return {row.member_id: row for row in rows}

    return run(read)


def checkpoint_of(run: Any, closed: Any) -> Checkpoint:
    async def read(session: Any) -> Checkpoint:
        async with session.begin():
            return await session.get(Checkpoint, closed.checkpoint_id)

    return run(read)


def set_open_books(run: Any, cooperative_id: int, value: Any) -> None:
    async def action(session: Any) -> None:
        async with session.begin():
            cooperative = await session.get(Cooperative, cooperative_id)
            cooperative.settings = {**cooperative.settings, "open_books": value}
            session.add(cooperative)

    run(action)


def pay_everyone(run: Any, world: Any, today: dt.date = TODAY) -> None:
    """A payout batch of everything owed to Omar (the only one with an IBAN), sent today."""

    async def action(session: Any) -> None:
        async with session.begin():
            cooperative = await session.get(Cooperative, world.alpha)
            cooperative.iban, cooperative.bic, cooperative.legal_name = COOP_IBAN, "GKCCBEBB", "A"
            session.add(cooperative)
        await bank.set_bank_details(
            session, world.ids["omar"], OMAR_IBAN, "GKCCBEBB", "Omar Cooperator"
        )
        prepared = await payouts.prepare_batch(
            session, world.actor("carla"), today + dt.timedelta(days=2), today=today
        )
        await payouts.confirm_sent(session, world.actor("carla"), prepared.batch.id, today=today)

    run(action)


# --- The member's page --------------------------------------------------------------------


def test_each_member_reads_their_share_its_explanation_and_the_checkpoint(
    make_visitor: Any, world: Any, run: Any, closed: Any
) -> None:
    checkpoint = checkpoint_of(run, closed)
    for who in MEMBERS:
        page = login(make_visitor, who).get(statement_url(world, who))
        assert page.status_code == 200, page.text
        assert euros(SHARES[who]) in page.text
        share = member_share(closed.distribution, world.ids[who])
        assert share is not None
        for key in share["keys"]:  # each key's part in whole cents, as on the month page
            assert euros(math.floor(Fraction(key["quota"]))) in page.text
        assert not re.search(r"\d,\d{3,}\s*€", page.text)  # exactly two decimals everywhere
        for fund, cents in FUNDS.items():
            assert euros(cents) in page.text, fund
        assert euros(116001) in page.text  # D
        for value in (checkpoint.head_hash, checkpoint.signature, checkpoint.public_key):
            assert value in page.text
        assert (
            f"governance audit check-statement --coop-id {world.alpha} --month {MONTH} "
            f"--seq {checkpoint.seq} --head {checkpoint.head_hash}"
        ) in page.text


def test_the_share_keys_show_the_members_value_and_the_total(
    make_visitor: Any, world: Any, closed: Any
) -> None:
    page = login(make_visitor, "omar").get(statement_url(world, "omar")).text
    # Revenue generated: 800,00 € of 1 260,01 €; equal: 1 of 3.
    assert euros(80000) in page and euros(126001) in page
    assert ": 1 sur 3, donc " in page  # the month page's sentence for the key "equal"


def test_travel_is_owed_on_top_of_the_share_as_a_line_of_its_own(
    make_visitor: Any, world: Any, run: Any, closed: Any
) -> None:
    omar = login(make_visitor, "omar").get(statement_url(world, "omar")).text
    assert euros(OMAR_TRAVEL) in omar
    assert euros(SHARES["omar"] + OMAR_TRAVEL) in omar  # owed for the month, and today
    view = run(
        lambda s: statements.member_statement(s, world.actor("omar"), MONTH, world.ids["omar"])
    )
    assert view.travel_cents == OMAR_TRAVEL
    assert view.owed_cents == view.balance_cents == SHARES["omar"] + OMAR_TRAVEL
    wen = run(lambda s: statements.member_statement(s, world.actor("wen"), MONTH, world.ids["wen"]))
    assert wen.travel_cents == 0 and wen.owed_cents == SHARES["wen"]


def test_payouts_after_the_close_are_listed_with_their_dates(
    make_visitor: Any, world: Any, run: Any, closed: Any
) -> None:
    pay_everyone(run, world)
    view = run(
        lambda s: statements.member_statement(s, world.actor("omar"), MONTH, world.ids["omar"])
    )
    # Paid in November: after October, on the statement's "since then" lines, with its batch.
    assert view.reconciliation.paid == ()
    assert [(p.date, p.amount_cents) for p in view.reconciliation.paid_since] == [
        (TODAY, SHARES["omar"] + OMAR_TRAVEL)
    ]
    assert view.reconciliation.paid_since[0].batch_id is not None
    assert view.balance_cents == 0
    page = login(make_visitor, "omar").get(statement_url(world, "omar")).text
    assert TODAY.strftime("%d/%m/%Y") in page
    wen = run(lambda s: statements.member_statement(s, world.actor("wen"), MONTH, world.ids["wen"]))
    assert wen.reconciliation.paid_since == () and wen.balance_cents == SHARES["wen"]  # no IBAN


def test_every_amount_of_every_statement_equals_the_ledger(
    make_visitor: Any, world: Any, run: Any, closed: Any
) -> None:
    pay_everyone(run, world)
    rows = statement_rows(run)
    assert set(rows) == {world.ids[who] for who in MEMBERS}
    for member_id in rows:
        who = next(key for key, value in world.ids.items() if value == member_id)
        ledger = run(lambda s, m=member_id: ledger_of(s, world.alpha, m, MONTH))
        for reader in (who, "carla", "olga"):
            view = run(
                lambda s, r=reader, m=member_id: statements.member_statement(
                    s, world.actor(r), MONTH, m
                )
            )
            assert view.share.cents == ledger["share"] == rows[member_id].share_cents
            assert view.balance_cents == ledger["balance"]
            assert view.travel_cents == ledger["travel"]
            paid = view.reconciliation.paid + view.reconciliation.paid_since
            assert [(p.date, p.amount_cents) for p in paid] == ledger["paid"]
            assert view.owed_cents - view.reconciliation.paid_since_cents == ledger["balance"]
        page = login(make_visitor, who).get(statement_url(world, who)).text
        for cents in (ledger["share"], ledger["balance"], ledger["share"] + ledger["travel"]):
            assert euros(cents) in page
    everyone = run(lambda s: statements.cooperative_statement(s, world.actor("olga"), MONTH))
    assert (
        sum(m.share.cents for m in everyone.members) + sum(f.share.cents for f in everyone.funds)
        == everyone.distributable_cents
        == 116001
    )


def test_a_statement_that_disagrees_with_the_ledger_is_refused(
    world: Any, run: Any, closed: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = statements._close_lines

    async def off_by_one(*args: Any) -> Any:
        lines = await real(*args)
        return {key: (kind, amount - 1) for key, (kind, amount) in lines.items()}

    monkeypatch.setattr(statements, "_close_lines", off_by_one)
    with pytest.raises(statements.LedgerMismatch):
        run(lambda s: statements.member_statement(s, world.actor("omar"), MONTH, world.ids["omar"]))
    with pytest.raises(statements.LedgerMismatch):
        run(lambda s: statements.cooperative_statement(s, world.actor("carla"), MONTH))
    with pytest.raises(statements.LedgerMismatch):
        run(lambda s: statements.my_earnings(s, world.actor("omar")))


# --- Files --------------------------------------------------------------------------------


def _unescape(literal: bytes) -> bytes:
    """A PDF literal string's bytes: `\\(`, `\\)`, `\\\\` and octal escapes undone."""
    simple = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

    def one(match: re.Match[bytes]) -> bytes:
        escaped = match.group(1)
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8)])
        return simple.get(escaped, escaped)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, literal, flags=re.DOTALL)


def pdf_text(body: bytes) -> str:
    """The text of an fpdf2 PDF, glyph codes decoded with each font's ToUnicode map.

    No PDF library is installed; this reads what fpdf2 writes (Type0 fonts, Identity-H,
    two-byte codes in literal or hex strings shown by Tj/TJ), enough for a test to search.
    Lines are not kept apart: search the text with its white space removed.
    """
    objects = {
        int(number): content
        for number, content in re.findall(rb"(\d+) 0 obj(.*?)endobj", body, re.DOTALL)
    }

    def stream(number: int) -> bytes:
        # By its /Length: compressed bytes may end with what looks like a line end.
        content = objects[number]
        length = re.search(rb"/Length (\d+)", content)
        start = re.search(rb"stream\r?\n", content)
        assert length is not None and start is not None
        data = content[start.end() : start.end() + int(length.group(1))]
        return zlib.decompress(data) if b"/FlateDecode" in content else data

    def cmap(number: int) -> dict[int, str]:
        text = stream(number)
        mapping: dict[int, str] = {}
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.DOTALL):
            for source, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                mapping[int(source, 16)] = bytes.fromhex(target.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.DOTALL):
            for low, high, start in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
            ):
                first = int(start, 16)
                for offset in range(int(high, 16) - int(low, 16) + 1):
                    mapping[int(low, 16) + offset] = chr(first + offset)
        return mapping

    fonts: dict[bytes, dict[int, str]] = {}
    for content in objects.values():
        for name, number in re.findall(rb"/(F\d+)\s+(\d+) 0 R", content):
            to_unicode = re.search(rb"/ToUnicode\s+(\d+) 0 R", objects.get(int(number), b""))
            if to_unicode:
                fonts[name] = cmap(int(to_unicode.group(1)))
    token = re.compile(rb"/(F\d+)\s+[\d.]+\s+Tf|\(((?:\\.|[^\\)])*)\)|<([0-9A-Fa-f]*)>", re.DOTALL)
    out: list[str] = []
    for number, content in objects.items():
        if b"stream" not in content:
            continue
        try:
            text = stream(number)
        except zlib.error:
            continue
        if b" Tf" not in text:
            continue
        current: dict[int, str] = {}
        for match in token.finditer(text):
            if match.group(1):
                current = fonts.get(match.group(1), {})
                continue
            codes = _unescape(match.group(2)) if match.group(2) is not None else b""
            if match.group(3) is not None:
                codes = bytes.fromhex(match.group(3).decode())
            out.extend(
                current.get(int.from_bytes(codes[i : i + 2], "big"), "")
                for i in range(0, len(codes) - 1, 2)
            )
    return "".join(out)


def test_the_pdf_carries_the_statement_and_its_checkpoint(
    make_visitor: Any, world: Any, run: Any, closed: Any
) -> None:
    checkpoint = checkpoint_of(run, closed)
    response = login(make_visitor, "omar").get(
        statement_url(world, "omar", suffix="/statement.pdf")
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    squeezed = re.sub(r"\s+", "", text)
    assert "OmarCooperator" in squeezed and "Alpha" in squeezed
    assert euros(SHARES["omar"]).replace("\u202f", "").replace("\xa0", "") in squeezed
    assert euros(OMAR_TRAVEL).replace("\xa0", "") in squeezed
    for value in (checkpoint.head_hash, checkpoint.signature, checkpoint.public_key):
        assert value in squeezed
    assert "governanceauditcheck-statement" in squeezed


def test_a_pdf_in_arabic_prints(make_visitor: Any, world: Any, run: Any, closed: Any) -> None:
    view = run(
        lambda s: statements.member_statement(s, world.actor("omar"), MONTH, world.ids["omar"])
    )
    view = dataclasses.replace(view, member_name="عمر المتعاون")
    with i18n.language("ar"):
        body = statement_files.to_pdf(view)
    assert body.startswith(b"%PDF-") and len(body) > 5000


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_adds_up_to_the_statement(
    make_visitor: Any, world: Any, run: Any, closed: Any
) -> None:
    pay_everyone(run, world)
    response = login(make_visitor, "omar").get(
        statement_url(world, "omar", suffix="/statement.csv")
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = read_csv(response.text)
    assert list(rows[0]) == list(statement_files.CSV_COLUMNS)
    by_section: dict[str, list[int]] = {}
    for row in rows:
        cents = int(row["cents"])
        assert (
            row["amount"] == f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"
        )
        by_section.setdefault(row["section"], []).append(cents)
    assert sum(by_section["prestation"]) == by_section["revenue"][0] == 80000
    assert by_section["share"] == [SHARES["omar"]]
    assert by_section["travel"] == [OMAR_TRAVEL]
    assert by_section["owed"] == [SHARES["omar"] + OMAR_TRAVEL]
    assert sum(by_section["fund"]) + sum(SHARES.values()) == by_section["distributable"][0]
    # The reconciliation's rows carry their sign: a payment is negative, so they add up.
    assert by_section["opening"] == [0]
    assert by_section["owed"][0] + sum(by_section["paid"]) == by_section["balance"][0] == 0


def test_csv_cells_never_start_a_formula(world: Any, run: Any, closed: Any) -> None:
    view = run(
        lambda s: statements.member_statement(s, world.actor("omar"), MONTH, world.ids["omar"])
    )
    hostile = dataclasses.replace(view.prestations[0], client='=HYPERLINK("http://x")')
    rows = read_csv(statement_files.to_csv(dataclasses.replace(view, prestations=(hostile,))))
    assert rows[0]["label"].startswith("'=HYPERLINK")


# --- Who reads what -----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "/statement.pdf", "/statement.csv"])
def test_a_member_cannot_read_another_members_statement(
    make_visitor: Any, world: Any, run: Any, closed: Any, suffix: str
) -> None:
    wen = login(make_visitor, "wen")
    assert wen.get(statement_url(world, "omar", suffix=suffix)).status_code == 404
    assert wen.get(statement_url(world, "wen", suffix=suffix)).status_code == 200
    set_open_books(run, world.alpha, False)
    omar = login(make_visitor, "omar")
    assert omar.get(statement_url(world, "wen", suffix=suffix)).status_code == 404
    assert omar.get(statement_url(world, "omar", suffix=suffix)).status_code == 200


def test_coordinators_observers_and_open_books_cooperators_read_everyones(
    make_visitor: Any, world: Any, closed: Any
) -> None:
    for who in ("carla", "olga", "omar"):
        visitor = login(make_visitor, who)
        for member in MEMBERS:
            assert visitor.get(statement_url(world, member)).status_code == 200, (who, member)


def test_an_observer_reads_the_cooperative_statement(
    make_visitor: Any, world: Any, closed: Any
) -> None:
    page = login(make_visitor, "olga").get(f"/c/alpha/statements/{MONTH}")
    assert page.status_code == 200
    for cents in (*SHARES.values(), *FUNDS.values(), 116001, 126001, 10000):
        assert euros(cents) in page.text
    for who in MEMBERS:
        assert statement_url(world, who) in page.text  # each name links to the statement
    assert "Omar Cooperator" in page.text


def test_cooperators_read_the_cooperative_statement_under_open_books_only(
    make_visitor: Any, world: Any, run: Any, closed: Any
) -> None:
    url = f"/c/alpha/statements/{MONTH}"
    assert login(make_visitor, "omar").get(url).status_code == 200
    assert login(make_visitor, "wen").get(url).status_code == 403  # workers do not
    for value in (False, "false", None):
        set_open_books(run, world.alpha, value)
        assert login(make_visitor, "omar").get(url).status_code == 403
        assert login(make_visitor, "olga").get(url).status_code == 200
        assert login(make_visitor, "carla").get(url).status_code == 200
    with pytest.raises(PermissionDenied):
        run(lambda s: statements.cooperative_statement(s, world.actor("omar"), MONTH))


def test_another_cooperative_never_sees_the_statements(
    make_visitor: Any, world: Any, run: Any, closed: Any
) -> None:
    bea = login(make_visitor, "bea")
    for url in (
        statement_url(world, "omar"),
        f"/c/alpha/statements/{MONTH}",
        "/c/alpha/statements",
        "/c/alpha/me/earnings",
    ):
        assert bea.get(url).status_code == 404
    # Through her own cooperative's address, Alpha's rows are not found either.
    assert bea.get(f"/c/beta/statements/{MONTH}/members/{world.ids['omar']}").status_code == 404
    assert bea.get(f"/c/beta/statements/{MONTH}").status_code == 404
    with pytest.raises(NotFound):
        run(
            lambda s: statements.member_statement(
                s, world.actor("bea", "beta"), MONTH, world.ids["omar"]
            )
        )


@pytest.mark.parametrize(
    "month", ["2026-13", "2026-1", "abcd", "2026-09", "٢٠٢٦-١٠", "2026-10-01", "0000-00"]
)
def test_a_month_that_is_not_closed_or_not_a_month_is_not_found(
    make_visitor: Any, world: Any, closed: Any, month: str
) -> None:
    carla = login(make_visitor, "carla")
    assert carla.get(f"/c/alpha/statements/{month}").status_code == 404
    assert carla.get(f"/c/alpha/statements/{month}/members/{world.ids['omar']}").status_code == 404
    assert carla.get(f"/c/alpha/statements/{month}/members/{2**31}").status_code == 404


def test_a_member_without_a_statement_that_month_is_not_found(
    make_visitor: Any, world: Any, closed: Any
) -> None:
    olga = login(make_visitor, "olga")
    assert olga.get(statement_url(world, "olga")).status_code == 404
    assert olga.get(statement_url(world, "bea")).status_code == 404


# --- Lists, earnings, home ----------------------------------------------------------------


def test_the_statements_page_lists_mine_and_the_cooperatives(
    make_visitor: Any, world: Any, run: Any, closed: Any
) -> None:
    omar = login(make_visitor, "omar").get("/c/alpha/statements").text
    assert statement_url(world, "omar") in omar and f'/c/alpha/statements/{MONTH}"' in omar
    wen = login(make_visitor, "wen").get("/c/alpha/statements").text
    assert statement_url(world, "wen") in wen and f'/c/alpha/statements/{MONTH}"' not in wen
    olga = login(make_visitor, "olga").get("/c/alpha/statements").text
    assert f'/c/alpha/statements/{MONTH}"' in olga and "/members/" not in olga
    mine = run(lambda s: statements.statements_of(s, world.actor("omar"), world.ids["omar"]))
    assert [(s.month, s.cents) for s in mine] == [(MONTH, SHARES["omar"])]
    with pytest.raises(NotFound):
        run(lambda s: statements.statements_of(s, world.actor("wen"), world.ids["omar"]))


def test_the_earnings_page_shows_the_chart_and_the_table(
    make_visitor: Any, world: Any, closed: Any
) -> None:
    response = login(make_visitor, "omar").get("/c/alpha/me/earnings")
    assert response.status_code == 200
    page = response.text
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg and "aria-label=" in svg and 'viewBox="0 0 320' in svg
    assert "<rect" in svg and euros(SHARES["omar"]) in svg
    assert "<script" not in page[page.index("<main") : page.index("</main>")]
    table = page[page.index("<table") : page.index("</table>")]
    assert "octobre 2026" in table and euros(SHARES["omar"]) in table
    assert euros(SHARES["omar"] + OMAR_TRAVEL) in page  # owed now
    assert statement_url(world, "omar") in page


def test_the_earnings_page_is_for_those_who_are_paid(
    make_visitor: Any, world: Any, closed: Any
) -> None:
    assert login(make_visitor, "olga").get("/c/alpha/me/earnings").status_code == 403
    assert login(make_visitor, "wen").get("/c/alpha/me/earnings").status_code == 200


def test_the_earnings_page_before_any_close(make_visitor: Any, world: Any) -> None:
    page = login(make_visitor, "omar").get("/c/alpha/me/earnings")
    assert page.status_code == 200 and "<svg" not in page.text


def test_the_home_page_and_the_menu_lead_to_the_earnings(
    make_visitor: Any, world: Any, closed: Any
) -> None:
    home = login(make_visitor, "omar").get("/c/alpha/").text
    assert home.count('href="/c/alpha/me/earnings"') >= 2  # the menu and the home's card
    observer = login(make_visitor, "olga").get("/c/alpha/").text
    assert 'href="/c/alpha/statements"' in observer and "/me/earnings" not in observer


# --- A second month: adjustments, reversals, month by month --------------------------------


@pytest.fixture
def november(run: Any, world: Any, closed: Any) -> dict[str, int]:
    """After October's close: Omar's late work dated 31 October (an adjustment of November),
    Wen's October prestation reversed, new work of Wen and Omar; November closed on 5 December
    (D = 50 + 100 + 500 - 400 = 250,00 €)."""

    async def build(session: Any) -> dict[str, int]:
        client = await create_client(
            session, world.actor("carla"), name="CPAS", kind=ClientKind.OTHER
        )
        late = await record_work(session, world, "omar", client.id, "2026-10-31", "50")
        async with session.begin():
            wen_october = (
                await session.exec(
                    select(Prestation).where(Prestation.member_id == world.ids["wen"])
                )
            ).one()
        await reversals.reverse_prestation(
            session, world.actor("carla"), wen_october.id, "Wrong client", today=TODAY
        )
        fresh = await record_work(session, world, "wen", client.id, "2026-11-04", "100")
        omar = await record_work(session, world, "omar", client.id, "2026-11-02", "500")
        await close_month(session, world, "2026-11", today=dt.date(2026, 12, 5))
        return {"late": late, "reversed": wen_october.id, "fresh": fresh, "omar": omar}

    return run(build)


def test_adjustments_and_reversals_are_flagged(
    make_visitor: Any, world: Any, run: Any, november: dict[str, int]
) -> None:
    omar = run(
        lambda s: statements.member_statement(s, world.actor("omar"), "2026-11", world.ids["omar"])
    )
    assert [(p.id, p.adjustment, p.reversal) for p in omar.prestations] == [
        (november["late"], True, False),
        (november["omar"], False, False),
    ]
    assert omar.distributable_cents == 25000 and omar.share.cents > 0
    wen = run(
        lambda s: statements.member_statement(s, world.actor("wen"), "2026-11", world.ids["wen"])
    )
    assert {(p.id, p.reversal, p.amount_cents) for p in wen.prestations} == {
        (november["reversed"], True, -40000),
        (november["fresh"], False, 10000),
    }
    page = login(make_visitor, "wen").get(statement_url(world, "wen", "2026-11")).text
    assert euros(-40000) in page and 'class="tag"' in page
    for who in ("omar", "wen"):
        ledger = run(lambda s, w=who: ledger_of(s, world.alpha, world.ids[w], "2026-11"))
        view = omar if who == "omar" else wen
        assert view.share.cents == ledger["share"]


def test_earnings_month_by_month_are_oldest_first(
    make_visitor: Any, world: Any, run: Any, november: dict[str, int]
) -> None:
    months = run(lambda s: statements.my_earnings(s, world.actor("omar"))).months
    assert [m.month for m in months] == ["2026-10", "2026-11"]
    assert months[0].cents == SHARES["omar"]
    rows = statement_rows(run, "2026-11")
    assert months[1].cents == rows[world.ids["omar"]].share_cents
    assert [
        m.month
        for m in run(lambda s: statements.my_earnings(s, world.actor("omar"), months=1)).months
    ] == ["2026-11"]
    mine = run(lambda s: statements.statements_of(s, world.actor("omar"), world.ids["omar"]))
    assert [s.month for s in mine] == ["2026-11", "2026-10"]  # newest first
    page = login(make_visitor, "omar").get("/c/alpha/me/earnings").text
    assert page.count("<rect") == 2 and "novembre 2026" in page


# --- Every persona, with a real closed month ----------------------------------------------


def closed_month_cells(world: Any) -> dict[str, Any]:
    """The statement routes of the authorization matrix, October being closed: path -> the
    expected status by persona (the matrix itself runs in a world without a closed month)."""
    own = f"/c/alpha/statements/{MONTH}/members/{world.ids['omar']}"

    def omars(persona: str) -> int:
        return 404 if persona == "wen" else coop_page(persona)

    return {
        "/c/alpha/statements": coop_page,
        f"/c/alpha/statements/{MONTH}": lambda p: 403 if p == "wen" else coop_page(p),
        own: omars,
        f"{own}/statement.pdf": omars,
        f"{own}/statement.csv": omars,
        "/c/alpha/me/earnings": lambda p: worker_action(p, 200),
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_with_a_closed_month(
    persona: str, visitor: Any, world: Any, closed: Any
) -> None:
    if persona != "anonymous":
        visitor.login(persona)
    failures = []
    for path, expected_of in closed_month_cells(world).items():
        status = visitor.get(path).status_code
        if status != expected_of(persona):
            failures.append(f"{path}: expected {expected_of(persona)}, got {status}")
    assert not failures, f"{persona}:\n" + "\n".join(failures)
