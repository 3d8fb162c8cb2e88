"""RunInstances, DescribeInstances: instances as far as their networking goes."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, NamedTuple, Sequence, Tuple

from . import wire
from .addresses import format_ipv4
from .base import is_resource_id
from .catalog import InstanceType, check_prefix_support
from .compute import Instance
from .describe import Getter, Narrower, choose, flag, named, page, tag_list, tags_by_type
from .enis import NetworkInterface
from .errors import Ec2Error, invalid_value, missing
from .idempotency import idempotent
from .interfaces import (
    InterfacePlan,
    build_interface,
    describe_interface,
    holders,
    in_group,
    in_subnet,
    in_vpc,
    plan_interface,
    public_holders,
)
from .ipv6 import check_attachable, check_ipv6, format_ipv6
from .model import Region
from .network import Subnet
from .security_groups import group_by_name, group_entry

Response = Dict[str, Any]
STATE_CODES = {"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}
_SHUTDOWN = ("Client.UserInitiatedShutdown", "Client.UserInitiatedShutdown: User initiated shutdown")
_STATE_REASONS = {
    "pending": ("pending", "pending"),
    "stopping": _SHUTDOWN,
    "stopped": _SHUTDOWN,
    "shutting-down": _SHUTDOWN,
    "terminated": _SHUTDOWN,
}
"""``StateReason`` (code, message) by state, as EC2 words it; a running instance has none."""


class _Slot(NamedTuple):
    """One interface of the launch request: an existing interface, or the plan of a new one."""

    device_index: int
    delete_on_termination: bool
    target: NetworkInterface | InterfacePlan
    public: str | None  # AssociatePublicIpAddress as given ("true"/"false"), or None

    @property
    def plan(self) -> InterfacePlan | None:
        return self.target if isinstance(self.target, InterfacePlan) else None

    @property
    def delegates_prefixes(self) -> bool:
        return bool(self.target.prefixes) or (self.plan is not None and self.plan.prefix_count > 0)


def instance_type(region: Region, name: str) -> InstanceType:
    kind = region.settings.catalog().get(name)
    if kind is None:
        raise invalid_value(f"Invalid value '{name}' for InstanceType.")
    return kind


def _default_subnet(region: Region, zone_name: str | None) -> Subnet:
    defaults = [s for s in region.subnets.values() if s.default_for_az and s.vpc.is_default]
    if not defaults:
        raise Ec2Error("VPCIdNotSpecified", "No default VPC for this user")
    if zone_name is None:
        return defaults[region.settings.id_rng.randrange(len(defaults))]
    for subnet in defaults:
        if subnet.zone.name == zone_name:
            return subnet
    raise invalid_value(f"Invalid availability zone: [{zone_name}]")


def _slots(region: Region, params: wire.Params) -> List[_Slot]:
    specs: List[wire.Params] = list(wire.structs(params, "NetworkInterface"))
    subnet_id = wire.text(params, "SubnetId")
    address = wire.text(params, "PrivateIpAddress")
    groups = wire.strings(params, "SecurityGroupId")
    names = wire.strings(params, "SecurityGroup")
    if specs and subnet_id is not None:
        raise Ec2Error(
            "InvalidParameterCombination",
            "Network interfaces and an instance-level subnet ID may not be specified on the same request",
        )
    if specs and address is not None:
        raise Ec2Error(
            "InvalidParameterCombination",
            "Network interfaces and an instance-level private IP address should not be specified on the same request",
        )
    if specs and any(k.startswith("Ipv6Address") for k in params):
        raise Ec2Error(
            "InvalidParameterCombination",
            "Network interfaces and an instance-level IPv6 address or count may not be specified on the same request",
        )
    if specs and (groups or names):
        raise Ec2Error(
            "InvalidParameterCombination",
            "Network interfaces and an instance-level security groups may not be specified on the same request",
        )
    if not specs:  # the instance-level parameters describe the primary interface
        implicit: Dict[str, object] = {"DeviceIndex": "0"}
        if subnet_id is not None:
            implicit["SubnetId"] = subnet_id
        if address is not None:
            implicit["PrivateIpAddress"] = address
        if names:
            vpc = region.subnet(subnet_id).vpc if subnet_id is not None else region.default_vpc()
            if vpc is not None and not vpc.is_default:
                raise Ec2Error(
                    "InvalidParameterCombination", "The parameter groupName cannot be used with the parameter subnet"
                )
            groups = groups + [group_by_name(vpc, name).id for name in names]
        implicit.update({f"SecurityGroupId.{i}": g for i, g in enumerate(groups, 1)})
        implicit.update(
            {
                k.replace("Ipv6Address.", "Ipv6Addresses.", 1): v
                for k, v in params.items()
                if k.startswith("Ipv6Address.")
            }
        )
        if "Ipv6AddressCount" in params:
            implicit["Ipv6AddressCount"] = params["Ipv6AddressCount"]
        specs = [implicit]
    zone = wire.text(params, "Placement.AvailabilityZone")
    slots: List[_Slot] = []
    for spec in specs:
        index = wire.integer(spec, "DeviceIndex", "deviceIndex")
        if index is None:
            raise invalid_value("Each network interface requires a device index.")
        if index < 0 or any(s.device_index == index for s in slots):
            raise invalid_value("Each network interface requires a unique device index.")
        interface_id = wire.text(spec, "NetworkInterfaceId")
        if interface_id is not None:
            eni = region.interface(interface_id)
            if eni.attachment is not None:
                raise Ec2Error("InvalidNetworkInterface.InUse", f"Interface: [{eni.id}] in use.")
            if wire.text(spec, "AssociatePublicIpAddress") is not None:
                raise Ec2Error(
                    "InvalidParameterCombination",
                    "The associatePublicIPAddress parameter cannot be specified for a network interface with an ID.",
                )
            slots.append(_Slot(index, wire.text(spec, "DeleteOnTermination") == "true", eni, None))
            continue
        spec_subnet = wire.text(spec, "SubnetId")
        subnet = region.subnet(spec_subnet) if spec_subnet is not None else _default_subnet(region, zone)
        plan = plan_interface(region, subnet, spec, launch=True)
        public = wire.text(spec, "AssociatePublicIpAddress")
        slots.append(_Slot(index, wire.text(spec, "DeleteOnTermination") != "false", plan, public))
    if all(s.device_index != 0 for s in slots):
        raise invalid_value("A network interface at device index 0 is required.")
    if len({s.target.subnet.zone.name for s in slots}) > 1:
        raise Ec2Error("InvalidParameterCombination", "Network interfaces must be in the same availability zone.")
    if any(s.public is not None for s in slots):
        if len(slots) > 1:
            raise Ec2Error(
                "InvalidParameterCombination",
                "The associatePublicIPAddress parameter cannot be specified when launching with multiple network "
                "interfaces.",
            )
        if slots[0].device_index != 0:
            raise Ec2Error(
                "InvalidParameterCombination",
                "The associatePublicIPAddress parameter can only be specified for the network interface with "
                "DeviceIndex 0.",
            )
    return slots


def _gets_public_ip(slots: List[_Slot]) -> bool:
    """Whether the primary interface gets a public IPv4 address: as ``AssociatePublicIpAddress`` says, else as its
    subnet's ``MapPublicIpOnLaunch`` says when the instance launches with one new interface (the API reference)."""
    if len(slots) != 1 or slots[0].plan is None:
        return False
    if slots[0].public is not None:
        return slots[0].public == "true"
    return slots[0].plan.subnet.map_public_ip


