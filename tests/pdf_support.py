"""Reading PDFs back (pdftotext): lines with their positions, bidi marks, Arabic shaping."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from governance.base import i18n

BIDI_MARKS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


def lines_of(pdf: bytes, tmp_path: Path) -> list[Line]:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    root = ET.fromstring(re.sub(r'xmlns="[^"]+"', "", xml, count=1))
    found = []
    for page, element in enumerate(root.iter("page")):
        for line in element.iter("line"):
            words = list(line.iter("word"))
            # Visual order is left to right; a line with Arabic is read from the right.
            arabic = any(ARABIC.search(w.text or "") for w in words)
            words.sort(key=lambda w: float(w.get("xMin", 0)) * (-1 if arabic else 1))
            found.append(
                Line(
                    text=" ".join(_logical(w.text or "") for w in words),
                    x_min=float(line.get("xMin", 0)),
                    x_max=float(line.get("xMax", 0)),
                    y=page * 10_000 + float(line.get("yMin", 0)),
                )
            )
    return found


def plain(text: str) -> str:
    """Compared without harakat (pdftotext splits a line at them) or bidi marks and
    isolates (invisible), and with lam-alef as pdftotext gives the ligature back (alef
    first)."""
    return LAM_ALEF.sub("\\1\u0644", HARAKAT.sub("", BIDI_MARKS.sub("", text)))


A4_WIDTH = 595.28  # points


def find(lines: list[Line], label: str) -> Line:
    matches = [line for line in lines if plain(line.text) == plain(label)]
    assert matches, f"{label!r} not found in {[line.text for line in lines]}"
    return matches[0]


def at_right_margin(line: Line) -> bool:
    return line.x_max > A4_WIDTH - MARGIN - 8 and line.x_min > A4_WIDTH / 3


def on_the_left(line: Line) -> bool:
    return line.x_min < MARGIN + 8 and line.x_max < A4_WIDTH / 3


def ar(message: str) -> str:
    with i18n.language("ar"):
        return i18n.gettext(message)


MARGIN = 28.35  # fpdf2's default margin, 1 cm


HARAKAT = re.compile("[\u064b-\u0652]")


ARABIC = re.compile("[\u0600-\u06ff]")


LAM_ALEF = re.compile("\u0644([\u0627\u0623\u0625\u0622])")


@dataclass(frozen=True)
class Line:
    text: str  # the words in reading order (right to left for Arabic)
    x_min: float
    x_max: float
    y: float


def _logical(word: str) -> str:
    """pdftotext gives an Arabic word's glyphs in visual order: reversed, it reads."""
    return word[::-1] if ARABIC.search(word) else word
