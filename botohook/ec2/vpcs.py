"""CreateVpc, CreateDefaultVpc, DescribeVpcs, DeleteVpc, DescribeVpcAttribute, ModifyVpcAttribute."""

from __future__ import annotations

from typing import Any, Dict, Tuple

from . import wire
from .addresses import format_cidr
from .addresses import parse_block as parse_any_block
from .describe import Getter, by_ids, flag, paged, select, tag_list, tag_specifications
from .errors import Ec2Error, dependencies, invalid_value
from .ipv6 import amazon_block, describe_vpc_blocks
from .model import Region
from .network import Vpc

Response = Dict[str, Any]
_TENANCIES = ("default", "dedicated", "host")


def parse_block(value: str, parameter: str = "cidrBlock") -> Tuple[int, int]:
    """A CIDR block parameter in canonical form (host bits cleared, as EC2 does), or EC2's complaint."""
    block = parse_any_block(value)
    if block is None:
        raise invalid_value(f"Value ({value}) for parameter {parameter} is invalid. This is not a valid CIDR block.")
    return block


def canonical_block(value: str, parameter: str) -> str:
    """A CIDR block parameter as text, in canonical form."""
    return format_cidr(*parse_block(value, parameter))


def describe_vpc(region: Region, vpc: Vpc, state: str = "available") -> Response:
    out: Response = {
        "CidrBlock": vpc.cidr,
        "DhcpOptionsId": vpc.dhcp_options_id,
        "State": state,
        "VpcId": vpc.id,
        "OwnerId": region.settings.account_id,
        "InstanceTenancy": vpc.tenancy,
        "CidrBlockAssociationSet": [
            {"AssociationId": vpc.association_id, "CidrBlock": vpc.cidr, "CidrBlockState": {"State": "associated"}}
        ],
        "IsDefault": vpc.is_default,
    }
    if vpc.ipv6:
        out["Ipv6CidrBlockAssociationSet"] = describe_vpc_blocks(vpc, region)
    if vpc.tags:
        out["Tags"] = tag_list(vpc.tags)
    return out


def describe_new_vpc(region: Region, vpc: Vpc) -> Response:
    """CreateVpc's (and CreateDefaultVpc's) answer: ``pending``, and the IPv6 blocks and tags even when empty, as EC2
    lists them there (DescribeVpcs leaves empty ones out)."""
    out = describe_vpc(region, vpc, "pending")
    out.setdefault("Ipv6CidrBlockAssociationSet", [])
    out.setdefault("Tags", [])
    return out


def create_vpc(region: Region, params: wire.Params) -> Response:
    cidr = wire.text(params, "CidrBlock")
    if cidr is None:
        raise Ec2Error("MissingParameter", "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.")
    network, bits = parse_block(cidr)
    if not 16 <= bits <= 28:
        raise Ec2Error("InvalidVpc.Range", f"The CIDR '{cidr}' is invalid.")
    tenancy = wire.text(params, "InstanceTenancy") or "default"
    if tenancy not in _TENANCIES:
        raise invalid_value(f"Value ({tenancy}) for parameter instanceTenancy is invalid.")
    tags = tag_specifications(params, "vpc")
    wire.check_dry_run(params)
    vpc = Vpc(region.settings, network, bits, False, tenancy)
    vpc.dhcp_options_id = region.default_dhcp_options_id
    vpc.tags.update(tags)
    region.add_vpc(vpc)
    if wire.boolean(params, "AmazonProvidedIpv6CidrBlock"):
        amazon_block(region, vpc)
    return {"Vpc": describe_new_vpc(region, vpc)}


