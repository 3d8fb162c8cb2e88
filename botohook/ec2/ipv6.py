"""IPv6: Amazon-provided /56s for VPCs (CreateVpc, Associate/DisassociateVpcCidrBlock), /64s for subnets
(CreateSubnet, Associate/DisassociateSubnetCidrBlock), and IPv6 addresses and /80 prefixes on interfaces
(AssignIpv6Addresses, UnassignIpv6Addresses, and the IPv6 parameters of CreateNetworkInterface and RunInstances)."""

from __future__ import annotations

import ipaddress
from typing import Any, Dict, List, NamedTuple

from . import wire
from .catalog import InstanceType, check_prefix_support
from .enis import NetworkInterface
from .errors import Ec2Error, invalid_value, missing
from .ipv6_pool import PREFIX_BITS, RESERVED
from .model import Region
from .network import Ipv6Block, Subnet, Vpc

Response = Dict[str, Any]
PREFIX_SIZE = 1 << PREFIX_BITS


_SHIFTS = (112, 96, 80, 64, 48, 32, 16, 0)
_RECENT: Dict[str, int] = {}  # text -> address of addresses lately formatted: clients send them back
_RECENT_LIMIT = 1 << 16


def format_ipv6(address: int) -> str:
    """RFC 5952 text (what ``ipaddress`` gives, several times faster): lowercase, no leading zeros, the longest run
    of two or more zero groups (the first, on a tie) as ``::``."""
    groups = [(address >> shift) & 0xFFFF for shift in _SHIFTS]
    best, best_length, start = -1, 1, -1
    for index, group in enumerate(groups):
        if group:
            start = -1
            continue
        if start < 0:
            start = index
        if index - start + 1 > best_length:
            best, best_length = start, index - start + 1
    if best < 0:
        text = ":".join(f"{g:x}" for g in groups)
    else:
        head = ":".join(f"{g:x}" for g in groups[:best])
        tail = ":".join(f"{g:x}" for g in groups[best + best_length :])
        text = f"{head}::{tail}"
    if len(_RECENT) >= _RECENT_LIMIT:  # bounded: start again (a miss only costs the slower parse)
        _RECENT.clear()
    _RECENT[text] = address
    return text


def format_ipv6_cidr(network: int, bits: int) -> str:
    return f"{format_ipv6(network)}/{bits}"


def parse_ipv6(value: str) -> int | None:
    """The address as an integer (any valid text form), or None."""
    known = _RECENT.get(value)
    if known is not None:
        return known
    try:
        return int(ipaddress.IPv6Address(value))
    except ValueError:
        return None


def parse_ipv6_cidr(value: str) -> tuple[int, int] | None:
    """``(network, prefix length)`` of an IPv6 CIDR with no host bits set, else None."""
    try:
        network = ipaddress.IPv6Network(value, strict=True)
    except ValueError:
        return None
    return int(network.network_address), network.prefixlen


# -- VPCs and subnets -------------------------------------------------------------------------------------------------


def describe_vpc_blocks(vpc: Vpc, region: Region) -> List[Response]:
    return [
        {
            "AssociationId": block.association_id,
            "Ipv6CidrBlock": block.cidr,
            "Ipv6CidrBlockState": {"State": "associated"},
            "NetworkBorderGroup": region.name,
            "Ipv6Pool": "Amazon",
        }
        for block in vpc.ipv6.values()
    ]


def describe_subnet_blocks(subnet: Subnet) -> List[Response]:
    block = subnet.ipv6
    if block is None:
        return []
    return [
        {
            "AssociationId": block.association_id,
            "Ipv6CidrBlock": block.cidr,
            "Ipv6CidrBlockState": {"State": "associated"},
        }
    ]


def amazon_block(region: Region, vpc: Vpc) -> Ipv6Block:
    """Give the VPC an Amazon-provided /56 (botohook's come from 2001:db8::/32, distinct per VPC)."""
    block = Ipv6Block(region.settings.new_id("vpc-cidr-assoc"), region.settings.new_ipv6_block(), 56)
    vpc.ipv6[block.association_id] = block
    return block


def associate_vpc_cidr_block(region: Region, params: wire.Params) -> Response:
    vpc = region.vpc(wire.required(params, "VpcId"))
    if not wire.boolean(params, "AmazonProvidedIpv6CidrBlock"):
        raise missing("amazonProvidedIpv6CidrBlock")
    if vpc.ipv6:
        raise Ec2Error("CidrLimitExceeded", f"The VPC '{vpc.id}' already has an Amazon-provided IPv6 CIDR block.")
    wire.check_dry_run(params)
    amazon_block(region, vpc)
    described = describe_vpc_blocks(vpc, region)[-1]
    described["Ipv6CidrBlockState"] = {"State": "associating"}
    return {"Ipv6CidrBlockAssociation": described, "VpcId": vpc.id}


