"""The query parameters that carry a keyset page's key: the row id after which (`after`) or
before which (`before`) the page starts. Out of range or not a number is a 400 with the
parameter's name, never a query."""

from __future__ import annotations

from typing import Annotated

from litestar.params import QueryParameter

from governance.input.forms import MAX_ROW_ID

After = Annotated[int | None, QueryParameter(name="after", ge=1, le=MAX_ROW_ID)]
Before = Annotated[int | None, QueryParameter(name="before", ge=1, le=MAX_ROW_ID)]
