"""Reading an uploaded file within a size limit, for the pages that import files."""

from __future__ import annotations

from litestar.datastructures import UploadFile
from litestar.exceptions.http_exceptions import RequestEntityTooLarge

CHUNK = 64 * 1024
# The multipart envelope (boundary, headers, the CSRF field) around the file itself.
ENVELOPE_BYTES = 64 * 1024


async def read_limited(upload: UploadFile, limit: int) -> bytes:
    """The file's bytes, read in chunks, refused as soon as there are more than `limit`."""
    chunks, size = [], 0
    while chunk := await upload.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise RequestEntityTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)
