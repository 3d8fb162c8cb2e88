"""CreateNetworkInterface, DescribeNetworkInterfaces, DeleteNetworkInterface."""

from __future__ import annotations

from typing import Any, Dict, List, NamedTuple

from ..errors import UnsimulatedOperationError
from . import wire
from .addresses import format_ipv4, parse_ipv4
from .describe import Getter, by_ids, flag, paged, select, tag_list, tag_specifications
from .errors import Ec2Error, invalid_value
from .model import ElasticIp, NetworkInterface, Region, Subnet, is_resource_id

Response = Dict[str, Any]
INTERFACE_TYPES = ("interface", "efa", "efa-only", "trunk", "branch")


def explicit_address(subnet: Subnet, value: str) -> int:
    """An address the caller named, checked against the subnet: parsable, inside, not reserved."""
    address = parse_ipv4(value)
    if address is None:
        raise invalid_value(f"invalid value for parameter address: {value}")
    offset = subnet.offset(address)
    if offset is None:
        raise invalid_value(f"Address {value} does not fall within the subnet's address range")
    if subnet.pool.is_reserved(offset, subnet.pool.size):
        raise invalid_value(f"Address {value} is in subnet's reserved address range")
    return address


def reject_prefixes(params: wire.Params, operation: str, wire_name: str) -> None:
    """Prefix delegation is not simulated yet: say so rather than answer wrongly."""
    if any(k.startswith(wire_name) for k in params):
        raise UnsimulatedOperationError(
            "ec2", operation, f"botohook does not simulate IPv4 prefixes in {operation} yet"
        )


def limit_exceeded() -> Ec2Error:
    return Ec2Error("PrivateIpAddressLimitExceeded", "Number of private addresses will exceed limit.")


def insufficient_addresses() -> Ec2Error:
    return Ec2Error(
        "InsufficientFreeAddressesInSubnet",
        "The specified subnet does not have enough free addresses to satisfy the request.",
    )


def describe_interface(
    region: Region, eni: NetworkInterface, status: str | None = None, for_instance: bool = False
) -> Response:
    """An interface as DescribeNetworkInterfaces shows it, or (``for_instance``) as DescribeInstances does."""
    subnet = eni.subnet
    dns = region.dns_name

    def address(value: int, primary: bool) -> Response:
        out: Response = {"Primary": primary, "PrivateIpAddress": format_ipv4(value), "PrivateDnsName": dns(value)}
        eip = eni.associations.get(value)
        if eip is not None:
            out["Association"] = describe_association(region, eip, for_instance)
        return out

    addresses = [address(eni.primary, True)] + [address(a, False) for a in eni.secondaries]
    out: Response = {
        "Description": eni.description,
        "Groups": [_group(subnet, g) for g in eni.groups],
        "InterfaceType": eni.interface_type,
        "Ipv6Addresses": [],
        "MacAddress": eni.mac,
        "NetworkInterfaceId": eni.id,
        "OwnerId": region.settings.account_id,
        "PrivateDnsName": dns(eni.primary),
        "PrivateIpAddress": format_ipv4(eni.primary),
        "PrivateIpAddresses": addresses,
        "SourceDestCheck": eni.source_dest_check,
        "Status": status or eni.status,
        "SubnetId": subnet.id,
        "VpcId": subnet.vpc.id,
    }
    if "Association" in addresses[0]:
        out["Association"] = addresses[0]["Association"]
    attachment = eni.attachment
    if attachment is not None:
        out["Attachment"] = {
            "AttachTime": attachment.attach_time,
            "AttachmentId": attachment.id,
            "DeleteOnTermination": attachment.delete_on_termination,
            "DeviceIndex": attachment.device_index,
            "NetworkCardIndex": 0,
            "Status": "attached",
        }
        if not for_instance:
            out["Attachment"]["InstanceId"] = attachment.instance.id
            out["Attachment"]["InstanceOwnerId"] = region.settings.account_id
    if not for_instance:
        out["AvailabilityZone"] = subnet.zone.name
        out["AvailabilityZoneId"] = subnet.zone.zone_id
        out["RequesterManaged"] = False
        out["TagSet"] = tag_list(eni.tags)
    return out


