"""Arabic PDFs read back as an Arabic reader reads them: a statement and an invoice, read with
pdftotext (its -bbox-layout gives each word's box): labels sit at the right margin, in the
order of the page, tables are mirrored (the label column on the right, amounts on the left),
and the text comes out in reading order, not reversed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from governance.base import i18n
from governance.ledger.billing.invoice_pdf import DocumentLine, InvoiceDocument, render
from governance.ledger.statements import statement_files, statements
from tests.closing_support import MONTH, build_october, close_month
from tests.pdf_support import (
    A4_WIDTH,
    BIDI_MARKS,
    MARGIN,
    ar,
    at_right_margin,
    find,
    lines_of,
    on_the_left,
    plain,
)

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def layout_text(pdf: bytes, tmp_path: Path) -> str:
    """pdftotext -layout: each run of text in logical order (bidi marks removed)."""
    path = tmp_path / "layout.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return BIDI_MARKS.sub("", out)


@pytest.fixture
def arabic_statement(run: Any, world: Any) -> Any:
    async def build(session: Any) -> Any:
        await build_october(session, world, travel={"omar": "12,50"})
        return await close_month(session, world)

    run(build)
    view = run(
        lambda s: statements.member_statement(s, world.actor("omar"), MONTH, world.ids["omar"])
    )
    view = dataclasses.replace(view, member_name="عمر المتعاون")
    with i18n.language("ar"):
        return statement_files.to_pdf(view)


def test_an_arabic_statement_reads_from_the_right_in_the_pages_order(
    arabic_statement: bytes, tmp_path: Path
) -> None:
    lines = lines_of(arabic_statement, tmp_path)
    # Headings without harakat: pdftotext cuts a line's box at a shadda or a damma.
    headings = [ar("What is owed"), ar("Work of the month"), ar("The rule applied")]
    found = [find(lines, heading) for heading in headings]
    for heading, line in zip(headings, found, strict=True):
        assert at_right_margin(line), (heading, line)
    assert [line.y for line in found] == sorted(line.y for line in found)  # the page's order
    name = find(lines, "عمر المتعاون")
    assert at_right_margin(name)
    # Tables mirrored: the label column's header at the right, the amounts' at the left.
    what, amount = find(lines, ar("What")), find(lines, ar("Amount"))
    assert at_right_margin(what) and on_the_left(amount) and abs(what.y - amount.y) < 2
    # A row: its label at the right, its amount on the left, on the same line.
    revenue = find(lines, ar("Revenue generated"))
    assert at_right_margin(revenue)
    beside = [line for line in lines if abs(line.y - revenue.y) < 2 and line is not revenue]
    assert beside and all(on_the_left(line) for line in beside), beside
    assert any("355.50" in line.text or "800.00" in line.text for line in beside)
    # In reading order: the logical text of each heading is in the -layout output as typed.
    text = plain(layout_text(arabic_statement, tmp_path))
    positions = [text.find(plain(heading)) for heading in headings]
    assert -1 not in positions and positions == sorted(positions), positions
    # Hashes and the command stay left to right, at the left margin.
    command = [line for line in lines if line.text.startswith("governance audit")]
    assert command and command[0].x_min < MARGIN + 8


def test_a_french_statement_keeps_its_labels_on_the_left(
    run: Any, world: Any, tmp_path: Path
) -> None:
    async def build(session: Any) -> Any:
        await build_october(session, world)
        return await close_month(session, world)

    run(build)
    view = run(
        lambda s: statements.member_statement(s, world.actor("omar"), MONTH, world.ids["omar"])
    )
    with i18n.language("fr"):
        lines = lines_of(statement_files.to_pdf(view), tmp_path)
        heading = find(lines, i18n.gettext("What is owed"))
    assert heading.x_min < MARGIN + 8 and heading.x_max < A4_WIDTH / 2


def test_an_arabic_invoice_is_mirrored(tmp_path: Path) -> None:
    document = InvoiceDocument(
        cooperative="Univerbal",
        client="CHU Saint-Pierre",
        client_address="Rue Haute 322\n1000 Bruxelles",
        client_vat=None,
        title=ar("Invoice"),
        reference="2026-0001",
        issued_on=dt.date(2026, 11, 3),
        due_on=dt.date(2026, 12, 3),
        communication="+++123/4567/89002+++",
        lines=[DocumentLine(dt.date(2026, 10, 2), "خالد المصري", "ترجمة", 12000)],
        total_cents=12000,
    )
    with i18n.language("ar"):
        pdf = render(document)
    lines = lines_of(pdf, tmp_path)
    date, member, amount = (
        find(lines, ar("Date")),
        find(lines, ar("Member")),
        find(lines, ar("Amount")),
    )
    assert at_right_margin(date) and on_the_left(amount)
    assert amount.x_max < member.x_min < date.x_min  # columns from right to left
    assert at_right_margin(find(lines, "خالد المصري")) is False  # second column, not the first
    total = find(lines, ar("Total"))
    assert total.x_min > amount.x_max
    assert at_right_margin(find(lines, "CHU Saint-Pierre"))
    # Identifiers keep their order inside an Arabic line: 2026-0001, not 0001-2026.
    assert at_right_margin(find(lines, f"{ar('Invoice')} 2026-0001"))
