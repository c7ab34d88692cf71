"""The cooperative details page and Univerbal's details, shared by the VAT tests."""

from __future__ import annotations

PAGE = "/c/alpha/details"


UNIVERBAL = {
    "legal_name": "Univerbal SC",
    "address": "Rue Saint-Gilles 58\r\n\r\n  4000 Liège  ",
    "enterprise_number": "BE 0999.412.378",
    "iban": "be71 1604 1001 2769",
    "bic": "gkccbebb",
    "email": "Coordination@Univerbal.example",
    "phone": "+32 4 221 00 58",
}
