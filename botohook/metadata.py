"""The instance-metadata transport: what ``http://169.254.169.254`` answers on a simulated instance, computed from the
live simulation at each request and served over loopback HTTP; and :func:`metadata_as`, which sends this process's
requests for that address to such a view.

The only module that knows the IMDS protocol. Every version ``GET /`` lists serves the same tree. IMDSv2:
``PUT /latest/api/token`` with ``X-aws-ec2-metadata-token-ttl-seconds`` (1-21600 in ASCII digits, else 400; none
through a forwarding proxy, ``X-Forwarded-For``: 403) gives a token; every ``GET`` needs a live token of the same view
in ``X-aws-ec2-metadata-token`` (missing, wrong or expired on the simulator's clock: 401), unless the simulator allows
IMDSv1 (``imds_v1=True``). Requests may be proxy-form (``GET http://169.254.169.254/...``: the view as an HTTP proxy).
An unknown path, or any path of an instance that does not exist (yet) or is terminated: 404. The identity document's
``signature``, ``pkcs7`` and ``rsa2048`` are signed with a key botohook makes per process, not AWS's:
:func:`identity_certificate` verifies them.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import socket
import threading
from contextlib import contextmanager
from hashlib import sha256
from typing import Any, Callable, Dict, Iterator, List, Tuple, Union
from urllib.parse import urlsplit

from ._http import Handler, QuietServer, RequestError, running
from ._signing import certificate, pkcs7, signature
from .ec2.addresses import format_ipv4
from .ec2.compute import Instance
from .ec2.enis import NetworkInterface
from .ec2.ipv6 import format_ipv6
from .ec2.model import Region
from .simulator import Simulator

IMDS_ADDRESS = ("169.254.169.254", 80)
MAX_TTL = 21600
VERSIONS = (
    "1.0", "2007-01-19", "2007-03-01", "2007-08-29", "2007-10-10", "2007-12-15", "2008-02-01", "2008-09-01",
    "2009-04-04", "2011-01-01", "2011-05-01", "2012-01-12", "2014-02-25", "2014-11-05", "2015-10-20", "2016-04-19",
    "2016-06-30", "2016-09-02", "2018-03-28", "2018-08-17", "2018-09-24", "2019-10-01", "2020-10-27", "2021-01-03",
    "2021-03-23", "2021-07-15", "2022-09-24", "latest",
)  # fmt: skip
"""What ``GET /`` lists, as EC2's user guide shows it; [decided] every version serves the same, current tree."""
_NOT_FOUND = b'<?xml version="1.0" encoding="iso-8859-1"?>\n<title>404 - Not Found</title>\n'
_LISTING = "\0listing"  # a directory's key for a listing that is not its names (a path part never holds NUL)
Node = Union[str, bytes, Callable[[], str], Dict[str, Any]]  # a leaf's text (bytes: user data, as given; a
# callable: text computed only when that leaf is read), or a directory of nodes
_AWS = ("aws", "amazonaws.com")  # partition, services domain; by region prefix for the others:
_PARTITIONS = (("cn-", "aws-cn", "amazonaws.com.cn"), ("us-gov-", "aws-us-gov", "amazonaws.com"))


def identity_certificate() -> str:
    """The PEM certificate of the key this process signs identity documents with (botohook's own, never AWS's)."""
    return certificate()