def run_instances(region: Region, params: wire.Params) -> Response:
    image = wire.required(params, "ImageId")
    if not is_resource_id(image, "ami"):
        raise Ec2Error("InvalidAMIID.Malformed", f'Invalid id: "{image}" (expecting "ami-...")')
    kind = instance_type(region, wire.text(params, "InstanceType") or "m1.small")
    low = wire.integer(params, "MinCount", "minCount")
    high = wire.integer(params, "MaxCount", "maxCount")
    if low is None:
        raise missing("MinCount")
    if high is None:
        raise missing("MaxCount")
    if low < 1 or high < low:
        raise invalid_value(f"Invalid values for MinCount ({low}) and MaxCount ({high}).")
    slots = _slots(region, params)
    if len(slots) > kind.max_network_interfaces:
        raise Ec2Error("AttachmentLimitExceeded", f"Interface count {len(slots)} exceeds the limit for {kind.name}")
    limit = kind.ipv4_addresses_per_interface
    for slot in slots:
        if isinstance(slot.target, NetworkInterface):
            check_attachable(region, slot.target, kind)
        else:
            check_ipv6(region, slot.target.subnet, slot.target.ipv6, kind, 0)
        if slot.delegates_prefixes:
            check_prefix_support(kind)
        if slot.target.slots > limit:
            raise Ec2Error(
                "InvalidInterface.IpAddressLimitExceeded",
                f"The number of private IP addresses on a network interface exceeds the limit for {kind.name}.",
            )
    if high > 1 and any(s.plan is None or s.plan.named or s.plan.ipv6.addresses for s in slots):
        raise Ec2Error(
            "InvalidParameterCombination",
            "A private IP address or an existing network interface can be given only when launching one instance.",
        )
    count = _capacity(slots, low, high)
    public = _gets_public_ip(slots)
    if public:
        region.check_public_ips(count)
    tags = tags_by_type(params, ("instance", "network-interface", "volume"))
    metadata = _metadata_options(params)
    wire.check_dry_run(params)

    reservation_id = region.settings.new_id("r")
    instances: List[Instance] = []
    for launch_index in range(count):
        instance = Instance(region.settings, kind, image, slots[0].target.subnet, reservation_id, launch_index)
        instance.tags.update(tags.get("instance", {}))
        instance.client_token = wire.text(params, "ClientToken") or ""
        _reflect_launch_attributes(instance, params)
        instance.metadata_options = metadata
        region.add(instance)
        for slot in sorted(slots, key=lambda s: s.device_index):
            if isinstance(slot.target, NetworkInterface):
                eni = slot.target
            else:
                eni = build_interface(region, slot.target)
                region.tag(eni, tags.get("network-interface", {}))
            region.attach(eni, instance, slot.device_index, slot.delete_on_termination)
        if public:
            instance.interfaces[0].public_on_launch = True
            region.give_public_ip(instance.interfaces[0])
        instance.subnet = instance.interfaces[0].subnet
        instances.append(instance)
    return {
        "Groups": [],
        "Instances": [describe_instance(region, i, launch=True) for i in instances],
        "OwnerId": region.settings.account_id,
        "ReservationId": reservation_id,
    }


