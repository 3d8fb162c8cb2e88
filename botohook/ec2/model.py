"""The region: one account's simulated EC2 network in one region, indexing every resource of the families modelled in
``network`` (VPCs, subnets), ``enis`` (interfaces, Elastic IPs), ``compute`` (instances), ``groups`` (security groups),
``routing`` (route tables, gateways) and ``dhcp``, and making the changes that span families; plain Python."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Tuple, TypeVar

from .addresses import cidrs_overlap, format_ipv4, parse_cidr
from .base import Resource, Settings, is_resource_id
from .compute import Attachment, Instance
from .dhcp import DhcpOptions
from .enis import ElasticIp, NetworkInterface
from .errors import Ec2Error
from .groups import Rule, RuleKey, SecurityGroup
from .network import CidrReservation, Subnet, Vpc, Zone
from .routing import Association, InternetGateway, Route, RouteTable

DEFAULT_VPC_CIDR = "172.31.0.0/16"
# Every simulated public address, Elastic or not, in order of use: the hosts of the documentation ranges (RFC 5737),
# so none can be mistaken for a real one
PUBLIC_ADDRESSES = tuple(
    int.from_bytes(bytes(map(int, base.split("."))), "big") + host
    for base in ("198.51.100.0", "203.0.113.0", "192.0.2.0")
    for host in range(1, 255)
)
_PUBLIC = frozenset(PUBLIC_ADDRESSES)
_LAGGING = frozenset(
    {
        "vpc",
        "subnet",
        "network-interface",
        "instance",
        "elastic-ip",
        "security-group",
        "route-table",
        "internet-gateway",
        "dhcp-options",
    }
)  # the resources whose new ids other calls miss for a while under eventual consistency
ALL_TRAFFIC = "-1"  # a security-group rule's protocol for every protocol and port
R = TypeVar("R")
K = TypeVar("K")
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


class Region:
    """One region of the simulated account: its VPCs, subnets and interfaces, and an index of every id."""

    def __init__(self, name: str, settings: Settings) -> None:
        self.name = name
        self.settings = settings
        self.zones = _zones(name)
        self.vpcs: Dict[str, Vpc] = {}
        self.subnets: Dict[str, Subnet] = {}
        self.interfaces: Dict[str, NetworkInterface] = {}
        self.instances: Dict[str, Instance] = {}
        self.elastic_ips: Dict[str, ElasticIp] = {}
        self.attachments: Dict[str, NetworkInterface] = {}  # attachment id -> interface
        self.associations: Dict[str, ElasticIp] = {}  # association id -> Elastic IP
        self.reservations: Dict[str, CidrReservation] = {}
        self.security_groups: Dict[str, SecurityGroup] = {}
        self.rules: Dict[str, Rule] = {}  # security-group rule id -> rule
        self.route_tables: Dict[str, RouteTable] = {}
        self.route_associations: Dict[str, Association] = {}
        self.internet_gateways: Dict[str, InternetGateway] = {}
        self.public_ips: Dict[int, Resource] = {}  # public IPv4 address in use -> its Elastic IP or interface
        self.dhcp_options: Dict[str, DhcpOptions] = {}
        self.client_tokens: Dict[Tuple[str, str], Tuple[Tuple[Tuple[str, str], ...], Dict[str, Any]]] = {}
        self.resources: Dict[str, Resource] = {}
        self.added = 0  # resources added so far: the next one's ``order``
        self.tagged: Dict[Tuple[str, str], Dict[str, Resource]] = {}  # (key, value) -> the resources with that tag
        self.keyed: Dict[str, Dict[str, Resource]] = {}  # tag key -> the resources with a tag of that key
        self.macs: Dict[str, Dict[str, NetworkInterface]] = {}  # MAC address -> the interfaces with it
        self.grouped: Dict[str, Dict[str, NetworkInterface]] = {}  # security group id -> the interfaces in it
        self.lagging: Dict[str, NetworkInterface] = {}  # interfaces Describe may show as they were (placements_changed)
        self.noted: Dict[NetworkInterface, Tuple[List[int], List[int]]] | None = None  # see placements()
        self.hidden: Dict[str, float] = {}  # eventual consistency: id -> virtual time other calls first see it
        domain = "ec2.internal" if name == "us-east-1" else f"{name}.compute.internal"
        default_options = DhcpOptions(settings, {"domain-name": [domain], "domain-name-servers": ["AmazonProvidedDNS"]})
        self.default_dhcp_options_id = default_options.id  # the set every new VPC points at
        self.add(default_options)
        if settings.default_vpc:
            self.create_default_vpc()
        self.hidden.clear()  # a region starts with its defaults in place

    def dns_name(self, address: int) -> str:
        host = "ip-" + format_ipv4(address).replace(".", "-")
        return f"{host}.ec2.internal" if self.name == "us-east-1" else f"{host}.{self.name}.compute.internal"

    def public_dns_name(self, address: int) -> str:
        host = "ec2-" + format_ipv4(address).replace(".", "-")
        return (
            f"{host}.compute-1.amazonaws.com"
            if self.name == "us-east-1"
            else f"{host}.{self.name}.compute.amazonaws.com"
        )

    def _indexes(self, resource: Resource) -> List[Dict[str, Any]]:
        """Every index that lists this resource besides ``resources``."""
        if isinstance(resource, Vpc):
            return [self.vpcs]
        if isinstance(resource, Subnet):
            return [self.subnets, resource.vpc.subnets]
        if isinstance(resource, NetworkInterface):
            return [self.interfaces, resource.subnet.interfaces]
        if isinstance(resource, Instance):
            return [self.instances]
        if isinstance(resource, ElasticIp):
            return [self.elastic_ips]
        if isinstance(resource, CidrReservation):
            return [self.reservations, resource.subnet.reservations]
        if isinstance(resource, SecurityGroup):
            return [self.security_groups, resource.vpc.groups]
        if isinstance(resource, Rule):
            return [self.rules, resource.group.rules(resource.egress)]
        if isinstance(resource, RouteTable):
            return [self.route_tables, resource.vpc.tables]
        if isinstance(resource, InternetGateway):
            return [self.internet_gateways]
        if isinstance(resource, DhcpOptions):
            return [self.dhcp_options]
        return []

    def free_public_ip(self) -> int | None:
        """The lowest public address no Elastic IP or interface holds, if any is left."""
        return next((a for a in PUBLIC_ADDRESSES if a not in self.public_ips), None)

    def is_public(self, address: int) -> bool:
        """Whether ``address`` is one of botohook's public addresses."""
        return address in _PUBLIC

    def check_public_ips(self, count: int) -> None:
        """[decided] botohook's public ranges hold 762 addresses per region: more at once cannot be given out."""
        if len(self.public_ips) + count > len(PUBLIC_ADDRESSES):
            raise Ec2Error(
                "InsufficientAddressCapacity",
                f"botohook's public ranges (RFC 5737: {len(PUBLIC_ADDRESSES)} addresses per region) cannot give "
                f"{count} more public addresses.",
            )

    def give_public_ip(self, interface: NetworkInterface) -> None:
        """Give the interface's primary address a public IPv4 address (launch, start, an Elastic IP taken off)."""
        self.check_public_ips(1)
        address = self.free_public_ip()
        assert address is not None
        interface.public_ip = address
        self.public_ips[address] = interface

    def drop_public_ip(self, interface: NetworkInterface) -> None:
        if interface.public_ip is not None:
            del self.public_ips[interface.public_ip]
            interface.public_ip = None

    def add(self, resource: Resource) -> None:
        lags = self.settings.lags
        if lags is not None and resource.resource_type in _LAGGING:
            self.hidden[resource.id] = self.settings.now() + lags["create"]
        if resource.id not in self.resources:  # a resource added again keeps its place, as dicts keep it
            resource.order = self.added
            self.added += 1
        self.resources[resource.id] = resource
        for index in self._indexes(resource):
            index[resource.id] = resource
        for tag in resource.tags.items():  # those it was made with
            self.tagged.setdefault(tag, {})[resource.id] = resource
            self.keyed.setdefault(tag[0], {})[resource.id] = resource
        if isinstance(resource, ElasticIp):
            self.public_ips[resource.public_ip] = resource
        elif isinstance(resource, NetworkInterface):
            self.macs.setdefault(resource.mac, {})[resource.id] = resource
            for group_id in resource.groups:
                self.grouped.setdefault(group_id, {})[resource.id] = resource

    def add_vpc(self, vpc: Vpc) -> None:
        """Add a new VPC with its main route table (the ``local`` route) and its ``default`` security group: all
        traffic in from the group itself, all out."""
        self.add(vpc)
        table = RouteTable(self.settings, vpc)
        self.add(table)
        vpc.main_association = self.associate_table(table, None)
        group = SecurityGroup(self.settings, vpc, "default", "default VPC security group")
        vpc.default_group_id = group.id
        self.add(group)
        self.add_rule(group, False, (ALL_TRAFFIC, -1, -1, "group", group.id), "")
        self.add_rule(group, True, (ALL_TRAFFIC, -1, -1, "cidr", "0.0.0.0/0"), "")

    def associate_table(self, table: RouteTable, subnet: Subnet | None) -> Association:
        """Make ``table`` the subnet's (or, for None, its VPC's main table), replacing the association before."""
        association = Association(self.settings, table, subnet)
        old = subnet.association if subnet is not None else table.vpc.main_association
        if old is not None:
            self.disassociate_table(old)
        table.associations[association.id] = association
        self.route_associations[association.id] = association
        if subnet is None:
            table.vpc.main_association = association
        else:
            subnet.association = association
        return association

    def disassociate_table(self, association: Association) -> None:
        del association.table.associations[association.id]
        del self.route_associations[association.id]
        if association.subnet is not None:
            association.subnet.association = None

    def add_rule(self, group: SecurityGroup, egress: bool, key: RuleKey, description: str) -> Rule:
        rule = Rule(self.settings, group, egress, key, description)
        self.add(rule)
        return rule

    def remove(self, resource: Resource) -> None:
        if isinstance(resource, Subnet):
            for reservation in list(resource.reservations.values()):
                self.remove(reservation)
            if resource.association is not None:
                self.disassociate_table(resource.association)
        elif isinstance(resource, SecurityGroup):
            for rule in [*resource.ingress.values(), *resource.egress.values()]:
                self.remove(rule)
        elif isinstance(resource, Vpc):
            for group in list(resource.groups.values()):
                self.remove(group)
            for table in list(resource.tables.values()):
                for association in list(table.associations.values()):
                    self.disassociate_table(association)
                self.remove(table)
        elif isinstance(resource, ElasticIp):
            del self.public_ips[resource.public_ip]
        elif isinstance(resource, NetworkInterface):
            _forget(self.macs, resource.mac, resource.id)
            for group_id in resource.groups:
                _forget(self.grouped, group_id, resource.id)
        del self.resources[resource.id]
        self.hidden.pop(resource.id, None)
        for tag in resource.tags.items():
            self._forget_tag(resource, tag)
        for index in self._indexes(resource):
            del index[resource.id]

    def tag(self, resource: Resource, tags: Mapping[str, str]) -> None:
        """Tag an added resource (over any tag of the same key). Tags of added resources change only here and in
        :meth:`untag`, so ``tagged`` and ``keyed`` list every resource under each tag and key it has."""
        for key, value in tags.items():
            self.untag(resource, key)
            resource.tags[key] = value
            self.tagged.setdefault((key, value), {})[resource.id] = resource
            self.keyed.setdefault(key, {})[resource.id] = resource

    def untag(self, resource: Resource, key: str) -> None:
        value = resource.tags.pop(key, None)
        if value is not None:
            self._forget_tag(resource, (key, value))

    def _forget_tag(self, resource: Resource, tag: Tuple[str, str]) -> None:
        _forget(self.tagged, tag, resource.id)
        _forget(self.keyed, tag[0], resource.id)

    def regroup(self, interface: NetworkInterface, groups: List[str]) -> None:
        """Give the interface these security groups. Groups of added interfaces change only here, so ``grouped``
        lists every interface under each group it is in."""
        for group_id in interface.groups:
            _forget(self.grouped, group_id, interface.id)
        interface.groups = groups
        for group_id in groups:
            self.grouped.setdefault(group_id, {})[interface.id] = interface

    def visible(self, resource_id: str) -> bool:
        """Whether other calls see this id yet (always, unless eventual consistency hides a new one for a while)."""
        until = self.hidden.get(resource_id)
        if until is None:
            return True
        if self.settings.now() >= until:
            del self.hidden[resource_id]
            return True
        return False

    def listed(self, index: Dict[str, R]) -> List[R]:
        """The resources of ``index`` that a Describe without ids lists: those other calls see."""
        if not self.hidden:
            return list(index.values())
        return [r for key, r in index.items() if self.visible(key)]

    def _lookup(self, index: Dict[str, R], resource_id: str, code: str, noun: str) -> R:
        """``_find``, where an id eventual consistency still hides is not found either."""
        if self.hidden and not self.visible(resource_id):
            index = {}
        return _find(index, resource_id, code, noun)

    def vpc(self, vpc_id: str) -> Vpc:
        return self._lookup(self.vpcs, vpc_id, "InvalidVpcID.NotFound", "vpc")

    def subnet(self, subnet_id: str) -> Subnet:
        return self._lookup(self.subnets, subnet_id, "InvalidSubnetID.NotFound", "subnet")

    def interface(self, interface_id: str) -> NetworkInterface:
        if interface_id not in self.interfaces and not is_resource_id(interface_id, "eni"):
            raise Ec2Error("InvalidNetworkInterfaceId.Malformed", f'Invalid id: "{interface_id}" (expecting "eni-...")')
        return self._lookup(self.interfaces, interface_id, "InvalidNetworkInterfaceID.NotFound", "networkInterface")

    def instance(self, instance_id: str) -> Instance:
        if instance_id not in self.instances and not is_resource_id(instance_id, "i"):
            raise Ec2Error("InvalidInstanceID.Malformed", f'Invalid id: "{instance_id}"')
        return self._lookup(self.instances, instance_id, "InvalidInstanceID.NotFound", "instance")

    def elastic_ip(self, allocation_id: str) -> ElasticIp:
        return self._lookup(self.elastic_ips, allocation_id, "InvalidAllocationID.NotFound", "allocation")

    def attached(self, attachment_id: str) -> NetworkInterface:
        """The interface of an attachment."""
        return _find(self.attachments, attachment_id, "InvalidAttachmentID.NotFound", "attachment")

    def security_group(self, group_id: str) -> SecurityGroup:
        if group_id not in self.security_groups and not is_resource_id(group_id, "sg"):
            raise Ec2Error("InvalidGroupId.Malformed", f'Invalid id: "{group_id}" (expecting "sg-...")')
        if group_id not in self.security_groups or (self.hidden and not self.visible(group_id)):
            raise Ec2Error("InvalidGroup.NotFound", f"The security group '{group_id}' does not exist")
        return self.security_groups[group_id]

    def route_table(self, table_id: str) -> RouteTable:
        if table_id not in self.route_tables and not is_resource_id(table_id, "rtb"):
            raise Ec2Error("InvalidRouteTableId.Malformed", f'Invalid id: "{table_id}" (expecting "rtb-...")')
        return self._lookup(self.route_tables, table_id, "InvalidRouteTableID.NotFound", "routeTable")

    def internet_gateway(self, gateway_id: str) -> InternetGateway:
        if gateway_id not in self.internet_gateways and not is_resource_id(gateway_id, "igw"):
            raise Ec2Error("InvalidInternetGatewayId.Malformed", f'Invalid id: "{gateway_id}" (expecting "igw-...")')
        return self._lookup(self.internet_gateways, gateway_id, "InvalidInternetGatewayID.NotFound", "internetGateway")

    def dhcp_option_set(self, options_id: str) -> DhcpOptions:
        if options_id not in self.dhcp_options and not is_resource_id(options_id, "dopt"):
            raise Ec2Error("InvalidDhcpOptionsId.Malformed", f'Invalid id: "{options_id}" (expecting "dopt-...")')
        return self._lookup(self.dhcp_options, options_id, "InvalidDhcpOptionID.NotFound", "dhcpOption")

    def table_association(self, association_id: str) -> Association:
        return _find(self.route_associations, association_id, "InvalidAssociationID.NotFound", "association")

    def associated(self, association_id: str) -> ElasticIp:
        """The Elastic IP of an association."""
        return _find(self.associations, association_id, "InvalidAssociationID.NotFound", "association")

    def reservation(self, reservation_id: str) -> CidrReservation:
        return _find(
            self.reservations, reservation_id, "InvalidSubnetCidrReservationID.NotFound", "subnet CIDR reservation"
        )

    def address_limit(self, interface: NetworkInterface) -> int:
        """How many private addresses (primary included) the interface may hold: its instance type's figure."""
        attachment = interface.attachment
        if attachment is None:
            return self.settings.detached_limit()
        return attachment.instance.kind.ipv4_addresses_per_interface

    def attach(self, interface: NetworkInterface, instance: Instance, device_index: int, delete: bool) -> Attachment:
        attachment = interface.attachment = Attachment(self.settings, instance, device_index, delete)
        instance.interfaces[device_index] = interface
        self.attachments[attachment.id] = interface
        return attachment

    def detach(self, interface: NetworkInterface) -> None:
        attachment = interface.attachment
        if attachment is not None:
            del attachment.instance.interfaces[attachment.device_index]
            del self.attachments[attachment.id]
            interface.attachment = None
            lags = self.settings.lags
            if lags is not None:
                interface.detaching = (attachment, self.settings.now() + lags["detach"])

    def associate(self, eip: ElasticIp, interface: NetworkInterface, address: int) -> None:
        """Map ``eip`` to a private address, replacing whatever either was associated with."""
        self.disassociate(eip)
        replaced = interface.associations.get(address)
        if replaced is not None:
            self.disassociate(replaced)
        eip.association_id = self.settings.new_id("eipassoc")
        eip.interface, eip.private_address = interface, address
        if address == interface.primary:
            self.drop_public_ip(interface)  # an Elastic IP replaces the public address EC2 gave
        interface.associations[address] = eip
        self.associations[eip.association_id] = eip

    def disassociate(self, eip: ElasticIp, replace: bool = True) -> None:
        """Take the Elastic IP off its address; an interface launched with a public address that is still attached
        gets a new one (the EC2 User Guide), unless ``replace`` is false (the interface is going away)."""
        interface, address = eip.interface, eip.private_address
        if interface is not None and address is not None and eip.association_id is not None:
            del interface.associations[address]
            del self.associations[eip.association_id]
            if replace and address == interface.primary and interface.public_on_launch and interface.running:
                self.give_public_ip(interface)
        eip.association_id = eip.interface = eip.private_address = None

    def placements(self) -> Dict[NetworkInterface, Tuple[List[int], List[int]]]:
        """The ``(secondaries, prefixes)`` as they were before the call that starts now of each interface it changes,
        for :meth:`placements_changed`: filled by :meth:`note`, which every change of placement calls first."""
        self.noted = {}
        return self.noted

    def note(self, interface: NetworkInterface) -> None:
        """Record the interface's placement before it changes, while :meth:`placements` records a call."""
        noted = self.noted
        if noted is not None and interface not in noted:
            noted[interface] = (list(interface.secondaries), list(interface.prefixes))

    def placements_changed(self, before: Dict[NetworkInterface, Tuple[List[int], List[int]]]) -> None:
        """Under eventual consistency, interfaces whose addresses changed since ``before`` are described as they
        were until ``lags["move"]`` seconds after their latest change (the allocator itself is always current)."""
        self.noted = None
        lags = self.settings.lags
        if lags is None:
            return
        now = self.settings.now()
        for eni, (secondaries, prefixes) in before.items():
            if list(eni.secondaries) != secondaries or list(eni.prefixes) != prefixes:
                if eni.shown_until is None or now >= eni.shown_until:
                    eni.shown = (secondaries, prefixes)
                eni.shown_until = now + lags["move"]
                self.lagging[eni.id] = eni
        self.still_lagging()

    def still_lagging(self) -> List[NetworkInterface]:
        """The interfaces Describe shows as they were before a recent change (``lagging`` keeps no others)."""
        now = self.settings.now()
        for key in [k for k, e in self.lagging.items() if e.shown_until is None or now >= e.shown_until]:
            del self.lagging[key]
        return list(self.lagging.values())

    def move_secondary(self, address: int, target: NetworkInterface) -> None:
        """Reassign a secondary address to ``target``; an Elastic IP associated with it follows."""
        source = target.subnet.owners[address]
        self.note(source)
        self.note(target)
        del source.secondaries[address]
        target.subnet.owners[address] = target
        target.secondaries[address] = None
        eip = source.associations.pop(address, None)
        if eip is not None:
            eip.interface = target
            target.associations[address] = eip

    def release_secondary(self, interface: NetworkInterface, address: int) -> None:
        """Unassign a secondary address; an Elastic IP associated with it is disassociated."""
        eip = interface.associations.get(address)
        if eip is not None:
            self.disassociate(eip)
        self.note(interface)
        del interface.secondaries[address]
        interface.subnet.release(address)

    def delete_interface(self, interface: NetworkInterface) -> None:
        """Free every address of a detached interface, disassociating its Elastic IPs, and forget it."""
        for eip in list(interface.associations.values()):
            self.disassociate(eip, replace=False)
        self.drop_public_ip(interface)
        for address in [interface.primary, *interface.secondaries]:
            interface.subnet.release(address)
        for first in interface.prefixes:
            interface.subnet.release_prefix(first)
        for address in interface.ipv6s:
            interface.subnet.release6(address)
        for first in interface.ipv6_prefixes:
            interface.subnet.release_prefix6(first)
        self.remove(interface)

    def create_default_vpc(self) -> Vpc:
        """The default VPC as AWS makes it: 172.31.0.0/16, a default /20 subnet per zone, an internet gateway and
        a route to it for 0.0.0.0/0."""
        block = parse_cidr(DEFAULT_VPC_CIDR)
        assert block is not None
        network, bits = block
        vpc = Vpc(self.settings, network, bits, True, "default")
        vpc.dhcp_options_id = self.default_dhcp_options_id
        self.add_vpc(vpc)
        for zone in self.zones:
            first = self.default_subnet_block(vpc, zone)
            assert first is not None  # a new /16 has room for a /20 per zone
            self.create_default_subnet(vpc, zone, first)
        gateway = InternetGateway(self.settings)
        gateway.vpc = vpc
        vpc.gateway = gateway
        self.add(gateway)
        table = vpc.tables[next(iter(vpc.tables))]
        table.routes["0.0.0.0/0"] = Route("0.0.0.0/0", "gateway", gateway.id)
        return vpc

    def default_vpc(self) -> Vpc | None:
        return next((v for v in self.vpcs.values() if v.is_default), None)

    def default_subnet_block(self, vpc: Vpc, zone: Zone) -> int | None:
        """Where a default /20 for the zone goes in the default VPC: the zone's own block if free, else the first
        free one; None when the VPC has no free /20 left."""
        for index in [self.zones.index(zone), *range(1 << (20 - vpc.bits))]:
            first: int = vpc.network + (index << 12)
            if not any(cidrs_overlap(first, 20, s.network, s.bits) for s in vpc.subnets.values()):
                return first
        return None

    def create_default_subnet(self, vpc: Vpc, zone: Zone, network: int) -> Subnet:
        """A default /20 at ``network`` (from :meth:`default_subnet_block`)."""
        subnet = Subnet(self.settings, vpc, network, 20, zone, True)
        self.add(subnet)
        return subnet


def _forget(index: Dict[K, Dict[str, Any]], key: K, resource_id: str) -> None:
    """Take the resource off ``index[key]``, and the key off ``index`` once nothing is under it."""
    holders = index.get(key)
    if holders is not None and holders.pop(resource_id, None) is not None and not holders:
        del index[key]


def _find(index: Dict[str, R], resource_id: str, code: str, noun: str) -> R:
    """The resource with this id, or EC2's not-found error for it."""
    found = index.get(resource_id)
    if found is None:
        raise Ec2Error(code, f"The {noun} ID '{resource_id}' does not exist")
    return found


def _zones(region: str) -> List[Zone]:
    parts = region.split("-")
    if len(parts) >= 3:
        short = parts[0] + "".join(_DIRECTIONS.get(p, p[:1]) for p in parts[1:-1]) + parts[-1]
    else:
        short = region.replace("-", "")
    letters = "abcdef" if region == "us-east-1" else "abc"
    return [Zone(region + letter, f"{short}-az{i}") for i, letter in enumerate(letters, 1)]