class MetadataView:
    """One instance's metadata, read from ``simulator`` at each request, with the IMDSv2 tokens it issued."""

    def __init__(self, simulator: Simulator, instance_id: str) -> None:
        self.simulator = simulator
        self.instance_id = instance_id
        self._tokens: Dict[str, float] = {}  # token -> expiry on the simulator's (virtual) clock
        self._lock = threading.Lock()

    def token(self, ttl: int | None) -> Tuple[int, str]:
        """``(status, body)`` for ``PUT /latest/api/token``: a token good for ``ttl`` seconds of the simulator's
        clock, or 400 for a missing or out-of-range TTL."""
        if ttl is None or not 1 <= ttl <= MAX_TTL:
            return 400, "Bad Request: X-aws-ec2-metadata-token-ttl-seconds must be between 1 and 21600\n"
        token = secrets.token_urlsafe(42)
        with self._lock:
            now = self.simulator.clock.now()
            self._tokens = {t: expiry for t, expiry in self._tokens.items() if expiry > now}
            self._tokens[token] = now + ttl
        return 200, token

    def authorised(self, token: str | None) -> bool:
        """Whether a GET with this token (or none) may read the view."""
        if token is None:
            return self.simulator.imds_v1
        with self._lock:
            expiry = self._tokens.get(token)
        return expiry is not None and expiry > self.simulator.clock.now()

    def get(self, path: str) -> Tuple[int, bytes, str]:
        """``(HTTP status, body, content type)`` for ``GET path`` (``/``, ``/<version>/meta-data/...``)."""
        parts = [p for p in path.split("?", 1)[0].split("/") if p]
        if not parts:
            return 200, "\n".join(VERSIONS).encode(), "text/plain"
        if parts[0] not in VERSIONS:
            return 404, _NOT_FOUND, "text/html"
        with self.simulator.paused():
            shown = self.simulator._notices(self.instance_id)
            found = self._locate()
            if found is None:
                return 404, _NOT_FOUND, "text/html"
            node: Node = _version(*found, shown)
        for part in parts[1:]:
            if not isinstance(node, dict) or part not in node or part == _LISTING:
                return 404, _NOT_FOUND, "text/html"
            node = node[part]
        if callable(node):
            node = node()
        if isinstance(node, dict):
            listing = node.get(_LISTING)
            if listing is None:
                listing = "\n".join(f"{name}/" if isinstance(child, dict) else name for name, child in node.items())
            return 200, listing.encode(), "text/plain"
        if isinstance(node, bytes):
            return 200, node, "application/octet-stream"
        return 200, node.encode(), "application/json" if node.startswith(("{", "[")) else "text/plain"

    def _locate(self) -> Tuple[Region, Instance] | None:
        try:
            region, instance = self.simulator.locate(self.instance_id)
        except KeyError:
            return None
        if not isinstance(instance, Instance) or instance.state == "terminated":
            return None
        return region, instance


def _version(region: Region, instance: Instance, shown: Dict[str, str]) -> Dict[str, Node]:
    """One version's top level, with the interruption notices ``shown`` (by path under ``meta-data/``) in place;
    it lists its names without slashes, as EC2 does."""
    meta_data = _meta_data(region, instance)
    for path, value in shown.items():
        *directories, leaf = path.split("/")
        directory: Dict[str, Any] = meta_data
        for name in directories:
            directory = directory.setdefault(name, {})
        directory[leaf] = value
    tree: Dict[str, Node] = {"dynamic": _dynamic(region, instance), "meta-data": meta_data}
    user_data = _user_data(instance)
    if user_data is not None:
        tree["user-data"] = user_data
    tree[_LISTING] = "\n".join(tree)
    return tree


def _user_data(instance: Instance) -> bytes | None:
    """RunInstances' ``UserData`` as the instance sees it: decoded from the base64 the API carries, byte for byte
    (gzip and all); None when there is none ([decided] an empty one too)."""
    if not instance.user_data:
        return None
    try:
        return base64.b64decode(instance.user_data, validate=True)
    except ValueError:
        return instance.user_data.encode()  # not base64 (the API does not check): served as given


def _meta_data(region: Region, instance: Instance) -> Dict[str, Node]:
    primary = instance.primary_interface
    partition, domain = next(((p, d) for start, p, d in _PARTITIONS if region.name.startswith(start)), _AWS)
    tree: Dict[str, Node | None] = {
        "ami-id": instance.image_id,
        "ami-launch-index": str(instance.launch_index),
        "ami-manifest-path": "(unknown)",  # EBS-backed images have no manifest
        "block-device-mapping": {"ami": "/dev/xvda", "root": "/dev/xvda"},  # RootDeviceName, as DescribeInstances
        "hostname": region.dns_name(primary.primary) if primary else None,
        "instance-action": "none",
        "instance-id": instance.id,
        "instance-life-cycle": "on-demand",
        "instance-type": instance.kind.name,
        "local-hostname": region.dns_name(primary.primary) if primary else None,
        "local-ipv4": primary.primary_address if primary else None,
        "mac": primary.mac if primary else None,
        "network": {
            "interfaces": {
                "macs": {i.mac: _interface(region, i) for _, i in sorted(instance.interfaces.items())},
            }
        },
        "placement": {
            "availability-zone": instance.subnet.zone.name,
            "availability-zone-id": instance.subnet.zone.zone_id,
            "region": region.name,
        },
        "public-ipv4": primary.public_address(primary.primary) if primary else None,
        "public-hostname": _public_hostname(region, primary),
        "public-keys": _public_keys(instance.key_name),
        "security-groups": "\n".join(_group_names(region, primary.groups)) if primary else None,
        "reservation-id": instance.reservation_id,
        "services": {"domain": domain, "partition": partition},
    }
    return {name: node for name, node in tree.items() if node is not None}