def describe_association(region: Region, eip: ElasticIp, for_instance: bool = False) -> Response:
    """An Elastic IP as an interface's address shows it."""
    out: Response = {
        "IpOwnerId": region.settings.account_id,
        "PublicDnsName": region.public_dns_name(eip.public_ip),
        "PublicIp": eip.address,
    }
    if not for_instance:
        out["AllocationId"] = eip.id
        out["AssociationId"] = eip.association_id
    return out


def _group(subnet: Subnet, group_id: str) -> Dict[str, str]:
    if group_id == subnet.vpc.default_group_id:
        return {"GroupId": group_id, "GroupName": "default"}
    return {"GroupId": group_id}


class InterfacePlan(NamedTuple):
    """A new interface, checked but not yet made: its subnet, the addresses named, how many automatic ones."""

    subnet: Subnet
    primary: int | None
    secondaries: List[int]
    secondary_count: int
    description: str
    groups: List[str]
    interface_type: str

    @property
    def named(self) -> List[int]:
        return ([self.primary] if self.primary is not None else []) + self.secondaries

    @property
    def automatic(self) -> int:
        return (0 if self.primary is not None else 1) + self.secondary_count

    @property
    def total(self) -> int:
        return len(self.named) + self.automatic


def plan_interface(subnet: Subnet, params: wire.Params, operation: str) -> InterfacePlan:
    """Check the interface that ``params`` describe (CreateNetworkInterface's or a RunInstances interface spec)."""
    reject_prefixes(params, operation, "Ipv4Prefix")
    entries = wire.structs(params, "PrivateIpAddresses")
    count = wire.integer(params, "SecondaryPrivateIpAddressCount", "secondaryPrivateIpAddressCount") or 0
    if count < 0:
        raise invalid_value(
            f"Value ({count}) for parameter secondaryPrivateIpAddressCount is invalid. "
            "Expecting a value greater than or equal to 0."
        )
    if count and len(entries) > 1:
        raise Ec2Error(
            "InvalidParameterCombination",
            "The parameter secondaryPrivateIpAddressCount cannot be used with more than one privateIpAddresses entry.",
        )
    primary_text = wire.text(params, "PrivateIpAddress")
    flagged: List[str] = []
    secondary_texts: List[str] = []
    for entry in entries:
        value = entry.get("PrivateIpAddress")
        if value is None:
            raise Ec2Error("MissingParameter", "The request must contain the parameter privateIpAddress")
        (flagged if entry.get("Primary") == "true" else secondary_texts).append(value)
    if len(flagged) > 1 or (flagged and primary_text is not None and flagged[0] != primary_text):
        raise invalid_value("Multiple primary IP addresses specified")
    if primary_text is None and flagged:
        primary_text = flagged[0]
    primary = explicit_address(subnet, primary_text) if primary_text is not None else None
    secondaries = [explicit_address(subnet, v) for v in secondary_texts]
    named = ([primary] if primary is not None else []) + secondaries
    if len(set(named)) != len(named):
        raise invalid_value("The same private IP address is specified more than once.")
    if any(a in subnet.owners for a in named):
        raise Ec2Error("InvalidIPAddress.InUse", "The specified address is already in use.")
    description = wire.text(params, "Description") or ""
    if len(description) > 255:
        raise invalid_value("Description must be 255 characters or fewer")
    groups = wire.strings(params, "SecurityGroupId")
    for group in groups:
        if not is_resource_id(group, "sg"):
            raise Ec2Error("InvalidGroupId.Malformed", f'Invalid id: "{group}" (expecting "sg-...")')
    interface_type = wire.text(params, "InterfaceType") or "interface"
    if interface_type not in INTERFACE_TYPES:
        raise invalid_value(f"Value ({interface_type}) for parameter interfaceType is invalid.")
    groups = list(dict.fromkeys(groups)) or [subnet.vpc.default_group_id]
    return InterfacePlan(subnet, primary, secondaries, count, description, groups, interface_type)