def disassociate_vpc_cidr_block(region: Region, params: wire.Params) -> Response:
    association_id = wire.required(params, "AssociationId")
    vpc = next((v for v in region.vpcs.values() if association_id in v.ipv6), None)
    if vpc is None:
        primary = next((v for v in region.vpcs.values() if v.association_id == association_id), None)
        if primary is not None:
            raise invalid_value(
                f"The vpc CIDR block with association ID {association_id} may not be disassociated. "
                "It is the primary IPv4 CIDR block of the VPC"
            )
        raise Ec2Error(
            "InvalidVpcCidrBlockAssociationID.NotFound",
            f"The vpc CIDR block association ID '{association_id}' does not exist",
        )
    block = vpc.ipv6[association_id]
    if any(s.ipv6 is not None and block.contains(s.ipv6.network, 64) for s in vpc.subnets.values()):
        raise Ec2Error("DependencyViolation", f"The IPv6 CIDR block {block.cidr} is in use by subnets of '{vpc.id}'.")
    wire.check_dry_run(params)
    described = describe_vpc_blocks(vpc, region)[list(vpc.ipv6).index(association_id)]
    described["Ipv6CidrBlockState"] = {"State": "disassociating"}
    del vpc.ipv6[association_id]
    return {"Ipv6CidrBlockAssociation": described, "VpcId": vpc.id}


def subnet_block(region: Region, vpc: Vpc, text: str) -> Ipv6Block:
    """A /64 for a subnet of ``vpc``, checked: inside one of the VPC's blocks, overlapping no subnet's."""
    parsed = parse_ipv6_cidr(text)
    if parsed is None or parsed[1] != 64:
        raise invalid_value(f"The IPv6 CIDR '{text}' is invalid: a subnet's IPv6 block is a /64.")
    network, _ = parsed
    if not any(block.contains(network, 64) for block in vpc.ipv6.values()):
        raise Ec2Error("InvalidSubnet.Range", f"The IPv6 CIDR '{text}' is not within the VPC's IPv6 CIDR blocks.")
    if any(s.ipv6 is not None and s.ipv6.network == network for s in vpc.subnets.values()):
        raise Ec2Error("InvalidSubnet.Conflict", f"The IPv6 CIDR '{text}' conflicts with another subnet")
    return Ipv6Block(region.settings.new_id("subnet-cidr-assoc"), network, 64)


def associate_subnet_cidr_block(region: Region, params: wire.Params) -> Response:
    subnet = region.subnet(wire.required(params, "SubnetId"))
    if subnet.ipv6 is not None:
        raise Ec2Error("InvalidParameterValue", f"The subnet '{subnet.id}' already has an IPv6 CIDR block.")
    block = subnet_block(region, subnet.vpc, wire.required(params, "Ipv6CidrBlock"))
    wire.check_dry_run(params)
    subnet.ipv6 = block
    described = describe_subnet_blocks(subnet)[0]
    described["Ipv6CidrBlockState"] = {"State": "associating"}
    return {"Ipv6CidrBlockAssociation": described, "SubnetId": subnet.id}


def disassociate_subnet_cidr_block(region: Region, params: wire.Params) -> Response:
    association_id = wire.required(params, "AssociationId")
    subnet = next((s for s in region.subnets.values() if s.ipv6 and s.ipv6.association_id == association_id), None)
    if subnet is None or subnet.ipv6 is None:
        raise Ec2Error(
            "InvalidSubnetCidrBlockAssociationID.NotFound",
            f"The subnet CIDR block association ID '{association_id}' does not exist",
        )
    if subnet.owners6 or subnet.prefixes6:
        raise Ec2Error("DependencyViolation", f"The IPv6 CIDR block of '{subnet.id}' has addresses in use.")
    wire.check_dry_run(params)
    described = describe_subnet_blocks(subnet)[0]
    described["Ipv6CidrBlockState"] = {"State": "disassociating"}
    subnet.ipv6 = None
    subnet.assign_ipv6 = False
    return {"Ipv6CidrBlockAssociation": described, "SubnetId": subnet.id}


# -- interfaces -------------------------------------------------------------------------------------------------------


class Ipv6Plan(NamedTuple):
    """The IPv6 addresses and /80 prefixes a request asks for, checked against the subnet."""

    addresses: List[int]
    address_count: int
    prefixes: List[int]
    prefix_count: int

    @property
    def slots(self) -> int:
        return len(self.addresses) + self.address_count + len(self.prefixes) + self.prefix_count

    def __bool__(self) -> bool:
        return self.slots > 0


