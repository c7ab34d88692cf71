"""The entries (`<Ntry>`) of an ISO 20022 camt.053 statement, as `BankLine`s. Pure; `camt.py`
reads the statement around them.

Only booked entries count (`<Sts>BOOK</Sts>` up to version 06, `<Sts><Cd>BOOK</Cd></Sts>`
from 07 on; both shapes are accepted in every version); pending and information entries are
skipped. An entry's sign is its `CdtDbtInd` (CRDT +, DBIT -), turned round when `RvslInd` is
true and `turn_reversals` is (the indicator then gives the direction of the booking reversed;
`camt.py` reads a statement the other way, as ISO 20022's usage rule has it, only when that
is the only way it adds up). Amounts have at most 2 decimals other than 0 and are above 0.

A batch booking (one entry, several `<TxDtls>`) becomes one line per `<TxDtls>`, each with its
own amount in the statement's currency (`TxDtls/Amt` from version 03 on; in version 02
`AmtDtls/TxAmt/Amt`, else `AmtDtls/CntrValAmt/Amt`), whose sum must be the entry's amount.
A single `<TxDtls>` without such an amount takes the entry's. Texts are trimmed and their runs
of white space made one space. The communication is a valid Belgian structured communication
of `RmtInf/Strd/CdtrRefInf/Ref`, else (without `Strd`) of `RmtInf/Ustrd`; other references go
to the text, with the unstructured remittance and the bank's additional information.

The counterparty is the debtor of a credit and the creditor of a debit (`RltdPties`; version
02 writes `Dbtr/Nm`, version 08 `Dbtr/Pty/Nm`: both are read); when the file names only the
other party (some banks name the original roles in a reversal), that one is taken.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from stdnum.be import ogm_vcs

from governance.base.i18n import _
from governance.ledger.bank.parsed import BankLine, StatementError

Element = Any  # an lxml element: lxml ships no type hints

_AMOUNT = re.compile(r"\d{1,15}(?:\.\d{1,5})?")
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})?")
_DATE_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")
# +++123/4567/89002+++, ***123/4567/89002***, 123/4567/89002 or 123456789002.
_OGM = re.compile(r"(\+{3}|\*{3})?(\d{3})/?(\d{4})/?(\d{5})(?(1)\1)")
_OGM_IN_TEXT = re.compile(r"(\+{3}|\*{3})(\d{3})/?(\d{4})/?(\d{5})\1")
NOT_PROVIDED = "NOTPROVIDED"
# Where a <TxDtls> gives its amount: from version 03 on, then version 02's amount details.
_TRANSACTION_AMOUNTS = ("Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/CntrValAmt/Amt")


def clean(text: str | None) -> str:
    """Trimmed, each run of white space (new lines included) made one space."""
    return " ".join(text.split()) if text else ""


def compact_iban(text: str) -> str:
    return "".join(text.split()).upper()


def plain(cents: int) -> str:
    """`-123456` -> `"-1234.56"`: the figure as the file writes it, for messages."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def structured_communication(text: str) -> str:
    """The 12 digits of a valid Belgian structured communication written as `text`, else ""."""
    found = _OGM.fullmatch(text.strip())
    if found is None:
        return ""
    digits = "".join(found.group(2, 3, 4))
    return digits if ogm_vcs.is_valid(digits) else ""


class Xml:
    """Finds elements by paths written without prefix ("Acct/Id/IBAN") in the document's own
    namespace, whatever prefix the file gives it."""

    def __init__(self, namespace: str) -> None:
        self._prefix = f"{{{namespace}}}" if namespace else ""
        self._paths: dict[str, str] = {}

    def _path(self, path: str) -> str:
        found = self._paths.get(path)
        if found is None:
            found = "/".join(self._prefix + step for step in path.split("/"))
            self._paths[path] = found
        return found

    def first(self, element: Element, path: str) -> Element | None:
        return element.find(self._path(path))

    def all(self, element: Element, path: str) -> list[Element]:
        return list(element.iterfind(self._path(path)))

    def text(self, element: Element, path: str) -> str:
        found = element.find(self._path(path))
        return clean(found.text) if found is not None else ""


