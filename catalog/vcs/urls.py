"""Check remote repository URLs before any fetch: https only, public addresses only, IPs pinned."""
from __future__ import annotations

import ipaddress
import os
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from .env import GitOptions
from .errors import N_, UnsafeRemote

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_URL = 2048

MESSAGES = {
    "empty": N_("Alamat repositori wajib diisi."),
    "too_long": "Alamat repositori terlalu panjang.",
    "whitespace": N_("Alamat repositori tidak boleh memuat spasi, baris baru, atau karakter kontrol."),
    "option": N_("Alamat repositori tidak valid: tidak boleh diawali tanda minus (-)."),
    "scheme": N_("Alamat repositori harus memakai https://"),
    "credentials": "Alamat repositori tidak boleh memuat nama pengguna atau kata sandi. "
                   "Hapus bagian sebelum tanda @.",
    "format": N_("Format alamat repositori tidak valid."),
    "host": N_("Nama server pada alamat repositori tidak valid."),
    "port": N_("Nomor port pada alamat repositori tidak valid."),
    "resolve": N_("Nama server repositori tidak dapat ditemukan."),
    "internal": N_("Alamat repositori mengarah ke jaringan internal dan tidak diizinkan."),
    "local_path": N_("Folder repositori lokal tidak ditemukan atau bukan folder."),
}

_TRANSPORT_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*::")
_HOST_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.?")
_NUMERIC_LABEL_RE = re.compile(r"0[xX][0-9a-fA-F]*|[0-9]+")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_V4_COMPAT = ipaddress.ip_network("::/96")


@dataclass(frozen=True)
class CheckedRemote:
    """A remote that passed the checks; fetch it only through `git_options()` (pinned IPs)."""

    url: str
    host: str
    port: int
    pinned_ips: tuple[str, ...]
    is_local: bool

    @property
    def is_path(self) -> bool:
        return self.url.startswith("/")

    def git_options(self) -> GitOptions:
        """Protocol allows and the curl RESOLVE pin, so DNS cannot change between check and use."""
        resolve: tuple[str, ...] = ()
        if self.pinned_ips and not _is_ip_literal(self.host):
            ips = ",".join(f"[{ip}]" if ":" in ip else ip for ip in self.pinned_ips)
            resolve = (f"{self.host}:{self.port}:{ips}",)
        return GitOptions(allow_file=self.is_path, allow_http=self.url.startswith("http://"),
                          resolve=resolve)


def _refuse(message_id: str) -> UnsafeRemote:
    return UnsafeRemote(message_id, MESSAGES[message_id])


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def parse_ipv4_loose(host: str) -> ipaddress.IPv4Address | None:
    """Parse like inet_aton: 1–4 parts, each decimal, 0-octal or 0x-hex ('0177.1', '2130706433')."""
    parts = host[:-1].split(".") if host.endswith(".") else host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    nums = []
    for part in parts:
        if re.fullmatch(r"0[xX][0-9a-fA-F]*", part):
            nums.append(int(part[2:] or "0", 16))
        elif re.fullmatch(r"0[0-7]*", part):
            nums.append(int(part, 8))
        elif re.fullmatch(r"[1-9][0-9]*", part):
            nums.append(int(part))
        else:
            return None
    head, last = nums[:-1], nums[-1]
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(nums)):
        return None
    value = last
    for i, n in enumerate(head):
        value |= n << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


def _v4_is_public(ip: ipaddress.IPv4Address) -> bool:
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip in _CGNAT
                                 or ip.is_unspecified or ip.is_private or ip.is_loopback)


def is_public_ip(ip: IPAddress) -> bool:
    """True only for globally routable unicast; IPv6 forms embedding an IPv4 are judged by it."""
    if isinstance(ip, ipaddress.IPv4Address):
        return _v4_is_public(ip)
    if ip.ipv4_mapped is not None:
        return _v4_is_public(ip.ipv4_mapped)
    if ip in _NAT64:
        return _v4_is_public(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip in _SIX_TO_FOUR:
        return _v4_is_public(ipaddress.IPv4Address((int(ip) >> 80) & 0xFFFFFFFF))
    if ip.teredo is not None or ip in _NAT64_LOCAL or ip in _V4_COMPAT:
        return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local
                                 or ip.is_site_local or ip.is_private or ip.is_unspecified)


def _is_loopback(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback


def _local_path(url: str) -> CheckedRemote:
    if url.startswith("file://"):
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or parts.query or parts.fragment:
            raise _refuse("format")
        url = unquote(parts.path)
    if not os.path.isabs(url) or not os.path.isdir(url):
        raise _refuse("local_path")
    return CheckedRemote(os.path.realpath(url), "", 0, (), True)


def _host_addresses(host: str, port: int, resolver: Callable) -> list[IPAddress]:
    if host.startswith("["):
        try:
            return [ipaddress.IPv6Address(host[1:-1])]
        except ValueError:
            raise _refuse("host") from None
    if not host.isascii() or not _HOST_RE.fullmatch(host) or len(host) > 253:
        raise _refuse("host")
    last = host.rstrip(".").rsplit(".", 1)[-1]
    if _NUMERIC_LABEL_RE.fullmatch(last):  # an IPv4 in some spelling, never a real name
        ip4 = parse_ipv4_loose(host)
        if ip4 is None:
            raise _refuse("host")
        return [ip4]
    try:
        infos = resolver(host, port, 0, socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise _refuse("resolve") from None
    found: list[IPAddress] = []
    for info in infos:
        try:
            ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        except ValueError:
            raise _refuse("internal") from None
        if ip not in found:
            found.append(ip)
    if not found:
        raise _refuse("resolve")
    return found


def check_remote_url(url: str, *, allow_local: bool,
                     resolver: Callable = socket.getaddrinfo) -> CheckedRemote:
    """Return the checked remote or raise UnsafeRemote; messages never repeat the URL."""
    if not isinstance(url, str) or not url:
        raise _refuse("empty")
    if len(url) > MAX_URL:
        raise _refuse("too_long")
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in url) or any(c.isspace() for c in url):
        raise _refuse("whitespace")
    if url.startswith("-"):
        raise _refuse("option")
    if _TRANSPORT_RE.match(url):
        raise _refuse("scheme")
    if allow_local and (url.startswith("/") or url.lower().startswith("file://")):
        return _local_path(url)
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    allowed = ("https", "http") if allow_local else ("https",)
    if scheme not in allowed or not url[len(scheme):].startswith("://"):
        raise _refuse("scheme")
    if "\\" in url:
        raise _refuse("format")
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise _refuse("port") from None
    if "@" in parts.netloc:
        raise _refuse("credentials")
    if parts.fragment or parts.query or "%" in parts.netloc:
        raise _refuse("format")
    netloc_host = parts.netloc.rsplit(":", 1)[0] if not parts.netloc.endswith("]") else parts.netloc
    host = (parts.hostname or "").lower()
    if not host:
        raise _refuse("host")
    addresses = _host_addresses(f"[{host}]" if netloc_host.startswith("[") else host,
                                port, resolver)
    loopback = all(_is_loopback(ip) for ip in addresses)
    if allow_local and loopback:
        return CheckedRemote(url, host, port, tuple(str(ip) for ip in addresses), True)
    if scheme != "https":
        raise _refuse("scheme")
    if not all(is_public_ip(ip) for ip in addresses):
        raise _refuse("internal")
    return CheckedRemote(url, host, port, tuple(str(ip) for ip in addresses), False)
