"""A small HTTP/1.1 keep-alive load generator in pure Python (asyncio streams, no dependency).

`run_load` opens N connections; each one sends the same GET request again and again, one at a
time, reading each response in full (Content-Length or chunked) before sending the next. The
first `warmup` seconds are thrown away; the next `duration` seconds are measured. Every status
other than the expected one, and every connection error, is counted as an error.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


class ProtocolError(Exception):
    """The server sent something this little client does not understand."""


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def cookies(self) -> dict[str, str]:
        """name -> value of every Set-Cookie header (attributes dropped)."""
        found = {}
        for key, value in self.headers:
            if key == "set-cookie":
                pair = value.split(";", 1)[0]
                name, _, cookie = pair.partition("=")
                found[name.strip()] = cookie.strip()
        return found


def build_request(
    method: str,
    host: str,
    port: int,
    path: str,
    headers: Sequence[tuple[str, str]] = (),
    body: bytes = b"",
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "User-Agent: governance-bench"]
    lines += [f"{name}: {value}" for name, value in headers]
    if body or method not in {"GET", "HEAD"}:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            # Trailers (none expected), then the final empty line.
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bytes, bool]:
    """(status, raw lower-cased head, body, keep_alive) of one response."""
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1."):
        raise ProtocolError(f"not an HTTP/1 response: {head[:40]!r}")
    status = int(head[9:12])
    lower = head.lower()
    keep_alive = b"\r\nconnection: close" not in lower
    start = lower.find(b"\r\ncontent-length:")
    if start >= 0:
        end = lower.index(b"\r\n", start + 2)
        length = int(lower[start + 17 : end])
        body = await reader.readexactly(length) if length else b""
    elif b"\r\ntransfer-encoding: chunked" in lower:
        body = await _read_chunked(reader)
    elif status in (204, 304) or 100 <= status < 200:
        body = b""
    else:
        raise ProtocolError("response without Content-Length nor chunked encoding")
    return status, lower, body, keep_alive


async def request_once(host: str, port: int, raw_request: bytes, limit: float = 10) -> Response:
    """One request on a fresh connection, headers kept (for set-up and probes, not timing)."""

    async def go() -> Response:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(raw_request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            headers = []
            for line in lines[1:]:
                if line:
                    name, _, value = line.partition(":")
                    headers.append((name.strip().lower(), value.strip()))
            response = Response(status, headers, b"")
            length = response.header("content-length")
            if length is not None:
                response.body = await reader.readexactly(int(length))
            elif (response.header("transfer-encoding") or "").lower() == "chunked":
                response.body = await _read_chunked(reader)
            return response
        finally:
            writer.close()

    return await asyncio.wait_for(go(), limit)


@dataclass
class LoadResult:
    """What one measurement saw during its measured window (warm-up excluded)."""

    duration: float
    concurrency: int
    responses: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    mean_body_bytes: float
    errors: int
    error_kinds: dict[str, int] = field(default_factory=dict)
    warmup_responses: int = 0
    client_cpu_percent: float | None = None
    server_cpu_percent: float | None = None


def percentile(sorted_values: Sequence[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[index]


async def run_load(
    host: str,
    port: int,
    raw_request: bytes,
    *,
    concurrency: int,
    warmup: float,
    duration: float,
    expected_status: int = 200,
    server_cpu_seconds: Callable[[], float | None] | None = None,
) -> LoadResult:
    """Keep `concurrency` connections busy for warmup + duration seconds; measure the end."""
    loop_time = time.perf_counter
    begin = loop_time()
    measure_from = begin + warmup
    measure_to = measure_from + duration
    latencies: list[float] = []
    body_bytes = 0
    warm = 0
    errors: Counter[str] = Counter()

    async def connection() -> None:
        nonlocal body_bytes, warm
        reader = writer = None
        while loop_time() < measure_to:
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                assert reader is not None
                t0 = loop_time()
                writer.write(raw_request)
                status, _, body, keep_alive = await read_response(reader)
                t1 = loop_time()
                if status != expected_status:
                    errors[f"status {status}"] += 1
                elif measure_from <= t0 and t1 <= measure_to:
                    latencies.append(t1 - t0)
                    body_bytes += len(body)
                elif t1 < measure_from:
                    warm += 1
                if not keep_alive:
                    writer.close()
                    reader = writer = None
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
                errors[type(error).__name__] += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
                await asyncio.sleep(0.01)
            except (ProtocolError, ValueError) as error:
                errors[f"protocol: {error}"[:80]] += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    cpu: dict[str, float | None] = {}

    async def sample_cpu() -> None:
        await asyncio.sleep(max(0.0, measure_from - loop_time()))
        cpu["client0"] = time.process_time()
        cpu["server0"] = server_cpu_seconds() if server_cpu_seconds else None
        cpu["wall0"] = loop_time()
        await asyncio.sleep(max(0.0, measure_to - loop_time()))
        cpu["client1"] = time.process_time()
        cpu["server1"] = server_cpu_seconds() if server_cpu_seconds else None
        cpu["wall1"] = loop_time()

    sampler = asyncio.create_task(sample_cpu())
    tasks = [asyncio.create_task(connection()) for _ in range(concurrency)]
    # A request still hanging 10 s after the end is a timeout, counted as an error.
    _, pending = await asyncio.wait(tasks, timeout=warmup + duration + 10)
    for task in pending:
        task.cancel()
        errors["timeout"] += 1
    await sampler

    latencies.sort()
    responses = len(latencies)
    wall = (cpu["wall1"] or 0) - (cpu["wall0"] or 0)

    def share(key: str) -> float | None:
        start, end = cpu.get(key + "0"), cpu.get(key + "1")
        if start is None or end is None or wall <= 0:
            return None
        return 100 * (end - start) / wall

    return LoadResult(
        duration=duration,
        concurrency=concurrency,
        responses=responses,
        requests_per_second=responses / duration,
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        mean_body_bytes=body_bytes / responses if responses else 0.0,
        errors=sum(errors.values()),
        error_kinds=dict(errors),
        warmup_responses=warm,
        client_cpu_percent=share("client"),
        server_cpu_percent=share("server"),
    )
