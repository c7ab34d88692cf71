"""The invoice as a PDF (fpdf2): the cooperative, the client, the work, the communication.

Laid out by `governance.ledger.pdf_layout` (HarfBuzz shaping with DejaVu Sans, so names in
Arabic or Cyrillic print as typed; mirrored for a right-to-left language). The font comes
from Debian's fonts-dejavu-core (path in GOVERNANCE_PDF_FONT).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from governance.base.i18n import _, date_short, money, ngettext
from governance.ledger.billing.vat_amounts import rate_text
from governance.ledger.pdf_layout import FONT, FontMissing, Page

__all__ = [
    "FONT",
    "Credited",
    "CreditedBy",
    "DocumentLine",
    "FontMissing",
    "InvoiceDocument",
    "render",
]


@dataclass(frozen=True)
class DocumentLine:
    date: dt.date
    member: str
    description: str  # the work in words (kind, languages, duration), or its travel
    amount_cents: int


@dataclass(frozen=True)
class Credited:
    """What a credit note credits: which invoice, all of it or some lines, and why."""

    reference: str
    issued_on: dt.date
    whole: bool  # cancels the whole invoice; else credits the lines printed
    reason: str = ""
    settlement: str = ""  # "refund", "offset" or "" (nothing said)
    paid_cents: int = 0  # what the client had paid on the credited invoice


@dataclass(frozen=True)
class CreditedBy:
    """What credit notes took back from an invoice since it was issued: a re-printed invoice
    says so instead of asking for money it no longer asks for."""

    references: tuple[str, ...]  # the credit notes, oldest first
    credited_cents: int  # what they took back (positive)
    paid_cents: int
    left_cents: int  # still to pay
    cancelled_by: str = ""  # the credit note that cancelled the whole invoice
    cancelled_on: dt.date | None = None


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
    vat_mention: str = ""  # the cooperative's legal mention about VAT, as printed
    credit_note: bool = False  # asks for no payment: no due date, account or communication
    credited: Credited | None = None
    vat_rate: int = 0  # basis points (2100 = 21 %); 0: no VAT (exempt, or before VAT)
    vat_cents: int = 0  # included in total_cents; negative on a credit note
    credited_by: CreditedBy | None = None  # an invoice that credit notes credited since


def _total_rows(document: InvoiceDocument) -> list[list[str]]:
    """The total; with VAT, the base, the VAT at its rate and the total with VAT."""
    if not document.vat_rate:
        label = _("Total credited") if document.credit_note else _("Total")
        return [["", "", label, money(document.total_cents)]]
    rate = {"rate": rate_text(document.vat_rate)}
    net = document.total_cents - document.vat_cents
    if document.credit_note:
        labels = (
            _("Credited without VAT"),
            _("VAT credited at %(rate)s %%") % rate,
            _("Total credited with VAT"),
        )
    else:
        labels = (_("Total without VAT"), _("VAT at %(rate)s %%") % rate, _("Total with VAT"))
    amounts = (net, document.vat_cents, document.total_cents)
    return [["", "", label, money(value)] for label, value in zip(labels, amounts, strict=True)]


def _credit_sentences(credited: Credited, out: Page) -> list[str]:
    """What a credit note credits, why, and what becomes of money already paid."""
    values = {"reference": out.ltr(credited.reference), "date": date_short(credited.issued_on)}
    said = [
        (
            _("This credit note cancels invoice %(reference)s of %(date)s.")
            if credited.whole
            else _(
                "This credit note corrects invoice %(reference)s of %(date)s: it credits the "
                "lines below."
            )
        )
        % values
    ]
    if credited.reason:
        said.append(_("Reason: %(reason)s") % {"reason": out.isolate(credited.reason)})
    if credited.settlement == "refund":
        said.append(_("What the client already paid on the credited amount will be paid back."))
    elif credited.settlement == "offset":
        said.append(
            _("What the client already paid on the credited amount is set against another invoice.")
        )
    elif credited.paid_cents == 0:
        said.append(_("Nothing had been paid on this invoice: there is nothing to pay back."))
    elif not credited.whole:
        said.append(
            _("What was already paid stays set against invoice %(reference)s, which asks for less.")
            % values
        )
    said.append(_("This credit note asks for no payment."))
    return said


def _credited_by_sentences(credited: CreditedBy, out: Page) -> list[str]:
    """On an invoice credited since it was issued: by which credit notes, and what is left."""
    if credited.cancelled_by and credited.cancelled_on is not None:
        return [
            _("Cancelled by credit note %(reference)s of %(date)s: nothing to pay.")
            % {
                "reference": out.ltr(credited.cancelled_by),
                "date": date_short(credited.cancelled_on),
            }
        ]
    said = [
        ngettext(
            "Partly credited by credit note %(references)s: %(amount)s.",
            "Partly credited by credit notes %(references)s: %(amount)s.",
            len(credited.references),
        )
        % {
            "references": ", ".join(out.ltr(r) for r in credited.references),
            "amount": money(-credited.credited_cents),
        }
    ]
    if credited.paid_cents:
        said.append(_("Already paid: %(amount)s.") % {"amount": money(credited.paid_cents)})
    said.append(
        _("Still to pay: %(amount)s.") % {"amount": money(credited.left_cents)}
        if credited.left_cents
        else _("Nothing is left to pay.")
    )
    return said


def _asks_for_payment(document: InvoiceDocument) -> bool:
    """A credit note never does; an invoice does unless credit notes left nothing to pay."""
    if document.credit_note:
        return False
    return document.credited_by is None or document.credited_by.left_cents > 0


def render(document: InvoiceDocument) -> bytes:
    """The PDF bytes, in the current language. Raises FontMissing."""
    out = Page(f"{document.title} {document.reference}")
    out.text(document.cooperative, size=18)
    out.text(
        *map(out.isolate, document.cooperative_address.split("\n")),
        (_("VAT number: %(number)s") if document.vat_rate else _("Enterprise number: %(number)s"))
        % {"number": out.ltr(document.cooperative_number)}
        if document.cooperative_number
        else "",
        " · ".join(filter(None, (document.cooperative_email, document.cooperative_phone))),
        size=9,
    )
    out.space(4)
    out.text(f"{document.title} {out.ltr(document.reference)}", size=14)
    out.space(2)
    out.text(
        out.isolate(document.client),
        *map(out.isolate, document.client_address.split("\n")),
        _("VAT: %(number)s") % {"number": out.ltr(document.client_vat)}
        if document.client_vat
        else "",
    )
    out.space(2)
    out.text(
        _("Issued on %(date)s") % {"date": date_short(document.issued_on)},
        _("Due on %(date)s") % {"date": date_short(document.due_on)}
        if _asks_for_payment(document)
        else "",
    )
    if document.credited_by is not None:
        out.space(2)
        out.text(*_credited_by_sentences(document.credited_by, out))
    if document.credited is not None:
        out.space(2)
        out.text(*_credit_sentences(document.credited, out))
    out.space(4)
    out.table(
        (25, 45, 80, 30),
        [_("Date"), _("Member"), _("What"), _("Amount")],
        [
            *(
                [date_short(item.date), item.member, item.description, money(item.amount_cents)]
                for item in document.lines
            ),
            *_total_rows(document),
        ],
        numbers=(3,),
        size=10,
    )
    out.text(out.isolate(document.vat_mention), size=9)
    if not _asks_for_payment(document):
        return out.output()
    out.space(4)
    out.text(
        _("IBAN: %(iban)s") % {"iban": out.ltr(document.iban)} if document.iban else "",
        _("BIC: %(bic)s") % {"bic": out.ltr(document.bic)} if document.bic else "",
        _("Structured communication: %(code)s") % {"code": out.ltr(document.communication)},
        size=12,
    )
    return out.output()
