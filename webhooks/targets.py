"""Where a webhook may be sent: https to public addresses only.

A webhook URL is chosen by a customer and fetched by our servers, so it must not reach
what only our servers can reach: loopback, private networks, link-local and the cloud
metadata address (169.254.169.254, fd00:ec2::254). The name is resolved again at every send
and the request goes to the address that was checked (``webhooks.transport``), so a name
that resolves to a public address at creation and to a private one later (DNS rebinding)
is refused then too. ``WEBHOOK_ALLOW_LOOPBACK`` lets the tests and the demo use plain http
to a receiver on this machine; it never opens private or metadata addresses.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from webhooks.models import URL_MAX_LENGTH

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeTarget(Exception):
    """The URL may not be sent to (now): the message says why, for the delivery log."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked IP the request goes to


def clean_url(url: object) -> str:
    """The URL an endpoint may be created with, or ``ValidationError`` on ``url``."""
    if not isinstance(url, str) or not url.strip():
        raise ValidationError({"url": ["Enter the URL to send events to."]})
    url = url.strip()
    if len(url) > URL_MAX_LENGTH:
        raise ValidationError({"url": [f"At most {URL_MAX_LENGTH} characters."]})
    try:
        URLValidator(schemes=["https", "http"])(url)
        resolve(url)
    except (ValidationError, UnsafeTarget) as error:
        message = error.messages[0] if isinstance(error, ValidationError) else str(error)
        raise ValidationError({"url": [message]}) from None
    return url


def resolve(url: str) -> Target:
    """The URL's parts and one address it may be sent to; ``UnsafeTarget`` otherwise."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise UnsafeTarget("The URL must not carry a user name or password.")
    if parts.fragment:
        raise UnsafeTarget("The URL must not have a #fragment.")
    host = parts.hostname or ""
    if not host:
        raise UnsafeTarget("The URL has no host.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeTarget("The URL's port is not valid.") from None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeTarget(f"The host {host} could not be resolved.") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for address in addresses:
        _refuse_unsafe(host, address)
    loopback = all(_is_loopback(address) for address in addresses)
    if parts.scheme != "https" and not (loopback and settings.WEBHOOK_ALLOW_LOOPBACK):
        raise UnsafeTarget("The URL must start with https://.")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(parts.scheme, host, port, path, str(addresses[0]))


def _is_loopback(address: IPAddress) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def _refuse_unsafe(host: str, address: IPAddress) -> None:
    mapped = getattr(address, "ipv4_mapped", None) or address
    if mapped.is_loopback and settings.WEBHOOK_ALLOW_LOOPBACK:
        return
    if not mapped.is_global or mapped.is_multicast:
        raise UnsafeTarget(
            f"{host} resolves to {address}, a loopback, private, link-local or otherwise "
            "non-public address; webhooks go to public addresses only."
        )
