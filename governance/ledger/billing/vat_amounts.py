"""VAT on invoices and credit notes, in integer cents. Pure module.

A rate is kept in basis points (2100 = 21 %). The VAT of an amount is rounded half up (half a
cent away from zero): 0,5 cent counts as a cent. A credit note credits the VAT of the lines it
credits, rounded the same way but never more than the invoice's VAT not yet credited, and the
credit note that credits the last lines takes exactly the VAT left: an invoice fully credited
nets to zero VAT, whatever the rounding of each part (docs/invoices.md).
"""

from __future__ import annotations

BASIS = 10_000  # basis points in 100 %


def vat_of(net_cents: int, rate: int) -> int:
    """The VAT of `net_cents` at `rate` basis points, rounded half away from zero."""
    if rate <= 0 or net_cents == 0:
        return 0
    size = (abs(net_cents) * rate * 2 + BASIS) // (2 * BASIS)
    return size if net_cents > 0 else -size


def credited_vat(
    invoice_vat: int, already_credited: int, net_credited: int, rate: int, *, last: bool
) -> int:
    """The VAT a credit note credits (positive): `net_credited` of the invoice's lines, knowing
    that earlier credit notes already took back `already_credited` of its `invoice_vat`. The
    credit note that credits the last lines (`last`) takes what is left."""
    left = max(0, invoice_vat - already_credited)
    if last:
        return left
    return min(left, vat_of(net_credited, rate))


def rate_text(rate: int) -> str:
    """Basis points as a percentage for reading: 2100 -> "21", 550 -> "5.5" (the caller puts
    the number into a translated sentence and localises the decimal mark if it needs one)."""
    whole, part = divmod(rate, 100)
    return str(whole) if part == 0 else f"{whole}.{part:02d}".rstrip("0")
