"""Stateful property test: random sequences of calls through a genuine client never break the invariants."""

from __future__ import annotations

import ipaddress
from typing import Any, Dict, List, Set

import boto3
from botocore.exceptions import ClientError
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import botohook
from tests.conftest import snapshot

CIDR = ipaddress.ip_network("10.0.0.0/25")
USABLE = CIDR.num_addresses - 5
ADDRESSES = st.integers(0, CIDR.num_addresses - 1).map(lambda i: str(CIDR.network_address + i))
PREFIXES = st.integers(0, CIDR.num_addresses // 16 - 1).map(lambda b: f"{CIDR.network_address + 16 * b}/28")
RESERVABLE = st.sampled_from(["10.0.0.0/28", "10.0.0.16/28", "10.0.0.32/27", "10.0.0.64/26", "10.0.0.96/29"])


class AddressMachine(RuleBasedStateMachine):
    """Interfaces and instances in one small subnet, moving addresses and Elastic IPs around at random."""

    def __init__(self) -> None:
        super().__init__()
        self.mock = botohook.mock(seed=0, strict=True, detached_address_limit=8)
        self.sim = self.mock.__enter__()
        self.ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = self.vpc = self.ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
        block = self.ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
        self.ipv6 = next(ipaddress.IPv6Network(block).subnets(new_prefix=64))
        gateway = self.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        self.ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)  # Elastic IPs need one
        self.table = self.ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        self.groups: List[str] = []
        self.default_group = self.ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
        )["SecurityGroups"][0]["GroupId"]
        self.routes = 0
        self.subnet = self.ec2.create_subnet(VpcId=vpc, CidrBlock=str(CIDR), Ipv6CidrBlock=str(self.ipv6))["Subnet"][
            "SubnetId"
        ]
        # A twin: another VPC with the same CIDR and a subnet of the same addresses in the same zone, so one address
        # can be on two interfaces, and an instance can hold interfaces of both VPCs
        zone = self.zone = self.ec2.describe_subnets(SubnetIds=[self.subnet])["Subnets"][0]["AvailabilityZone"]
        self.twin_vpc = self.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        self.twin = self.ec2.create_subnet(VpcId=self.twin_vpc, CidrBlock=str(CIDR), AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        self.checks = 0  # indexed describes checked against a scan so far: which ones the next check picks
        self.enis: List[str] = []
        self.instances: List[str] = []
        self.eips: List[str] = []
        self.reservations: Dict[str, str] = {}  # id -> CIDR
        self.detached_slots: Dict[str, int] = {}  # detached interface -> address slots it held at the last check
        self.attached: Set[str] = set()  # interfaces attached at the last check

    def teardown(self) -> None:
        self.mock.__exit__(None, None, None)

    def call(self, method: str, **kwargs: Any) -> Dict[str, Any] | None:
        """Make a call; when EC2 refuses it, nothing may have changed."""
        before = snapshot(self.ec2)
        try:
            return dict(getattr(self.ec2, method)(**kwargs))
        except ClientError:
            assert snapshot(self.ec2) == before
            return None

    @rule(count=st.integers(0, 3))
    def create_interface(self, count: int) -> None:
        response = self.call("create_network_interface", SubnetId=self.subnet, SecondaryPrivateIpAddressCount=count)
        if response:
            self.enis.append(response["NetworkInterface"]["NetworkInterfaceId"])

    @rule(count=st.integers(0, 3))
    def create_twin_interface(self, count: int) -> None:
        response = self.call("create_network_interface", SubnetId=self.twin, SecondaryPrivateIpAddressCount=count)
        if response:
            self.enis.append(response["NetworkInterface"]["NetworkInterfaceId"])

    @precondition(lambda self: self.enis or self.instances or self.groups)
    @rule(index=st.integers(0, 40), key=st.sampled_from(["role", "node"]), value=st.sampled_from(["a", "b"]))
    def tag(self, index: int, key: str, value: str) -> None:
        resources = self.enis + self.instances + self.groups
        target = resources[index % len(resources)]
        if index % 3:
            self.call("create_tags", Resources=[target], Tags=[{"Key": key, "Value": value}])
        else:
            self.call("delete_tags", Resources=[target], Tags=[{"Key": key}])

    @precondition(lambda self: self.enis)
    @rule(index=st.integers(0, 20), count=st.integers(1, 10))
    def assign_count(self, index: int, count: int) -> None:
        eni = self.enis[index % len(self.enis)]
        response = self.call(
            "assign_private_ip_addresses", NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=count
        )
        if response:
            assert len(response["AssignedPrivateIpAddresses"]) == count
            mine = self.sim.interface(eni).subnet.id == self.subnet  # the reservations are the subnet's, not the twin's
            reserved = [ipaddress.ip_network(c) for c in self.reservations.values()] if mine else []
            for entry in response["AssignedPrivateIpAddresses"]:
                address = ipaddress.ip_address(entry["PrivateIpAddress"])
                assert not any(address in network for network in reserved), "automatic address in a reservation"

    @precondition(lambda self: self.enis)
    @rule(index=st.integers(0, 20), count=st.integers(1, 3))
    def assign_prefix_count(self, index: int, count: int) -> None:
        eni = self.enis[index % len(self.enis)]
        response = self.call("assign_private_ip_addresses", NetworkInterfaceId=eni, Ipv4PrefixCount=count)
        if response:
            assert len(response["AssignedIpv4Prefixes"]) == count
            subnet = self.sim.interface(eni).subnet.id
            prefix_reservations = [
                ipaddress.ip_network(r["Cidr"])
                for r in self.ec2.get_subnet_cidr_reservations(SubnetId=subnet)["SubnetIpv4CidrReservations"]
                if r["ReservationType"] == "prefix"
            ]
            for entry in response["AssignedIpv4Prefixes"]:
                prefix = ipaddress.ip_network(entry["Ipv4Prefix"])
                assert not prefix_reservations or any(prefix.subnet_of(r) for r in prefix_reservations)

    @precondition(lambda self: self.enis)
    @rule(index=st.integers(0, 20), wanted=st.lists(PREFIXES, min_size=1, max_size=2))
    def assign_prefixes(self, index: int, wanted: List[str]) -> None:
        eni = self.enis[index % len(self.enis)]
        self.call("assign_private_ip_addresses", NetworkInterfaceId=eni, Ipv4Prefixes=wanted)

    @precondition(lambda self: self.enis)
    @rule(index=st.integers(0, 20), wanted=st.lists(PREFIXES, min_size=1, max_size=2))
    def unassign_prefixes(self, index: int, wanted: List[str]) -> None:
        eni = self.enis[index % len(self.enis)]
        self.call("unassign_private_ip_addresses", NetworkInterfaceId=eni, Ipv4Prefixes=wanted)

    @rule(cidr=RESERVABLE, kind=st.sampled_from(["prefix", "explicit"]))
    def reserve(self, cidr: str, kind: str) -> None:
        response = self.call("create_subnet_cidr_reservation", SubnetId=self.subnet, Cidr=cidr, ReservationType=kind)
        if response:
            reservation = response["SubnetCidrReservation"]
            self.reservations[reservation["SubnetCidrReservationId"]] = reservation["Cidr"]

    @precondition(lambda self: self.reservations)
    @rule(index=st.integers(0, 20))
    def unreserve(self, index: int) -> None:
        reservation = sorted(self.reservations)[index % len(self.reservations)]
        assert self.call("delete_subnet_cidr_reservation", SubnetCidrReservationId=reservation)
        del self.reservations[reservation]

    @precondition(lambda self: self.enis)
    @rule(index=st.integers(0, 20), wanted=st.lists(ADDRESSES, min_size=1, max_size=4), reassign=st.booleans())
    def assign_addresses(self, index: int, wanted: List[str], reassign: bool) -> None:
        eni = self.enis[index % len(self.enis)]
        response = self.call(
            "assign_private_ip_addresses", NetworkInterfaceId=eni, PrivateIpAddresses=wanted, AllowReassignment=reassign
        )
        if response:
            assert set(self.sim.interface(eni).secondary_addresses) >= set(wanted)

    @precondition(lambda self: self.enis)
    @rule(index=st.integers(0, 20), wanted=st.lists(ADDRESSES, min_size=1, max_size=3))
    def unassign(self, index: int, wanted: List[str]) -> None:
        eni = self.enis[index % len(self.enis)]
        self.call("unassign_private_ip_addresses", NetworkInterfaceId=eni, PrivateIpAddresses=wanted)

    @precondition(lambda self: self.enis)
    @rule(index=st.integers(0, 20))
    def unassign_own(self, index: int) -> None:
        eni = self.enis[index % len(self.enis)]
        mine = self.sim.interface(eni).secondary_addresses[:2]
        if mine:
            assert self.call("unassign_private_ip_addresses", NetworkInterfaceId=eni, PrivateIpAddresses=mine)

    @precondition(lambda self: self.enis)
    @rule(index=st.integers(0, 20))
    def delete_interface(self, index: int) -> None:
        eni = self.enis[index % len(self.enis)]
        deleted = self.call("delete_network_interface", NetworkInterfaceId=eni) is not None
        assert deleted == (self.sim.region().interfaces.get(eni) is None)
        if deleted:
            self.enis.remove(eni)

    @rule(kind=st.sampled_from(["t3.micro", "c5.large", "m1.small"]), public=st.booleans())
    def launch(self, kind: str, public: bool) -> None:
        where: Dict[str, Any] = {"SubnetId": self.subnet}
        if public:  # a public IPv4 address at launch, released at stop and termination
            where = {
                "NetworkInterfaces": [{"DeviceIndex": 0, "SubnetId": self.subnet, "AssociatePublicIpAddress": True}]
            }
        response = self.call(
            "run_instances", ImageId="ami-12345678", InstanceType=kind, MinCount=1, MaxCount=1, **where
        )
        if response:
            instance = response["Instances"][0]
            self.instances.append(instance["InstanceId"])
            self.enis.append(instance["NetworkInterfaces"][0]["NetworkInterfaceId"])

    @precondition(lambda self: self.instances)
    @rule(index=st.integers(0, 20))
    def terminate(self, index: int) -> None:
        instance = self.instances.pop(index % len(self.instances))
        for eni in list(self.enis):
            owner = self.sim.interface(eni).instance
            if owner is not None and owner.id == instance and owner.interfaces[0].id == eni:
                self.enis.remove(eni)
        assert self.call("terminate_instances", InstanceIds=[instance])

    @precondition(lambda self: self.enis and self.instances)
    @rule(eni=st.integers(0, 20), instance=st.integers(0, 20), device=st.integers(0, 3))
    def attach(self, eni: int, instance: int, device: int) -> None:
        self.call(
            "attach_network_interface",
            NetworkInterfaceId=self.enis[eni % len(self.enis)],
            InstanceId=self.instances[instance % len(self.instances)],
            DeviceIndex=device,
        )

    @precondition(lambda self: self.enis)
    @rule(index=st.integers(0, 20))
    def detach(self, index: int) -> None:
        attachment = self.sim.interface(self.enis[index % len(self.enis)]).attachment
        if attachment is not None:
            self.call("detach_network_interface", AttachmentId=attachment.id)

    @rule()
    def allocate(self) -> None:
        response = self.call("allocate_address", Domain="vpc")
        if response:
            self.eips.append(response["AllocationId"])

    @precondition(lambda self: self.enis and self.eips)
    @rule(eip=st.integers(0, 20), eni=st.integers(0, 20), which=st.integers(0, 10), again=st.booleans())
    def associate(self, eip: int, eni: int, which: int, again: bool) -> None:
        interface = self.enis[eni % len(self.enis)]
        mine = self.sim.interface(interface).private_addresses
        self.call(
            "associate_address",
            AllocationId=self.eips[eip % len(self.eips)],
            NetworkInterfaceId=interface,
            PrivateIpAddress=mine[which % len(mine)],
            AllowReassociation=again,
        )

    @precondition(lambda self: self.eips)
    @rule(index=st.integers(0, 20))
    def release(self, index: int) -> None:
        allocation = self.eips[index % len(self.eips)]
        if self.call("release_address", AllocationId=allocation) is not None:
            self.eips.remove(allocation)

    @rule()
    def create_group(self) -> None:
        response = self.call(
            "create_security_group", GroupName=f"g{len(self.groups)}", Description="random", VpcId=self.vpc
        )
        if response:
            self.groups.append(response["GroupId"])

    @precondition(lambda self: self.groups)
    @rule(index=st.integers(0, 20))
    def delete_group(self, index: int) -> None:
        group = self.groups[index % len(self.groups)]
        if self.call("delete_security_group", GroupId=group) is not None:
            self.groups.remove(group)

    @precondition(lambda self: self.enis)
    @rule(eni=st.integers(0, 20), picks=st.lists(st.integers(0, 20), min_size=1, max_size=3))
    def regroup(self, eni: int, picks: List[int]) -> None:
        pool = [*self.groups, self.default_group]
        groups = [pool[p % len(pool)] for p in picks]
        self.call(
            "modify_network_interface_attribute", NetworkInterfaceId=self.enis[eni % len(self.enis)], Groups=groups
        )

    @precondition(lambda self: len(self.groups) > 1)
    @rule(group=st.integers(0, 20), peer=st.integers(0, 20))
    def reference(self, group: int, peer: int) -> None:
        self.call(
            "authorize_security_group_ingress",
            GroupId=self.groups[group % len(self.groups)],
            IpPermissions=[
                {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": self.groups[peer % len(self.groups)]}]}
            ],
        )

    @precondition(lambda self: self.enis)
    @rule(eni=st.integers(0, 20), replace=st.booleans())
    def route(self, eni: int, replace: bool) -> None:
        if replace and self.routes:
            destination = f"192.168.0.{self.routes - 1}/32"
            self.call("replace_route", RouteTableId=self.table, DestinationCidrBlock=destination,
                      NetworkInterfaceId=self.enis[eni % len(self.enis)])  # fmt: skip
        elif self.call("create_route", RouteTableId=self.table, DestinationCidrBlock=f"192.168.0.{self.routes}/32",
                       NetworkInterfaceId=self.enis[eni % len(self.enis)]):  # fmt: skip
            self.routes += 1

    @rule(twin=st.booleans(), away=st.booleans())
    def associate_table(self, twin: bool, away: bool) -> None:
        """Make the extra table the subnet's (a twin-VPC subnet refuses it), or take the subnet's table away."""
        subnet = self.twin if twin else self.subnet
        tables = self.ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])
        held = [a for t in tables["RouteTables"] for a in t["Associations"] if a.get("SubnetId") == subnet]
        if away and held:
            self.call("disassociate_route_table", AssociationId=held[0]["RouteTableAssociationId"])
        elif not held:
            self.call("associate_route_table", RouteTableId=self.table, SubnetId=subnet)

    @precondition(lambda self: self.instances)
    @rule(index=st.integers(0, 20))
    def route_to_instance(self, index: int) -> None:
        if self.call("create_route", RouteTableId=self.table, DestinationCidrBlock=f"192.168.0.{self.routes}/32",
                     InstanceId=self.instances[index % len(self.instances)]):  # fmt: skip
            self.routes += 1

    @precondition(lambda self: self.instances)
    @rule(index=st.integers(0, 20), start=st.booleans())
    def stop_or_start(self, index: int, start: bool) -> None:
        instance = self.instances[index % len(self.instances)]
        self.call("start_instances" if start else "stop_instances", InstanceIds=[instance])

    @precondition(lambda self: self.enis)
    @rule(eni=st.integers(0, 20), count=st.integers(1, 3), prefixes=st.booleans())
    def assign_ipv6(self, eni: int, count: int, prefixes: bool) -> None:
        interface = self.enis[eni % len(self.enis)]
        if prefixes:
            self.call("assign_ipv6_addresses", NetworkInterfaceId=interface, Ipv6PrefixCount=count)
        else:
            self.call("assign_ipv6_addresses", NetworkInterfaceId=interface, Ipv6AddressCount=count)

    @precondition(lambda self: self.enis)
    @rule(eni=st.integers(0, 20), offset=st.integers(0, 40), where=st.sampled_from(["near", "held", "in-prefix"]))
    def assign_named_ipv6(self, eni: int, offset: int, where: str) -> None:
        """A named address: near the bottom of the /64 (reserved ones among them), another interface's, or one
        inside a delegated /80."""
        region = self.sim.region()
        held = [a for e in region.interfaces.values() for a in e.ipv6s]
        prefixes = [p for e in region.interfaces.values() for p in e.ipv6_prefixes]
        address = int(self.ipv6.network_address) + offset
        if where == "held" and held:
            address = held[offset % len(held)]
        elif where == "in-prefix" and prefixes:
            address = prefixes[offset % len(prefixes)] + offset
        interface = self.enis[eni % len(self.enis)]
        self.call(
            "assign_ipv6_addresses", NetworkInterfaceId=interface, Ipv6Addresses=[str(ipaddress.IPv6Address(address))]
        )

    @precondition(lambda self: self.enis)
    @rule(eni=st.integers(0, 20), which=st.integers(0, 10))
    def unassign_ipv6(self, eni: int, which: int) -> None:
        interface = self.sim.interface(self.enis[eni % len(self.enis)])
        addresses = [str(ipaddress.IPv6Address(a)) for a in interface.ipv6s]
        prefixes = [f"{ipaddress.IPv6Address(p)}/80" for p in interface.ipv6_prefixes]
        if addresses and which % 2:
            self.call(
                "unassign_ipv6_addresses",
                NetworkInterfaceId=interface.id,
                Ipv6Addresses=[addresses[which % len(addresses)]],
            )
        elif prefixes:
            self.call(
                "unassign_ipv6_addresses",
                NetworkInterfaceId=interface.id,
                Ipv6Prefixes=[prefixes[which % len(prefixes)]],
            )

    @invariant()
    def indexed_describes_answer_what_a_scan_answers(self) -> None:
        """Ids and literal filter values find their candidates through indexes (issue 24); the same filter with each
        value spelled with an escape (``\\i-...`` matches exactly ``i-...``) scans every resource. Both answers,
        page by page, must be the same. Each check takes the next filter in turn, a value in use and another."""
        region = self.sim.region()
        addresses = [a for e in region.interfaces.values() for a in e.private_addresses] + ["10.0.0.77", "10.0.0.1"]
        subnets = [self.subnet, self.twin, "subnet-0123456789abcdef0"]
        vpcs = [self.vpc, self.twin_vpc, "vpc-01234567"]
        enis = [*region.interfaces, "eni-0123456789abcdef0"]
        instances = [*region.instances, "i-0123456789abcdef0"]
        publics = [str(ipaddress.ip_address(a)) for a in region.public_ips] + ["198.51.100.250", "10.0.0.5"]
        zones = [self.zone, "us-east-1a", "us-east-1b"]
        macs = [e.mac for e in region.interfaces.values()] + ["0e:00:00:00:00:00"]
        groups = [*self.groups, *(region.vpcs[v].default_group_id for v in (self.vpc, self.twin_vpc)), "sg-01234567"]
        keys = ["role", "node", "other"]
        eni_filters = {
            "network-interface-id": enis,
            "attachment.instance-id": instances,
            "private-ip-address": addresses,
            "addresses.private-ip-address": addresses,
            "subnet-id": subnets,
            "vpc-id": vpcs,
            "availability-zone": zones,
            "association.public-ip": publics,
            "addresses.association.public-ip": publics,
            "tag:role": ["a", "b"],
            "tag-key": keys,
            "mac-address": macs,
            "group-id": groups,
        }
        instance_filters = {
            "instance-id": instances,
            "private-ip-address": addresses,
            "subnet-id": subnets,
            "vpc-id": vpcs,
            "network-interface.network-interface-id": enis,
            "network-interface.subnet-id": subnets,
            "network-interface.vpc-id": vpcs,
            "network-interface.addresses.private-ip-address": addresses,
            "network-interface.private-ip-address": addresses,
            "ip-address": publics,
            "network-interface.association.public-ip": publics,
            "tag:node": ["a", "b"],
            "tag-key": keys,
            "network-interface.group-id": groups,
        }
        subnet_filters = {"subnet-id": subnets, "vpc-id": vpcs, "tag-key": keys}
        group_filters = {"group-id": groups, "vpc-id": vpcs, "tag:role": ["a", "b"], "tag-key": keys}
        table_filters = {
            "route-table-id": [*region.route_tables, "rtb-01234567"],
            "vpc-id": vpcs,
            "association.subnet-id": subnets,
            "association.route-table-association-id": [*region.route_associations, "rtbassoc-01234567"],
            "tag-key": keys,
        }
        queries = [("describe_network_interfaces", n, v) for n, v in eni_filters.items()]
        queries += [("describe_route_tables", n, v) for n, v in table_filters.items()]
        queries += [("describe_instances", n, v) for n, v in instance_filters.items()]
        queries += [("describe_subnets", n, v) for n, v in subnet_filters.items()]
        queries += [("describe_security_groups", n, v) for n, v in group_filters.items()]
        for _ in range(2):
            self.checks += 1
            method, name, pool = queries[self.checks % len(queries)]
            values = [pool[(self.checks * 7) % len(pool)], pool[(self.checks * 3) % len(pool)]]
            if name.endswith("group-id"):  # few, and an interface moves between them only when regrouped: all
                values = pool
            extra = [{"Name": _ANY[method], "Values": ["*"]}]
            filters = [{"Name": name, "Values": values}, *extra[: self.checks % 2]]
            scanned = [{"Name": name, "Values": ["\\" + v for v in values]}, *extra[: self.checks % 2]]
            assert self.pages(method, filters) == self.pages(method, scanned), (method, filters)
        named = [e for e in enis[:-1] if (self.checks + len(e)) % 2]
        if named:
            answer = self.ec2.describe_network_interfaces(NetworkInterfaceIds=named[::-1] + named[:1])
            scanned = [{"Name": "network-interface-id", "Values": ["\\" + e for e in named]}]
            assert answer["NetworkInterfaces"] == self.pages("describe_network_interfaces", scanned)[0][0]
        named = [i for i in instances[:-1] if (self.checks + len(i)) % 2]
        if named:
            answer = self.ec2.describe_instances(InstanceIds=named[::-1] + named[:1])
            scanned = [{"Name": "instance-id", "Values": ["\\" + i for i in named]}]
            assert answer["Reservations"] == self.pages("describe_instances", scanned)[0][0]
        named = [g for g in groups[:-1] if (self.checks + len(g)) % 2]
        if named:
            answer = self.ec2.describe_security_groups(GroupIds=named[::-1] + named[:1])
            scanned = [{"Name": "group-id", "Values": ["\\" + g for g in named]}]
            assert answer["SecurityGroups"] == self.pages("describe_security_groups", scanned)[0][0]

    def pages(self, method: str, filters: List[Dict[str, Any]]) -> List[Any]:
        """Every page of the answer with MaxResults 5, each with whether a next page follows, and the whole answer
        in one page."""
        key = _KEYS[method]
        whole = getattr(self.ec2, method)(Filters=filters)[key]
        out: List[Any] = [(whole, False)]
        token: Dict[str, str] = {}
        while True:
            answer = getattr(self.ec2, method)(Filters=filters, MaxResults=5, **token)
            out.append((answer[key], "NextToken" in answer))
            if "NextToken" not in answer:
                return out
            token = {"NextToken": answer["NextToken"]}

    @invariant()
    def ipv6_addresses_are_unique_usable_and_clear_of_prefixes(self) -> None:
        enis = self.ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [self.subnet]}])[
            "NetworkInterfaces"
        ]
        used = [ipaddress.IPv6Address(a["Ipv6Address"]) for e in enis for a in e["Ipv6Addresses"]]
        assert len(used) == len(set(used)), "an IPv6 address is on two interfaces"
        delegated = [ipaddress.IPv6Network(p["Ipv6Prefix"]) for e in enis for p in e.get("Ipv6Prefixes", [])]
        assert len(delegated) == len(set(delegated))
        first, last = self.ipv6.network_address, self.ipv6.broadcast_address
        for address in used:
            assert address in self.ipv6 and not (0 <= int(address) - int(first) < 4) and address != last
            assert not any(address in prefix for prefix in delegated)
        for prefix in delegated:
            assert prefix.subnet_of(self.ipv6) and prefix.prefixlen == 80
            assert first not in prefix and last not in prefix
        for eni in enis:
            if "Attachment" in eni:
                kind = self.sim.region().instances[eni["Attachment"]["InstanceId"]].kind
                assert len(eni["Ipv6Addresses"]) + len(eni.get("Ipv6Prefixes", [])) <= kind.ipv6_addresses_per_interface
                assert kind.nitro or not eni.get("Ipv6Prefixes")

    @invariant()
    def groups_exist_wherever_they_are_named(self) -> None:
        groups = {g["GroupId"]: g for g in self.ec2.describe_security_groups()["SecurityGroups"]}
        by_vpc: Dict[str, int] = {}
        for group in groups.values():
            by_vpc[group["VpcId"]] = by_vpc.get(group["VpcId"], 0) + (group["GroupName"] == "default")
            for permission in group["IpPermissions"]:
                assert all(pair["GroupId"] in groups for pair in permission["UserIdGroupPairs"])
        assert set(by_vpc.values()) == {1}, "every VPC keeps exactly one default group"
        for eni in self.ec2.describe_network_interfaces()["NetworkInterfaces"]:
            assert eni["Groups"] and all(g["GroupId"] in groups for g in eni["Groups"])

    @invariant()
    def routes_are_active_exactly_while_their_interface_is_on_an_instance_not_stopped(self) -> None:
        """A route's interface must exist and be attached to an instance that is not stopped (issue 21, item 12)."""
        table = self.ec2.describe_route_tables(RouteTableIds=[self.table])["RouteTables"][0]
        states = {
            i["InstanceId"]: i["State"]["Name"]
            for r in self.ec2.describe_instances()["Reservations"]
            for i in r["Instances"]
        }
        serving = {
            e["NetworkInterfaceId"]
            for e in self.ec2.describe_network_interfaces()["NetworkInterfaces"]
            if "Attachment" in e and states[e["Attachment"]["InstanceId"]] != "stopped"
        }
        for route in table["Routes"]:
            if "NetworkInterfaceId" in route:
                assert (route["State"] == "active") == (route["NetworkInterfaceId"] in serving)

    @invariant()
    def public_addresses_are_unique_and_only_on_running_instances(self) -> None:
        seen = [a["PublicIp"] for a in self.ec2.describe_addresses()["Addresses"]]
        for reservation in self.ec2.describe_instances()["Reservations"]:
            for instance in reservation["Instances"]:
                for eni in instance["NetworkInterfaces"]:
                    association = eni.get("Association")
                    if association and association["IpOwnerId"] == "amazon":
                        assert instance["State"]["Name"] == "running"
                        seen.append(association["PublicIp"])
        assert len(seen) == len(set(seen))

    @invariant()
    def elastic_ips_point_at_existing_addresses(self) -> None:
        for row in self.ec2.describe_addresses()["Addresses"]:
            if "AssociationId" in row:
                eni = self.sim.interface(row["NetworkInterfaceId"])
                assert row["PrivateIpAddress"] in eni.private_addresses
                assert eni.associations[ipaddress_int(row["PrivateIpAddress"])].id == row["AllocationId"]
                instance = eni.instance
                assert row.get("InstanceId") == (instance.id if instance else None)

    @invariant()
    def attachments_respect_instance_limits(self) -> None:
        for reservation in self.ec2.describe_instances()["Reservations"]:
            for instance in reservation["Instances"]:
                kind = self.sim.region().instances[instance["InstanceId"]].kind
                assert len(instance["NetworkInterfaces"]) <= kind.max_network_interfaces
                for eni in instance["NetworkInterfaces"]:
                    slots = len(eni["PrivateIpAddresses"]) + len(eni.get("Ipv4Prefixes", []))
                    assert slots <= kind.ipv4_addresses_per_interface
                    assert kind.nitro or not eni.get("Ipv4Prefixes")

    @invariant()
    def addresses_are_unique_unreserved_and_counted(self) -> None:
        enis = self.ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [self.subnet]}])[
            "NetworkInterfaces"
        ]
        used = [a["PrivateIpAddress"] for e in enis for a in e["PrivateIpAddresses"]]
        assert len(used) == len(set(used)), "an address is on two interfaces"
        delegated = [ipaddress.ip_network(p["Ipv4Prefix"]) for e in enis for p in e.get("Ipv4Prefixes", [])]
        for index, prefix in enumerate(delegated):
            assert prefix.prefixlen == 28 and prefix.subnet_of(CIDR)
            assert not any(prefix.overlaps(other) for other in delegated[index + 1 :]), "prefixes overlap"
            assert not any(ipaddress.ip_address(a) in prefix for a in used), "an address inside a prefix"
            assert CIDR.network_address not in prefix and CIDR.broadcast_address not in prefix
        reserved = {str(CIDR.network_address + i) for i in (0, 1, 2, 3)} | {str(CIDR.broadcast_address)}
        assert not reserved & set(used)
        assert all(ipaddress.ip_address(a) in CIDR for a in used)
        available = self.ec2.describe_subnets(SubnetIds=[self.subnet])["Subnets"][0]["AvailableIpAddressCount"]
        assert available == USABLE - len(used) - 16 * len(delegated) == self.sim.subnet(self.subnet).available
        # A detached interface never grows past the detached limit (8), but keeps what it held when its instance
        # (whose type may allow more) let it go: it holds at most max(8, what it held at the last check).
        attached = set()
        for e in enis:
            eni, slots = e["NetworkInterfaceId"], len(e["PrivateIpAddresses"]) + len(e.get("Ipv4Prefixes", []))
            if "Attachment" in e:
                attached.add(eni)
                continue
            just_detached = eni in self.attached
            assert just_detached or slots <= max(8, self.detached_slots.get(eni, 0))
            self.detached_slots[eni] = slots
        self.attached = attached
        for e in enis:
            assert self.sim.interface(e["NetworkInterfaceId"]).private_addresses == [
                a["PrivateIpAddress"] for a in e["PrivateIpAddresses"]
            ]


_KEYS = {
    "describe_instances": "Reservations",
    "describe_network_interfaces": "NetworkInterfaces",
    "describe_subnets": "Subnets",
    "describe_security_groups": "SecurityGroups",
    "describe_route_tables": "RouteTables",
}
_ANY = {  # a filter every resource of the kind passes with "*"
    "describe_instances": "instance-state-name",
    "describe_network_interfaces": "status",
    "describe_subnets": "state",
    "describe_security_groups": "owner-id",
    "describe_route_tables": "owner-id",
}


def ipaddress_int(text: str) -> int:
    return int(ipaddress.ip_address(text))


AddressMachine.TestCase.settings = settings(max_examples=80, stateful_step_count=30, deadline=None)
TestAddressInvariants = AddressMachine.TestCase
