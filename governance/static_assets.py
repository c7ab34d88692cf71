"""Static files under content-hashed names, cached for a year; the favicon.

At start-up every file of governance/static is read once and named after its content:
`static_url("style.css")` gives `/static/style.<hash>.css`. That name changes whenever the
file does, so browsers may keep it for a year without asking again (`immutable`). The plain
name (`/static/style.css`) is still served, cached for an hour, so older links keep working.
Only the files found at start-up are served: a request names an entry of a table, never a
path on disk.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from jinja2 import Environment
from litestar import get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File, Redirect

from governance.base.settings import PACKAGE_DIR

STATIC_DIR = PACKAGE_DIR / "static"
IMMUTABLE = "public, max-age=31536000, immutable"  # a hashed name: a year
SHORT = "public, max-age=3600"  # a plain name: an hour
FAVICON = "favicon.svg"
HASH_LENGTH = 8


@dataclass(frozen=True)
class Asset:
    path: Path
    cache_control: str


class StaticAssets:
    """The files of one directory, by plain and by hashed name."""

    def __init__(self, directory: Path) -> None:
        self.urls: dict[str, str] = {}  # "style.css" -> "/static/style.1a2b3c4d.css"
        self.files: dict[str, Asset] = {}  # "style.css" and "style.1a2b3c4d.css" -> the file
        for path in sorted(directory.rglob("*")):
            relative = PurePosixPath(path.relative_to(directory).as_posix())
            if not path.is_file() or any(part.startswith(".") for part in relative.parts):
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]
            hashed = relative.with_name(f"{relative.stem}.{digest}{relative.suffix}")
            self.urls[str(relative)] = f"/static/{hashed}"
            self.files[str(relative)] = Asset(path, SHORT)
            self.files[str(hashed)] = Asset(path, IMMUTABLE)

    def url(self, name: str) -> str:
        try:
            return self.urls[name]
        except KeyError:
            raise LookupError(f"no static file {name!r} in {STATIC_DIR}") from None


@functools.cache
def assets() -> StaticAssets:
    return StaticAssets(STATIC_DIR)


def static_url(name: str) -> str:
    """The URL of a file of governance/static under its content-hashed name."""
    return assets().url(name)


def with_static_url(env: Environment) -> Environment:
    """The template environment with `static_url` (the names are hashed now, not later)."""
    assets()
    env.globals["static_url"] = static_url
    return env


@get(
    "/static/{file_path:path}",
    name="static",
    exclude_from_auth=True,
    include_in_schema=False,
    sync_to_thread=False,
)
def static_file(file_path: FromPath[Path]) -> File:
    asset = assets().files.get(file_path.as_posix().lstrip("/"))
    if asset is None:
        raise NotFoundException()
    return File(
        path=asset.path,
        filename=asset.path.name,
        content_disposition_type="inline",
        headers={"cache-control": asset.cache_control},
    )


@get("/favicon.ico", exclude_from_auth=True, include_in_schema=False, sync_to_thread=False)
def favicon() -> Redirect:
    """Browsers ask for /favicon.ico on their own (for a PDF, say): the SVG icon."""
    return Redirect(
        path=static_url(FAVICON),
        status_code=302,
        headers={"cache-control": "public, max-age=86400"},
    )
