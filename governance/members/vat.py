"""The cooperative's VAT status, printed on every invoice and credit note. Pure module.

Stored in the cooperative's settings under "vat": {"status": "exempt", "mention": <code>,
"text": <free text>}. A cooperative exempt from VAT must say on its invoices which legal
provision it relies on: it chooses one of the usual Belgian mentions (printed in the reader's
language) or writes its own (printed as written). Being subject to VAT (a rate, VAT added to
each invoice and posted to the books) is not offered yet: docs/invoices.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from governance.errors import Invalid
from governance.i18n import N_, _, ngettext

EXEMPT = "exempt"
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


def mention(settings: Mapping[str, Any]) -> str:
    """What every invoice prints about VAT, in the reader's language; '' when not chosen."""
    vat = stored(settings)
    if vat.get("status") != EXEMPT:
        return ""
    code = vat.get("mention", "")
    if code in MENTIONS:
        return _(MENTIONS[code])
    return str(vat.get("text", "")) if code == OTHER else ""


def parse(data: Mapping[str, Any]) -> dict[str, str] | None:
    """The VAT part of the details form, clean; None when no mention is chosen yet (nothing
    to save). Raises Invalid naming the bad field."""
    status = str(data.get("vat_status") or "").strip()
    code = str(data.get("vat_mention") or "").strip()
    text = " ".join(str(data.get("vat_text") or "").split())
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


def form_values(settings: Mapping[str, Any]) -> dict[str, str]:
    vat = stored(settings)
    return {
        "vat_status": vat.get("status", ""),
        "vat_mention": vat.get("mention", ""),
        "vat_text": vat.get("text", ""),
    }