def _public_keys(key_name: str | None) -> Dict[str, Node] | None:
    """``0=<KeyName>`` and its ``openssh-key``: [decided] a well-formed ed25519 public key derived from the name (no
    key material is simulated, so no one holds its private half)."""
    if key_name is None:
        return None
    blob = b"".join(
        len(part).to_bytes(4, "big") + part for part in (b"ssh-ed25519", sha256(key_name.encode()).digest())
    )
    key = f"ssh-ed25519 {base64.b64encode(blob).decode()} {key_name}"
    return {"0": {"openssh-key": key}, _LISTING: f"0={key_name}"}


def _public_hostname(region: Region, interface: NetworkInterface | None) -> str | None:
    """The public DNS name, shown only where the VPC has ``enableDnsHostnames`` (the instance-metadata docs)."""
    if interface is None or not interface.subnet.vpc.dns_hostnames:
        return None
    public = interface.public_of(interface.primary)
    return None if public is None else region.public_dns_name(public)


def _group_names(region: Region, group_ids: List[str]) -> List[str]:
    return [region.security_groups[g].name for g in group_ids if g in region.security_groups]


def _interface(region: Region, interface: NetworkInterface) -> Dict[str, Node]:
    subnet, vpc = interface.subnet, interface.subnet.vpc
    publics = {eip.address: format_ipv4(private) for private, eip in interface.associations.items()}
    if interface.public_ip is not None:
        publics[format_ipv4(interface.public_ip)] = format_ipv4(interface.primary)
    tree: Dict[str, Node | None] = {
        "device-number": str(interface.attachment.device_index) if interface.attachment else None,
        "interface-id": interface.id,
        "ipv4-associations": dict(publics) or None,
        "ipv4-prefix": "\n".join(interface.ipv4_prefixes) or None,
        "ipv6s": "\n".join(format_ipv6(a) for a in interface.ipv6s) or None,
        "ipv6-prefix": "\n".join(f"{format_ipv6(p)}/80" for p in interface.ipv6_prefixes) or None,
        "subnet-ipv6-cidr-blocks": subnet.ipv6.cidr if subnet.ipv6 is not None else None,
        "vpc-ipv6-cidr-blocks": "\n".join(b.cidr for b in vpc.ipv6.values()) or None,
        "local-hostname": region.dns_name(interface.primary),
        "local-ipv4s": "\n".join(interface.private_addresses),
        "mac": interface.mac,
        "network-card": "0" if interface.attachment else None,  # [decided] the card index is not recorded: 0
        "owner-id": region.settings.account_id,
        "public-ipv4s": "\n".join(publics) or None,
        "security-group-ids": "\n".join(interface.groups) or None,
        "security-groups": "\n".join(_group_names(region, interface.groups)) or None,
        "public-hostname": _public_hostname(region, interface),
        "subnet-id": subnet.id,
        "subnet-ipv4-cidr-block": subnet.cidr,
        "vpc-id": vpc.id,
        "vpc-ipv4-cidr-block": vpc.cidr,
        "vpc-ipv4-cidr-blocks": vpc.cidr,
    }
    return {name: node for name, node in tree.items() if node is not None}


def _dynamic(region: Region, instance: Instance) -> Dict[str, Node]:
    primary = instance.primary_interface
    document = {
        "accountId": region.settings.account_id,
        "architecture": "x86_64",
        "availabilityZone": instance.subnet.zone.name,
        "billingProducts": None,
        "devpayProductCodes": None,
        "marketplaceProductCodes": None,
        "imageId": instance.image_id,
        "instanceId": instance.id,
        "instanceType": instance.kind.name,
        "kernelId": None,
        "pendingTime": instance.launch_time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "privateIp": primary.primary_address if primary else None,
        "ramdiskId": None,
        "region": region.name,
        "version": "2017-09-30",
    }
    text = json.dumps(document, indent=2)
    signed = {"pkcs7": lambda: pkcs7(text), "rsa2048": lambda: pkcs7(text), "signature": lambda: signature(text)}
    return {"instance-identity": {"document": text, **signed}}


_TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
_TTL = re.compile(r"[0-9]{1,5}")  # ASCII digits only ("\xb2" passes str.isdigit), and never a 5,000-digit number


