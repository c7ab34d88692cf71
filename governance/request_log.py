"""Around every request: one log line per request, HEAD answered as GET, gzip for text.

Litestar's own middleware runs after routing, inside the route: a request for no route (404)
or a HEAD on a GET route (405) never reaches it. So `install(app)`, run at start-up, wraps the
application's whole handler instead:

- `RequestLog` logs, to the logger "governance.request", the method, the route template
  (`/c/{slug}/proposals/{proposal_id}`; the path itself only when no route matched), the status
  and the duration. Never a query string, a header, a cookie or a body.
- `HeadAsGet` runs a HEAD request as the GET it stands for and drops the body, so HEAD gives the
  same status and headers as GET (GET requests never write here, so neither does HEAD).

`compression()` is Litestar's gzip, for text only (HTML, CSS, JS, JSON, CSV, XML, SVG): a
PDF or an image is already compressed.

`logging_config(settings)`, given to Litestar, configures logging once per `create_app`: one
handler on the root logger, plain or JSON lines (GOVERNANCE_LOG_FORMAT), so governance's other
lines and the libraries' share the format; the PDF library's font chatter is silenced.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time
import warnings
from typing import TYPE_CHECKING, Any, cast

from litestar.config.compression import CompressionConfig
from litestar.logging.config import BaseLoggingConfig
from litestar.middleware.compression import CompressionMiddleware

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send
    from litestar.types.callable_types import GetLogger

    from governance.base.settings import Settings

log = logging.getLogger("governance.request")

# The fields a request line carries, in order (JSON keys; attributes of the log record).
REQUEST_FIELDS = ("method", "route", "status", "duration_ms")
# Successful health checks come every few seconds from the orchestrator: not logged.
QUIET_ROUTES = frozenset({"/healthz"})
# fpdf2 and the fontTools it subsets fonts with log every table of every font they embed.
CHATTY_LOGGERS = ("fpdf", "fontTools")
# fpdf2's warnings about fonts (it attributes them to the caller, so match the text).
FONT_WARNINGS = r"(Core font or font already added|Substituting font|Built-in font)"
MAX_PATH = 200


def _printable(text: str, limit: int) -> str:
    """The text cut at `limit` characters, control characters replaced (one line, always)."""
    cut = text[:limit] + ("…" if len(text) > limit else "")
    return "".join(c if c.isprintable() else "?" for c in cut)


def route_of(scope: Scope) -> str:
    """The matched route's template; else the path's first segment and "/…" (a mistyped
    invitation link must not put its token in the log; never the query string)."""
    template = scope.get("path_template")
    if template:
        return str(template)
    path = str(scope.get("path", ""))
    first, _slash, rest = path.lstrip("/").partition("/")
    return _printable("/" + first + ("/…" if rest else ""), MAX_PATH)


class RequestLog:
    """ASGI: after each HTTP request, one line: method, route, status, duration in ms."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = _printable(cast("HTTPScope", scope)["method"], 16)  # before HeadAsGet
        started = time.perf_counter()
        status: int | None = None

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        except Exception:
            status = status or 500  # the server answers 500 for what escapes the app
            raise
        finally:
            _log_request(method, route_of(scope), status, time.perf_counter() - started)


def _log_request(method: str, route: str, status: int | None, seconds: float) -> None:
    if route in QUIET_ROUTES and status == 200:
        return
    duration_ms = round(seconds * 1000, 1)
    log.info(
        "%s %s %s %.1fms",
        method,
        route,
        "-" if status is None else status,
        duration_ms,
        extra={"method": method, "route": route, "status": status, "duration_ms": duration_ms},
    )


class HeadAsGet:
    """ASGI: HEAD runs as GET, and the body is dropped (status and headers are GET's)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":  # type: ignore[typeddict-item]
            await self.app(scope, receive, send)
            return
        # In place: the log outside reads the route Litestar writes into this same scope.
        cast("HTTPScope", scope)["method"] = "GET"

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(scope, receive, send_headers_only)


def install(app: Litestar) -> None:
    """Start-up hook: wrap the application's handler (once, however often it starts)."""
    if not isinstance(app.asgi_handler, RequestLog):
        app.asgi_handler = RequestLog(HeadAsGet(app.asgi_handler))


# Compression.

COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/css",
        "text/javascript",
        "text/csv",
        "text/plain",
        "text/xml",
        "application/javascript",
        "application/json",
        "application/xml",
        "image/svg+xml",
    }
)
# Bodies smaller than this go as they are (gzip's own header would eat the saving).
MINIMUM_SIZE = 1024


def compressible(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind in COMPRESSIBLE or kind.endswith(("+json", "+xml"))


class TextCompression(CompressionMiddleware):
    """Litestar's compression, for text bodies only: the choice is made on the response's
    content type, when its headers come."""

    def create_compression_send_wrapper(
        self, send: Send, compression_encoding: Any, scope: Scope
    ) -> Send:
        compressing = super().create_compression_send_wrapper(send, compression_encoding, scope)
        chosen: Send | None = None

        async def choose(message: Message) -> None:
            nonlocal chosen
            if chosen is None and message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", ())}
                kind = headers.get(b"content-type", b"").decode("latin-1")
                text = compressible(kind) and b"content-encoding" not in headers
                chosen = compressing if text else send
            await (chosen or compressing)(message)

        return choose


def compression() -> CompressionConfig:
    return CompressionConfig(
        backend="gzip",
        minimum_size=MINIMUM_SIZE,
        gzip_compress_level=6,  # nearly 9's size for a fraction of its time
        middleware_class=TextCompression,
    )


# Logging.


class PlainFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request's fields if any,
    and the exception's traceback (escaped: still one line)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in REQUEST_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is now (tests swap it), not the one at creation."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        """Ignored: the stream is always the current sys.stderr."""


def configure_logging(settings: Settings) -> None:
    """Root logger: one handler of ours in the chosen format, INFO and above. Idempotent:
    calling it again replaces our handler (and keeps anyone else's)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _StderrHandler):
            root.removeHandler(handler)
            handler.close()
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else PlainFormatter())
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # Litestar's default configuration gives its logger a handler of its own: ours instead.
    litestar = logging.getLogger("litestar")
    for own in list(litestar.handlers):
        litestar.removeHandler(own)
    litestar.propagate = True
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    # The same filter added twice replaces the first (warnings removes the duplicate).
    warnings.filterwarnings("ignore", message=FONT_WARNINGS)
    warnings.filterwarnings("ignore", module=r"(fpdf|fontTools)(\.|$)")


class GovernanceLogging(BaseLoggingConfig):
    """Litestar's logging hook: `configure_logging` when the app is built. Exceptions are
    logged by the app's own handlers (with the request's method and path), not again here."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.log_exceptions = "never"
        self.exception_logging_handler = None
        self.disable_stack_trace = set()
        self.traceback_line_limit = -1

    def configure(self) -> GetLogger:
        configure_logging(self.settings)
        return logging.getLogger

    @staticmethod
    def set_level(logger: Any, level: int) -> None:
        logger.setLevel(level)


def logging_config(settings: Settings) -> GovernanceLogging:
    return GovernanceLogging(settings)
