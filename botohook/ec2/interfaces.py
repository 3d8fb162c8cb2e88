"""CreateNetworkInterface, DescribeNetworkInterfaces, DeleteNetworkInterface."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, NamedTuple

from . import wire
from .addresses import BLOCK, format_cidr, format_ipv4, parse_ipv4
from .base import caller_id, is_resource_id
from .describe import Getter, Narrower, choose, flag, named, paged, tag_list, tag_specifications
from .enis import ElasticIp, NetworkInterface
from .errors import Ec2Error, invalid_value
from .idempotency import idempotent
from .ipv6 import Ipv6Plan, apply_ipv6, check_ipv6, describe_ipv6, format_ipv6, plan_ipv6
from .model import Region
from .network import Subnet
from .security_groups import group_entry, groups_for

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


def explicit_prefix(subnet: Subnet, value: str) -> int:
    """A /28 prefix the caller named, checked against the subnet: aligned, inside, clear of reserved addresses."""
    address, _, length = value.partition("/")
    first = parse_ipv4(address)
    if first is None or length != "28":
        raise invalid_value(f"Invalid value '{value}' for ipv4Prefix. Only /28 IPv4 prefixes are supported.")
    if first % BLOCK:
        raise invalid_value(f"The prefix '{value}' is not aligned: a /28 prefix starts at a multiple of 16.")
    offset = subnet.offset(first)
    if offset is None:
        raise invalid_value(f"Prefix {value} does not fall within the subnet's address range")
    if any(subnet.pool.is_reserved(o, subnet.pool.size) for o in range(offset, offset + BLOCK)):
        raise invalid_value(f"Prefix {value} includes addresses in subnet's reserved address range")
    return first


def prefix_in_use(value: str) -> Ec2Error:
    return invalid_value(f"Prefix {value} overlaps with an address or prefix in use.")


def limit_exceeded() -> Ec2Error:
    return Ec2Error("PrivateIpAddressLimitExceeded", "Number of private addresses will exceed limit.")


def describe_interface(
    region: Region, eni: NetworkInterface, status: str | None = None, for_instance: bool = False, launch: bool = False
) -> Response:
    """An interface as DescribeNetworkInterfaces shows it, or (``for_instance``) as DescribeInstances does, or
    (``launch`` too) as RunInstances' answer does: attaching, with no public address yet. DNS names follow the VPC's
    ``enableDnsHostnames``: when off, no private names and empty public ones."""
    subnet = eni.subnet
    hostnames = subnet.vpc.dns_hostnames

    def address(value: int, primary: bool) -> Response:
        out: Response = {"Primary": primary, "PrivateIpAddress": format_ipv4(value)}
        if hostnames:
            out["PrivateDnsName"] = region.dns_name(value)
        eip = eni.associations.get(value)
        if eip is not None:
            out["Association"] = describe_association(region, eip, for_instance, hostnames)
        elif primary and eni.public_ip is not None and not launch:
            out["Association"] = {
                "IpOwnerId": "amazon",
                "PublicDnsName": region.public_dns_name(eni.public_ip) if hostnames else "",
                "PublicIp": format_ipv4(eni.public_ip),
            }
        return out

    secondaries, prefixes = eni.described(region.settings.now)
    addresses = [address(eni.primary, True)] + [address(a, False) for a in secondaries]
    out: Response = {
        "Description": eni.description,
        "Groups": [group_entry(region, g) for g in eni.groups],
        "InterfaceType": eni.interface_type,
        "MacAddress": eni.mac,
        "NetworkInterfaceId": eni.id,
        "OwnerId": region.settings.account_id,
        "PrivateIpAddress": format_ipv4(eni.primary),
        "PrivateIpAddresses": addresses,
        "SourceDestCheck": eni.source_dest_check,
        "Status": status or eni.status,
        "SubnetId": subnet.id,
        "VpcId": subnet.vpc.id,
        "Operator": {"Managed": False},
    }
    if hostnames:
        out["PrivateDnsName"] = region.dns_name(eni.primary)
    describe_ipv6(eni, out)
    if "Association" in addresses[0]:
        out["Association"] = addresses[0]["Association"]
    if prefixes:
        out["Ipv4Prefixes"] = [{"Ipv4Prefix": format_cidr(p, 28)} for p in prefixes]
    shown = eni.shown_attachment() if eni.attachment is None else (eni.attachment, eni.attachment.status)
    if shown is not None:
        attachment, attachment_status = shown
        out["Attachment"] = {
            "AttachTime": attachment.attach_time,
            "AttachmentId": attachment.id,
            "DeleteOnTermination": attachment.delete_on_termination,
            "DeviceIndex": attachment.device_index,
            "NetworkCardIndex": 0,
            "Status": "attaching" if launch else attachment_status,
        }
        if not for_instance:
            out["Attachment"]["InstanceId"] = attachment.instance.id
            out["Attachment"]["InstanceOwnerId"] = region.settings.account_id
    if not for_instance:
        out["AvailabilityZone"] = subnet.zone.name
        out["AvailabilityZoneId"] = subnet.zone.zone_id
        out["RequesterManaged"] = False
        if eni.created_by_caller:  # not those RunInstances made
            out["RequesterId"] = caller_id(region.settings.account_id)
        out["TagSet"] = tag_list(eni.tags)
    return out


def describe_association(region: Region, eip: ElasticIp, for_instance: bool, hostnames: bool) -> Response:
    """An Elastic IP as an interface's address shows it: with a public DNS name only where the VPC gives
    hostnames."""
    out: Response = {
        "IpOwnerId": region.settings.account_id,
        "PublicDnsName": region.public_dns_name(eip.public_ip) if hostnames else "",
        "PublicIp": eip.address,
    }
    if not for_instance:
        out["AllocationId"] = eip.id
        out["AssociationId"] = eip.association_id
    return out


class InterfacePlan(NamedTuple):
    """A new interface, checked but not yet made: its subnet, the addresses named, how many automatic ones."""

    subnet: Subnet
    primary: int | None
    secondaries: List[int]
    secondary_count: int
    prefixes: List[int]
    prefix_count: int
    description: str
    groups: List[str]
    interface_type: str
    ipv6: Ipv6Plan

    @property
    def named(self) -> List[int]:
        return ([self.primary] if self.primary is not None else []) + self.secondaries

    @property
    def automatic(self) -> int:
        return (0 if self.primary is not None else 1) + self.secondary_count

    @property
    def slots(self) -> int:
        """Address slots the interface will use: primary, secondaries, prefixes."""
        return len(self.named) + self.automatic + len(self.prefixes) + self.prefix_count


def plan_interface(region: Region, subnet: Subnet, params: wire.Params, launch: bool = False) -> InterfacePlan:
    """Check the interface that ``params`` describe (CreateNetworkInterface's, or with ``launch`` a RunInstances
    interface spec: EC2 words some refusals differently there)."""
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
    taken = next((a for a in named if subnet.in_use(a)), None)
    if taken is not None:
        message = f"Address {format_ipv4(taken)} is in use." if launch else "The specified address is already in use."
        raise Ec2Error("InvalidIPAddress.InUse", message)
    prefix_texts = [e.get("Ipv4Prefix", "") for e in wire.structs(params, "Ipv4Prefix")]
    prefix_count = wire.integer(params, "Ipv4PrefixCount", "ipv4PrefixCount")
    if prefix_texts or prefix_count is not None:
        if (prefix_texts and prefix_count is not None) or secondaries or count:
            raise Ec2Error(
                "InvalidParameterCombination",
                "IPv4 prefixes, a prefix count, secondary private addresses and a secondary address count "
                "cannot be combined.",
            )
        if prefix_count is not None and prefix_count < 1:
            raise invalid_value(f"Value ({prefix_count}) for parameter ipv4PrefixCount is invalid.")
    prefixes = list(dict.fromkeys(explicit_prefix(subnet, p) for p in prefix_texts))
    for first in prefixes:
        inside = primary is not None and 0 <= primary - first < BLOCK
        if inside or not subnet.prefix_is_free(first):
            raise prefix_in_use(format_cidr(first, 28))
    description = wire.text(params, "Description") or ""
    if len(description) > 255:
        raise invalid_value("Description must be 255 characters or fewer")
    groups = groups_for(region, subnet.vpc, subnet, _groups(wire.strings(params, "SecurityGroupId")))
    ipv6 = plan_ipv6(
        subnet,
        [e.get("Ipv6Address", "") for e in wire.structs(params, "Ipv6Addresses")],
        wire.integer(params, "Ipv6AddressCount", "ipv6AddressCount"),
        [e.get("Ipv6Prefix", "") for e in wire.structs(params, "Ipv6Prefix")],
        wire.integer(params, "Ipv6PrefixCount", "ipv6PrefixCount"),
    )
    if not ipv6 and subnet.assign_ipv6:  # AssignIpv6AddressOnCreation
        ipv6 = Ipv6Plan([], 1, [], 0)
    interface_type = wire.text(params, "InterfaceType") or "interface"
    if interface_type not in INTERFACE_TYPES:
        raise invalid_value(f"Value ({interface_type}) for parameter interfaceType is invalid.")
    return InterfacePlan(
        subnet, primary, secondaries, count, prefixes, prefix_count or 0, description, groups, interface_type, ipv6
    )


def build_interface(region: Region, plan: InterfacePlan) -> NetworkInterface:
    """Make the planned interface (its addresses were checked free, and enough remain for the automatic ones)."""
    subnet = plan.subnet
    eni = NetworkInterface(region.settings, subnet, plan.description, plan.groups, plan.interface_type)
    for address in plan.named:
        subnet.claim(address, eni)
    for first in plan.prefixes:
        subnet.claim_prefix(first, eni)
    for first in plan.prefixes + subnet.allocate_prefixes(plan.prefix_count, eni, region.settings):
        eni.prefixes[first] = None
    eni.primary = plan.primary if plan.primary is not None else subnet.allocate(1, eni, region.settings)[0]
    for address in plan.secondaries + subnet.allocate(plan.secondary_count, eni, region.settings):
        eni.secondaries[address] = None
    apply_ipv6(region, eni, plan.ipv6)
    region.add(eni)
    return eni


def create_network_interface(region: Region, params: wire.Params) -> Response:
    subnet = region.subnet(wire.required(params, "SubnetId"))
    plan = plan_interface(region, subnet, params)
    if plan.slots > region.settings.detached_limit():
        raise limit_exceeded()
    shortage = subnet.can_allocate(plan.automatic, plan.prefix_count, plan.named)
    if shortage is not None:
        if plan.prefixes or plan.prefix_count:  # a new interface that cannot get its prefixes, as EC2 words it
            raise invalid_value("There aren't sufficient free Ipv4 addresses or prefixes")
        raise shortage
    check_ipv6(region, subnet, plan.ipv6, None, 0)
    tags = tag_specifications(params, "network-interface")
    wire.check_dry_run(params)
    eni = build_interface(region, plan)
    eni.created_by_caller = True
    region.tag(eni, tags)
    out: Response = {"NetworkInterface": describe_interface(region, eni, "pending")}
    token = wire.text(params, "ClientToken")
    if token is not None:
        out["ClientToken"] = token
    return out


def _filters(region: Region) -> Dict[str, Getter[NetworkInterface]]:
    now = region.settings.now
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
        "group-name": lambda e: [group_entry(region, g)["GroupName"] for g in e.groups],
        "private-ip-address": lambda e: [format_ipv4(e.primary)],
        "ipv6-addresses.ipv6-address": lambda e: [format_ipv6(a) for a in e.ipv6s],
        "private-dns-name": lambda e: [region.dns_name(e.primary)] if e.subnet.vpc.dns_hostnames else [],
        "addresses.private-ip-address": lambda e: [format_ipv4(a) for a in [e.primary, *e.described(now)[0]]],
        "addresses.primary": lambda e: ["true", "false"] if e.described(now)[0] else ["true"],
        "attachment.instance-id": lambda e: [e.attachment.instance.id] if e.attachment else [],
        "attachment.instance-owner-id": lambda e: [region.settings.account_id] if e.attachment else [],
        "attachment.device-index": lambda e: [str(e.attachment.device_index)] if e.attachment else [],
        "attachment.attachment-id": lambda e: [e.attachment.id] if e.attachment else [],
        "attachment.status": lambda e: [e.attachment.status] if e.attachment else [],
        "attachment.delete-on-termination": lambda e: (
            [flag(e.attachment.delete_on_termination)] if e.attachment else []
        ),
        "association.public-ip": _publics,
        "addresses.association.public-ip": _publics,
        "addresses.association.owner-id": lambda e: _owners(region, e),
        "association.ip-owner-id": lambda e: _owners(region, e),
        "association.public-dns-name": lambda e: [
            region.public_dns_name(p)
            for p in [*(eip.public_ip for eip in e.associations.values()), e.public_ip]
            if p and e.subnet.vpc.dns_hostnames
        ],
        "attachment.attach.time": lambda e: [e.attachment.attach_time.isoformat()] if e.attachment else [],
        "association.allocation-id": lambda e: [eip.id for eip in e.associations.values()],
        "association.association-id": lambda e: [str(eip.association_id) for eip in e.associations.values()],
    }


def _publics(eni: NetworkInterface) -> List[str]:
    """Every public address of the interface: its Elastic IPs and the one EC2 gave it at launch."""
    out = [eip.address for eip in eni.associations.values()]
    return [*out, format_ipv4(eni.public_ip)] if eni.public_ip is not None else out


def _owners(region: Region, eni: NetworkInterface) -> List[str]:
    return ([region.settings.account_id] if eni.associations else []) + (["amazon"] if eni.public_ip else [])


def holders(region: Region, value: str) -> List[NetworkInterface]:
    """The interfaces holding the private address ``value`` as primary or secondary: one per subnet that has it."""
    address = parse_ipv4(value)
    if address is None:
        return []
    return [owner for owner in (s.owners.get(address) for s in region.subnets.values()) if owner is not None]


def in_subnet(region: Region, subnet_id: str) -> Iterable[NetworkInterface]:
    subnet = region.subnets.get(subnet_id)
    return () if subnet is None else subnet.interfaces.values()


def in_vpc(region: Region, vpc_id: str) -> List[NetworkInterface]:
    vpc = region.vpcs.get(vpc_id)
    return [] if vpc is None else [e for s in vpc.subnets.values() for e in s.interfaces.values()]


def public_holders(region: Region, value: str) -> List[NetworkInterface]:
    """The interface the public address ``value`` maps to, through an Elastic IP or as the one EC2 gave it."""
    address = parse_ipv4(value)
    holder = None if address is None else region.public_ips.get(address)
    if isinstance(holder, ElasticIp):
        holder = holder.interface
    return [holder] if isinstance(holder, NetworkInterface) else []


def in_group(region: Region, group_id: str) -> Iterable[NetworkInterface]:
    return region.grouped.get(group_id, {}).values()


def _in_zone(region: Region, name: str) -> List[NetworkInterface]:
    return [e for s in region.subnets.values() if s.zone.name == name for e in s.interfaces.values()]


def _attached_to(region: Region, instance_id: str) -> Iterable[NetworkInterface]:
    instance = region.instances.get(instance_id)
    return () if instance is None else instance.interfaces.values()


def _holding_described(region: Region, value: str) -> List[NetworkInterface]:
    """``holders``, and under eventual consistency the interfaces that may still be described with the address."""
    found = holders(region, value)
    if region.lagging:
        address = parse_ipv4(value)
        found += [e for e in region.still_lagging() if address in e.shown[0]]
    return found


_NARROWERS: Dict[str, Narrower[NetworkInterface]] = {
    "network-interface-id": named(lambda region: region.interfaces),
    "attachment.instance-id": _attached_to,
    "private-ip-address": holders,  # the primary address, which never moves
    "addresses.private-ip-address": _holding_described,
    "subnet-id": in_subnet,
    "vpc-id": in_vpc,
    "availability-zone": _in_zone,
    "association.public-ip": public_holders,
    "addresses.association.public-ip": public_holders,
    "mac-address": lambda region, value: region.macs.get(value, {}).values(),
    "group-id": in_group,
}
"""Filters that find their candidates without a scan: each yields every interface the filter may select."""


def describe_network_interfaces(region: Region, params: wire.Params) -> Response:
    wanted = wire.strings(params, "NetworkInterfaceId")
    for interface_id in wanted:
        region.interface(interface_id)
    chosen = choose(region, region.interfaces, wanted, params, _filters(region), _NARROWERS)
    wire.check_dry_run(params)
    return paged("NetworkInterfaces", chosen, params, lambda e: describe_interface(region, e))


def delete_network_interface(region: Region, params: wire.Params) -> Response:
    eni = region.interface(wire.required(params, "NetworkInterfaceId"))
    if eni.shown_attachment() is not None:  # attached, or still detaching
        raise invalid_value(f"Network interface '{eni.id}' is currently in use.")
    wire.check_dry_run(params)
    region.delete_interface(eni)
    return {}


_ATTRIBUTES = ("description", "sourceDestCheck", "groupSet", "attachment")


def _groups(values: List[str]) -> List[str]:
    for group in values:
        if not is_resource_id(group, "sg"):
            raise Ec2Error("InvalidGroupId.Malformed", f'Invalid id: "{group}" (expecting "sg-...")')
    return list(dict.fromkeys(values))


def modify_network_interface_attribute(region: Region, params: wire.Params) -> Response:
    eni = region.interface(wire.required(params, "NetworkInterfaceId"))
    description = wire.text(params, "Description.Value")
    source_dest_check = wire.text(params, "SourceDestCheck.Value")
    groups = _groups(wire.strings(params, "SecurityGroupId"))
    attachment_id = wire.text(params, "Attachment.AttachmentId")
    given = dict(zip(_ATTRIBUTES, (description, source_dest_check, groups or None, attachment_id)))
    named = [name for name, value in given.items() if value is not None]
    if not named:
        raise Ec2Error("MissingParameter", f"The request must contain one of the parameters {', '.join(_ATTRIBUTES)}")
    if len(named) > 1:
        message = f"Fields for multiple attribute types specified: {', '.join(named)}"
        raise Ec2Error("InvalidParameterCombination", message)
    if description is not None and len(description) > 255:
        raise invalid_value("Description must be 255 characters or fewer")
    if attachment_id is not None and (eni.attachment is None or eni.attachment.id != attachment_id):
        raise Ec2Error("InvalidAttachmentID.NotFound", f"The attachment ID '{attachment_id}' does not exist")
    checked = groups_for(region, eni.subnet.vpc, eni.subnet, groups) if groups else []
    wire.check_dry_run(params)
    if description is not None:
        eni.description = description
    elif source_dest_check is not None:
        eni.source_dest_check = wire.boolean(params, "SourceDestCheck.Value")
    elif groups:
        region.regroup(eni, checked)
    elif eni.attachment is not None:
        eni.attachment.delete_on_termination = wire.boolean(params, "Attachment.DeleteOnTermination")
    return {}


def describe_network_interface_attribute(region: Region, params: wire.Params) -> Response:
    eni = region.interface(wire.required(params, "NetworkInterfaceId"))
    attribute = wire.required(params, "Attribute")
    if attribute not in _ATTRIBUTES and attribute != "associatePublicIpAddress":
        raise invalid_value(f"Value ({attribute}) for parameter attribute is invalid. Unknown attribute.")
    wire.check_dry_run(params)
    described = describe_interface(region, eni)
    out: Response = {"NetworkInterfaceId": eni.id}
    if attribute == "description":
        out["Description"] = {"Value": eni.description}
    elif attribute == "sourceDestCheck":
        out["SourceDestCheck"] = {"Value": eni.source_dest_check}
    elif attribute == "groupSet":
        out["Groups"] = described["Groups"]
    elif attribute == "attachment":
        if "Attachment" in described:
            out["Attachment"] = described["Attachment"]
    else:
        out["AssociatePublicIpAddress"] = False
    return out


OPERATIONS = {
    "CreateNetworkInterface": idempotent(create_network_interface),
    "DescribeNetworkInterfaces": describe_network_interfaces,
    "DeleteNetworkInterface": delete_network_interface,
    "ModifyNetworkInterfaceAttribute": modify_network_interface_attribute,
    "DescribeNetworkInterfaceAttribute": describe_network_interface_attribute,
}
