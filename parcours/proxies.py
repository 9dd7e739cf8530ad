"""Who the client is when Parcours sits behind a reverse proxy: the collect path (visitor
addresses, for the visitor hash and rate limits) and the login form (rate limits) ask alike."""

from __future__ import annotations

import functools
import ipaddress


def client_ip(scope: dict, headers: dict[bytes, bytes], trusted: tuple) -> str:
    """The visitor's address: the direct peer, unless that peer is a trusted proxy; then the
    rightmost X-Forwarded-For entry that is not itself a trusted proxy (entries further left
    are whatever the client chose to send)."""
    address = scope["client"][0] if scope.get("client") else ""
    if not trusted:
        return address
    forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    while _is_trusted(address, trusted) and hops:
        address = hops.pop()
    return address


@functools.lru_cache(maxsize=1024)
def _is_trusted(address: str, trusted: tuple) -> bool:
    # Cached: the direct peer is nearly always the same proxy, and parsing an address is slow.
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)
