"""The invoice as a PDF (fpdf2): the cooperative, the client, the work, the communication.

Text goes through HarfBuzz shaping with DejaVu Sans, so names in Arabic or Cyrillic print as
typed. The font comes from Debian's fonts-dejavu-core (path in GOVERNANCE_PDF_FONT).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from governance.i18n import _, date_short, money

FONT = Path(
    os.environ.get("GOVERNANCE_PDF_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
)


class FontMissing(RuntimeError):
    """The PDF font is not installed (apt-get install fonts-dejavu-core)."""


@dataclass(frozen=True)
class DocumentLine:
    date: dt.date
    member: str
    description: str
    amount_cents: int


@dataclass(frozen=True)
class InvoiceDocument:
    cooperative: str
    client: str
    client_address: str
    client_vat: str | None
    title: str  # "Invoice" or "Credit note", translated
    reference: str
    issued_on: dt.date
    due_on: dt.date
    communication: str  # +++123/4567/89002+++
    lines: list[DocumentLine]
    total_cents: int


def render(document: InvoiceDocument) -> bytes:
    """The PDF bytes, in the current language. Raises FontMissing."""
    if not FONT.exists():
        raise FontMissing(str(FONT))
    pdf = FPDF(format="A4")
    pdf.set_creator("governance")
    pdf.set_title(f"{document.title} {document.reference}")
    pdf.add_font("DejaVu", "", str(FONT))
    bold = FONT.with_name(FONT.stem + "-Bold" + FONT.suffix)
    pdf.add_font("DejaVu", "B", str(bold if bold.exists() else FONT))
    pdf.set_text_shaping(True)
    pdf.add_page()
    pdf.set_font("DejaVu", size=18)
    pdf.cell(text=document.cooperative, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", size=14)
    pdf.cell(text=f"{document.title} {document.reference}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=10)
    pdf.ln(2)
    for line in (
        document.client,
        document.client_address,
        _("VAT: %(number)s") % {"number": document.client_vat} if document.client_vat else "",
    ):
        if line:
            pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.cell(
        text=_("Issued on %(date)s") % {"date": date_short(document.issued_on)},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.cell(
        text=_("Due on %(date)s") % {"date": date_short(document.due_on)},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    with pdf.table(
        col_widths=(25, 50, 75, 30),
        text_align=("LEFT", "LEFT", "LEFT", "RIGHT"),
        first_row_as_headings=True,
    ) as table:
        table.row([_("Date"), _("Member"), _("What"), _("Amount")])
        for item in document.lines:
            table.row(
                [date_short(item.date), item.member, item.description, money(item.amount_cents)]
            )
        table.row(["", "", _("Total"), money(document.total_cents)])
    pdf.ln(6)
    pdf.set_font("DejaVu", size=12)
    pdf.cell(
        text=_("Structured communication: %(code)s") % {"code": document.communication},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
