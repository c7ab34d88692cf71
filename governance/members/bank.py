"""Where a member's share is paid: the account holder's name, the IBAN (and optional BIC) on
their own profile.

`parse_bank_details`, `bic_problem` and `holder_problem` are pure (the IBAN is checked by
governance/input/iban.py with schwifty: country, length, format, check digits and the SEPA
area; the holder's name is checked against SEPA's Latin character set, which every bank of
the SEPA area accepts); `set_bank_details` is one
transaction, audited on the system chain with the account numbers masked (an IBAN is what a
fraud would change, but the trail is read by many people: the last four characters are enough
to recognise a change). The holder's name is kept whole in the trail: a name changed to
someone else's is what a reader must be able to see.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from schwifty import BIC
from schwifty.exceptions import SchwiftyException
from sqlmodel.ext.asyncio.session import AsyncSession
from text_unidecode import unidecode

from governance.audit.service import record
from governance.auth.models import Person
from governance.base.errors import NotFound
from governance.base.i18n import _
from governance.input.forms import Form, too_long
from governance.input.iban import compact, iban_problem
from governance.input.sepa import SEPA_NAME_RE
from governance.input.text import isolate

HOLDER_MAX_LENGTH = 70
# The signs it allows, as a message lists them: isolated, so that a right-to-left sentence
# does not reorder them.
_SIGNS = isolate("/ - ? : ( ) . , ' +")
# Phones type typographic apostrophes (iOS by default): the same character to a bank.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


@dataclass(frozen=True)
class BankDetails:
    """Clean values as stored: compact and upper case, '' where nothing was given."""

    iban: str
    bic: str
    holder: str = ""


def bic_problem(value: str) -> str | None:
    """Why `value` is not a BIC; None if it is one (or is empty: the BIC is optional). Pure."""
    code = compact(value)
    if not code:
        return None
    try:
        BIC(code)
    except SchwiftyException:
        return _("This is not a valid BIC. It has 8 or 11 letters and digits.")
    return None


def clean_holder(raw: str) -> str:
    """Spaces trimmed and single, typographic apostrophes plain: what is checked and stored."""
    return " ".join(raw.translate(_APOSTROPHES).split())


def _latin_suggestion(value: str) -> str:
    """`value` without its accents ("Chloé Şahin" -> "Chloe Sahin") when every letter in it is
    a Latin one; '' for another script, which only the member can write in Latin letters
    (خالد is not "khld"). Pure."""
    letters = [char for char in value if char.isalpha()]
    if not letters or any("LATIN" not in unicodedata.name(char, "") for char in letters):
        return ""
    suggestion = " ".join(re.sub(r"[^A-Za-z0-9/\-?:().,'+ ]+", " ", unidecode(value)).split())
    return suggestion[:HOLDER_MAX_LENGTH] if SEPA_NAME_RE.match(suggestion) else ""


def holder_problem(value: str) -> str | None:
    """Why `value` cannot be the account holder's name in a SEPA file; None if it can (or is
    empty). Pure."""
    holder = clean_holder(value)
    if len(holder) > HOLDER_MAX_LENGTH:
        return too_long(HOLDER_MAX_LENGTH)
    if SEPA_NAME_RE.match(holder):
        if holder and sum(char.isalpha() for char in holder) < 2:
            # "////" or "-" fits the character set but names nobody: a bank's check of the
            # payee's name would refuse or flag it (found by review).
            return _("Write the account holder's name: at least two letters.")
        return None
    suggestion = _latin_suggestion(holder)
    if suggestion:
        return _(
            "Banks accept only letters without accents, digits, spaces and %(characters)s in "
            "this name. Write it as on the bank account, for example: %(suggestion)s"
        ) % {"characters": _SIGNS, "suggestion": isolate(suggestion)}
    return _(
        "Write the name in Latin letters, as the bank writes it on the account (on a bank "
        "statement or card): letters a to z without accents, digits, spaces and %(characters)s."
    ) % {"characters": _SIGNS}


def parse_bank_details(iban: str, bic: str, holder: str = "") -> BankDetails:
    """Clean what a member typed. All empty: the details are removed. An IBAN needs the
    holder's name (the file pays nobody without it), a name or a BIC needs the IBAN. Raises
    Invalid naming each bad field. Pure."""
    form = Form({"iban": iban, "bic": bic, "holder": holder})
    raw_holder = form.text("holder", max_length=200, required=False)
    raw_iban = form.text("iban", max_length=50, required=False)
    raw_bic = form.text("bic", max_length=20, required=False)
    clean_iban, clean_bic = compact(raw_iban), compact(raw_bic)
    clean_name = clean_holder(raw_holder)
    if "iban" not in form.errors:
        if clean_iban:
            problem = iban_problem(clean_iban)
            if problem:
                form.fail("iban", problem)
        elif clean_bic or clean_name:
            form.fail("iban", _("Enter the IBAN too, or leave all the fields empty."))
    if "bic" not in form.errors:
        problem = bic_problem(clean_bic)
        if problem:
            form.fail("bic", problem)
    if "holder" not in form.errors:
        problem = holder_problem(clean_name)
        if problem:
            form.fail("holder", problem)
        elif clean_iban and not clean_name:
            form.fail(
                "holder",
                _(
                    "Enter the account holder's name too, as the bank writes it: without it "
                    "the cooperative cannot pay you by transfer."
                ),
            )
    form.done()
    return BankDetails(iban=clean_iban, bic=clean_bic, holder=clean_name)


def mask(number: str) -> str:
    """All but the last four characters hidden: "************6769"."""
    return "*" * max(len(number) - 4, 0) + number[-4:] if number else ""


async def set_bank_details(
    session: AsyncSession, person_id: int, iban: str, bic: str, holder: str
) -> Person:
    """A person sets (or removes, with every field empty) the account their share is paid to
    and the name of its holder.

    Raises Invalid (nothing is stored), NotFound. Audited on the system chain, the IBAN masked.
    """
    clean = parse_bank_details(iban, bic, holder)
    async with session.begin():
        person = await session.get(Person, person_id)
        if person is None:
            raise NotFound(_("This account does not exist."))
        if (person.iban, person.bic, person.account_holder) == (
            clean.iban,
            clean.bic,
            clean.holder,
        ):
            return person
        before = {"iban": mask(person.iban), "bic": person.bic, "holder": person.account_holder}
        person.iban, person.bic, person.account_holder = clean.iban, clean.bic, clean.holder
        session.add(person)
        await record(
            session,
            cooperative_id=None,
            actor_id=person_id,
            action="person.bank_details_changed",
            subject_type="person",
            subject_id=person_id,
            data={
                "before": before,
                "after": {"iban": mask(clean.iban), "bic": clean.bic, "holder": clean.holder},
            },
        )
    return person