def _reflect_launch_attributes(instance: Instance, params: wire.Params) -> None:
    """Launch parameters that change nothing on the network, kept to be described back (DescribeInstanceAttribute,
    DescribeInstances) and, for the two protections, enforced by StopInstances and TerminateInstances."""
    instance.disable_api_termination = wire.boolean(params, "DisableApiTermination")
    instance.disable_api_stop = wire.boolean(params, "DisableApiStop")
    instance.ebs_optimized = wire.boolean(params, "EbsOptimized")
    instance.shutdown_behavior = wire.text(params, "InstanceInitiatedShutdownBehavior") or "stop"
    instance.user_data = wire.text(params, "UserData")
    instance.key_name = wire.text(params, "KeyName")
    instance.monitoring = wire.boolean(params, "Monitoring.Enabled")


_SWITCHES = ("enabled", "disabled")
_METADATA_CHOICES = {  # each option's values, its default first
    "HttpTokens": ("optional", "required"),
    "HttpEndpoint": _SWITCHES,
    "HttpProtocolIpv6": _SWITCHES[::-1],
    "InstanceMetadataTags": _SWITCHES[::-1],
}


def _metadata_options(params: wire.Params) -> Dict[str, str | int]:
    """``MetadataOptions`` as given at launch over EC2's defaults (IMDSv2 optional, a hop limit of 1, the endpoint
    on, its IPv6 endpoint and tags off [decided: the API reference's defaults; an AMI or an account setting may
    require IMDSv2]); a value EC2 does not list is refused."""
    hops = wire.integer(params, "MetadataOptions.HttpPutResponseHopLimit", "httpPutResponseHopLimit")
    if hops is not None and not 1 <= hops <= 64:
        raise invalid_value(f"Value ({hops}) for parameter httpPutResponseHopLimit is invalid. Expecting 1 to 64.")
    chosen: Dict[str, str | int] = {}
    for name, choices in _METADATA_CHOICES.items():
        value = wire.text(params, f"MetadataOptions.{name}")
        if value is not None and value not in choices:
            raise invalid_value(f"Value ({value}) for parameter {name[0].lower()}{name[1:]} is invalid.")
        chosen[name] = value or choices[0]
        if name == "HttpTokens":
            chosen["HttpPutResponseHopLimit"] = 1 if hops is None else hops
    return chosen


class _Need(NamedTuple):
    """What one instance of the launch needs from one subnet."""

    addresses: int
    prefixes: int
    named: List[int]


