"""CreateSubnet, CreateDefaultSubnet, DescribeSubnets, DeleteSubnet, ModifySubnetAttribute."""

from __future__ import annotations

from typing import Any, Dict

from . import wire
from .addresses import cidrs_overlap
from .describe import Getter, Narrower, choose, flag, named, of_vpc, paged, tag_list, tag_specifications
from .errors import Ec2Error, dependencies, invalid_value
from .ipv6 import describe_subnet_blocks, subnet_block
from .model import Region
from .network import Subnet, Zone
from .vpcs import parse_block

Response = Dict[str, Any]


def describe_subnet(region: Region, subnet: Subnet) -> Response:
    out: Response = {
        "AvailabilityZone": subnet.zone.name,
        "AvailabilityZoneId": subnet.zone.zone_id,
        "AvailableIpAddressCount": subnet.available,
        "CidrBlock": subnet.cidr,
        "DefaultForAz": subnet.default_for_az,
        "MapPublicIpOnLaunch": subnet.map_public_ip,
        "MapCustomerOwnedIpOnLaunch": False,
        "State": "available",
        "SubnetId": subnet.id,
        "VpcId": subnet.vpc.id,
        "OwnerId": region.settings.account_id,
        "AssignIpv6AddressOnCreation": subnet.assign_ipv6,
        "Ipv6CidrBlockAssociationSet": describe_subnet_blocks(subnet),
        "SubnetArn": f"arn:aws:ec2:{region.name}:{region.settings.account_id}:subnet/{subnet.id}",
        "EnableDns64": False,
        "Ipv6Native": False,
        "PrivateDnsNameOptionsOnLaunch": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
        "BlockPublicAccessStates": {"InternetGatewayBlockMode": "off"},
    }
    if subnet.tags:
        out["Tags"] = tag_list(subnet.tags)
    return out


def _zone(region: Region, zone_name: str | None, zone_id: str | None) -> Zone:
    """The zone named by name or id; a random one when neither is given."""
    if zone_name is not None and zone_id is not None:
        raise Ec2Error(
            "InvalidParameterCombination", "Only one of availabilityZone and availabilityZoneId may be specified."
        )
    if zone_name is None and zone_id is None:
        return region.zones[region.settings.id_rng.randrange(len(region.zones))]
    found = [z for z in region.zones if z.name == zone_name or z.zone_id == zone_id]
    if not found:
        names = ", ".join(z.name for z in region.zones)
        parameter = "availabilityZone" if zone_name is not None else "availabilityZoneId"
        raise invalid_value(
            f"Value ({zone_name or zone_id}) for parameter {parameter} is invalid. "
            f"Subnets can currently only be created in the following availability zones: {names}."
        )
    return found[0]


def create_subnet(region: Region, params: wire.Params) -> Response:
    vpc = region.vpc(wire.required(params, "VpcId"))
    cidr = wire.text(params, "CidrBlock")
    if cidr is None:
        raise Ec2Error("MissingParameter", "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.")
    network, bits = parse_block(cidr)
    if not 16 <= bits <= 28 or not vpc.contains(network, bits):
        raise Ec2Error("InvalidSubnet.Range", f"The CIDR '{cidr}' is invalid.")
    for other in vpc.subnets.values():
        if cidrs_overlap(network, bits, other.network, other.bits):
            raise Ec2Error("InvalidSubnet.Conflict", f"The CIDR '{cidr}' conflicts with another subnet")
    zone = _zone(region, wire.text(params, "AvailabilityZone"), wire.text(params, "AvailabilityZoneId"))
    ipv6_text = wire.text(params, "Ipv6CidrBlock")
    block = subnet_block(region, vpc, ipv6_text) if ipv6_text is not None else None
    tags = tag_specifications(params, "subnet")
    wire.check_dry_run(params)
    subnet = Subnet(region.settings, vpc, network, bits, zone, False)
    subnet.ipv6 = block
    subnet.tags.update(tags)
    region.add(subnet)
    return {"Subnet": describe_subnet(region, subnet)}