def _filters(region: Region) -> Dict[str, Getter[Vpc]]:
    return {
        "vpc-id": lambda v: [v.id],
        "cidr": lambda v: [v.cidr],
        "cidr-block-association.cidr-block": lambda v: [v.cidr],
        "cidr-block-association.association-id": lambda v: [v.association_id],
        "cidr-block-association.state": lambda v: ["associated"],
        "dhcp-options-id": lambda v: [v.dhcp_options_id],
        "is-default": lambda v: [flag(v.is_default)],
        # Legacy names EC2 still accepts, which real clients send (Ansible's ec2_vpc_net and ec2_instance)
        "cidr-block": lambda v: [v.cidr],
        "isDefault": lambda v: [flag(v.is_default)],
        "owner-id": lambda v: [region.settings.account_id],
        "state": lambda v: ["available"],
        "ipv6-cidr-block-association.ipv6-cidr-block": lambda v: [b.cidr for b in v.ipv6.values()],
        "ipv6-cidr-block-association.association-id": lambda v: list(v.ipv6),
        "ipv6-cidr-block-association.state": lambda v: ["associated"] if v.ipv6 else [],
        "ipv6-cidr-block-association.ipv6-pool": lambda v: ["Amazon"] if v.ipv6 else [],
    }


def describe_vpcs(region: Region, params: wire.Params) -> Response:
    vpcs = by_ids(region, region.vpcs, wire.strings(params, "VpcId"), region.vpc)
    chosen = select(vpcs, params, _filters(region))
    wire.check_dry_run(params)
    return paged("Vpcs", chosen, params, lambda v: describe_vpc(region, v))


def delete_vpc(region: Region, params: wire.Params) -> Response:
    vpc = region.vpc(wire.required(params, "VpcId"))
    if vpc.subnets or len(vpc.groups) > 1 or len(vpc.tables) > 1 or vpc.gateway is not None:
        raise dependencies("vpc", vpc.id)
    wire.check_dry_run(params)
    region.remove(vpc)
    return {}


# attribute name -> (response member, Vpc slot)
_ATTRIBUTES = {
    "enableDnsSupport": ("EnableDnsSupport", "dns_support"),
    "enableDnsHostnames": ("EnableDnsHostnames", "dns_hostnames"),
    "enableNetworkAddressUsageMetrics": ("EnableNetworkAddressUsageMetrics", "nau_metrics"),
}


def describe_vpc_attribute(region: Region, params: wire.Params) -> Response:
    vpc = region.vpc(wire.required(params, "VpcId"))
    attribute = wire.required(params, "Attribute")
    if attribute not in _ATTRIBUTES:
        raise invalid_value(f"Value ({attribute}) for parameter attribute is invalid. Unknown attribute.")
    wire.check_dry_run(params)
    member, slot = _ATTRIBUTES[attribute]
    return {"VpcId": vpc.id, member: {"Value": getattr(vpc, slot)}}


def modify_vpc_attribute(region: Region, params: wire.Params) -> Response:
    """One attribute per call, as EC2 requires; DNS hostnames need DNS support."""
    vpc = region.vpc(wire.required(params, "VpcId"))
    given = [(member, slot) for member, slot in _ATTRIBUTES.values() if f"{member}.Value" in params]
    if not given:
        raise Ec2Error("MissingParameter", "The request must contain the parameter enableDnsSupport")
    if len(given) > 1:
        names = ", ".join(member[0].lower() + member[1:] for member, _ in given)
        raise Ec2Error("InvalidParameterCombination", f"Fields for multiple attribute types specified: {names}")
    member, slot = given[0]
    value = wire.boolean(params, f"{member}.Value")
    if slot == "dns_hostnames" and value and not vpc.dns_support:  # the VPC User Guide
        raise invalid_value("Cannot enable DNS hostnames unless DNS support is enabled.")
    wire.check_dry_run(params)
    setattr(vpc, slot, value)
    return {}


def create_default_vpc(region: Region, params: wire.Params) -> Response:
    if region.default_vpc() is not None:
        raise Ec2Error("DefaultVpcAlreadyExists", "A Default VPC already exists for this account in this region.")
    wire.check_dry_run(params)
    return {"Vpc": describe_new_vpc(region, region.create_default_vpc())}


OPERATIONS = {
    "CreateDefaultVpc": create_default_vpc,
    "CreateVpc": create_vpc,
    "DescribeVpcs": describe_vpcs,
    "DeleteVpc": delete_vpc,
    "DescribeVpcAttribute": describe_vpc_attribute,
    "ModifyVpcAttribute": modify_vpc_attribute,
}