def _capacity(slots: List[_Slot], low: int, high: int) -> int:
    """How many instances, between ``low`` and ``high``, the subnets have addresses and prefixes for (a binary
    search: enough for ``count`` instances implies enough for fewer)."""
    needs: Dict[Subnet, _Need] = {}
    for slot in slots:
        plan = slot.plan
        if plan is not None:
            need = needs.get(plan.subnet, _Need(0, 0, []))
            needs[plan.subnet] = _Need(
                need.addresses + plan.automatic, need.prefixes + plan.prefix_count, need.named + plan.named
            )

    def shortage(count: int) -> Tuple[Subnet, Ec2Error] | None:
        checks = ((s, s.can_allocate(n.addresses * count, n.prefixes * count, n.named)) for s, n in needs.items())
        return next(((subnet, error) for subnet, error in checks if error is not None), None)

    found = shortage(low)
    if found is not None:
        subnet, error = found
        if error.code == "InsufficientFreeAddressesInSubnet":  # RunInstances words it for the launch
            raise Ec2Error(
                error.code,
                f"There are not enough free addresses in subnet '{subnet.id}' to satisfy the requested number of "
                "instances.",
            )
        raise error
    while low < high:
        middle = (low + high + 1) // 2
        if shortage(middle) is None:
            low = middle
        else:
            high = middle - 1
    return low


def describe_instance(region: Region, instance: Instance, launch: bool = False) -> Response:
    """An instance as DescribeInstances shows it, or (``launch``) as RunInstances' answer does: ``pending``, its
    interfaces attaching, no public address yet, whatever state the instance has already reached."""
    state = "pending" if launch else instance.state
    zone = instance.subnet.zone
    out: Response = {
        "AmiLaunchIndex": instance.launch_index,
        "ImageId": instance.image_id,
        "InstanceId": instance.id,
        "InstanceType": instance.kind.name,
        "LaunchTime": instance.launch_time,
        "Monitoring": {"State": "enabled" if instance.monitoring else "disabled"},
        "Placement": {
            "AvailabilityZoneId": zone.zone_id,
            "AvailabilityZone": zone.name,
            "GroupName": "",
            "Tenancy": "default",
        },
        "ProductCodes": [],
        "State": {"Code": STATE_CODES[state], "Name": state},
        "StateTransitionReason": instance.transition_reason,
        "Architecture": "x86_64",
        "BlockDeviceMappings": [],
        "ClientToken": instance.client_token,
        "EbsOptimized": instance.ebs_optimized,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "VirtualizationType": "hvm",
        "SecurityGroups": [group_entry(region, g) for g in instance.groups],
        "NetworkInterfaces": [
            describe_interface(region, instance.interfaces[i], for_instance=True, launch=launch)
            for i in sorted(instance.interfaces)
        ],
        "PrivateDnsName": "",
        "PublicDnsName": "",
        "MetadataOptions": {"State": "pending" if launch else "applied", **instance.metadata_options},
        "PrivateDnsNameOptions": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
        "NetworkPerformanceOptions": {"BandwidthWeighting": "default"},
        "Operator": {"Managed": False},
    }
    reason = _STATE_REASONS.get(state)
    if reason is not None:
        out["StateReason"] = {"Code": reason[0], "Message": reason[1]}
    primary = instance.primary_interface
    if primary is not None:
        out.update(
            PrivateDnsName=region.dns_name(primary.primary),
            PrivateIpAddress=primary.primary_address,
            SubnetId=primary.subnet.id,
            VpcId=primary.subnet.vpc.id,
            SourceDestCheck=primary.source_dest_check,
        )
        public = None if launch else primary.public_of(primary.primary)
        if public is not None:
            out["PublicIpAddress"] = format_ipv4(public)
            if primary.subnet.vpc.dns_hostnames:
                out["PublicDnsName"] = region.public_dns_name(public)
    if instance.key_name is not None:
        out["KeyName"] = instance.key_name
    if instance.tags:
        out["Tags"] = tag_list(instance.tags)
    return out


def _each_interface(attribute: str) -> Getter[Instance]:
    def get(instance: Instance) -> List[str]:
        return [str(v) for eni in instance.interfaces.values() for v in _interface_values(eni, attribute)]

    return get


def _interface_values(eni: NetworkInterface, attribute: str) -> Sequence[object]:
    attachment = eni.attachment
    values: Dict[str, Sequence[object]] = {
        "network-interface-id": [eni.id],
        "subnet-id": [eni.subnet.id],
        "vpc-id": [eni.subnet.vpc.id],
        "addresses.private-ip-address": eni.private_addresses,
        "private-ip-address": eni.private_addresses,
        "attachment.device-index": [attachment.device_index] if attachment else [],
        "attachment.attachment-id": [attachment.id] if attachment else [],
        "attachment.status": [attachment.status] if attachment else [],
        "association.public-ip": [p for p in map(eni.public_address, [eni.primary, *eni.secondaries]) if p],
        "ipv6-addresses.ipv6-address": [format_ipv6(a) for a in eni.ipv6s],
    }
    return values[attribute]


