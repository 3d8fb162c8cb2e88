"""Elastic IPs: AllocateAddress, AssociateAddress, DisassociateAddress, ReleaseAddress, DescribeAddresses, and their
reverse DNS (Describe/Modify/ResetAddressAttribute)."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Tuple

from . import wire
from .addresses import format_ipv4, parse_ipv4
from .describe import Getter, by_ids, paged, select, tag_list, tag_specifications
from .enis import ElasticIp, NetworkInterface
from .errors import Ec2Error, incorrect_state, invalid_value, several_interfaces
from .model import Region

Response = Dict[str, Any]
# EC2's (code, message) for an Elastic IP named by its address where it wants its id
_MAPPING = (
    "InvalidParameterCombination",
    "You must specify an allocation id when mapping an address to a VPC instance",
)
_UNMAPPING = (
    "InvalidParameterValue",
    "You must specify an association id when unmapping an address from a VPC instance",
)
_RELEASING = ("InvalidParameterValue", "You must specify an allocation id when releasing a VPC elastic IP address")


def _public_ip(region: Region, params: wire.Params) -> int:
    """The address to allocate: the one ``Address`` asks to recover, if it is one of botohook's public addresses
    and free, else the lowest free one."""
    wanted = wire.text(params, "Address")
    if wanted is None:
        free = region.free_public_ip()
        if free is None:
            raise Ec2Error("AddressLimitExceeded", "The maximum number of addresses has been reached.")
        return free
    address = parse_ipv4(wanted)
    if address is None:
        raise invalid_value(f"Value ({wanted}) for parameter address is invalid.")
    if not region.is_public(address) or address in region.public_ips:
        raise Ec2Error("InvalidAddress.NotFound", f"Address '{wanted}' not found.")
    return address


def describe_address(region: Region, eip: ElasticIp) -> Response:
    out: Response = {
        "AllocationId": eip.id,
        "Domain": "vpc",
        "PublicIp": eip.address,
        "PublicIpv4Pool": "amazon",
        "NetworkBorderGroup": region.name,
    }
    if eip.interface is not None and eip.private_address is not None:
        out.update(
            AssociationId=eip.association_id,
            NetworkInterfaceId=eip.interface.id,
            NetworkInterfaceOwnerId=region.settings.account_id,
            PrivateIpAddress=format_ipv4(eip.private_address),
        )
        instance = eip.interface.instance
        if instance is not None:
            out["InstanceId"] = instance.id
    if eip.tags:
        out["Tags"] = tag_list(eip.tags)
    return out


def allocate_address(region: Region, params: wire.Params) -> Response:
    domain = wire.text(params, "Domain") or "vpc"
    if domain not in ("vpc", "standard"):
        raise invalid_value(f"Value ({domain}) for parameter domain is invalid.")
    if domain == "standard":
        raise Ec2Error("UnsupportedOperation", "EC2-Classic is not supported: allocate Elastic IPs with Domain='vpc'.")
    if len(region.elastic_ips) >= region.settings.elastic_ip_limit:
        raise Ec2Error("AddressLimitExceeded", "The maximum number of addresses has been reached.")
    tags = tag_specifications(params, "elastic-ip")
    public_ip = _public_ip(region, params)
    wire.check_dry_run(params)
    eip = ElasticIp(region.settings, public_ip)
    eip.tags.update(tags)
    region.add(eip)
    out = describe_address(region, eip)
    out.pop("Tags", None)
    return {k: out[k] for k in ("PublicIp", "AllocationId", "PublicIpv4Pool", "NetworkBorderGroup", "Domain")}


def _by_public_ip(params: wire.Params, noun: str, refusal: Tuple[str, str]) -> None:
    """EC2's answer to naming an Elastic IP by its address (``PublicIp``, the EC2-Classic way): every address is a
    VPC address now, which EC2 wants named by its ``noun`` id (``refusal``)."""
    public_ip = wire.text(params, "PublicIp")
    if public_ip is None:
        return
    if parse_ipv4(public_ip) is None:
        raise invalid_value(f"Invalid value '{public_ip}' for PublicIp. Not a valid IPv4 address.")
    if f"{noun.title()}Id" in params:
        raise Ec2Error(
            "InvalidParameterCombination", f"You may specify public IP or {noun} id, but not both in the same call"
        )
    raise Ec2Error(*refusal)


def associate_address(region: Region, params: wire.Params) -> Response:
    _by_public_ip(params, "allocation", _MAPPING)
    eip = region.elastic_ip(wire.required(params, "AllocationId"))
    interface_id = wire.text(params, "NetworkInterfaceId")
    instance_id = wire.text(params, "InstanceId")
    if interface_id is not None and instance_id is not None:
        raise Ec2Error(
            "InvalidParameterCombination", "You may specify an instance ID or a network interface ID, but not both."
        )
    if interface_id is None and instance_id is None:
        raise Ec2Error("MissingParameter", "Either instance ID or network interface ID must be specified.")
    eni = _target(region, interface_id, instance_id)
    private = wire.text(params, "PrivateIpAddress")
    address = eni.primary if private is None else parse_ipv4(private)
    if address is None or (address != eni.primary and address not in eni.secondaries):
        raise invalid_value(f"The private IP address {private} is not assigned to the network interface {eni.id}.")
    vpc = eni.subnet.vpc
    if vpc.gateway is None:  # nothing could reach the interface from the public address
        raise Ec2Error("Gateway.NotAttached", f"Network {vpc.id} is not attached to any internet gateway")
    if wire.text(params, "AllowReassociation") == "false":  # neither this Elastic IP nor the address may move
        if eip.association_id is not None:
            raise Ec2Error(
                "Resource.AlreadyAssociated",
                f"resource {eip.id} is already associated with associate-id {eip.association_id}",
            )
        held = eni.associations.get(address)
        if held is not None:
            raise Ec2Error(
                "Resource.AlreadyAssociated",
                f"resource {eni.id} and {format_ipv4(address)} is already associated with public address "
                f"{held.address}",
            )
    wire.check_dry_run(params)
    region.associate(eip, eni, address)
    return {"AssociationId": eip.association_id}


def _target(region: Region, interface_id: str | None, instance_id: str | None) -> NetworkInterface:
    if interface_id is not None:
        return region.interface(interface_id)
    instance = region.instance(str(instance_id))
    if instance.state != "running":
        raise incorrect_state(instance.id)
    if len(instance.interfaces) > 1:
        raise several_interfaces(instance.id)
    return instance.interfaces[0]


def disassociate_address(region: Region, params: wire.Params) -> Response:
    _by_public_ip(params, "association", _UNMAPPING)
    eip = region.associated(wire.required(params, "AssociationId"))
    wire.check_dry_run(params)
    region.disassociate(eip)
    return {}


def release_address(region: Region, params: wire.Params) -> Response:
    _by_public_ip(params, "allocation", _RELEASING)
    eip = region.elastic_ip(wire.required(params, "AllocationId"))
    if eip.interface is not None and not eip.interface.subnet.vpc.is_default:
        raise Ec2Error("InvalidIPAddress.InUse", f"Address {eip.address} is in use.")
    wire.check_dry_run(params)
    region.disassociate(eip)
    region.remove(eip)
    return {}


def _filters(region: Region) -> Dict[str, Getter[ElasticIp]]:
    def instance_ids(eip: ElasticIp) -> List[str]:
        instance = eip.interface.instance if eip.interface is not None else None
        return [instance.id] if instance is not None else []

    return {
        "allocation-id": lambda e: [e.id],
        "association-id": lambda e: [e.association_id] if e.association_id else [],
        "domain": lambda e: ["vpc"],
        "instance-id": instance_ids,
        "network-interface-id": lambda e: [e.interface.id] if e.interface else [],
        "network-interface-owner-id": lambda e: [region.settings.account_id] if e.interface else [],
        "network-border-group": lambda e: [region.name],
        "private-ip-address": lambda e: [format_ipv4(e.private_address)] if e.private_address is not None else [],
        "public-ip": lambda e: [e.address],
    }


def describe_addresses(region: Region, params: wire.Params) -> Response:
    by_public = {eip.address: eip for eip in region.elastic_ips.values()}
    wanted: List[ElasticIp] = []
    for public_ip in wire.strings(params, "PublicIp"):
        if public_ip not in by_public:
            raise Ec2Error("InvalidAddress.NotFound", f"Address '{public_ip}' not found.")
        wanted.append(by_public[public_ip])
    wanted.extend(region.elastic_ip(a) for a in wire.strings(params, "AllocationId"))
    chosen = set(wanted)
    eips = [e for e in region.listed(region.elastic_ips) if not chosen or e in chosen]
    eips = select(eips, params, _filters(region))
    wire.check_dry_run(params)
    return {"Addresses": [describe_address(region, e) for e in eips]}


_DOMAIN = re.compile(r"(?=.{1,253}\.?$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?", re.IGNORECASE)


def describe_attribute(region: Region, eip: ElasticIp) -> Response:
    """An Elastic IP's reverse DNS record: the one set, else EC2's public DNS name for it [decided]."""
    record = eip.domain_name or region.public_dns_name(eip.public_ip)
    return {"PublicIp": eip.address, "AllocationId": eip.id, "PtrRecord": f"{record.rstrip('.')}."}


def describe_addresses_attribute(region: Region, params: wire.Params) -> Response:
    attribute = wire.text(params, "Attribute")
    if attribute is not None and attribute != "domain-name":
        raise invalid_value(f"Value ({attribute}) for parameter attribute is invalid.")
    eips = by_ids(region, region.elastic_ips, wire.strings(params, "AllocationId"), region.elastic_ip)
    wire.check_dry_run(params)
    return paged("Addresses", eips, params, lambda e: describe_attribute(region, e))


def modify_address_attribute(region: Region, params: wire.Params) -> Response:
    """Set the reverse DNS record [decided: any well-formed domain name, effective at once; EC2 also checks that the
    name resolves to the address, which botohook cannot]."""
    eip = region.elastic_ip(wire.required(params, "AllocationId"))
    name = wire.text(params, "DomainName") or ""
    if not _DOMAIN.fullmatch(name):
        raise invalid_value(f"Value ({name}) for parameter domainName is invalid.")
    wire.check_dry_run(params)
    eip.domain_name = name
    out = describe_attribute(region, eip)
    out["PtrRecordUpdate"] = {"Value": f"{name.rstrip('.')}.", "Status": "PENDING"}
    return {"Address": out}


def reset_address_attribute(region: Region, params: wire.Params) -> Response:
    eip = region.elastic_ip(wire.required(params, "AllocationId"))
    if wire.required(params, "Attribute") != "domain-name":
        raise invalid_value(f"Value ({params['Attribute']}) for parameter attribute is invalid.")
    wire.check_dry_run(params)
    eip.domain_name = None
    return {"Address": describe_attribute(region, eip)}


OPERATIONS = {
    "DescribeAddressesAttribute": describe_addresses_attribute,
    "ModifyAddressAttribute": modify_address_attribute,
    "ResetAddressAttribute": reset_address_attribute,
    "AllocateAddress": allocate_address,
    "AssociateAddress": associate_address,
    "DisassociateAddress": disassociate_address,
    "ReleaseAddress": release_address,
    "DescribeAddresses": describe_addresses,
}