def build_interface(region: Region, plan: InterfacePlan) -> NetworkInterface:
    """Make the planned interface (its addresses were checked free, and enough remain for the automatic ones)."""
    subnet = plan.subnet
    eni = NetworkInterface(region.settings, subnet, plan.description, plan.groups, plan.interface_type)
    for address in plan.named:
        subnet.claim(address, eni)
    eni.primary = plan.primary if plan.primary is not None else subnet.allocate(1, eni, region.settings)[0]
    for address in plan.secondaries + subnet.allocate(plan.secondary_count, eni, region.settings):
        eni.secondaries[address] = None
    region.add(eni)
    return eni


def create_network_interface(region: Region, params: wire.Params) -> Response:
    subnet = region.subnet(wire.required(params, "SubnetId"))
    plan = plan_interface(subnet, params, "CreateNetworkInterface")
    if plan.total > region.settings.detached_limit():
        raise limit_exceeded()
    if plan.automatic > subnet.available - len(plan.named):
        raise insufficient_addresses()
    tags = tag_specifications(params, "network-interface")
    wire.check_dry_run(params)
    eni = build_interface(region, plan)
    eni.tags.update(tags)
    out: Response = {"NetworkInterface": describe_interface(region, eni, "pending")}
    token = wire.text(params, "ClientToken")
    if token is not None:
        out["ClientToken"] = token
    return out


def _filters(region: Region) -> Dict[str, Getter[NetworkInterface]]:
    return {
        "network-interface-id": lambda e: [e.id],
        "subnet-id": lambda e: [e.subnet.id],
        "vpc-id": lambda e: [e.subnet.vpc.id],
        "availability-zone": lambda e: [e.subnet.zone.name],
        "status": lambda e: [e.status],
        "description": lambda e: [e.description],
        "interface-type": lambda e: [e.interface_type],
        "mac-address": lambda e: [e.mac],
        "owner-id": lambda e: [region.settings.account_id],
        "requester-managed": lambda e: ["false"],
        "source-dest-check": lambda e: [flag(e.source_dest_check)],
        "group-id": lambda e: e.groups,
        "group-name": lambda e: ["default"] if e.subnet.vpc.default_group_id in e.groups else [],
        "private-ip-address": lambda e: [format_ipv4(e.primary)],
        "private-dns-name": lambda e: [region.dns_name(e.primary)],
        "addresses.private-ip-address": lambda e: e.private_addresses,
        "addresses.primary": lambda e: ["true", "false"] if e.secondaries else ["true"],
        "attachment.instance-id": lambda e: [e.attachment.instance.id] if e.attachment else [],
        "attachment.instance-owner-id": lambda e: [region.settings.account_id] if e.attachment else [],
        "attachment.device-index": lambda e: [str(e.attachment.device_index)] if e.attachment else [],
        "attachment.attachment-id": lambda e: [e.attachment.id] if e.attachment else [],
        "attachment.status": lambda e: ["attached"] if e.attachment else [],
        "attachment.delete-on-termination": lambda e: (
            [flag(e.attachment.delete_on_termination)] if e.attachment else []
        ),
        "association.public-ip": lambda e: [eip.address for eip in e.associations.values()],
        "association.allocation-id": lambda e: [eip.id for eip in e.associations.values()],
        "association.association-id": lambda e: [str(eip.association_id) for eip in e.associations.values()],
    }


def describe_network_interfaces(region: Region, params: wire.Params) -> Response:
    interfaces = by_ids(region.interfaces, wire.strings(params, "NetworkInterfaceId"), region.interface)
    chosen = select(interfaces, params, _filters(region))
    wire.check_dry_run(params)
    return paged("NetworkInterfaces", chosen, params, lambda e: describe_interface(region, e))


def delete_network_interface(region: Region, params: wire.Params) -> Response:
    eni = region.interface(wire.required(params, "NetworkInterfaceId"))
    if eni.attachment is not None:
        raise invalid_value(f"Network interface '{eni.id}' is currently in use.")
    wire.check_dry_run(params)
    region.delete_interface(eni)
    return {}


OPERATIONS = {
    "CreateNetworkInterface": create_network_interface,
    "DescribeNetworkInterfaces": describe_network_interfaces,
    "DeleteNetworkInterface": delete_network_interface,
}
