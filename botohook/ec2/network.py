"""The address space of one region: VPCs, zones, subnets with their address allocator, CIDR reservations; plain
Python, no botocore."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Dict, List

from .addresses import BLOCK, AddressPool, format_cidr
from .base import Resource, Settings
from .errors import Ec2Error
from .ipv6_pool import PREFIX_BITS, Ipv6Pool
from .ipv6_pool import SIZE as SIZE6

if TYPE_CHECKING:
    from .enis import NetworkInterface
    from .groups import SecurityGroup
    from .routing import Association, InternetGateway, RouteTable


class Ipv6Block:
    """An IPv6 CIDR block associated with a VPC (a /56) or a subnet (a /64, with its allocator)."""

    __slots__ = ("association_id", "bits", "network", "pool")

    def __init__(self, association_id: str, network: int, bits: int) -> None:
        self.association_id, self.network, self.bits = association_id, network, bits
        self.pool = Ipv6Pool() if bits == 64 else None

    @property
    def cidr(self) -> str:
        return f"{ipaddress.IPv6Address(self.network)}/{self.bits}"

    def contains(self, network: int, bits: int) -> bool:
        return bits >= self.bits and network >> (128 - self.bits) == self.network >> (128 - self.bits)


class Vpc(Resource):
    """A VPC: its IPv4 block, subnets, security groups (``default`` among them) and route tables (one main), made by
    :meth:`Region.add_vpc`, and the internet gateway attached to it."""

    __slots__ = (
        "association_id",
        "bits",
        "default_group_id",
        "dhcp_options_id",
        "dns_hostnames",
        "dns_support",
        "gateway",
        "groups",
        "ipv6",
        "is_default",
        "main_association",
        "nau_metrics",
        "network",
        "subnets",
        "tables",
        "tenancy",
    )
    resource_type = "vpc"

    def __init__(self, settings: Settings, network: int, bits: int, is_default: bool, tenancy: str) -> None:
        super().__init__(settings.new_id("vpc"))
        self.network, self.bits = network, bits
        self.is_default = is_default
        self.tenancy = tenancy
        self.association_id = settings.new_id("vpc-cidr-assoc")
        self.default_group_id = ""
        self.dhcp_options_id = "default"
        self.dns_support, self.dns_hostnames, self.nau_metrics = True, is_default, False
        self.subnets: Dict[str, Subnet] = {}
        self.groups: Dict[str, SecurityGroup] = {}
        self.tables: Dict[str, RouteTable] = {}
        self.main_association: Association | None = None
        self.gateway: InternetGateway | None = None
        self.ipv6: Dict[str, Ipv6Block] = {}  # association id -> an Amazon-provided /56

    def group_named(self, name: str) -> SecurityGroup | None:
        return next((g for g in self.groups.values() if g.name == name), None)

    @property
    def cidr(self) -> str:
        return format_cidr(self.network, self.bits)

    def contains(self, network: int, bits: int) -> bool:
        return bits >= self.bits and (network >> (32 - self.bits)) == (self.network >> (32 - self.bits))


class Zone:
    __slots__ = ("name", "zone_id")

    def __init__(self, name: str, zone_id: str) -> None:
        self.name, self.zone_id = name, zone_id


class Subnet(Resource):
    """A subnet, the addresses and /28 prefixes it has handed out, its interfaces and its CIDR reservations."""

    __slots__ = (
        "assign_ipv6",
        "association",
        "bits",
        "default_for_az",
        "interfaces",
        "ipv6",
        "map_public_ip",
        "network",
        "owners",
        "owners6",
        "pool",
        "prefixes",
        "prefixes6",
        "reservations",
        "vpc",
        "zone",
    )
    resource_type = "subnet"

    def __init__(self, settings: Settings, vpc: Vpc, network: int, bits: int, zone: Zone, default: bool) -> None:
        super().__init__(settings.new_id("subnet"))
        self.vpc, self.network, self.bits, self.zone = vpc, network, bits, zone
        self.pool = AddressPool(1 << (32 - bits))
        self.owners: Dict[int, NetworkInterface] = {}  # address -> interface holding it
        self.interfaces: Dict[str, NetworkInterface] = {}  # its interfaces by id (kept by Region.add and remove)
        self.prefixes: Dict[int, NetworkInterface] = {}  # first address of a delegated /28 -> interface
        self.reservations: Dict[str, CidrReservation] = {}
        self.default_for_az = self.map_public_ip = default
        self.association: Association | None = None  # its explicit route-table association, if any
        self.ipv6: Ipv6Block | None = None  # its /64, if it has one
        self.assign_ipv6 = False  # AssignIpv6AddressOnCreation
        self.owners6: Dict[int, NetworkInterface] = {}  # IPv6 address -> interface holding it
        self.prefixes6: Dict[int, NetworkInterface] = {}  # first address of a delegated /80 -> interface

    @property
    def route_table(self) -> RouteTable:
        """The table its traffic follows: its explicit association's, else its VPC's main table."""
        association = self.association or self.vpc.main_association
        assert association is not None
        return association.table

    @property
    def cidr(self) -> str:
        return format_cidr(self.network, self.bits)

    @property
    def available(self) -> int:
        return len(self.pool)

    def offset(self, address: int) -> int | None:
        """The address's position in the subnet, or None when it lies outside."""
        offset = address - self.network
        return offset if 0 <= offset < self.pool.size else None

    def in_use(self, address: int) -> bool:
        """Whether an interface holds this unreserved address of the subnet, alone or inside a delegated prefix."""
        return not self.pool.is_free(address - self.network)

    def can_allocate(self, addresses: int, prefixes: int, named: List[int]) -> Ec2Error | None:
        """The error EC2 gives when ``addresses`` automatic addresses and ``prefixes`` automatic /28 prefixes
        cannot both come from this subnet after the ``named`` addresses are taken, else None."""
        pool = self.pool
        if prefixes > pool.automatic_blocks():
            return Ec2Error(
                "InsufficientCidrBlocks",
                "The specified subnet does not have enough free cidr blocks to satisfy the request.",
            )
        left = pool.automatic() - sum(1 for a in named if pool.is_automatic(a - self.network))
        if pool.prefixes_come_from_open_blocks():
            left -= BLOCK * prefixes
        if addresses > left:
            return Ec2Error(
                "InsufficientFreeAddressesInSubnet",
                "The specified subnet does not have enough free addresses to satisfy the request.",
            )
        return None

    def claim(self, address: int, interface: NetworkInterface) -> None:
        self.pool.take(address - self.network)
        self.owners[address] = interface

    def release(self, address: int) -> None:
        del self.owners[address]
        self.pool.release(address - self.network)

    def allocate(self, count: int, interface: NetworkInterface, settings: Settings) -> List[int]:
        """Pick ``count`` free addresses by the simulator's policy and give them to ``interface``."""
        pool, owners, network = self.pool, self.owners, self.network
        addresses = []
        for _ in range(count):
            address = network + (pool.take_lowest() if settings.lowest else pool.take_random(settings.allocation_rng))
            owners[address] = interface
            addresses.append(address)
        return addresses

    def _block(self, first: int) -> int:
        return (first - self.network) // BLOCK

    def prefix_is_free(self, first: int) -> bool:
        """Whether the /28 starting at ``first`` holds no address or prefix in use."""
        return self.pool.block_is_free(self._block(first))

    def claim_prefix(self, first: int, interface: NetworkInterface) -> None:
        self.pool.take_block(self._block(first))
        self.prefixes[first] = interface

    def release_prefix(self, first: int) -> None:
        del self.prefixes[first]
        self.pool.release_block(self._block(first))

    def allocate_prefixes(self, count: int, interface: NetworkInterface, settings: Settings) -> List[int]:
        """Pick ``count`` wholly free /28 blocks by the simulator's policy and delegate them to ``interface``."""
        pool = self.pool
        firsts = []
        for _ in range(count):
            block = pool.take_lowest_block() if settings.lowest else pool.take_random_block(settings.allocation_rng)
            first = self.network + block * BLOCK
            self.prefixes[first] = interface
            firsts.append(first)
        return firsts

    # -- IPv6: the subnet's /64 (callers check that it has one) --------------------------------------------------------

    @property
    def pool6(self) -> Ipv6Pool:
        """The allocator of the subnet's /64."""
        assert self.ipv6 is not None and self.ipv6.pool is not None
        return self.ipv6.pool

    def offset6(self, address: int) -> int | None:
        """The IPv6 address's position in the subnet's /64, or None when it lies outside (or there is no /64)."""
        if self.ipv6 is None or address >> 64 != self.ipv6.network >> 64:
            return None
        return address & (SIZE6 - 1)

    def claim6(self, address: int, interface: NetworkInterface) -> None:
        self.pool6.take(address & (SIZE6 - 1))
        self.owners6[address] = interface

    def release6(self, address: int) -> None:
        del self.owners6[address]
        self.pool6.release(address & (SIZE6 - 1))

    def allocate6(self, count: int, interface: NetworkInterface, settings: Settings) -> List[int]:
        """Pick ``count`` free IPv6 addresses by the simulator's policy and give them to ``interface``."""
        pool, base = self.pool6, self.network6
        out = []
        for _ in range(count):
            address = base | (pool.take_lowest() if settings.lowest else pool.take_random(settings.allocation_rng))
            self.owners6[address] = interface
            out.append(address)
        return out

    @property
    def network6(self) -> int:
        """The first address of the subnet's /64."""
        assert self.ipv6 is not None
        return self.ipv6.network

    def claim_prefix6(self, first: int, interface: NetworkInterface) -> None:
        self.pool6.take_block((first & (SIZE6 - 1)) >> PREFIX_BITS)
        self.prefixes6[first] = interface

    def release_prefix6(self, first: int) -> None:
        del self.prefixes6[first]
        self.pool6.release_block((first & (SIZE6 - 1)) >> PREFIX_BITS)

    def allocate_prefixes6(self, count: int, interface: NetworkInterface, settings: Settings) -> List[int]:
        """Pick ``count`` wholly free /80s by the simulator's policy and delegate them to ``interface``."""
        pool, base = self.pool6, self.network6
        out = []
        for _ in range(count):
            block = pool.take_lowest_block() if settings.lowest else pool.take_random_block(settings.allocation_rng)
            first = base | (block << PREFIX_BITS)
            self.prefixes6[first] = interface
            out.append(first)
        return out


class CidrReservation(Resource):
    """A subnet CIDR reservation: ``prefix`` (automatic prefixes come from it) or ``explicit`` (manual use only)."""

    __slots__ = ("bits", "description", "kind", "network", "subnet")
    resource_type = "subnet-cidr-reservation"

    def __init__(
        self, settings: Settings, subnet: Subnet, network: int, bits: int, kind: str, description: str
    ) -> None:
        super().__init__(settings.new_id("subnet-cr"))
        self.subnet, self.network, self.bits, self.kind, self.description = subnet, network, bits, kind, description

    @property
    def cidr(self) -> str:
        return format_cidr(self.network, self.bits)

    @property
    def offsets(self) -> range:
        start = self.network - self.subnet.network
        return range(start, start + (1 << (32 - self.bits)))
