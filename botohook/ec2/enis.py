"""Elastic network interfaces and Elastic IPs; plain Python, no botocore."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, Iterable, List, Tuple

from .addresses import format_cidr, format_ipv4
from .base import Resource, Settings
from .compute import Attachment, Instance

if TYPE_CHECKING:
    from .network import Subnet


class NetworkInterface(Resource):
    """An elastic network interface: its primary address and its secondary addresses, in assignment order."""

    __slots__ = (
        "associations",
        "attachment",
        "created_by_caller",
        "description",
        "detaching",
        "groups",
        "interface_type",
        "ipv6_prefixes",
        "ipv6s",
        "mac",
        "prefixes",
        "primary",
        "public_ip",
        "public_on_launch",
        "secondaries",
        "shown",
        "shown_until",
        "source_dest_check",
        "subnet",
    )
    resource_type = "network-interface"

    def __init__(
        self, settings: Settings, subnet: Subnet, description: str, groups: List[str], interface_type: str
    ) -> None:
        super().__init__(settings.new_id("eni"))
        self.subnet = subnet
        self.primary = 0
        self.secondaries: Dict[int, None] = {}
        self.prefixes: Dict[int, None] = {}  # first address of each delegated /28, in assignment order
        self.ipv6s: Dict[int, None] = {}  # IPv6 addresses, in assignment order
        self.ipv6_prefixes: Dict[int, None] = {}  # first address of each delegated /80, in assignment order
        self.description = description
        self.groups = groups
        self.interface_type = interface_type
        self.source_dest_check = True
        self.attachment: Attachment | None = None
        self.associations: Dict[int, ElasticIp] = {}  # private address -> the Elastic IP associated with it
        self.public_ip: int | None = None  # the public IPv4 address EC2 gave the primary address (not an Elastic IP)
        self.public_on_launch = False  # launched with a public IPv4 address: it gets one again when it may
        # Eventual consistency: the (secondaries, prefixes) Describe shows until shown_until, after a change
        self.shown: Tuple[List[int], List[int]] = ([], [])
        self.shown_until: float | None = None
        self.detaching: Tuple[Attachment, float] | None = None  # the attachment it is leaving, until when
        self.created_by_caller = False  # made by CreateNetworkInterface (not RunInstances): it shows a RequesterId
        rng = settings.id_rng
        self.mac = "0e:" + ":".join(f"{rng.getrandbits(8):02x}" for _ in range(5))

    @property
    def primary_address(self) -> str:
        """The primary private IPv4 address."""
        return format_ipv4(self.primary)

    @property
    def secondary_addresses(self) -> List[str]:
        """The secondary private IPv4 addresses, oldest first."""
        return [format_ipv4(a) for a in self.secondaries]

    @property
    def private_addresses(self) -> List[str]:
        """Every private IPv4 address, primary first."""
        return [self.primary_address, *self.secondary_addresses]

    def public_of(self, address: int) -> int | None:
        """The public IPv4 address that maps to one of its private addresses: an Elastic IP, else, for the primary,
        the address EC2 gave it at launch."""
        eip = self.associations.get(address)
        if eip is not None:
            return eip.public_ip
        return self.public_ip if address == self.primary else None

    def public_address(self, address: int) -> str | None:
        """:meth:`public_of` as text."""
        public = self.public_of(address)
        return None if public is None else format_ipv4(public)

    @property
    def ipv4_prefixes(self) -> List[str]:
        """The delegated /28 prefixes, oldest first."""
        return [format_cidr(first, 28) for first in self.prefixes]

    def described(self, now: Callable[[], float]) -> Tuple[Iterable[int], Iterable[int]]:
        """``(secondaries, prefixes)`` as Describe shows them: the placement before a recent change under eventual
        consistency (the clock ``now`` is read only then), else the current one."""
        if self.shown_until is not None and now() < self.shown_until:
            return self.shown
        return self.secondaries, self.prefixes

    @property
    def ipv6_slots(self) -> int:
        """IPv6 slots in use against the instance type's IPv6 limit: each address and each /80 [decided]."""
        return len(self.ipv6s) + len(self.ipv6_prefixes)

    @property
    def slots(self) -> int:
        """Address slots in use against the instance type's limit: the primary, each secondary, each prefix."""
        return 1 + len(self.secondaries) + len(self.prefixes)

    def shown_attachment(self) -> Tuple[Attachment, str] | None:
        """The attachment Describe shows, with its status: the current one, or, under eventual consistency, the
        one this interface is still ``detaching`` from."""
        if self.attachment is not None:
            return self.attachment, self.attachment.status
        if self.detaching is not None:
            attachment, until = self.detaching
            if attachment.settings.now() < until:
                return attachment, "detaching"
            self.detaching = None
        return None

    @property
    def status(self) -> str:
        return "available" if self.shown_attachment() is None else "in-use"

    @property
    def running(self) -> bool:
        """Whether it is attached to an instance that is pending or running (one that may hold a public address)."""
        return self.attachment is not None and self.attachment.instance.state in ("pending", "running")

    @property
    def instance(self) -> Instance | None:
        """The instance this interface is attached to, if any."""
        return None if self.attachment is None else self.attachment.instance


class ElasticIp(Resource):
    """An Elastic IP address and, when associated, the private address it maps to."""

    __slots__ = ("association_id", "domain_name", "interface", "private_address", "public_ip")
    resource_type = "elastic-ip"

    def __init__(self, settings: Settings, public_ip: int) -> None:
        super().__init__(settings.new_id("eipalloc"))
        self.public_ip = public_ip
        self.association_id: str | None = None
        self.interface: NetworkInterface | None = None
        self.private_address: int | None = None
        self.domain_name: str | None = None  # its reverse DNS record, when set (ModifyAddressAttribute)

    @property
    def address(self) -> str:
        """The public address."""
        return format_ipv4(self.public_ip)
