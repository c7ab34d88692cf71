"""What may be typed in a field: invisible and direction-changing characters (docs/text.md).

Pure functions on strings, no I/O and no translations: `problem` names what is wrong with a
value (or None), the form reader (governance/input/forms.py) turns that into the reader's message.

Three levels, strictest first:

- IDENTIFIER (e-mail addresses, slugs, IBAN, BIC, VAT numbers, phone numbers): no control,
  format or invisible character at all.
- NAME (every single-line field: names of people, cooperatives and clients, titles, notes):
  no control character, no direction control or mark, no invisible character; the joiners
  U+200C and U+200D only between two letters of a script that needs them (Persian, Arabic,
  Indic scripts) and U+200D between emoji, a variation selector only after a symbol.
- FREE (multi-line text: comments, reasons, an address): line breaks and tabs; the direction
  marks U+200E, U+200F and U+061C and the joiners anywhere (mixed Arabic and French writing
  uses them); still no embedding, override or isolate control, nor invisible characters.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum

# Numbers copied from an Arabic page arrive in Arabic-Indic digits.
ASCII_DIGITS = {0x0660 + d: str(d) for d in range(10)} | {0x06F0 + d: str(d) for d in range(10)}


class Level(StrEnum):
    IDENTIFIER = "identifier"
    NAME = "name"
    FREE = "free"


class Problem(StrEnum):
    CONTROL = "control"  # control characters, line separators in a single line, surrogates
    DIRECTION = "direction"  # bidi embeddings, overrides, isolates (and marks outside FREE)
    INVISIBLE = "invisible"  # zero-width and other format characters, blank look-alikes


# Embeddings, overrides (U+202A-U+202E) and isolates (U+2066-U+2069): they change the order
# in which the rest of the line is shown ("a\u202e@b.example" shows as "a@elpmaxe.b").
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Marks: invisible strong characters (left-to-right, right-to-left, Arabic letter mark).
DIRECTION_MARKS = frozenset("\u200e\u200f\u061c")
JOINERS = frozenset("\u200c\u200d")  # zero-width non-joiner, zero-width joiner
# Not format characters, but shown as nothing: a name made of them looks empty or like another.
BLANK_LOOKALIKES = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
# Scripts in which a joiner changes how letters join (a Persian plural "کتاب‌ها").
JOINING_SCRIPTS = frozenset(
    {
        "ARABIC", "SYRIAC", "NKO", "MANDAIC", "MONGOLIAN", "DEVANAGARI", "BENGALI",
        "GURMUKHI", "GUJARATI", "ORIYA", "TAMIL", "TELUGU", "KANNADA", "MALAYALAM",
        "SINHALA", "MYANMAR", "KHMER", "TIBETAN",
    }
)  # fmt: skip


def _is_variation_selector(char: str) -> bool:
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def _script(char: str) -> str:
    return unicodedata.name(char, "").split(" ", 1)[0]


def _is_emoji_part(char: str) -> bool:
    """A pictograph, a skin tone, or the selector that makes one a picture."""
    return unicodedata.category(char) in {"So", "Sk"} or _is_variation_selector(char)


def _joiner_allowed(value: str, index: int) -> bool:
    """Whether the joiner at `index` sits between two characters it changes."""
    if index == 0 or index == len(value) - 1:
        return False
    before, after = value[index - 1], value[index + 1]
    if _script(before) in JOINING_SCRIPTS and _script(after) in JOINING_SCRIPTS:
        return True
    return value[index] == "\u200d" and _is_emoji_part(before) and _is_emoji_part(after)


def _char_problem(value: str, index: int, level: Level) -> Problem | None:
    char = value[index]
    category = unicodedata.category(char)
    if category in {"Cc", "Cs"}:
        allowed = "\n\t" if level == Level.FREE else ""
        return None if char in allowed else Problem.CONTROL
    if category in {"Zl", "Zp"}:
        return None if level == Level.FREE else Problem.CONTROL
    if char in DIRECTION_CONTROLS:
        return Problem.DIRECTION
    if char in DIRECTION_MARKS:
        return None if level == Level.FREE else Problem.DIRECTION
    if char in JOINERS:
        if level == Level.FREE or (level == Level.NAME and _joiner_allowed(value, index)):
            return None
        return Problem.INVISIBLE
    if _is_variation_selector(char):
        previous = unicodedata.category(value[index - 1]) if index else ""
        ok = level != Level.IDENTIFIER and previous in {"So", "Sm", "Lo"}
        return None if ok else Problem.INVISIBLE
    if category == "Cf" or char in BLANK_LOOKALIKES:
        return Problem.INVISIBLE
    if level == Level.IDENTIFIER and category.startswith("Z") and char != " ":
        # A no-break or thin space in an address or an account number looks like nothing.
        return Problem.INVISIBLE
    return None


def problem(value: str, level: Level = Level.NAME) -> Problem | None:
    """The first kind of character `value` may not contain at this level, or None."""
    for index in range(len(value)):
        found = _char_problem(value, index, level)
        if found is not None:
            return found
    return None


def is_clean(value: str, level: Level = Level.NAME) -> bool:
    return problem(value, level) is None


def normalise(value: str) -> str:
    """NFC, so that the same name typed on two devices is stored and compared the same."""
    return unicodedata.normalize("NFC", value)


def isolate(value: str) -> str:
    """`value` between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: where no HTML element
    can isolate it (a page title, a mail subject), it keeps its own direction and does not
    turn the text around it, whatever it contains (a direction control stored before these
    rules is dropped: it could close the isolate early)."""
    kept = "".join(c for c in value if c not in DIRECTION_CONTROLS)
    return f"\u2068{kept}\u2069"
