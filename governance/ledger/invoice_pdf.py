"""The invoice as a PDF (fpdf2): the cooperative, the client, the work, the communication.

Laid out by `governance.ledger.pdf_layout` (HarfBuzz shaping with DejaVu Sans, so names in
Arabic or Cyrillic print as typed; mirrored for a right-to-left language). The font comes
from Debian's fonts-dejavu-core (path in GOVERNANCE_PDF_FONT).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from governance.i18n import _, date_short, money
from governance.ledger.pdf_layout import FONT, FontMissing, Page

__all__ = ["FONT", "DocumentLine", "FontMissing", "InvoiceDocument", "render"]


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


def render(document: InvoiceDocument) -> bytes:
    """The PDF bytes, in the current language. Raises FontMissing."""
    out = Page(f"{document.title} {document.reference}")
    out.text(document.cooperative, size=18)
    out.text(
        *document.cooperative_address.split("\n"),
        _("Enterprise number: %(number)s") % {"number": out.ltr(document.cooperative_number)}
        if document.cooperative_number
        else "",
        " · ".join(filter(None, (document.cooperative_email, document.cooperative_phone))),
        size=9,
    )
    out.space(4)
    out.text(f"{document.title} {out.ltr(document.reference)}", size=14)
    out.space(2)
    out.text(
        document.client,
        document.client_address,
        _("VAT: %(number)s") % {"number": out.ltr(document.client_vat)}
        if document.client_vat
        else "",
    )
    out.space(2)
    out.text(
        _("Issued on %(date)s") % {"date": date_short(document.issued_on)},
        _("Due on %(date)s") % {"date": date_short(document.due_on)},
    )
    out.space(4)
    out.table(
        (25, 50, 75, 30),
        [_("Date"), _("Member"), _("What"), _("Amount")],
        [
            *(
                [date_short(item.date), item.member, item.description, money(item.amount_cents)]
                for item in document.lines
            ),
            ["", "", _("Total"), money(document.total_cents)],
        ],
        numbers=(3,),
        size=10,
    )
    out.space(4)
    out.text(
        _("IBAN: %(iban)s") % {"iban": out.ltr(document.iban)} if document.iban else "",
        _("BIC: %(bic)s") % {"bic": out.ltr(document.bic)} if document.bic else "",
        _("Structured communication: %(code)s") % {"code": out.ltr(document.communication)},
        size=12,
    )
    return out.output()
