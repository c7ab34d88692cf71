"""The signed confirm form of a CSV import: what the preview hands to the confirm step.

The preview page keeps nothing on the server. Its confirm form carries the rows to import (those
without an error, with their line numbers and cells as read), the columns' names, the file's
digest and name and the language used to read numbers, signed by itsdangerous's
`URLSafeTimedSerializer`: compact JSON, compressed with zlib when that is shorter, base64url,
a timestamp and an HMAC-SHA256 under the app's secret key with a salt of its own (so that no
other value signed with that key can be replayed here). The token is split at its last `.` into
the form's two hidden fields, `payload` and `signature`.

`verify` refuses, with one message, a form changed by one byte, sent by another person or for
another cooperative, older than two hours or dated more than five minutes ahead. Timestamps
are read from `governance.base.clock`, the app's one clock. Pure: no session, no query.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from governance.base import clock
from governance.base.errors import Invalid
from governance.base.i18n import _
from governance.base.settings import LANGUAGES
from governance.ledger.imports.csv_reader import COLUMNS, CsvRow

MAX_PAYLOAD_CHARS = 6_000_000
PAYLOAD_TTL = dt.timedelta(hours=2)
CLOCK_SKEW = dt.timedelta(minutes=5)  # a form may come from a server whose clock is ahead
SALT = "governance.ledger.imports:confirm:v2"


@dataclass(frozen=True)
class Signed:
    digest: str
    filename: str
    language: str
    columns: dict[str, str]
    rows: list[CsvRow]


class _ClockSigner(TimestampSigner):
    """itsdangerous's timestamps, read from the app's clock rather than `time.time()`."""

    ahead = 0

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp()) + self.ahead


class _CheckingSigner(_ClockSigner):
    """Reads the clock `CLOCK_SKEW` ahead, with a `max_age` as much longer: itsdangerous refuses
    a timestamp in the future, this accepts one up to `CLOCK_SKEW` ahead, and the oldest form
    accepted is still `PAYLOAD_TTL` old."""

    ahead = int(CLOCK_SKEW.total_seconds())


def _serializer(secret: str, signer: type[TimestampSigner]) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        secret, salt=SALT, signer=signer, signer_kwargs={"digest_method": hashlib.sha256}
    )


def sign(secret: str, cooperative_id: int, person_id: int, signed: Signed) -> tuple[str, str]:
    """The hidden fields (payload, signature) of the confirm form."""
    body = {
        "coop": cooperative_id,
        "by": person_id,
        "digest": signed.digest,
        "name": signed.filename,
        "lang": signed.language,
        "columns": signed.columns,
        "rows": [[row.line, dict(row.cells)] for row in signed.rows],
    }
    payload, _dot, signature = _serializer(secret, _ClockSigner).dumps(body).rpartition(".")
    return payload, signature


def _refused() -> Invalid:
    return Invalid(_("This import form was changed or has expired. Upload the file again."))


def _strings(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        name in COLUMNS and isinstance(text, str) for name, text in value.items()
    ):
        raise _refused()
    return value


def verify(
    secret: str, cooperative_id: int, person_id: int, payload: str, signature: str
) -> Signed:
    """The rows of a confirm form, if its signature, cooperative, person and age hold."""
    if len(payload) > MAX_PAYLOAD_CHARS:
        raise _refused()
    try:
        body = _serializer(secret, _CheckingSigner).loads(
            f"{payload}.{signature}", max_age=int((PAYLOAD_TTL + CLOCK_SKEW).total_seconds())
        )
    except BadData as error:  # a bad signature, an expired one, or a payload that is no JSON
        raise _refused() from error
    if (
        not isinstance(body, dict)
        or body.get("coop") != cooperative_id
        or body.get("by") != person_id
        or not isinstance(body.get("digest"), str)
        or not isinstance(body.get("name"), str)
        or body.get("lang") not in LANGUAGES
        or not isinstance(body.get("rows"), list)
    ):
        raise _refused()
    rows = []
    for item in body["rows"]:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], int)):
            raise _refused()
        rows.append(CsvRow(item[0], _strings(item[1])))
    return Signed(body["digest"], body["name"], body["lang"], _strings(body.get("columns")), rows)
