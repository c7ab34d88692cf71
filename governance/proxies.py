"""Who is really asking: the client address and scheme behind a trusted reverse proxy.

A proxy (Caddy in compose.yaml) connects to the app itself, so every request seems to come
from the proxy. Only when the connection comes from an address of GOVERNANCE_TRUSTED_PROXIES
are its X-Forwarded-For and X-Forwarded-Proto believed: the client is the right-most address
of X-Forwarded-For that is not itself a trusted proxy (a visitor can write anything on the
left, never on the right of what our proxy appended). Anyone else's headers are ignored, so
a visitor cannot pick the address that login throttling counts.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from litestar.types import ASGIApp, Receive, Scope, Send

from governance.base.settings import Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.5:4711
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_trusted(address: str, trusted: Iterable[Network]) -> bool:
    found = _address(address)
    return found is not None and any(found in network for network in trusted)


def client_address(peer: str, forwarded_for: str, trusted: tuple[Network, ...]) -> str:
    """The client's address for a connection from `peer` carrying `forwarded_for`."""
    if not trusted or not is_trusted(peer, trusted):
        return peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        found = _address(hop)
        if found is None:
            return peer  # a garbled header: believe nothing in it
        if not any(found in network for network in trusted):
            return str(found)
    return peer


class ForwardedHeaders:
    """ASGI middleware: rewrites the scope's client and scheme as `client_address` says."""

    def __init__(self, app: ASGIApp, trusted: tuple[Network, ...]) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.trusted and scope["type"] in ("http", "websocket"):
            client = scope.get("client")
            if client and is_trusted(client[0], self.trusted):
                headers = {
                    name.decode("latin-1"): value.decode("latin-1")
                    for name, value in scope.get("headers", ())
                    if name in (b"x-forwarded-for", b"x-forwarded-proto")
                }
                address = client_address(
                    client[0], headers.get("x-forwarded-for", ""), self.trusted
                )
                scope["client"] = (address, client[1])
                proto = headers.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
                if proto in ("http", "https"):
                    scope["scheme"] = proto
        await self.app(scope, receive, send)
