"""The two applications the benchmark server can serve, chosen by environment variables.

`granian --interface asgi --factory bench.apps:create_bench_app` with

- `BENCH_APP=governance`: the real service, `governance.app.create_app()` (its settings come
  from `DATABASE_URL`, `GOVERNANCE_VAR_DIR`, `GOVERNANCE_SECRET_KEY` as usual);
- `BENCH_APP=bare`, `BENCH_PATH=/some/path/`, `BENCH_BODY_SIZE=12345`: a bare Litestar app
  (no middleware, no database, no templates) with one GET handler at `BENCH_PATH` returning an
  HTML page of exactly `BENCH_BODY_SIZE` bytes.

The runner (`bench/run.py`) starts the same server with the same options for both, one after
the other, so the ratio between them is the cost of the service itself.
"""

from __future__ import annotations

import os

from litestar import Litestar, MediaType, get

_HEAD = (
    b'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    b"<title>bare baseline</title>\n</head>\n<body>\n<main>\n<p>"
)
_TAIL = b"</p>\n</main>\n</body>\n</html>\n"
_FILLER = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit. "


def bare_body(size: int) -> bytes:
    """An HTML page of exactly `size` bytes: a small skeleton padded with text (or trimmed)."""
    if size < 0:
        raise ValueError("size must be >= 0")
    room = size - len(_HEAD) - len(_TAIL)
    if room < 0:
        return (_HEAD + _TAIL)[:size]
    filler = (_FILLER * (room // len(_FILLER) + 1))[:room]
    body = _HEAD + filler + _TAIL
    assert len(body) == size
    return body


def create_bare_app(path: str, size: int) -> Litestar:
    """A Litestar app with nothing in it but one handler returning a fixed page."""
    body = bare_body(size)

    @get(path, media_type=MediaType.HTML, include_in_schema=False)
    async def bare_page() -> bytes:
        return body

    return Litestar(route_handlers=[bare_page], openapi_config=None, debug=False)


def create_bench_app() -> Litestar:
    """The granian factory: the real app or the bare baseline, per `BENCH_APP`."""
    kind = os.environ.get("BENCH_APP", "governance")
    if kind == "governance":
        from governance.app import create_app

        return create_app()
    if kind == "bare":
        return create_bare_app(
            os.environ.get("BENCH_PATH", "/"), int(os.environ.get("BENCH_BODY_SIZE", "1024"))
        )
    raise SystemExit(f"BENCH_APP must be 'governance' or 'bare', not {kind!r}")