NO_IPV6 = Ipv6Plan([], 0, [], 0)


def plan_ipv6(
    subnet: Subnet,
    addresses: List[str],
    count: int | None,
    prefixes: List[str],
    prefix_count: int | None,
    interface: NetworkInterface | None = None,
) -> Ipv6Plan:
    """Check IPv6 addresses and prefixes asked for an interface of ``subnet`` (``interface``: an existing one, whose
    own addresses and prefixes may be named again): parsable, inside the /64, not reserved, free."""
    given = [bool(addresses), count is not None, bool(prefixes), prefix_count is not None]
    if not any(given):
        return NO_IPV6
    if sum(given) > 1:
        raise Ec2Error(
            "InvalidParameterCombination",
            "IPv6 addresses, an IPv6 address count, IPv6 prefixes and an IPv6 prefix count cannot be combined.",
        )
    if subnet.ipv6 is None:
        raise invalid_value(f"The subnet '{subnet.id}' does not have an IPv6 CIDR block associated with it.")
    for name, value in (("ipv6AddressCount", count), ("ipv6PrefixCount", prefix_count)):
        if value is not None and value < 1:
            raise invalid_value(f"Value ({value}) for parameter {name} is invalid.")
    mine = interface.ipv6s if interface is not None else {}
    named: Dict[int, None] = {}
    for text in addresses:
        address = parse_ipv6(text)
        offset = subnet.offset6(address) if address is not None else None
        if address is None:
            raise invalid_value(f"invalid value for parameter ipv6Address: {text}")
        if offset is None:
            raise invalid_value(f"Address {text} does not fall within the subnet's IPv6 range")
        if offset in RESERVED:
            raise invalid_value(f"Address {text} is in subnet's reserved address range")
        if address not in mine:
            if not subnet.pool6.is_free(offset):
                raise Ec2Error("InvalidIPAddress.InUse", "The specified address is already in use.")
            named[address] = None
    own_prefixes = interface.ipv6_prefixes if interface is not None else {}
    firsts: Dict[int, None] = {}
    for text in prefixes:
        parsed = parse_ipv6_cidr(text)
        if parsed is None or parsed[1] != 80:
            raise invalid_value(f"Invalid value '{text}' for ipv6Prefix. Only /80 IPv6 prefixes are supported.")
        first = parsed[0]
        offset = subnet.offset6(first)
        if offset is None:
            raise invalid_value(f"Prefix {text} does not fall within the subnet's IPv6 range")
        if first not in own_prefixes:
            if not subnet.pool6.block_is_free(offset >> PREFIX_BITS):
                raise invalid_value(f"Prefix {text} overlaps with an address or prefix in use or reserved.")
            firsts[first] = None
    return Ipv6Plan(list(named), count or 0, list(firsts), prefix_count or 0)


def ipv6_limit(region: Region, interface_kind: InstanceType | None) -> int:
    """IPv6 addresses (and /80s) an interface may hold: its instance type's figure, or, attached to no instance, the
    largest of any type [decided]."""
    if interface_kind is None:
        return region.settings.detached_ipv6_limit()
    return interface_kind.ipv6_addresses_per_interface


def check_ipv6(region: Region, subnet: Subnet, plan: Ipv6Plan, kind: InstanceType | None, held: int) -> None:
    """The instance type's IPv6 rules and the subnet's free /80s, for a plan on an interface already holding
    ``held`` IPv6 slots."""
    if not plan:
        return
    if kind is not None and not kind.ipv6_supported:
        raise invalid_value(f"Instance type '{kind.name}' does not support IPv6.")
    if plan.prefixes or plan.prefix_count:
        check_prefix_support(kind)
    if held + plan.slots > ipv6_limit(region, kind):
        name = kind.name if kind is not None else "an interface attached to no instance"
        raise invalid_value(f"Number of IPv6 addresses will exceed the limit for {name}.")
    if plan.prefix_count and plan.prefix_count > subnet.pool6.free_blocks():
        raise Ec2Error(
            "InsufficientCidrBlocks",
            "The specified subnet does not have enough free cidr blocks to satisfy the request.",
        )


def check_attachable(region: Region, interface: NetworkInterface, kind: InstanceType) -> None:
    """An interface holding IPv6 addresses or /80s may join an instance of ``kind`` only within its IPv6 rules."""
    held = Ipv6Plan(list(interface.ipv6s), 0, list(interface.ipv6_prefixes), 0)
    check_ipv6(region, interface.subnet, held, kind, 0)


