"""What the record form shows in its languages field. Pure.

The field is a plain `<select multiple name="languages">` of every language, named in the
reader's language, the cooperative's usual ones first, and a text input of the same name for
languages typed by name; `static/languages.js` turns both into one list that filters as one
types. The form opens with the member's usual languages chosen (Person.languages).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from governance.input.languages import (
    SEPARATORS_RE,
    LanguageChoice,
    choices,
    example,
    parse_languages,
    separated,
)
from governance.ledger.work.work_dates import MonthNotice


@dataclass(frozen=True)
class LanguageField:
    usual: tuple[LanguageChoice, ...]  # the cooperative's members' languages, first
    others: tuple[LanguageChoice, ...]
    selected: frozenset[str]
    typed: str  # what was typed and not understood, given back with its error
    example: str  # two names in the reader's language: "pachto, persan"


def usual_codes(people_languages: Iterable[Sequence[str]], own: Sequence[str]) -> list[str]:
    """The reader's own languages, then the others the members work in, most common first."""
    counts = Counter(code for languages in people_languages for code in dict.fromkeys(languages))
    return list(dict.fromkeys([*own, *(code for code, _ in counts.most_common())]))


def language_field(
    reader: str,
    usual: Sequence[str],
    chosen: Sequence[str] = (),
    posted: Sequence[str] | None = None,
) -> LanguageField:
    """`chosen`: the codes to tick when the form opens; `posted`: the values sent, when the
    form comes back with an error (understood names ticked, the rest left typed)."""
    typed: list[str] = []
    if posted is not None:
        codes: list[str] = []
        for value in posted:
            for piece in SEPARATORS_RE.split(value):
                found = parse_languages([piece], reader)
                codes.extend(found.codes)
                typed.extend(found.unknown)
        chosen = codes
    every = choices(reader)
    wanted = set(usual)
    by_code = {choice.code: choice for choice in every}
    return LanguageField(
        usual=tuple(by_code[code] for code in usual if code in by_code),
        others=tuple(choice for choice in every if choice.code not in wanted),
        selected=frozenset(chosen),
        typed=separated(typed, reader),
        example=example(reader),
    )


def notices_json(notices: Mapping[str, MonthNotice]) -> str:
    """The month notices for the page's script, as a data attribute's JSON."""
    return json.dumps(
        {month: {"kind": n.kind, "text": n.text} for month, n in notices.items()},
        ensure_ascii=False,
        sort_keys=True,
    )
