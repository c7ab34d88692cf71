"""What a reader must never see: the codes the application stores (rule templates, funds, keys,
cost categories, kinds of work, states, vote methods and choices, account codes, English
journal memos), read from the code and from the database, and the visible text of a page.

Used by tests/integration/app/test_no_raw_codes.py. Pure, but for `codes_of` and `user_text`,
which read the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from typing import Any

from sqlmodel import select

from governance.auth.models import Person
from governance.base import i18n
from governance.language import labels
from governance.ledger.billing.models import InvoiceKind, Payment
from governance.ledger.books.kinds import ClientKind, PeriodState
from governance.ledger.books.models import Account, Client, JournalEntry
from governance.ledger.costs import costs
from governance.ledger.costs.models import Cost
from governance.ledger.payouts.models import PayoutLine
from governance.ledger.payouts.states import PayoutState
from governance.ledger.sharing import rules
from governance.ledger.work.day_work import day_kinds
from governance.ledger.work.models import Contest, Prestation
from governance.ledger.work.prestation_input import kinds_of
from governance.ledger.work.statuses import ContestStatus, PrestationStatus
from governance.members import MembershipStatus, Role
from governance.members.models import Cooperative
from governance.votes.counting import methods
from governance.votes.counting.kinds import ProposalKind, ProposalState, Visibility
from governance.votes.models import Ballot, Proposal, ProposalComment

# Elements whose content is not read on the page; and code shown as code, on purpose (the
# templates' names beside a JSON rule, a spreadsheet's column names, a command to type).
_UNSEEN = {"script", "style", "template", "code", "pre", "kbd", "samp"}
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
_BLOCK = {
    "p", "div", "li", "tr", "td", "th", "br", "h1", "h2", "h3", "h4", "h5", "h6", "option",
    "dt", "dd", "section", "article", "header", "footer", "nav", "table", "ul", "ol", "label",
    "button", "summary", "details", "title", "caption", "figcaption", "legend", "main",
}  # fmt: skip


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.unseen = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _UNSEEN:
            self.unseen += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _UNSEEN:
            self.unseen = max(0, self.unseen - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.unseen:
            self.parts.append(data)


def visible_text(page: str) -> str:
    """The text a reader sees: no scripts, styles or attributes (hidden inputs, data-*), but
    the options of a list and the page's title; one space between words, lines kept."""
    parser = _Text()
    parser.feed(page)
    parser.close()
    text = "".join(parser.parts)
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


@dataclass
class Codes:
    """Codes by how they can be told from words: `marked` ones (with `_` or `:`) are never
    words; `plain` ones are English words, leaks only where English is not the language;
    `memos` are the journal's English memos, as patterns."""

    marked: set[str] = field(default_factory=set)
    plain: set[str] = field(default_factory=set)
    families: set[str] = field(default_factory=set)  # account code prefixes: cost, fund, …
    memos: set[str] = field(default_factory=set)  # regular expressions

    def add(self, values: Iterable[str]) -> None:
        for value in values:
            if not value or not re.fullmatch(r"[a-z][a-z0-9_:]*", value):
                continue
            (self.marked if ("_" in value or ":" in value) else self.plain).add(value)


def _memo_pattern(memo: str) -> str:
    """`close 2026-10` -> `close \\d{4}-\\d{2}`; `payout batch 3` -> `payout batch \\d+`; the
    words after a cost category's colon (a supplier, a vote's title) are the user's."""
    head = memo.split(": ", 1)[0] if ": " in memo else memo
    escaped = re.escape(head)
    escaped = re.sub(r"\d{4}\\-\d{2}", r"\\d{4}-\\d{2}", escaped)
    escaped = re.sub(r"\d+", r"\\d+", escaped)
    return escaped + (":" if ": " in memo else "")


def static_codes() -> Codes:
    """The codes named in the application's code."""
    found = Codes()
    found.add(rules.TEMPLATES)
    found.add(rules.KEYS + rules.FUNDS + rules.ELIGIBILITY + rules.BASES)
    found.add(costs.DEFAULT_CATEGORIES)
    found.add(labels.KIND_LABELS)
    for enum in (
        ClientKind,
        PeriodState,
        PrestationStatus,
        InvoiceKind,
        ContestStatus,
        PayoutState,
        ProposalKind,
        ProposalState,
        Visibility,
        Role,
        MembershipStatus,
    ):
        found.add(member.value for member in enum)
    found.add(methods.METHODS + methods.APPROVAL_CHOICES + methods.CONSENT_CHOICES)
    return found


async def codes_of(session: Any) -> Codes:
    """The static codes, plus what the database holds: each cooperative's cost categories and
    kinds of work, the account codes and their families, the journal's memos."""
    found = static_codes()
    async with session.begin():
        for coop in (await session.exec(select(Cooperative))).all():
            found.add(costs.categories_of(coop.settings))
            found.add(kinds_of(coop.settings))
            found.add(day_kinds(coop.settings))
        for code in (await session.exec(select(Account.code))).all():
            family, colon, _rest = code.partition(":")
            if colon:
                found.families.add(family)
            found.add([code])
        for memo in (await session.exec(select(JournalEntry.memo).distinct())).all():
            if memo and re.match(r"[a-z]", memo):
                found.memos.add(_memo_pattern(memo))
    return found


