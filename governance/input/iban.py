"""IBANs, read and written with schwifty, the only IBAN checker and formatter. Pure module.

`compact` is an account number as stored (`be71 0961-2345.6769` -> `BE71096123456769`),
`iban_problem` says why a number is not an IBAN (or is outside the SEPA area) in the reader's
language, `format_iban` groups a stored number by four for reading (`BE71 0961 2345 6769`).
The cooperative details form (governance/input/forms.py) and a member's bank details
(governance/members/bank.py) both check with `iban_problem`; every page, PDF and form that shows
an IBAN writes it with `format_iban`.
"""

from __future__ import annotations

import re

from schwifty import IBAN
from schwifty.exceptions import (
    InvalidChecksumDigits,
    InvalidCountryCode,
    InvalidLength,
    SchwiftyException,
)

from governance.base.i18n import _
from governance.input.text import ASCII_DIGITS

# What people type between the groups of an IBAN: spaces, dashes, dots.
_SEPARATORS_RE = re.compile(r"[\s.\-]+")


def compact(raw: str) -> str:
    """Without separators, upper case, ASCII digits: be71 0961-2345.6769 as BE71096123456769."""
    return _SEPARATORS_RE.sub("", raw.translate(ASCII_DIGITS)).upper()


def iban_problem(value: str, *, sepa: bool = True) -> str | None:
    """Why `value` is not an IBAN (with `sepa`, one that can receive a SEPA credit transfer),
    in the reader's language; None if it is."""
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
    if sepa and not iban.in_sepa_zone:
        return _(
            "Payments are sent by SEPA transfer, and %(code)s is outside the SEPA area: "
            "give an account in a SEPA country."
        ) % {"code": iban.country_code}
    return None


def format_iban(number: str) -> str:
    """The stored IBAN in groups of four, for reading: BE71096123456769 as BE71 0961 2345 6769
    ('' stays ''). A stored number is shown even if it no longer validates."""
    return IBAN(compact(number), allow_invalid=True).formatted if number else ""