def amount_cents(element: Element, *, zero_allowed: bool = False) -> int:
    """The unsigned amount of an `<Amt>` element in cents; at most 2 decimals that count."""
    text = clean(element.text)
    line = element.sourceline
    if not _AMOUNT.fullmatch(text):
        raise StatementError(
            _("Line %(line)d: the amount %(amount)s is not a number with at most 2 decimals.")
            % {"line": line, "amount": text or '""'},
            line,
        )
    cents = Decimal(text) * 100
    if cents != cents.to_integral_value():
        raise StatementError(
            _("Line %(line)d: the amount %(amount)s has more than 2 decimals.")
            % {"line": line, "amount": text},
            line,
        )
    if not cents and not zero_allowed:
        raise StatementError(
            _("Line %(line)d: an entry's amount must be more than 0.") % {"line": line}, line
        )
    return int(cents)


def check_currency(element: Element, currency: str) -> None:
    written = clean(element.get("Ccy")).upper()
    if written != currency:
        line = element.sourceline
        raise StatementError(
            _("Line %(line)d: the amount is in %(found)s, but the statement is in %(currency)s.")
            % {"line": line, "found": written or "?", "currency": currency},
            line,
        )


def day_of(element: Element) -> dt.date:
    """The day of an ISODate or ISODateTime element, as the bank wrote it."""
    text = clean(element.text)
    found = _DATE.fullmatch(text) or _DATE_TIME.fullmatch(text)
    try:
        if found is None:
            raise ValueError(text)
        return dt.date.fromisoformat(found.group(1))
    except ValueError:
        line = element.sourceline
        raise StatementError(
            _("Line %(line)d: %(date)s is not a date.") % {"line": line, "date": text or '""'},
            line,
        ) from None


def date_choice(xml: Xml, element: Element | None) -> dt.date | None:
    """The day of a DateAndDateTimeChoice (`<Dt>` or `<DtTm>` inside `element`)."""
    if element is None:
        return None
    inner = xml.first(element, "Dt")
    if inner is None:
        inner = xml.first(element, "DtTm")
    return day_of(inner) if inner is not None else None


def sign_of(xml: Xml, element: Element, default: str = "") -> tuple[str, int]:
    """The element's `CdtDbtInd` (or `default`) and its sign."""
    indicator = xml.text(element, "CdtDbtInd").upper() or default
    if indicator not in ("CRDT", "DBIT"):
        line = element.sourceline
        raise StatementError(
            _("Line %(line)d: CdtDbtInd must be CRDT or DBIT, not %(found)s.")
            % {"line": line, "found": indicator or '""'},
            line,
        )
    return indicator, 1 if indicator == "CRDT" else -1


def is_reversal(xml: Xml, entry: Element) -> bool:
    return xml.text(entry, "RvslInd").lower() in ("true", "1")


def _bank_code(xml: Xml, entry: Element) -> str:
    domain = xml.first(entry, "BkTxCd/Domn")
    if domain is not None:
        parts = ("Cd", "Fmly/Cd", "Fmly/SubFmlyCd")
        return "/".join(xml.text(domain, part) for part in parts)
    return xml.text(entry, "BkTxCd/Prtry/Cd")


def _counterparty(xml: Xml, tx: Element, indicator: str) -> tuple[str, str]:
    roles = [("Dbtr", "DbtrAcct"), ("Cdtr", "CdtrAcct")]
    if indicator == "DBIT":
        roles.reverse()
    for party, account in roles:
        name = xml.text(tx, f"RltdPties/{party}/Nm") or xml.text(tx, f"RltdPties/{party}/Pty/Nm")
        iban = compact_iban(xml.text(tx, f"RltdPties/{account}/Id/IBAN"))
        if name or iban:
            return name, iban
    return "", ""


def _remittance(xml: Xml, tx: Element) -> tuple[str, list[str]]:
    """The structured communication of a `<TxDtls>` and its texts, in the file's order."""
    communication = ""
    texts: list[str] = []
    structured = xml.all(tx, "RmtInf/Strd")
    references = [xml.text(strd, "CdtrRefInf/Ref") for strd in structured]
    for reference in filter(None, references):
        digits = structured_communication(reference)
        if digits and not communication:
            communication = digits
        else:  # a creditor reference (RF...) or a number that is not a valid one
            texts.append(reference)
    unstructured = clean(" ".join(clean(part.text) for part in xml.all(tx, "RmtInf/Ustrd")))
    if not structured and unstructured:
        digits = structured_communication(unstructured)
        if digits:
            communication, unstructured = digits, ""
        elif (found := _OGM_IN_TEXT.search(unstructured)) is not None:
            digits = "".join(found.group(2, 3, 4))
            communication = digits if ogm_vcs.is_valid(digits) else ""
    texts.append(unstructured)
    texts.extend(clean(info.text) for info in xml.all(tx, "AddtlTxInf"))
    return communication, texts