def apply_ipv6(region: Region, interface: NetworkInterface, plan: Ipv6Plan) -> tuple[List[int], List[int]]:
    """Give the planned IPv6 addresses and prefixes to the interface; ``(addresses, prefixes)`` it got."""
    if not plan:
        return [], []
    subnet, settings = interface.subnet, region.settings
    for address in plan.addresses:
        subnet.claim6(address, interface)
    for first in plan.prefixes:
        subnet.claim_prefix6(first, interface)
    addresses = plan.addresses + subnet.allocate6(plan.address_count, interface, settings)
    prefixes = plan.prefixes + subnet.allocate_prefixes6(plan.prefix_count, interface, settings)
    for address in addresses:
        interface.ipv6s[address] = None
    for first in prefixes:
        interface.ipv6_prefixes[first] = None
    return addresses, prefixes


def describe_ipv6(interface: NetworkInterface, out: Response) -> None:
    """An interface's IPv6 fields, as DescribeNetworkInterfaces and DescribeInstances show them."""
    out["Ipv6Addresses"] = [{"Ipv6Address": format_ipv6(a), "IsPrimaryIpv6": False} for a in interface.ipv6s]
    if interface.ipv6_prefixes:
        out["Ipv6Prefixes"] = [{"Ipv6Prefix": format_ipv6_cidr(p, 80)} for p in interface.ipv6_prefixes]


def assign_ipv6_addresses(region: Region, params: wire.Params) -> Response:
    eni = region.interface(wire.required(params, "NetworkInterfaceId"))
    named, named_prefixes = wire.strings(params, "Ipv6Addresses"), wire.strings(params, "Ipv6Prefix")
    plan = plan_ipv6(
        eni.subnet,
        named,
        wire.integer(params, "Ipv6AddressCount", "ipv6AddressCount"),
        named_prefixes,
        wire.integer(params, "Ipv6PrefixCount", "ipv6PrefixCount"),
        eni,
    )
    if not plan and not (named or named_prefixes):  # named ones the interface holds already are no change
        raise Ec2Error("MissingParameter", "The request must contain the parameter ipv6AddressCount or ipv6Addresses")
    kind = eni.attachment.instance.kind if eni.attachment is not None else None
    check_ipv6(region, eni.subnet, plan, kind, eni.ipv6_slots)
    wire.check_dry_run(params)
    addresses, prefixes = apply_ipv6(region, eni, plan)
    out: Response = {"NetworkInterfaceId": eni.id, "AssignedIpv6Addresses": [format_ipv6(a) for a in addresses]}
    if prefixes:
        out["AssignedIpv6Prefixes"] = [format_ipv6_cidr(p, 80) for p in prefixes]
    return out


def unassign_ipv6_addresses(region: Region, params: wire.Params) -> Response:
    eni = region.interface(wire.required(params, "NetworkInterfaceId"))
    texts, prefix_texts = wire.strings(params, "Ipv6Addresses"), wire.strings(params, "Ipv6Prefix")
    if not texts and not prefix_texts:
        raise Ec2Error("MissingParameter", "The request must contain the parameter ipv6Addresses")
    addresses: Dict[int, None] = {}
    for text in texts:
        address = parse_ipv6(text)
        if address is None or address not in eni.ipv6s:
            raise invalid_value(f"The IPv6 address {text} is not assigned to the network interface {eni.id}.")
        addresses[address] = None
    firsts: Dict[int, None] = {}
    for text in prefix_texts:
        parsed = parse_ipv6_cidr(text)
        if parsed is None or parsed[1] != 80 or parsed[0] not in eni.ipv6_prefixes:
            raise invalid_value(f"The IPv6 prefix {text} is not assigned to the network interface {eni.id}.")
        firsts[parsed[0]] = None
    wire.check_dry_run(params)
    for address in addresses:
        del eni.ipv6s[address]
        eni.subnet.release6(address)
    for first in firsts:
        del eni.ipv6_prefixes[first]
        eni.subnet.release_prefix6(first)
    out: Response = {"NetworkInterfaceId": eni.id, "UnassignedIpv6Addresses": [format_ipv6(a) for a in addresses]}
    if firsts:
        out["UnassignedIpv6Prefixes"] = [format_ipv6_cidr(p, 80) for p in firsts]
    return out


OPERATIONS = {
    "AssociateVpcCidrBlock": associate_vpc_cidr_block,
    "DisassociateVpcCidrBlock": disassociate_vpc_cidr_block,
    "AssociateSubnetCidrBlock": associate_subnet_cidr_block,
    "DisassociateSubnetCidrBlock": disassociate_subnet_cidr_block,
    "AssignIpv6Addresses": assign_ipv6_addresses,
    "UnassignIpv6Addresses": unassign_ipv6_addresses,
}
