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
    cooperative: str  # its legal name, or its usual name
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
    # The cooperative's own details ('' where not filled in), formatted for reading.
    cooperative_address: str = ""  # lines separated by "\n"
    cooperative_number: str = ""  # enterprise number: BE 0403.170.701
    cooperative_email: str = ""
    cooperative_phone: str = ""
    iban: str = ""  # BE71 0961 2345 6769
    bic: str = ""


def _lines(pdf: FPDF, *lines: str) -> None:
    """Each non-empty line on its own, wrapped at the margin. Text is written as typed: fpdf2
    encodes it for the PDF, and nothing is read as markup."""
    for line in lines:
        if line:
            pdf.multi_cell(w=0, text=line, align="L", new_x="LMARGIN", new_y="NEXT")


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
    _lines(pdf, document.cooperative)
    pdf.set_font("DejaVu", size=9)
    _lines(
        pdf,
        *document.cooperative_address.split("\n"),
        _("Enterprise number: %(number)s") % {"number": document.cooperative_number}
        if document.cooperative_number
        else "",
        " · ".join(filter(None, (document.cooperative_email, document.cooperative_phone))),
    )
    pdf.ln(4)
    pdf.set_font("DejaVu", size=14)
    pdf.cell(text=f"{document.title} {document.reference}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=10)
    pdf.ln(2)
    _lines(
        pdf,
        document.client,
        document.client_address,
        _("VAT: %(number)s") % {"number": document.client_vat} if document.client_vat else "",
    )
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
    _lines(
        pdf,
        _("IBAN: %(iban)s") % {"iban": document.iban} if document.iban else "",
        _("BIC: %(bic)s") % {"bic": document.bic} if document.bic else "",
        _("Structured communication: %(code)s") % {"code": document.communication},
    )
    return bytes(pdf.output())
