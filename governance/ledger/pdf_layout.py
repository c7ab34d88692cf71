"""A page of a PDF (fpdf2) laid out in the reader's direction: statements and invoices.

Text is shaped by HarfBuzz (uharfbuzz) with DejaVu Sans, so names in any script print as
typed. For a right-to-left language (Arabic) the whole document is mirrored, as the web page
is: paragraphs are shaped with a right-to-left base direction (so "12/11/2026", amounts and
Latin names sit where an Arabic reader expects them) and aligned to the right margin; tables
list their columns from right to left, the label column on the right, text cells aligned to
the start of the line (the right) and amounts to its end (the left), the mirror of a French
table. Hashes, signatures and commands stay left to right: they are not words.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF

from governance.base.i18n import direction

FONT = Path(
    os.environ.get("GOVERNANCE_PDF_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
)
MONO = FONT.with_name("DejaVuSansMono.ttf")


class FontMissing(RuntimeError):
    """The PDF font is not installed (apt-get install fonts-dejavu-core)."""


class Page:
    """An A4 document in the current language's direction."""

    def __init__(self, title: str) -> None:
        if not FONT.exists():
            raise FontMissing(str(FONT))
        self.rtl = direction() == "rtl"
        pdf = FPDF(format="A4")
        pdf.set_creator("governance")
        pdf.set_title(title)
        pdf.add_font("DejaVu", "", str(FONT))
        bold = FONT.with_name(FONT.stem + "-Bold" + FONT.suffix)
        pdf.add_font("DejaVu", "B", str(bold if bold.exists() else FONT))
        pdf.add_font("DejaVuMono", "", str(MONO if MONO.exists() else FONT))
        self.pdf = pdf
        self._shaping(self.rtl)
        pdf.set_auto_page_break(True, margin=15)
        pdf.add_page()
        self.start = "R" if self.rtl else "L"

    def _shaping(self, rtl: bool) -> None:
        if rtl:
            self.pdf.set_text_shaping(use_shaping_engine=True, direction="rtl")
        else:
            self.pdf.set_text_shaping(use_shaping_engine=True, direction="ltr")

    def ltr(self, text: str) -> str:
        """An identifier (an invoice number, a structured communication, an IBAN) kept left to
        right inside a right-to-left sentence: "2026-0001" would read "0001-2026" otherwise.
        Isolated with U+2066…U+2069, which fpdf2's bidi algorithm honours; as is in LTR."""
        return f"\u2066{text}\u2069" if self.rtl and text else text

    def isolate(self, text: str) -> str:
        """A line typed by someone (an address, a name) in its own direction inside a
        right-to-left page: "4000 Liège" stays so, not "Liège 4000". First-strong isolate
        (U+2068…U+2069); as is in LTR."""
        return f"\u2068{text}\u2069" if self.rtl and text else text

    def _leading(self) -> float:
        """A line's height: the font's size and a third (Arabic letters reach higher and
        lower than Latin ones; a bare font size made lines touch)."""
        return float(self.pdf.font_size) * 1.35

    def text(self, *lines: str, size: int = 10, style: str = "") -> None:
        """Each non-empty line as a paragraph aligned to the start, wrapped at the margin.
        Text is written as typed: fpdf2 encodes it, and nothing is read as markup."""
        self.pdf.set_font("DejaVu", style, size=size)
        for line in lines:
            if line:
                self.pdf.multi_cell(
                    w=0,
                    h=self._leading(),
                    text=line,
                    align=self.start,
                    new_x="LMARGIN",
                    new_y="NEXT",
                )

    def heading(self, text: str) -> None:
        self.pdf.ln(4)
        self.text(text, size=13, style="B")
        self.pdf.ln(1)

    def space(self, height: float) -> None:
        self.pdf.ln(height)

    def mono(self, *lines: str) -> None:
        """Hashes and commands: left to right in every language."""
        self._shaping(False)
        self.pdf.set_font("DejaVuMono", size=8)
        for line in lines:
            self.pdf.multi_cell(
                w=0, h=self._leading(), text=line, align="L", new_x="LMARGIN", new_y="NEXT"
            )
        self._shaping(self.rtl)

    def table(
        self,
        widths: Sequence[int],
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        numbers: Sequence[int] = (),
        size: int = 9,
    ) -> None:
        """Columns as a French reader reads them, left to right; mirrored for right to left.
        `numbers`: the columns of amounts (indices), aligned to the end of the line."""
        self.pdf.set_font("DejaVu", size=size)
        start, end = ("RIGHT", "LEFT") if self.rtl else ("LEFT", "RIGHT")
        align = [end if i in numbers else start for i in range(len(widths))]
        order = list(range(len(widths)))
        if self.rtl:
            order.reverse()
        with self.pdf.table(
            col_widths=tuple(widths[i] for i in order),
            text_align=tuple(align[i] for i in order),
            first_row_as_headings=True,
        ) as table:
            table.row([header[i] for i in order])
            for row in rows:
                table.row([row[i] for i in order])
        self.pdf.ln(2)

    def output(self) -> bytes:
        return bytes(self.pdf.output())