def _transaction_cents(
    xml: Xml, tx: Element, currency: str, sign: int, flip: int
) -> tuple[str | None, int | None]:
    """The `<TxDtls>`' own indicator (None if it has none) and signed amount in the statement's
    currency (None if it gives none: a foreign transfer may give only the instructed amount)."""
    indicator = None
    if xml.first(tx, "CdtDbtInd") is not None:
        indicator, sign = sign_of(xml, tx)
    for path in _TRANSACTION_AMOUNTS:
        amount = xml.first(tx, path)
        if amount is not None and clean(amount.get("Ccy")).upper() == currency:
            return indicator, amount_cents(amount) * sign * flip
    return indicator, None


def read_entry(
    xml: Xml, entry: Element, currency: str, position: int, *, turn_reversals: bool = True
) -> list[BankLine]:
    """The lines of one `<Ntry>`, numbered from `position`; none unless it is booked."""
    line = entry.sourceline
    status = xml.text(entry, "Sts/Cd") or xml.text(entry, "Sts/Prtry") or xml.text(entry, "Sts")
    if status.upper() != "BOOK":
        return []
    amount = xml.first(entry, "Amt")
    if amount is None:
        raise StatementError(_("Line %(line)d: the entry has no amount.") % {"line": line}, line)
    check_currency(amount, currency)
    indicator, sign = sign_of(xml, entry)
    flip = -1 if turn_reversals and is_reversal(xml, entry) else 1
    entry_cents = amount_cents(amount) * sign * flip
    booked_on = date_choice(xml, xml.first(entry, "BookgDt"))
    booked_on = booked_on or date_choice(xml, xml.first(entry, "ValDt"))
    if booked_on is None:
        raise StatementError(
            _("Line %(line)d: the entry has no booking date.") % {"line": line}, line
        )
    reference = xml.text(entry, "AcctSvcrRef") or xml.text(entry, "NtryRef")
    bank_code = _bank_code(xml, entry)
    entry_info = xml.text(entry, "AddtlNtryInf")
    details = xml.all(entry, "NtryDtls/TxDtls")
    amounts = [_transaction_cents(xml, tx, currency, sign, flip) for tx in details]
    batch = len(details) > 1
    if batch and any(cents is None for _indicator, cents in amounts):
        raise StatementError(
            _(
                "Line %(line)d: an entry with several transactions must give each one's amount"
                " in the statement's currency."
            )
            % {"line": line},
            line,
        )
    total = sum(cents if cents is not None else entry_cents for _indicator, cents in amounts)
    if details and total != entry_cents:
        raise StatementError(
            _("Line %(line)d: the entry's transactions make %(total)s, but the entry is %(entry)s.")
            % {"line": line, "total": plain(total), "entry": plain(entry_cents)},
            line,
        )
    lines = []
    for index, (tx, (tx_indicator, cents)) in enumerate(zip(details, amounts, strict=True), 1):
        communication, texts = _remittance(xml, tx)
        name, iban = _counterparty(xml, tx, tx_indicator or indicator)
        own_reference = xml.text(tx, "Refs/AcctSvcrRef")
        if batch:
            tx_reference = own_reference or (f"{reference}/{index}" if reference else "")
        else:
            tx_reference = xml.text(entry, "AcctSvcrRef") or own_reference or reference
        end_to_end = xml.text(tx, "Refs/EndToEndId")
        lines.append(
            BankLine(
                position=position + index - 1,
                file_line=tx.sourceline if batch else line,
                booked_on=booked_on,
                amount_cents=cents if cents is not None else entry_cents,
                bank_reference=tx_reference,
                end_to_end_id="" if end_to_end.upper() == NOT_PROVIDED else end_to_end,
                communication=communication,
                text=clean(" ".join([*texts, entry_info])),
                counterparty_name=name,
                counterparty_iban=iban,
                bank_code=_bank_code(xml, tx) or bank_code,
            )
        )
    if lines:
        return lines
    return [
        BankLine(
            position=position,
            file_line=line,
            booked_on=booked_on,
            amount_cents=entry_cents,
            bank_reference=reference,
            end_to_end_id="",
            communication="",
            text=entry_info,
            counterparty_name="",
            counterparty_iban="",
            bank_code=bank_code,
        )
    ]
