"""The address guard: refuse hosts that resolve to loopback, private or otherwise non-public addresses.

A URL handed to us may point into the network we run in (a router page, a cloud
metadata service at 169.254.169.254, a database on 127.0.0.1). The guard resolves
the host and refuses the URL if *any* of its addresses is not public. The fetcher
calls it before the first request and again before every redirect hop.

Policy is data: `allow_private` switches the guard off, `trusted_networks` lists
networks to treat as public (tests declare 127.0.0.1/32 public this way, and
127.0.0.2 stays refused), and the resolver is injected, so the guard never
depends on global state.

Known limit: the address is checked, then httpx resolves the host again to
connect. A DNS server that answers differently within that window (DNS
rebinding) is not caught; an egress firewall is the complete answer to that.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from scraper.errors import AddressRefused, FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# host, port -> the IP addresses the host resolves to, as strings.
Resolver = Callable[[str, int], Sequence[str]]


def system_resolver(host: str, port: int) -> list[str]:
    """Resolve `host` with the operating system's resolver."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def refusal_reason(address: IPAddress) -> str | None:
    """Return why `address` is not a public unicast address, or None if it is public."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    checks = (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        # Catches the rest: shared address space (100.64/10), documentation ranges, ...
        ("not globally routable", not address.is_global),
    )
    return next((name for name, hit in checks if hit), None)


@dataclass(frozen=True)
class AddressGuard:
    """Check that a host resolves only to addresses we are willing to contact."""

    allow_private: bool = False
    trusted_networks: tuple[Network, ...] = ()
    resolver: Resolver = field(default=system_resolver)

    @classmethod
    def from_options(
        cls, allow_private: bool, trusted: Sequence[str], resolver: Resolver | None = None
    ) -> AddressGuard:
        """Build a guard from option values; `trusted` holds CIDR strings."""
        networks = tuple(ipaddress.ip_network(cidr, strict=False) for cidr in trusted)
        return cls(allow_private, networks, resolver or system_resolver)

    def check(self, url: str, host: str, port: int) -> None:
        """Raise unless every address `host` resolves to may be contacted.

        Raises:
            AddressRefused: an address is loopback, private, link-local, multicast or reserved.
            FetchError: the host cannot be resolved.
        """
        if self.allow_private:
            return
        for address in self._addresses(url, host, port):
            if any(address in network for network in self.trusted_networks):
                continue
            reason = refusal_reason(address)
            if reason:
                shown = host if host == str(address) else f"{host} ({address})"
                raise AddressRefused(
                    f"refused: {shown} is a {reason} address (use --allow-private to fetch it)",
                    url=url,
                )

    def _addresses(self, url: str, host: str, port: int) -> list[IPAddress]:
        literal = host.strip("[]")
        try:
            return [ipaddress.ip_address(literal)]
        except ValueError:
            pass  # a host name: resolve it below
        try:
            resolved = self.resolver(literal, port)
        except (OSError, UnicodeError) as exc:
            raise FetchError(f"cannot resolve host {host!r}: {exc}", url=url) from exc
        if not resolved:
            raise FetchError(f"host {host!r} resolves to no address", url=url)
        # Drop an IPv6 zone id ("fe80::1%eth0"); the address itself is what we judge.
        return [ipaddress.ip_address(text.split("%", 1)[0]) for text in resolved]
