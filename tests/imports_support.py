"""CSV import tests share: building a file, uploading it, and checking rows against lookups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from governance.ledger.imports.checks import ClientRef, Lookups, MemberRef, RowResult, check_rows
from governance.ledger.imports.csv_reader import read_csv
from governance.ledger.work.prestation_input import DEFAULT_KINDS


def csv_bytes(*lines: str, encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join([HEADER, *lines, ""]).encode(encoding)


def upload(visitor: Any, content: bytes, name: str = "prestations.csv") -> Any:
    return visitor.request(
        "POST",
        f"{IMPORT}/preview",
        data={"_csrf_token": visitor.csrf()},
        files={"file": (name, content, "text/csv")},
    )


def check(*lines: str, **changes: object) -> list[RowResult]:
    csv_file = read_csv(text(*lines).encode())
    return check_rows(csv_file.rows, lookups(**changes), csv_file.columns)


IMPORT = "/c/alpha/work/import"


HEADER = "date;membre;client;duree_minutes;tarif;montant_fixe;deplacement;type;langues;note"


def text(*lines: str) -> str:
    return "\r\n".join([HEADER, *lines, ""])


def lookups(**changes: object) -> Lookups:
    values: dict[str, object] = {
        "actor_person_id": 1,
        "members": {
            "amina@coop.example": MemberRef(2, "active", "cooperator"),
            "sam@coop.example": MemberRef(3, "suspended", "cooperator"),
            "olga@coop.example": MemberRef(4, "active", "observer"),
            "tigist@coop.example": MemberRef(5, "active", "worker"),
        },
        "clients": {
            "chu de liège": ClientRef(10, False, 5500),
            "old clinic": ClientRef(11, True, 5000),
            "no rate": ClientRef(12, False, 0),
        },
        "periods": {"2026-10": "closed", "2026-09": "review"},
        "kinds": DEFAULT_KINDS,
        "today": dt.date(2026, 11, 27),
        "days_ahead": 31,
        "language": "fr",
    }
    values.update(changes)
    return Lookups(**values)  # type: ignore[arg-type]