async def user_text(session: Any) -> list[str]:
    """What people of the demo typed (names, titles, notes, reasons, suppliers, addresses):
    their words are theirs, a leak is only what the application wrote."""
    columns = (
        (Client, ("name", "address")),
        (Prestation, ("note", "rejection_reason")),
        (Cost, ("supplier", "note")),
        (Payment, ("reference",)),
        (Contest, ("comment", "resolution")),
        (PayoutLine, ("name",)),
        (Proposal, ("title", "body")),
        (Ballot, ("reason",)),
        (ProposalComment, ("body",)),
        (Cooperative, ("name", "legal_name", "address")),
        (Person, ("name", "account_holder")),
    )
    found: set[str] = set()
    async with session.begin():
        for model, names in columns:
            for row in (await session.exec(select(model))).all():
                for name in names:
                    value = getattr(row, name) or ""
                    found |= {line.strip() for line in str(value).splitlines() if line.strip()}
                if isinstance(row, Proposal):
                    found |= {
                        str(o.get("label", ""))
                        for o in row.options
                        if o.get("label") not in rules.TEMPLATES
                    }
    return sorted((t for t in found if len(t) > 2), key=len, reverse=True)


@cache
def catalogue_words(language: str) -> set[str]:
    """The words the language's own translations use (Dutch writes `reserve`, `training`):
    such a word on a page in that language may be the translation, not the code."""
    catalogue = getattr(i18n.translations(language), "_catalog", {})
    words: set[str] = set()
    for key, value in catalogue.items():
        message = key[0] if isinstance(key, tuple) else key
        if not isinstance(value, str):
            continue
        found = [w.casefold() for w in re.findall(r"\w+", re.sub(r"%\(\w+\)\w", "", value))]
        english = {w.casefold() for w in re.findall(r"\w+", message)}
        # Not an English copy (an untranslated message, or its plural in English).
        if sum(w in english for w in found) * 2 <= len(found):
            words |= set(found)
    return words


@cache
def english_words() -> set[str]:
    """The words of the application's English messages (the catalogue's message ids)."""
    catalogue = getattr(i18n.translations("fr"), "_catalog", {})
    words: set[str] = set()
    for key in catalogue:
        message = key[0] if isinstance(key, tuple) else key
        words |= {w.casefold() for w in re.findall(r"[A-Za-z]{2,}", message)}
    return words


def _line(text: str, at: int) -> str:
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return text[start : end if end >= 0 else len(text)]


def _in_english_prose(line: str, codes: Codes, language: str) -> bool:
    """A line with two English words or more that are neither codes, nor memos, nor words of
    the page's language: a message not translated yet (tests/unit/base/test_translations.py fails
    on it), where `closed` or `invoice` is English, not a code."""
    for memo in codes.memos:
        line = re.sub(memo, " ", line)
    own = catalogue_words(language)
    english = {
        w
        for w in re.findall(r"[A-Za-z][\w:]+", line, re.ASCII)
        if w.casefold() in english_words()
        and w.casefold() not in own
        and w not in codes.plain
        and w not in codes.marked
    }
    return len(english) >= 2


@dataclass(frozen=True)
class Leak:
    code: str
    context: str


def find_codes(text: str, codes: Codes, language: str, mine: list[str]) -> list[Leak]:
    """The codes in a page's (or mail's) visible text, each with the words around it. The
    demo's own user text is blanked out first; plain-word codes are searched only outside
    English, and not where the language's own translations use the same word."""
    for typed in mine:
        if typed in text:
            text = text.replace(typed, " " * len(typed))
    leaks: list[Leak] = []

    def hits(code: str, pattern: str, prose: bool = False) -> None:
        for hit in re.finditer(pattern, text):
            if prose and _in_english_prose(_line(text, hit.start()), codes, language):
                continue
            start, end = max(0, hit.start() - 50), hit.end() + 50
            leaks.append(Leak(code, text[start:end].replace("\n", " ⏎ ")))

    for code in sorted(codes.marked):
        hits(code, rf"(?<![\w:]){re.escape(code)}(?![\w])")
    for family in sorted(codes.families):
        hits(f"{family}:", rf"(?<![\w:]){re.escape(family)}:(?=[\w])")
    for memo in sorted(codes.memos):
        hits(memo, rf"(?<![\w]){memo}(?![\w])")
    if language != "en":
        words = catalogue_words(language)
        for code in sorted(codes.plain):
            if code not in words:
                hits(code, rf"(?<![\w:]){re.escape(code)}(?![\w])", prose=True)
    return leaks


def route_pattern(url: str) -> str:
    """`/c/univerbal/work/12?month=2026-10` -> `/c/univerbal/work/{n}?month={m}`."""
    path, _q, query = url.partition("?")
    path = re.sub(r"/\d{4}-\d{2}(?=/|$)", "/{m}", path)
    path = re.sub(r"/\d+(?=/|$)", "/{n}", path)
    path = re.sub(r"/[A-Za-z0-9_-]{16,}(?=/|$)", "/{t}", path)
    if not query:
        return path
    keys = []
    for part in sorted(query.split("&")):
        key, _e, value = part.partition("=")
        value = re.sub(r"^\d{4}-\d{2}$", "{m}", value)
        value = re.sub(r"^\d+$", "{n}", value)
        keys.append(f"{key}={value if value.startswith('{') else '…'}")
    return f"{path}?{'&'.join(keys)}"
