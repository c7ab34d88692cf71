"""Reading an ISO 20022 camt.053 bank statement (BkToCstmrStmt) into `ParsedStatement`s. Pure.

The version is the root element's namespace, `urn:iso:std:iso:20022:tech:xsd:camt.053.001.NN`:
02 to 13 are read, as the elements used here keep their paths across them (where a path
changed, `camt_entries` reads both). A camt.052 (intraday report) or camt.054 (notification)
is refused with a message that says so, as is any other XML.

The XML is parsed without entities, network or DTD, and a file with a DOCTYPE is refused
before anything else: a statement never needs one, and that closes the door on entity
expansion ("billion laughs") and external entities (XXE).

Each `<Stmt>` gives one statement: its account's IBAN (required), the account's currency (or
the balances'), the statement's id (else its electronic or legal sequence number), its
opening balance (OPBD, else PRCD) and closing balance (CLBD), both required, whose dates give
the statement's first and last day (else `FrToDt`). Its lines are its booked entries
(`camt_entries`), and opening + lines must make closing: a statement that does not add up is
refused rather than half imported (a reversal's sign: see `camt_entries`). Every amount must be
in the statement's currency.

Refused: an account without IBAN, an entry or balance in another currency. Not read: charges,
exchange details and instructed amounts in another currency, value dates, the counterparty's
postal address, BIC and agent, the ultimate debtor and creditor, structured remittance other
than the creditor reference, the statement's pagination (each file is read on its own).
"""

from __future__ import annotations

import re

from lxml import etree

from governance.base.i18n import N_, _
from governance.ledger.bank.camt_entries import (
    Element,
    Xml,
    amount_cents,
    check_currency,
    compact_iban,
    date_choice,
    day_of,
    is_reversal,
    plain,
    read_entry,
    sign_of,
)
from governance.ledger.bank.parsed import BankLine, ParsedStatement, StatementError

VERSIONS = tuple(f"{number:02d}" for number in range(2, 14))
_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.(\d{3})\.001\.(\d{2})")
_DOCTYPE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_OTHER_KINDS = {
    "052": N_("an intraday account report"),
    "054": N_("a debit or credit notification"),
}


def _accepted() -> str:
    return f"camt.053.001.{VERSIONS[0]} - camt.053.001.{VERSIONS[-1]}"


def _parse(data: bytes) -> Element:
    refused = _("This XML file declares a DOCTYPE, which a bank statement never does: refused.")
    if _DOCTYPE.search(data):
        raise StatementError(refused, 1)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        line = error.lineno or 1
        raise StatementError(
            _("This XML file is broken at line %(line)d: %(error)s")
            % {"line": line, "error": error.msg},
            line,
        ) from None
    if root is None:
        raise StatementError(_("This XML file is empty."), 1)
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # e.g. a UTF-16 file
        raise StatementError(refused, 1)
    return root


def _namespace(root: Element) -> tuple[str, str]:
    """The document's namespace and camt.053 version; StatementError for anything else."""
    name = etree.QName(root)
    versions = _accepted()
    found = _NAMESPACE.fullmatch(name.namespace or "")
    if found is None or name.localname != "Document":
        raise StatementError(
            _(
                "This XML file is not a camt.053 bank statement (its root element is"
                " %(root)s): upload a camt.053 statement, versions %(versions)s."
            )
            % {"root": f"<{name.localname}> {name.namespace or ''}".strip(), "versions": versions},
            root.sourceline,
        )
    kind, version = found.groups()
    if kind != "053":
        raise StatementError(
            _(
                "This is a camt.%(kind)s file (%(what)s), not a camt.053 account statement:"
                " ask your bank for the camt.053 statement, versions %(versions)s."
            )
            % {
                "kind": kind,
                "what": _(_OTHER_KINDS.get(kind, N_("another ISO 20022 message"))),
                "versions": _accepted(),
            },
            root.sourceline,
        )
    if version not in VERSIONS:
        raise StatementError(
            _("camt.053.001.%(version)s is a version the app cannot read: it reads %(versions)s.")
            % {"version": version, "versions": _accepted()},
            root.sourceline,
        )
    return name.namespace, version


