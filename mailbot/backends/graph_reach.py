"""Why Graph or Microsoft Entra ID could not be reached, in words naming the key to check:
httpx and requests bury the network's own reason ("[Errno 111] Connection refused",
"Failed to resolve ...") under their wrapping, and say neither which host nor which key."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

PROXY_HINT = ("and the network path from this machine (a proxy in between: HTTPS_PROXY in "
              "mailbot's environment)")


def host_port(url: str) -> str:
    """host:port of a URL, the port filled in from the scheme."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname or url}:{port}"


def reason(error: BaseException) -> str:
    """The network's reason at the bottom of the wrapping, in words; the error's own text
    when there is none to find."""
    for seen in _chain(error):
        if isinstance(seen, socket.gaierror) or "Failed to resolve" in str(seen):
            return "the host name is not known to DNS"
        if isinstance(seen, ConnectionRefusedError) or "Connection refused" in str(seen):
            return "the connection was refused"
        if isinstance(seen, TimeoutError) or "timed out" in str(seen).lower():
            return "no answer in time (a firewall may be dropping the connection)"
    return str(error)


def cannot_reach(service: str, url: str, doing: str, key: str, error: BaseException) -> str:
    return (f"cannot reach {service} at {host_port(url)} {doing}: {reason(error)}: check "
            f"[mailbox.graph] {key} {PROXY_HINT}")


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__
