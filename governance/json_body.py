"""Reading JSON request bodies for the API: refused cleanly when malformed, numbers kept exact.

The API reuses the form rules, which read text typed in the person's language. A JSON number
is not typed text: `12.5` must mean 12,50 € whatever the request's language, whereas read as
French text `"12.345"` would be 12 345 €. `as_text` writes a number so that every language
reads it the same way.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar import Request
from litestar.exceptions import SerializationException

from governance.errors import Invalid
from governance.i18n import _


async def read_json(request: Request) -> Any:
    """The parsed body; Invalid when it is not JSON."""
    try:
        return await request.json()
    except (ValueError, SerializationException, RecursionError) as error:
        raise Invalid(_("The request body is not valid JSON.")) from error


def as_text(value: Any) -> str:
    """A JSON scalar as the text a form would hold; numbers unambiguous in every language.

    `1.5` -> "1.5"; `12.345` -> "12.3450" (a point followed by exactly three digits would read
    as a thousands separator in French; four decimals are refused as such instead);
    `1e3` -> "1000.0". Booleans and strings are kept as text.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    text = format(Decimal(repr(value)), "f")  # "nan" and "inf" too: parse_amount refuses them
    whole, point, fraction = text.partition(".")
    return f"{whole}.{fraction}0" if point and len(fraction) == 3 else text


async def json_form(request: Request) -> dict[str, Any]:
    """A JSON object as form fields: lists kept, nulls dropped, everything else as text."""
    body = await read_json(request)
    if not isinstance(body, dict):
        raise Invalid(_("The request body is not valid JSON."))
    return {
        key: value if isinstance(value, list) else as_text(value)
        for key, value in body.items()
        if value is not None
    }