def _balances(xml: Xml, stmt: Element, number: str) -> tuple[Element, Element]:
    by_code: dict[str, Element] = {}
    for balance in xml.all(stmt, "Bal"):
        by_code.setdefault(xml.text(balance, "Tp/CdOrPrtry/Cd").upper(), balance)
    opening = by_code.get("OPBD", by_code.get("PRCD"))
    closing = by_code.get("CLBD")
    for balance, message in (
        (opening, _("Statement %(number)s (line %(line)d) has no opening balance (OPBD).")),
        (closing, _("Statement %(number)s (line %(line)d) has no closing balance (CLBD).")),
    ):
        if balance is None:
            raise StatementError(
                message % {"number": number, "line": stmt.sourceline}, stmt.sourceline
            )
    return opening, closing


def _balance_cents(xml: Xml, balance: Element, currency: str) -> int:
    amount = xml.first(balance, "Amt")
    if amount is None:
        line = balance.sourceline
        raise StatementError(_("Line %(line)d: the balance has no amount.") % {"line": line}, line)
    check_currency(amount, currency)
    return amount_cents(amount, zero_allowed=True) * sign_of(xml, balance)[1]


def _lines(
    xml: Xml, entries: list[Element], currency: str, *, turn_reversals: bool
) -> list[BankLine]:
    lines: list[BankLine] = []
    for entry in entries:
        lines.extend(
            read_entry(xml, entry, currency, len(lines) + 1, turn_reversals=turn_reversals)
        )
    return lines


def _statement(xml: Xml, stmt: Element, file_format: str) -> ParsedStatement:
    line = stmt.sourceline
    number = xml.text(stmt, "Id") or xml.text(stmt, "ElctrncSeqNb") or xml.text(stmt, "LglSeqNb")
    iban = compact_iban(xml.text(stmt, "Acct/Id/IBAN"))
    if not iban:
        raise StatementError(
            _("Line %(line)d: statement %(number)s has no IBAN: only IBAN accounts can be read.")
            % {"line": line, "number": number},
            line,
        )
    opening, closing = _balances(xml, stmt, number)
    currency = xml.text(stmt, "Acct/Ccy").upper()
    if not currency:
        amount = xml.first(opening, "Amt")
        currency = (amount.get("Ccy") or "").strip().upper() if amount is not None else ""
    opening_cents = _balance_cents(xml, opening, currency)
    closing_cents = _balance_cents(xml, closing, currency)
    span = xml.first(stmt, "FrToDt")
    days = []
    for balance, path in ((opening, "FrDtTm"), (closing, "ToDtTm")):
        day = date_choice(xml, xml.first(balance, "Dt"))
        written = xml.first(span, path) if span is not None else None
        if day is None and written is not None:
            day = day_of(written)
        if day is None:
            raise StatementError(
                _("Line %(line)d: the balance has no date.") % {"line": balance.sourceline},
                balance.sourceline,
            )
        days.append(day)
    entries = xml.all(stmt, "Ntry")
    lines = _lines(xml, entries, currency, turn_reversals=True)
    total = opening_cents + sum(bank_line.amount_cents for bank_line in lines)
    if total != closing_cents and any(is_reversal(xml, entry) for entry in entries):
        as_iso = _lines(xml, entries, currency, turn_reversals=False)
        if opening_cents + sum(bank_line.amount_cents for bank_line in as_iso) == closing_cents:
            lines, total = as_iso, closing_cents
    if total != closing_cents:
        raise StatementError(
            _(
                "Statement %(number)s does not add up: its opening balance %(opening)s and its"
                " lines make %(total)s, but its closing balance is %(closing)s."
            )
            % {
                "number": number,
                "opening": plain(opening_cents),
                "total": plain(total),
                "closing": plain(closing_cents),
            },
            line,
        )
    return ParsedStatement(
        file_format=file_format,
        iban=iban,
        currency=currency,
        number=number,
        from_day=days[0],
        to_day=days[1],
        opening_cents=opening_cents,
        closing_cents=closing_cents,
        lines=tuple(lines),
    )


def read_camt(data: bytes) -> list[ParsedStatement]:
    """The statements of a camt.053 file, in the file's order (none if it holds no `<Stmt>`)."""
    root = _parse(data)
    namespace, version = _namespace(root)
    xml = Xml(namespace)
    report = xml.first(root, "BkToCstmrStmt")
    if report is None:
        raise StatementError(_("This camt.053 file has no BkToCstmrStmt element."), root.sourceline)
    file_format = f"camt.053.001.{version}"
    return [_statement(xml, stmt, file_format) for stmt in xml.all(report, "Stmt")]
