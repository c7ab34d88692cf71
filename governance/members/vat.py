"""The cooperative's VAT status, printed on every invoice and credit note. Pure module.

Stored in the cooperative's settings under "vat": {"status": "exempt", "mention": <code>,
"text": <free text>}, or {"status": "subject", "rate": 21}. A cooperative exempt from VAT must
say on its invoices which legal provision it relies on: it chooses one of the usual Belgian
mentions (printed in the reader's language) or writes its own (printed as written). A
cooperative subject to VAT chooses a Belgian rate (21, 12 or 6 %): each invoice it issues then
adds the VAT, prints its VAT number (the enterprise number, required by the details form), and
posts the VAT to the books (docs/invoices.md, governance/ledger/billing/vat_amounts.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from governance.base.errors import Invalid
from governance.base.i18n import N_, _, join_list, ngettext

EXEMPT = "exempt"
SUBJECT = "subject"
RATES = (21, 12, 6)  # the Belgian rates, in percent; the first is the default
OTHER = "other"
TEXT_MAX = 200

# code -> the mention, in words to translate.
MENTIONS: dict[str, str] = {
    "art44": N_("VAT exemption: article 44 § 2 of the Belgian VAT Code."),
    "art56bis": N_(
        "Small business under the VAT franchise scheme (article 56bis of the Belgian VAT "
        "Code): VAT not applicable."
    ),
}


def choices() -> list[tuple[str, str]]:
    """The mentions a cooperative can choose, in the reader's language, then its own."""
    return [(code, _(text)) for code, text in MENTIONS.items()] + [
        (OTHER, _("Another mention, written below"))
    ]


def stored(settings: Mapping[str, Any]) -> dict[str, str]:
    """The stored VAT setting, {} when the cooperative has not chosen yet."""
    value = settings.get("vat")
    return dict(value) if isinstance(value, Mapping) else {}


def rate_of(settings: Mapping[str, Any]) -> int:
    """The VAT rate in basis points (2100 = 21 %) of an invoice issued now; 0 unless subject."""
    vat = stored(settings)
    if vat.get("status") != SUBJECT:
        return 0
    rate = vat.get("rate")
    return int(rate) * 100 if isinstance(rate, int) and rate in RATES else 0


def summary(settings: Mapping[str, Any]) -> str:
    """The VAT status in a sentence, for the details page; '' when not chosen."""
    rate = rate_of(settings)
    if rate:
        return _("Subject to VAT at %(rate)s %%: invoices add VAT.") % {"rate": rate // 100}
    return mention(settings)


def mention(settings: Mapping[str, Any]) -> str:
    """What every invoice prints about VAT, in the reader's language; '' when not chosen."""
    vat = stored(settings)
    if vat.get("status") != EXEMPT:
        return ""
    code = vat.get("mention", "")
    if code in MENTIONS:
        return _(MENTIONS[code])
    return str(vat.get("text", "")) if code == OTHER else ""


def parse(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The VAT part of the details form, clean; None when no mention is chosen yet (nothing
    to save). Raises Invalid naming the bad field."""
    status = str(data.get("vat_status") or "").strip()
    code = str(data.get("vat_mention") or "").strip()
    text = " ".join(str(data.get("vat_text") or "").split())
    if status == SUBJECT:
        return {"status": SUBJECT, "rate": _rate(data)}
    if status == EXEMPT and not code and not text:
        return None
    if status != EXEMPT:
        message = _("Choose the cooperative's VAT status.")
        raise Invalid(message, {"vat_status": message})
    if code not in MENTIONS and code != OTHER:
        message = _("Choose the legal mention the invoices print about VAT.")
        raise Invalid(message, {"vat_mention": message})
    if code == OTHER and not text:
        message = _("Write the legal mention the invoices print about VAT.")
        raise Invalid(message, {"vat_text": message})
    if len(text) > TEXT_MAX:
        message = ngettext(
            "At most %(count)d character, please.",
            "At most %(count)d characters, please.",
            TEXT_MAX,
        ) % {"count": TEXT_MAX}
        raise Invalid(message, {"vat_text": message})
    return {"status": EXEMPT, "mention": code, "text": text if code == OTHER else ""}


def _rate(data: Mapping[str, Any]) -> int:
    """The chosen rate in percent (21 when none is given). Raises Invalid."""
    raw = str(data.get("vat_rate") or "").strip().rstrip("%").strip()
    if not raw:
        return RATES[0]
    if raw.isascii() and raw.isdigit() and int(raw) in RATES:
        return int(raw)
    rates = join_list((f"{rate}\u00a0%" for rate in RATES), "or")
    message = _("Choose a VAT rate: %(rates)s.") % {"rates": rates}
    raise Invalid(message, {"vat_rate": message})


def form_values(settings: Mapping[str, Any]) -> dict[str, str]:
    vat = stored(settings)
    return {
        "vat_status": vat.get("status", ""),
        "vat_mention": vat.get("mention", ""),
        "vat_text": vat.get("text", ""),
        "vat_rate": str(vat.get("rate", RATES[0])),
    }