def _filters(region: Region) -> Dict[str, Getter[Instance]]:
    getters: Dict[str, Getter[Instance]] = {
        "instance-id": lambda i: [i.id],
        "instance-type": lambda i: [i.kind.name],
        "instance-state-name": lambda i: [i.state],
        "instance-state-code": lambda i: [str(STATE_CODES[i.state])],
        "image-id": lambda i: [i.image_id],
        "reservation-id": lambda i: [i.reservation_id],
        "owner-id": lambda i: [region.settings.account_id],
        "availability-zone": lambda i: [i.subnet.zone.name],
        "subnet-id": lambda i: [i.subnet.id] if i.interfaces else [],
        "vpc-id": lambda i: [i.subnet.vpc.id] if i.interfaces else [],
        "private-ip-address": lambda i: [i.interfaces[0].primary_address] if 0 in i.interfaces else [],
        "private-dns-name": lambda i: [region.dns_name(i.interfaces[0].primary)] if 0 in i.interfaces else [],
        "ip-address": lambda i: (
            [p for p in [i.interfaces[0].public_address(i.interfaces[0].primary)] if p] if 0 in i.interfaces else []
        ),
        "source-dest-check": lambda i: [flag(i.interfaces[0].source_dest_check)] if 0 in i.interfaces else [],
        "instance.group-id": lambda i: i.groups,
        "instance.group-name": lambda i: [group_entry(region, g)["GroupName"] for g in i.groups],
        "network-interface.group-id": lambda i: [g for e in i.interfaces.values() for g in e.groups],
        "network-interface.group-name": lambda i: [
            group_entry(region, g)["GroupName"] for e in i.interfaces.values() for g in e.groups
        ],
    }
    for attribute in (
        "network-interface-id",
        "subnet-id",
        "vpc-id",
        "addresses.private-ip-address",
        "private-ip-address",
        "attachment.device-index",
        "attachment.attachment-id",
        "attachment.status",
        "association.public-ip",
        "ipv6-addresses.ipv6-address",
    ):
        getters[f"network-interface.{attribute}"] = _each_interface(attribute)
    getters["ipv6-address"] = _each_interface("ipv6-addresses.ipv6-address")
    return getters


def _attached(interfaces: Iterable[NetworkInterface]) -> List[Instance]:
    """The instances these interfaces are attached to."""
    return [e.attachment.instance for e in interfaces if e.attachment is not None]


def _with_interface(region: Region, interface_id: str) -> List[Instance]:
    eni = region.interfaces.get(interface_id)
    return [] if eni is None else _attached((eni,))


_NARROWERS: Dict[str, Narrower[Instance]] = {
    "instance-id": named(lambda region: region.instances),
    "private-ip-address": lambda region, value: _attached(holders(region, value)),
    # an instance's subnet and VPC are those of its interface at device 0, attached until all are (termination)
    "subnet-id": lambda region, value: _attached(in_subnet(region, value)),
    "vpc-id": lambda region, value: _attached(in_vpc(region, value)),
    "network-interface.network-interface-id": _with_interface,
    "network-interface.subnet-id": lambda region, value: _attached(in_subnet(region, value)),
    "network-interface.vpc-id": lambda region, value: _attached(in_vpc(region, value)),
    "network-interface.addresses.private-ip-address": lambda region, value: _attached(holders(region, value)),
    "network-interface.private-ip-address": lambda region, value: _attached(holders(region, value)),
    "ip-address": lambda region, value: _attached(public_holders(region, value)),
    "network-interface.association.public-ip": lambda region, value: _attached(public_holders(region, value)),
    "network-interface.group-id": lambda region, value: _attached(in_group(region, value)),
}
"""Filters that find their candidates without a scan: each yields every instance the filter may select."""


def describe_instances(region: Region, params: wire.Params) -> Response:
    ids = wire.strings(params, "InstanceId")
    if ids and wire.text(params, "MaxResults") is not None:
        raise Ec2Error(
            "InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults"
        )
    for instance_id in ids:
        region.instance(instance_id)
    chosen = choose(region, region.instances, ids, params, _filters(region), _NARROWERS)
    wire.check_dry_run(params)
    items, token = page(chosen, params)
    reservations: Dict[str, Response] = {}
    for instance in items:
        reservation = reservations.setdefault(
            instance.reservation_id,
            {
                "Groups": [],
                "Instances": [],
                "OwnerId": region.settings.account_id,
                "ReservationId": instance.reservation_id,
            },
        )
        reservation["Instances"].append(describe_instance(region, instance))
    out: Response = {"Reservations": list(reservations.values())}
    if token:
        out["NextToken"] = token
    return out


OPERATIONS = {"RunInstances": idempotent(run_instances), "DescribeInstances": describe_instances}