class _Handler(Handler):
    """IMDS over HTTP: origin-form requests (``GET /latest/...``) and proxy-form ones (``GET http://169.254.169.254/
    latest/...``, from a client told to use the view as its HTTP proxy). Every request's body is read exactly as
    announced (or the request refused and the connection closed), so nothing left over is read as a request."""

    server_version = "EC2ws"
    max_body = 1 << 16  # bytes a metadata request may carry (none needs one); more is refused, the connection closed
    server: _MetadataHTTPServer

    def do_PUT(self) -> None:  # noqa: N802 - the name http.server calls
        path = self._accept()
        if path is None:
            return
        if path.split("?", 1)[0].rstrip("/") != "/latest/api/token":
            self._send(405 if path.startswith("/latest/") else 404, "")
            return
        if "X-Forwarded-For" in self.headers:  # IMDSv2 issues no token through a forwarding proxy ([decided] 403)
            self._send(403, "Forbidden: token requests carrying X-Forwarded-For are refused\n")
            return
        header = self.headers.get(_TTL_HEADER)
        found = _TTL.fullmatch(header.strip()) if header is not None else None
        status, body = self.server.view.token(int(found.group()) if found else None)
        self._send(status, body, headers={_TTL_HEADER: str(int(found.group()))} if found and status == 200 else {})

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        path = self._accept()
        if path is None:
            return
        view = self.server.view
        if not view.authorised(self.headers.get("X-aws-ec2-metadata-token")):
            self._send(401, "")
            return
        status, body, content_type = view.get(path)
        self._send(status, body, content_type)

    def _accept(self) -> str | None:
        """The request's path once its body is read, or None when it was refused (answered, connection closing):
        a body that cannot be framed or is too large, or a proxy request for another address than IMDS's."""
        try:
            self.body()  # read exactly as announced; nothing left over is read as a request
        except RequestError as error:
            self.refuse(error)  # answered in plain text, the connection closed
            return None
        if not self.path.startswith("/"):
            target = urlsplit(self.path)
            if target.scheme != "http" or (target.hostname, target.port or 80) != IMDS_ADDRESS:
                self.close_connection = True
                self._send(403, f"Forbidden: this is {IMDS_ADDRESS[0]}'s metadata view, not a proxy to {self.path}\n")
                return None
            return (target.path or "/") + (f"?{target.query}" if target.query else "")
        return self.path

    def _send(
        self, status: int, body: str | bytes, content_type: str = "text/plain", headers: Dict[str, str] | None = None
    ) -> None:
        self.reply(status, body.encode() if isinstance(body, str) else body, content_type, headers)


class _MetadataHTTPServer(QuietServer):
    view: MetadataView


@contextmanager
def _serving(simulator: Simulator, instance_id: str, host: str) -> Iterator[Tuple[str, _MetadataHTTPServer]]:
    httpd = _MetadataHTTPServer((host, 0), _Handler)
    httpd.view = MetadataView(simulator, instance_id)
    with running(httpd) as url:
        yield url, httpd


@contextmanager
def serve_metadata(simulator: Simulator, instance_id: str, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve one instance's metadata view on a free port until the block ends (its connections close then too);
    yields its base URL."""
    with _serving(simulator, instance_id, host) as (url, _):
        yield url


_redirects: List[Tuple[Tuple[str, int], _MetadataHTTPServer]] = []  # active metadata_as views, innermost last
_redirect_lock = threading.Lock()
_original_connect: Any = None


def _connect(sock: socket.socket, address: Any) -> Any:
    if _redirects and isinstance(address, tuple) and tuple(address[:2]) == IMDS_ADDRESS:
        address = _redirects[-1][0]
    return _original_connect(sock, address)


def redirected(url: str) -> bool:
    """Whether a request to ``url`` would reach a :func:`metadata_as` view (on loopback) rather than leave."""
    return bool(_redirects) and urlsplit(url).hostname == IMDS_ADDRESS[0] and (urlsplit(url).port or 80) == 80


@contextmanager
def metadata_as(simulator: Simulator, instance_id: str) -> Iterator[str]:
    """While active, this process's connections to 169.254.169.254:80 (from requests, urllib3, urllib, botocore,
    ...) reach ``instance_id``'s view instead, and nothing else changes; yields the view's base URL.

    Only the innermost view answers: entering one closes the kept-alive connections of the view it replaces (a
    client's pool reconnects, and reaches the new one), and a view's connections close when its block ends.
    """
    global _original_connect
    with _serving(simulator, instance_id, "127.0.0.1") as (url, httpd):
        host, port = url[len("http://") :].rsplit(":", 1)
        entry = ((host, int(port)), httpd)
        with _redirect_lock:
            if not _redirects:
                _original_connect = socket.socket.connect
                socket.socket.connect = _connect  # type: ignore[method-assign,assignment]
            else:
                _redirects[-1][1].close_connections()
            _redirects.append(entry)
        try:
            yield url
        finally:
            with _redirect_lock:
                _redirects.remove(entry)
                if not _redirects:
                    socket.socket.connect = _original_connect  # type: ignore[method-assign]
