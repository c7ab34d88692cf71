"""Where a member's share is paid: the IBAN (and optional BIC) on their own profile.

`parse_bank_details` and `iban_problem` are pure (schwifty checks the IBAN: country, length,
format and check digits); `set_bank_details` is one transaction, audited on the system chain
with the account numbers masked (an IBAN is what a fraud would change, but the trail is read
by many people: the last four characters are enough to recognise a change).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schwifty import BIC, IBAN
from schwifty.exceptions import (
    InvalidChecksumDigits,
    InvalidCountryCode,
    InvalidLength,
    SchwiftyException,
)
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import record
from governance.errors import NotFound
from governance.forms import ASCII_DIGITS, Form
from governance.i18n import _
from governance.members.models import Person

# What people type between the groups of an IBAN: spaces, dashes, dots.
_SEPARATORS_RE = re.compile(r"[\s.\-]+")


@dataclass(frozen=True)
class BankDetails:
    """Clean values as stored: compact and upper case, '' where nothing was given."""

    iban: str
    bic: str


def compact(raw: str) -> str:
    """Without separators, upper case, ASCII digits: be71 0961-2345.6769 as BE71096123456769."""
    return _SEPARATORS_RE.sub("", raw.translate(ASCII_DIGITS)).upper()


def iban_problem(value: str) -> str | None:
    """Why `value` cannot receive a SEPA credit transfer, in the reader's language; None if
    it can. Pure."""
    number = compact(value)
    if not number:
        return _("There is no IBAN on the profile.")
    if not re.fullmatch(r"[A-Z0-9]+", number):
        return _("An IBAN has only letters and digits.")
    try:
        iban = IBAN(number)
    except InvalidCountryCode:
        return _("An IBAN starts with the code of its country, like BE; %(code)s is not one.") % {
            "code": number[:2]
        }
    except InvalidLength:
        try:
            expected = IBAN(number, allow_invalid=True).spec.iban_length
        except SchwiftyException:
            return _("This is not a valid IBAN. Check it on your bank statement.")
        return _(
            "An IBAN from %(country)s has %(expected)d characters; this one has %(given)d."
        ) % {"country": number[:2], "expected": expected, "given": len(number)}
    except InvalidChecksumDigits:
        return _(
            "The check digits of this IBAN do not match: a character is probably mistyped. "
            "Check it on your bank statement."
        )
    except SchwiftyException:
        return _("This is not a valid IBAN. Check it on your bank statement.")
    if not iban.in_sepa_zone:
        return _(
            "Payments are sent by SEPA transfer, and %(code)s is outside the SEPA area: "
            "give an account in a SEPA country."
        ) % {"code": iban.country_code}
    return None


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


def parse_bank_details(iban: str, bic: str) -> BankDetails:
    """Clean what a member typed. Both empty: the details are removed. Raises Invalid naming
    each bad field. Pure."""
    form = Form({"iban": iban, "bic": bic})
    raw_iban = form.text("iban", max_length=50, required=False)
    raw_bic = form.text("bic", max_length=20, required=False)
    clean_iban, clean_bic = compact(raw_iban), compact(raw_bic)
    if "iban" not in form.errors:
        if clean_iban:
            problem = iban_problem(clean_iban)
            if problem:
                form.fail("iban", problem)
        elif clean_bic:
            form.fail("iban", _("Enter the IBAN too, or leave both fields empty."))
    if "bic" not in form.errors:
        problem = bic_problem(clean_bic)
        if problem:
            form.fail("bic", problem)
    form.done()
    return BankDetails(iban=clean_iban, bic=clean_bic)


def mask(number: str) -> str:
    """All but the last four characters hidden: "************6769"."""
    return "*" * max(len(number) - 4, 0) + number[-4:] if number else ""


def format_iban(number: str) -> str:
    """The compact IBAN in groups of four, for reading."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


async def set_bank_details(session: AsyncSession, person_id: int, iban: str, bic: str) -> Person:
    """A person sets (or removes, with both fields empty) the account their share is paid to.

    Raises Invalid (nothing is stored), NotFound. Audited on the system chain, masked.
    """
    clean = parse_bank_details(iban, bic)
    async with session.begin():
        person = await session.get(Person, person_id)
        if person is None:
            raise NotFound(_("This account does not exist."))
        if (person.iban, person.bic) == (clean.iban, clean.bic):
            return person
        before = {"iban": mask(person.iban), "bic": person.bic}
        person.iban, person.bic = clean.iban, clean.bic
        session.add(person)
        await record(
            session,
            cooperative_id=None,
            actor_id=person_id,
            action="person.bank_details_changed",
            subject_type="person",
            subject_id=person_id,
            data={"before": before, "after": {"iban": mask(clean.iban), "bic": clean.bic}},
        )
    return person