def _filters(region: Region) -> Dict[str, Getter[Subnet]]:
    return {
        "subnet-id": lambda s: [s.id],
        "subnet-arn": lambda s: [f"arn:aws:ec2:{region.name}:{region.settings.account_id}:subnet/{s.id}"],
        "vpc-id": lambda s: [s.vpc.id],
        "cidr-block": lambda s: [s.cidr],
        "cidr": lambda s: [s.cidr],
        "cidrBlock": lambda s: [s.cidr],
        "availability-zone": lambda s: [s.zone.name],
        "availabilityZone": lambda s: [s.zone.name],
        "availability-zone-id": lambda s: [s.zone.zone_id],
        "available-ip-address-count": lambda s: [str(s.available)],
        "default-for-az": lambda s: [flag(s.default_for_az)],
        "defaultForAz": lambda s: [flag(s.default_for_az)],
        "map-public-ip-on-launch": lambda s: [flag(s.map_public_ip)],
        "assign-ipv6-address-on-creation": lambda s: [flag(s.assign_ipv6)],
        "ipv6-native": lambda s: ["false"],
        "ipv6-cidr-block-association.ipv6-cidr-block": lambda s: [s.ipv6.cidr] if s.ipv6 else [],
        "ipv6-cidr-block-association.association-id": lambda s: [s.ipv6.association_id] if s.ipv6 else [],
        "ipv6-cidr-block-association.state": lambda s: ["associated"] if s.ipv6 else [],
        "owner-id": lambda s: [region.settings.account_id],
        "state": lambda s: ["available"],
    }


_NARROWERS: Dict[str, Narrower[Subnet]] = {
    "subnet-id": named(lambda region: region.subnets),
    "vpc-id": of_vpc(lambda vpc: vpc.subnets),
}
"""Filters that find their candidates without a scan: each yields every subnet the filter may select."""


def describe_subnets(region: Region, params: wire.Params) -> Response:
    wanted = wire.strings(params, "SubnetId")
    for subnet_id in wanted:
        region.subnet(subnet_id)
    chosen = choose(region, region.subnets, wanted, params, _filters(region), _NARROWERS)
    wire.check_dry_run(params)
    return paged("Subnets", chosen, params, lambda s: describe_subnet(region, s))


def delete_subnet(region: Region, params: wire.Params) -> Response:
    subnet = region.subnet(wire.required(params, "SubnetId"))
    if subnet.owners:
        raise dependencies("subnet", subnet.id)
    wire.check_dry_run(params)
    region.remove(subnet)
    return {}


_ATTRIBUTES = ("MapPublicIpOnLaunch", "AssignIpv6AddressOnCreation")


def modify_subnet_attribute(region: Region, params: wire.Params) -> Response:
    """``MapPublicIpOnLaunch`` (whether launches get a public IPv4 address), ``AssignIpv6AddressOnCreation`` (whether
    new interfaces get an IPv6 address; a subnet with an IPv6 block only). One attribute per call."""
    subnet = region.subnet(wire.required(params, "SubnetId"))
    given = [name for name in _ATTRIBUTES if f"{name}.Value" in params]
    if not given:
        raise Ec2Error("MissingParameter", "The request must contain the parameter mapPublicIpOnLaunch")
    if len(given) > 1:
        raise Ec2Error(
            "InvalidParameterCombination", f"Fields for multiple attribute types specified: {', '.join(given)}"
        )
    value = wire.boolean(params, f"{given[0]}.Value")
    if given[0] == "AssignIpv6AddressOnCreation" and value and subnet.ipv6 is None:
        raise invalid_value(
            "Invalid value 'true' for AssignIpv6AddressOnCreation. Cannot set AssignIpv6AddressOnCreation to true "
            f"unless the subnet ({subnet.id}) has an IPv6 CIDR block associated with it."
        )
    wire.check_dry_run(params)
    if given[0] == "MapPublicIpOnLaunch":
        subnet.map_public_ip = value
    else:
        subnet.assign_ipv6 = value
    return {}


def create_default_subnet(region: Region, params: wire.Params) -> Response:
    """A default subnet in a zone of the default VPC that has none."""
    vpc = region.default_vpc()
    if vpc is None:
        raise Ec2Error("DefaultVpcDoesNotExist", "No default VPC exists for this account in this region.")
    zone_name, zone_id = wire.text(params, "AvailabilityZone"), wire.text(params, "AvailabilityZoneId")
    if zone_name is None and zone_id is None:
        raise Ec2Error("MissingParameter", "The request must contain the parameter availabilityZone")
    zone = _zone(region, zone_name, zone_id)
    if any(s.default_for_az and s.zone is zone for s in vpc.subnets.values()):
        raise Ec2Error(
            "DefaultSubnetAlreadyExistsInAvailabilityZone",
            f"A Default Subnet already exists in this availability zone: {zone.name}",
        )
    network = region.default_subnet_block(vpc, zone)
    if network is None:
        raise Ec2Error("InsufficientFreeAddressesInSubnet", "The default VPC has no free /20 left for a subnet.")
    wire.check_dry_run(params)
    subnet = region.create_default_subnet(vpc, zone, network)
    return {"Subnet": describe_subnet(region, subnet)}


OPERATIONS = {
    "CreateDefaultSubnet": create_default_subnet,
    "CreateSubnet": create_subnet,
    "DescribeSubnets": describe_subnets,
    "DeleteSubnet": delete_subnet,
    "ModifySubnetAttribute": modify_subnet_attribute,
}
