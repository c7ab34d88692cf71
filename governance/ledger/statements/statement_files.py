"""A member's statement as files: PDF (fpdf2) and CSV. Pure formatting, no database.

Both print what the page shows, from the same `MemberStatement`, in the current language,
with the same sentences (the reconciliation's lines come from
`statement_reconciliation.month_lines` and `since_lines` for all three). The PDF is laid out
by `pdf_layout.Page` (HarfBuzz shaping, mirrored for a right-to-left language) and carries
the signed checkpoint with the command that checks it. The CSV has one row per line of the
statement (section, date, label, amount in euros with a dot, cents); text cells are
neutralised against spreadsheet formulas as in `governance.ledger.books.export`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from governance.base.i18n import _, date_short, join_list, money
from governance.input.money import format_cents
from governance.language.months import Month
from governance.ledger.books.export import neutralise
from governance.ledger.pdf_layout import FontMissing, Page
from governance.ledger.statements.statement_reconciliation import Line, month_lines, since_lines
from governance.ledger.statements.statement_views import MemberStatement, PrestationLine

CSV_COLUMNS = ("section", "date", "label", "amount", "cents")

__all__ = ["CSV_COLUMNS", "FontMissing", "to_csv", "to_pdf"]


def _flags(line: PrestationLine) -> list[str]:
    """What makes a counted prestation special: a correction, a reversal, late work."""
    return line.flags(date_short)


def prestation_label(line: PrestationLine) -> str:
    """`CHU, On site, 1 h 30` plus what makes the line special (a reversal, an adjustment)."""
    parts = [line.client, line.kind_text, line.duration]
    return " · ".join([join_list(filter(None, parts), "plain"), *_flags(line)])


def _money(cents: int, view: MemberStatement) -> str:
    return money(cents, view.currency)


# --- PDF -------------------------------------------------------------------------------------


def _reconciliation(out: Page, lines: list[Line], view: MemberStatement) -> None:
    out.table(
        (125, 10, 45),
        [_("What"), "", _("Amount")],
        [[line.label, line.sign, _money(line.cents, view)] for line in lines],
        numbers=(2,),
    )


def _share(out: Page, view: MemberStatement) -> None:
    """As the page: D − each fund (with its base) = the pool; the keys + rounding = the share."""
    out.heading(_("How the share was computed"))
    rows = [[_("To share (income minus expenses)"), "", _money(view.distributable_cents, view)]]
    rows += [[f"{f.label} ({f.base_text})", "−", _money(f.share.cents, view)] for f in view.funds]
    rows.append([_("Members' pool"), "=", _money(view.pool_cents, view)])
    out.table((125, 10, 45), [_("What"), "", _("Amount")], rows, numbers=(2,))
    out.text(*view.notes)
    if view.share.keys:
        rows = [
            [k.sentence, "+" if i else "", _money(k.cents, view)]
            for i, k in enumerate(view.share.keys)
        ]
        if view.share.keys_rounding:
            rows.append([_("Rounding to the cent"), "+", _money(view.share.keys_rounding, view)])
        rows.append([_("Your share"), "=", _money(view.share.cents, view)])
        out.table((125, 10, 45), [_("The share, key by key"), "", _("Amount")], rows, numbers=(2,))


def _rule(out: Page, view: MemberStatement) -> None:
    out.heading(_("The rule applied"))
    rule = view.rule
    out.text(
        rule.template_text,
        _("What is shared: %(basis)s") % {"basis": rule.basis_text},
        *rule.fund_lines,
        *rule.key_lines,
        _("Who shares: %(who)s") % {"who": rule.eligible_text},
        rule.period_text,
    )


def _checkpoint(out: Page, view: MemberStatement) -> None:
    out.heading(_("Signed checkpoint of the audit trail"))
    checkpoint = view.checkpoint
    out.text(
        _(
            "At the close, the last event of the audit trail was signed with the cooperative's "
            "key. Keep this statement: with it, anyone can detect a history that was rewritten."
        ),
        size=9,
    )
    out.space(2)
    out.table(
        (130, 50),
        [_("What"), _("Value")],
        [[_("Month"), checkpoint.month], [_("Last event signed"), str(checkpoint.seq)]],
        numbers=(1,),
    )
    for label, value in (
        (_("Head hash"), checkpoint.head_hash),
        (_("Signature"), checkpoint.signature),
        (_("Public key of the cooperative"), checkpoint.public_key),
    ):
        out.text(label, style="B")
        out.mono(value)
    out.space(2)
    out.text(
        _(
            "Anyone can check this checkpoint without the app, with this command. Compare the "
            "public key with the one on the cooperative's details page and on your earlier "
            "statements."
        )
    )
    out.mono(checkpoint.command)


def to_pdf(view: MemberStatement) -> bytes:
    """The statement as an A4 PDF, in the current language. Raises FontMissing."""
    title = _("Statement of %(of_month)s") % {"of_month": view.of_month_text}
    out = Page(f"{title} · {view.member_name}")
    out.text(view.cooperative, size=16, style="B")
    out.text(title, size=14)
    out.text(view.member_name, size=12)
    out.text(_("Closed on %(date)s") % {"date": date_short(view.closed_at.date())}, size=9)

    out.heading(_("What is owed"))
    _reconciliation(out, month_lines(view.reconciliation), view)
    out.text(_("Since then"), style="B")
    _reconciliation(out, since_lines(view.reconciliation), view)
    out.text(payments_hint(), size=9)

    out.heading(_("Work of the month"))
    out.table(
        (130, 50),
        [_("What"), _("Amount")],
        [
            *([[_("Hours"), view.duration]] if view.minutes else []),
            [_("Revenue generated"), _money(view.revenue_cents, view)],
        ],
        numbers=(1,),
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
            numbers=(4,),
        )
    else:
        out.text(_("No prestation counted this month."))
    _share(out, view)
    _rule(out, view)
    _checkpoint(out, view)
    return out.output()


def payments_hint() -> str:
    return _(
        "A payment pays what the cooperative owed on the day it was sent, whatever the month: "
        "a payment made during a month usually pays the months before."
    )


# --- CSV -------------------------------------------------------------------------------------


def _row(section: str, day: str, label: str, cents: int) -> list[str]:
    return [section, day, neutralise(label), format_cents(cents), str(cents)]


def csv_rows(view: MemberStatement) -> Iterator[list[str]]:
    """The statement's lines: each prestation, the share, each fund, the reconciliation."""
    closing_day = Month.parse(view.month).last_day.isoformat()
    for p in view.prestations:
        yield _row("prestation", p.date.isoformat(), prestation_label(p), p.amount_cents)
    yield _row("revenue", closing_day, _("Revenue generated"), view.revenue_cents)
    label = _("To share (income minus expenses)")
    yield _row("distributable", closing_day, label, view.distributable_cents)
    for fund in view.funds:
        yield _row("fund", closing_day, f"{fund.label}: {fund.base_text}", fund.share.cents)
    for line in month_lines(view.reconciliation) + since_lines(view.reconciliation)[1:]:
        day = line.date.isoformat() if line.date else closing_day
        if line.section == "balance":
            day = ""
        yield _row(line.section, day, line.label, line.signed_cents)


def to_csv(view: MemberStatement) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(view))
    return buffer.getvalue()
