"""A member's statement as files: PDF (fpdf2) and CSV. Pure formatting, no database.

Both print what the page shows, from the same `MemberStatement`, in the current language.
The PDF uses the invoice's font setup (DejaVu Sans through HarfBuzz shaping, so names in any
script print as typed; right-aligned text for a right-to-left language) and carries the
signed checkpoint with the command that checks it. The CSV has one row per line of the
statement (section, date, label, amount in euros with a dot, cents); text cells are
neutralised against spreadsheet formulas as in `governance.ledger.export`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from fpdf import FPDF

from governance.i18n import _, date_short, direction, money
from governance.ledger.closing import last_day
from governance.ledger.export import neutralise
from governance.ledger.invoice_pdf import FONT, FontMissing
from governance.ledger.statement_views import MemberStatement, PrestationLine
from governance.money import format_cents

MONO = FONT.with_name("DejaVuSansMono.ttf")
CSV_COLUMNS = ("section", "date", "label", "amount", "cents")

__all__ = ["CSV_COLUMNS", "FontMissing", "to_csv", "to_pdf"]


def _flags(line: PrestationLine) -> list[str]:
    """What makes a counted prestation special: it cancels earlier work, or is late."""
    flags = []
    if line.reversal:
        flags.append(_("Reversal: cancels work counted before"))
    if line.adjustment:
        flags.append(
            _("Adjustment: work dated %(date)s, counted this month")
            % {"date": date_short(line.date)}
        )
    return flags


def prestation_label(line: PrestationLine) -> str:
    """`CHU, On site, 1 h 30` plus what makes the line special (a reversal, an adjustment)."""
    parts = [line.client, line.kind_text, line.duration]
    return " · ".join([", ".join(filter(None, parts)), *_flags(line)])


def _money(cents: int, view: MemberStatement) -> str:
    return money(cents, view.currency)


# --- PDF -------------------------------------------------------------------------------------


class _Writer:
    def __init__(self, title: str) -> None:
        if not FONT.exists():
            raise FontMissing(str(FONT))
        pdf = FPDF(format="A4")
        pdf.set_creator("governance")
        pdf.set_title(title)
        pdf.add_font("DejaVu", "", str(FONT))
        bold = FONT.with_name(FONT.stem + "-Bold" + FONT.suffix)
        pdf.add_font("DejaVu", "B", str(bold if bold.exists() else FONT))
        pdf.add_font("DejaVuMono", "", str(MONO if MONO.exists() else FONT))
        pdf.set_text_shaping(True)
        pdf.set_auto_page_break(True, margin=15)
        pdf.add_page()
        self.pdf = pdf
        self.align = "R" if direction() == "rtl" else "L"

    def text(self, *lines: str, size: int = 10, style: str = "") -> None:
        self.pdf.set_font("DejaVu", style, size=size)
        for line in lines:
            if line:
                self.pdf.multi_cell(w=0, text=line, align=self.align, new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str) -> None:
        self.pdf.ln(4)
        self.text(text, size=13, style="B")
        self.pdf.ln(1)

    def mono(self, *lines: str) -> None:
        self.pdf.set_font("DejaVuMono", size=8)
        for line in lines:
            self.pdf.multi_cell(w=0, text=line, align="L", new_x="LMARGIN", new_y="NEXT")

    def table(self, widths: tuple[int, ...], header: list[str], rows: list[list[str]]) -> None:
        self.pdf.set_font("DejaVu", size=9)
        align = tuple("RIGHT" if i == len(widths) - 1 else "LEFT" for i in range(len(widths)))
        with self.pdf.table(
            col_widths=widths, text_align=align, first_row_as_headings=True
        ) as table:
            table.row(header)
            for row in rows:
                table.row(row)
        self.pdf.ln(2)


def _summary_rows(view: MemberStatement) -> Iterator[list[str]]:
    yield [_("Share of the month"), _money(view.share.cents, view)]
    if view.travel_cents:
        yield [_("Travel reimbursements"), _money(view.travel_cents, view)]
    yield [_("Owed for the month"), _money(view.owed_cents, view)]
    for payment in view.payments:
        yield [
            _("Paid on %(date)s") % {"date": date_short(payment.date)},
            _money(payment.amount_cents, view),
        ]
    if not view.payments:
        yield [_("Paid since the close"), _("Nothing yet")]
    yield [_("Still owed today, all months together"), _money(view.balance_cents, view)]


def to_pdf(view: MemberStatement) -> bytes:
    """The statement as an A4 PDF, in the current language. Raises FontMissing."""
    title = _("Statement of %(month)s") % {"month": view.month_text}
    out = _Writer(f"{title} · {view.member_name}")
    out.text(view.cooperative, size=16, style="B")
    out.text(title, size=14)
    out.text(view.member_name, size=12)
    out.text(_("Closed on %(date)s") % {"date": date_short(view.closed_at.date())}, size=9)

    out.heading(_("What is owed"))
    out.table((130, 50), [_("What"), _("Amount")], list(_summary_rows(view)))
    out.text(
        _(
            "The payments listed are those made since this month was closed; one payment can "
            "cover several months. Today's amount counts every month: the shares and travel "
            "costs, minus what the cooperative has already paid."
        ),
        size=9,
    )

    out.heading(_("Work of the month"))
    out.table(
        (130, 50),
        [_("What"), _("Amount")],
        [
            *([[_("Hours"), view.duration]] if view.minutes else []),
            [_("Revenue generated"), _money(view.revenue_cents, view)],
        ],
    )
    if view.prestations:
        out.table(
            (24, 68, 30, 24, 34),
            [_("Date"), _("Client"), _("Kind"), _("Duration"), _("Amount")],
            [
                [
                    date_short(p.date),
                    "\n".join([p.client, *_flags(p)]),
                    p.kind_text,
                    p.duration,
                    _money(p.amount_cents, view),
                ]
                for p in view.prestations
            ],
        )
    else:
        out.text(_("No prestation counted this month."))

    out.heading(_("How the share was computed"))
    out.text(
        _("Distributable amount (income minus expenses): %(amount)s")
        % {"amount": _money(view.distributable_cents, view)},
        _("Members' pool, after the funds: %(amount)s") % {"amount": view.pool_text},
    )
    if view.share.keys:
        out.table(
            (55, 25, 60, 40),
            [_("Key"), _("Weight"), _("Value / total"), _("Amount")],
            [
                [k.label, k.weight_text, f"{k.value_text} / {k.total_text}", k.quota_text]
                for k in view.share.keys
            ],
        )
    out.text(
        _("Exact share: %(exact)s. Rounded to the cent: %(share)s.")
        % {"exact": view.share.quota_text, "share": _money(view.share.cents, view)}
        + " "
        + view.share.rounding_text,
    )
    if view.funds:
        out.table(
            (110, 30, 40),
            [_("Fund"), _("Percentage"), _("Amount")],
            [[f.label, f.percent_text, _money(f.share.cents, view)] for f in view.funds],
        )
    out.text(*view.notes)

    out.heading(_("The rule applied"))
    rule = view.rule
    out.text(
        rule.template_text,
        _("Counted: %(basis)s") % {"basis": rule.basis_text},
        *rule.fund_lines,
        *rule.key_lines,
        _("Who shares: %(who)s") % {"who": rule.eligible_text},
        _("In force since %(month)s") % {"month": rule.start_month_text}
        if rule.start_month
        else "",
    )

    out.heading(_("Signed checkpoint of the audit trail"))
    checkpoint = view.checkpoint
    out.text(
        _(
            "At the close, the last event of the audit trail was signed with the cooperative's "
            "key. Keep this statement: with it, anyone can detect a history that was rewritten."
        ),
        size=9,
    )
    out.pdf.ln(2)
    out.table(
        (130, 50),
        [_("What"), _("Value")],
        [[_("Month"), checkpoint.month], [_("Last event signed"), str(checkpoint.seq)]],
    )
    for label, value in (
        (_("Head hash"), checkpoint.head_hash),
        (_("Signature"), checkpoint.signature),
        (_("Public key of the cooperative"), checkpoint.public_key),
    ):
        out.text(label, style="B")
        out.mono(value)
    out.pdf.ln(2)
    out.text(
        _(
            "Anyone can check this checkpoint without the app, with this command. Compare the "
            "public key with the one on the cooperative's details page and on your earlier "
            "statements."
        )
    )
    out.mono(checkpoint.command)
    return bytes(out.pdf.output())


# --- CSV -------------------------------------------------------------------------------------


def _row(section: str, day: str, label: str, cents: int) -> list[str]:
    return [section, day, neutralise(label), format_cents(cents), str(cents)]


def csv_rows(view: MemberStatement) -> Iterator[list[str]]:
    """The statement's lines: each prestation, the share, each fund, what is owed and paid."""
    closing_day = last_day(view.month).isoformat()
    for p in view.prestations:
        yield _row("prestation", p.date.isoformat(), prestation_label(p), p.amount_cents)
    yield _row("revenue", closing_day, _("Revenue generated"), view.revenue_cents)
    label = _("Distributable amount")
    yield _row("distributable", closing_day, label, view.distributable_cents)
    for fund in view.funds:
        yield _row("fund", closing_day, fund.label, fund.share.cents)
    yield _row("share", closing_day, _("Share of the month"), view.share.cents)
    if view.travel_cents:
        yield _row("travel", closing_day, _("Travel reimbursements"), view.travel_cents)
    yield _row("owed", closing_day, _("Owed for the month"), view.owed_cents)
    for payment in view.payments:
        label = _("Paid on %(date)s") % {"date": date_short(payment.date)}
        yield _row("paid", payment.date.isoformat(), label, payment.amount_cents)
    label = _("Still owed today, all months together")
    yield _row("balance", "", label, view.balance_cents)


def to_csv(view: MemberStatement) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(view))
    return buffer.getvalue()
