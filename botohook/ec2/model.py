"""The simulated EC2 network of one account in one region: plain Python, no botocore."""

from __future__ import annotations

import random
from typing import Dict, List

from .addresses import AddressPool, format_cidr, format_ipv4, parse_cidr
from .errors import Ec2Error

DEFAULT_VPC_CIDR = "172.31.0.0/16"
_DIRECTIONS = {
    "east": "e",
    "west": "w",
    "north": "n",
    "south": "s",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
}


class Settings:
    """What every region of one simulator shares: the account, the allocation policy and the random sources."""

    __slots__ = ("account_id", "allocation_rng", "default_vpc", "detached_address_limit", "id_rng", "lowest")

    def __init__(
        self, account_id: str, allocation: str, seed: int | None, default_vpc: bool, detached_address_limit: int
    ) -> None:
        if allocation not in ("random", "lowest"):
            raise ValueError(f"allocation must be 'random' or 'lowest', not {allocation!r}")
        self.account_id = account_id
        self.lowest = allocation == "lowest"
        self.allocation_rng = random.Random(seed)
        self.id_rng = random.Random(None if seed is None else seed + 1)
        self.default_vpc = default_vpc
        self.detached_address_limit = detached_address_limit

    def new_id(self, prefix: str) -> str:
        return f"{prefix}-{self.id_rng.getrandbits(68):017x}"


class Resource:
    """Anything with an id and tags."""

    __slots__ = ("id", "tags")
    resource_type = ""

    def __init__(self, resource_id: str) -> None:
        self.id = resource_id
        self.tags: Dict[str, str] = {}


class Vpc(Resource):
    __slots__ = ("association_id", "bits", "default_group_id", "is_default", "network", "subnets", "tenancy")
    resource_type = "vpc"

    def __init__(self, settings: Settings, network: int, bits: int, is_default: bool, tenancy: str) -> None:
        super().__init__(settings.new_id("vpc"))
        self.network, self.bits = network, bits
        self.is_default = is_default
        self.tenancy = tenancy
        self.association_id = settings.new_id("vpc-cidr-assoc")
        self.default_group_id = settings.new_id("sg")
        self.subnets: Dict[str, Subnet] = {}

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
    """A subnet and the addresses it has handed out (``owners``: address -> interface)."""

    __slots__ = ("bits", "default_for_az", "map_public_ip", "network", "owners", "pool", "vpc", "zone")
    resource_type = "subnet"

    def __init__(self, settings: Settings, vpc: Vpc, network: int, bits: int, zone: Zone, default: bool) -> None:
        super().__init__(settings.new_id("subnet"))
        self.vpc, self.network, self.bits, self.zone = vpc, network, bits, zone
        self.pool = AddressPool(1 << (32 - bits))
        self.owners: Dict[int, NetworkInterface] = {}
        self.default_for_az = self.map_public_ip = default

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


class NetworkInterface(Resource):
    """An elastic network interface: its primary address and its secondary addresses, in assignment order."""

    __slots__ = (
        "description",
        "groups",
        "interface_type",
        "mac",
        "primary",
        "secondaries",
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
        self.description = description
        self.groups = groups
        self.interface_type = interface_type
        self.source_dest_check = True
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

    @property
    def status(self) -> str:
        return "available"


class Region:
    """One region of the simulated account: its VPCs, subnets and interfaces, and an index of every id."""

    def __init__(self, name: str, settings: Settings) -> None:
        self.name = name
        self.settings = settings
        self.zones = _zones(name)
        self.vpcs: Dict[str, Vpc] = {}
        self.subnets: Dict[str, Subnet] = {}
        self.interfaces: Dict[str, NetworkInterface] = {}
        self.resources: Dict[str, Resource] = {}
        if settings.default_vpc:
            self._create_default_vpc()

    def dns_name(self, address: int) -> str:
        host = "ip-" + format_ipv4(address).replace(".", "-")
        return f"{host}.ec2.internal" if self.name == "us-east-1" else f"{host}.{self.name}.compute.internal"

    def zone(self, name: str) -> Zone | None:
        return next((z for z in self.zones if z.name == name), None)

    def add(self, resource: Resource) -> None:
        self.resources[resource.id] = resource
        if isinstance(resource, Vpc):
            self.vpcs[resource.id] = resource
        elif isinstance(resource, Subnet):
            self.subnets[resource.id] = resource
            resource.vpc.subnets[resource.id] = resource
        elif isinstance(resource, NetworkInterface):
            self.interfaces[resource.id] = resource

    def remove(self, resource: Resource) -> None:
        del self.resources[resource.id]
        if isinstance(resource, Vpc):
            del self.vpcs[resource.id]
        elif isinstance(resource, Subnet):
            del self.subnets[resource.id]
            del resource.vpc.subnets[resource.id]
        elif isinstance(resource, NetworkInterface):
            del self.interfaces[resource.id]

    def vpc(self, vpc_id: str) -> Vpc:
        vpc = self.vpcs.get(vpc_id)
        if vpc is None:
            raise Ec2Error("InvalidVpcID.NotFound", f"The vpc ID '{vpc_id}' does not exist")
        return vpc

    def subnet(self, subnet_id: str) -> Subnet:
        subnet = self.subnets.get(subnet_id)
        if subnet is None:
            raise Ec2Error("InvalidSubnetID.NotFound", f"The subnet ID '{subnet_id}' does not exist")
        return subnet

    def interface(self, interface_id: str) -> NetworkInterface:
        interface = self.interfaces.get(interface_id)
        if interface is None:
            if not is_resource_id(interface_id, "eni"):
                raise Ec2Error(
                    "InvalidNetworkInterfaceId.Malformed", f'Invalid id: "{interface_id}" (expecting "eni-...")'
                )
            raise Ec2Error(
                "InvalidNetworkInterfaceID.NotFound", f"The networkInterface ID '{interface_id}' does not exist"
            )
        return interface

    def address_limit(self, interface: NetworkInterface) -> int:
        """How many private addresses (primary included) the interface may hold."""
        return self.settings.detached_address_limit

    def _create_default_vpc(self) -> None:
        network, bits = parse_cidr(DEFAULT_VPC_CIDR)  # type: ignore[misc]
        vpc = Vpc(self.settings, network, bits, True, "default")
        self.add(vpc)
        for index, zone in enumerate(self.zones):
            self.add(Subnet(self.settings, vpc, network + (index << 12), 20, zone, True))


def is_resource_id(value: str, prefix: str) -> bool:
    """Whether ``value`` is ``<prefix>-`` followed by 8 or 17 lowercase hex digits."""
    head, dash, digits = value.rpartition("-")
    return head == prefix and bool(dash) and len(digits) in (8, 17) and all(c in "0123456789abcdef" for c in digits)


def _zones(region: str) -> List[Zone]:
    parts = region.split("-")
    if len(parts) >= 3:
        short = parts[0] + "".join(_DIRECTIONS.get(p, p[:1]) for p in parts[1:-1]) + parts[-1]
    else:
        short = region.replace("-", "")
    letters = "abcdef" if region == "us-east-1" else "abc"
    return [Zone(region + letter, f"{short}-az{i}") for i, letter in enumerate(letters, 1)]
