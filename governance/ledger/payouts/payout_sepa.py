"""The SEPA credit-transfer file (pain.001.001.03) of a payout batch, and its texts. Pure.

Creditor names are the account holders' names the members wrote on their profile, already in
SEPA's Latin character set (checked again here: a name outside it stops the file). The
cooperative's own name loses its accents (`sepa_text`), as banks print it. Each transfer's
remittance text names the months it pays ("Univerbal parts 10/2026 11/2026"), within the 140
characters a bank carries.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sepaxml import SepaTransfer
from sepaxml.validation import ValidationError as SepaValidationError
from text_unidecode import unidecode

from governance.base import i18n
from governance.base.errors import Conflict, Invalid
from governance.base.i18n import _, ngettext
from governance.input.sepa import SEPA_NAME_RE
from governance.language.months import Month

SCHEMA = "pain.001.001.03"
REMITTANCE_LIMIT = 140
NAME_LIMIT = 70
# The characters every SEPA bank accepts in names and remittance texts (EPC's Latin set).
_NOT_SEPA_RE = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]+")


class Debtor(Protocol):
    """The cooperative as the file names it (members.models.Cooperative)."""

    @property
    def name(self) -> str: ...
    @property
    def legal_name(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def iban(self) -> str: ...
    @property
    def bic(self) -> str: ...
    @property
    def currency(self) -> str: ...


class Batch(Protocol):
    """A batch of transfers (payouts.models.PayoutBatch)."""

    @property
    def id(self) -> int | None: ...
    @property
    def cooperative_id(self) -> int: ...
    @property
    def execution_date(self) -> dt.date: ...


class TransferLine(Protocol):
    """One transfer of a batch (payouts.models.PayoutLine)."""

    @property
    def id(self) -> int | None: ...
    @property
    def member_id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def iban(self) -> str: ...
    @property
    def bic(self) -> str: ...
    @property
    def amount_cents(self) -> int: ...


def end_to_end_id(batch_id: int, line_id: int, member_id: int) -> str:
    """The id a payout line's transfer carries to the bank and back on its statement."""
    return f"B{batch_id}-L{line_id}-M{member_id}"[:35]


def sepa_text(text: str, limit: int) -> str:
    """Latin letters only, as banks accept them: "Amina Ḥaddād & co" as "Amina Haddad co".

    For the cooperative's own name and the remittance text; never for a member's name, which
    only its holder can write in Latin letters (خالد المصري is not "khld lmSry")."""
    ascii_text = unidecode(unicodedata.normalize("NFC", text))
    return " ".join(_NOT_SEPA_RE.sub(" ", ascii_text).split())[:limit].strip()


def debtor_name(cooperative: Debtor) -> str:
    """The account holder the bank knows: the legal name, else the usual name (as invoices)."""
    return cooperative.legal_name or cooperative.name


def month_numbers(month: str) -> str:
    """`"2026-11"` -> `11/2026`, as a bank statement prints it in any language."""
    return f"{month[5:7]}/{month[:4]}"


def _runs(months: Sequence[str]) -> list[str]:
    """Consecutive months as one range: `01/2026-03/2026 05/2026`."""
    runs: list[list[str]] = []
    for month in months:
        if runs and str(Month.parse(runs[-1][-1]).next) == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    return [
        month_numbers(run[0])
        if len(run) == 1
        else f"{month_numbers(run[0])}-{month_numbers(run[-1])}"
        for run in runs
    ]


def remittance(cooperative_name: str, months: Sequence[str], batch_id: int) -> str:
    """The text the member reads on their bank statement, at most 140 characters, in the
    current language: "Univerbal part 11/2026", "Univerbal parts 10/2026 11/2026". Many months
    are written as ranges, then as first-last, to fit."""
    name = sepa_text(cooperative_name, NAME_LIMIT) or "Cooperative"
    if not months:
        return sepa_text(
            _("%(name)s payout %(batch)s") % {"name": name, "batch": batch_id}, REMITTANCE_LIMIT
        )
    ordered = sorted(set(months))
    candidates = [
        " ".join(month_numbers(month) for month in ordered),
        " ".join(_runs(ordered)),
        f"{month_numbers(ordered[0])}-{month_numbers(ordered[-1])}",
    ]
    text = ""
    for listed in candidates:
        text = sepa_text(
            ngettext("%(name)s share %(months)s", "%(name)s shares %(months)s", len(ordered))
            % {"name": name, "months": listed},
            1000,
        )
        if len(text) <= REMITTANCE_LIMIT:
            return text
    return text[:REMITTANCE_LIMIT].strip()


def remittance_language(cooperative: Debtor) -> str:
    """Bank statements show Latin letters only: a right-to-left language falls back to French."""
    language = cooperative.language
    return language if i18n.direction(language) == "ltr" else "fr"


def message_id(batch: Batch) -> str:
    """The same for every download of one batch, so a bank refuses the same file twice."""
    return f"GOV-{batch.cooperative_id}-PAYOUT-{batch.id}"


class _Transfer(SepaTransfer):
    """sepaxml's transfer with our own message id instead of a random one."""

    def __init__(self, config: dict[str, Any], message_id: str) -> None:
        self._message_id = message_id
        super().__init__(config, schema=SCHEMA)

    def _create_header(self) -> None:
        self.msg_id = self._message_id
        super()._create_header()


def build_sepa(
    cooperative: Debtor,
    batch: Batch,
    lines: Sequence[TransferLine],
    descriptions: Mapping[int, str],
) -> bytes:
    """The pain.001.001.03 credit transfer of `lines`, checked against its XML schema.
    `descriptions`: each line's remittance text, by line id. Pure (but for the file's
    creation time).

    Raises Conflict when a line's name is not in SEPA's character set (a batch prepared before
    names were checked: cancel it and prepare a new one); Invalid when the file fails the
    schema."""
    config: dict[str, Any] = {
        "name": sepa_text(debtor_name(cooperative), NAME_LIMIT) or "Cooperative",
        "IBAN": cooperative.iban,
        "BIC": cooperative.bic,
        "batch": True,
        "currency": cooperative.currency,
    }
    transfer = _Transfer(config, message_id(batch))
    for line in lines:
        assert line.id is not None
        if not line.name or len(line.name) > NAME_LIMIT or not SEPA_NAME_RE.match(line.name):
            raise Conflict(
                _(
                    "The name %(name)s in this batch is not written in the letters banks "
                    "accept. Cancel the batch and prepare a new one: it will use the account "
                    "holder's name from the member's profile."
                )
                % {"name": line.name}
            )
        payment: dict[str, Any] = {
            "name": line.name,
            "IBAN": line.iban,
            "amount": line.amount_cents,
            "execution_date": batch.execution_date,
            "description": descriptions[line.id][:REMITTANCE_LIMIT],
            "endtoend_id": end_to_end_id(batch.id or 0, line.id or 0, line.member_id),
        }
        if line.bic:
            payment["BIC"] = line.bic
        transfer.add_payment(payment)
    try:
        out: bytes = transfer.export(validate=True)
    except SepaValidationError as error:
        raise Invalid(
            _("The SEPA file does not pass the bank's format check; nothing was exported.")
        ) from error
    return out
