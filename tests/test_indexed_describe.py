"""Describe calls that find their answer through indexes (issue 24): ids and literal values of the selective filters
answer exactly what a scan of every resource answers, in the same order, paged the same way, under eventual
consistency too. The state machine in test_invariants.py compares both after random sequences of calls."""

from __future__ import annotations

from typing import Any, Dict, List

import boto3
import pytest

import botohook
from tests.conftest import AMI, ec2_error
from tests.test_world import WORLD


def ids(answer: Dict[str, Any]) -> List[str]:
    if "Reservations" in answer:
        return [i["InstanceId"] for r in answer["Reservations"] for i in r["Instances"]]
    return [e["NetworkInterfaceId"] for e in answer["NetworkInterfaces"]]


def scan(value: str) -> str:
    """The same value spelled as a pattern (``\\x`` is a literal ``x``): a filter with it checks every resource."""
    return "\\" + value


def by(name: str, *values: str) -> List[Dict[str, Any]]:
    return [{"Name": name, "Values": list(values)}]


def test_answers_keep_the_order_of_creation_whatever_order_the_values_come_in(ec2: Any) -> None:
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    first, second = (
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        for i in range(2)
    )
    made = [
        ec2.create_network_interface(SubnetId=(first, second)[i % 2])["NetworkInterface"]["NetworkInterfaceId"]
        for i in range(12)
    ]
    assert ids(ec2.describe_network_interfaces(Filters=by("subnet-id", second, first))) == made
    assert ids(ec2.describe_network_interfaces(Filters=by("vpc-id", vpc, vpc))) == made
    named = made[::-3] + made[:1]  # repeats and disorder: each once, in creation order
    assert ids(ec2.describe_network_interfaces(NetworkInterfaceIds=named)) == [e for e in made if e in named]
    assert ids(ec2.describe_network_interfaces(Filters=by("network-interface-id", *named))) == [
        e for e in made if e in named
    ]
    pages: List[str] = []
    token: Dict[str, str] = {}
    while True:  # pages of an indexed answer are the pages of the scanned one
        page = ec2.describe_network_interfaces(Filters=by("subnet-id", second, first), MaxResults=5, **token)
        scanned = ec2.describe_network_interfaces(
            Filters=by("subnet-id", scan(second), scan(first)), MaxResults=5, **token
        )
        assert page == {**scanned, "ResponseMetadata": page["ResponseMetadata"]}
        pages.append(",".join(ids(page)))
        if "NextToken" not in page:
            break
        token = {"NextToken": page["NextToken"]}
    assert pages == [",".join(made[:5]), ",".join(made[5:10]), ",".join(made[10:])]


def test_an_address_on_interfaces_of_two_vpcs_finds_both_and_their_instances(ec2: Any) -> None:
    found: List[str] = []
    nodes: List[str] = []
    for _ in range(2):  # the same CIDR twice: the same address can be in use in each
        vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.0.0/24", AvailabilityZone="us-east-1a")["Subnet"]
        launched = ec2.run_instances(
            ImageId=AMI, InstanceType="c5.large", MinCount=1, MaxCount=1, SubnetId=subnet["SubnetId"],
            PrivateIpAddress="10.9.0.10",
        )["Instances"][0]  # fmt: skip
        nodes.append(launched["InstanceId"])
        found.append(launched["NetworkInterfaces"][0]["NetworkInterfaceId"])
    assert ids(ec2.describe_network_interfaces(Filters=by("private-ip-address", "10.9.0.10"))) == found
    assert ids(ec2.describe_network_interfaces(Filters=by("addresses.private-ip-address", "10.9.0.10"))) == found
    assert ids(ec2.describe_instances(Filters=by("private-ip-address", "10.9.0.10"))) == nodes
    assert ids(ec2.describe_instances(Filters=by("network-interface.addresses.private-ip-address", "10.9.0.10"))) == (
        nodes
    )
    for value in ("10.9.0.11", "10.9.0.010", "not-an-address", ""):  # nothing holds them; no error either
        assert ids(ec2.describe_instances(Filters=by("private-ip-address", value))) == []
        assert ids(ec2.describe_network_interfaces(Filters=by("addresses.private-ip-address", value))) == []
    ec2.terminate_instances(InstanceIds=nodes[:1])  # its interface goes with it; the instance has no address now
    assert ids(ec2.describe_instances(Filters=by("private-ip-address", "10.9.0.10"))) == nodes[1:]
    assert ids(ec2.describe_instances(Filters=by("instance-id", nodes[0]))) == nodes[:1]
    assert ids(ec2.describe_network_interfaces(Filters=by("attachment.instance-id", *nodes))) == found[1:]


def test_patterns_and_unknown_ids_in_filters_answer_as_before(ec2: Any) -> None:
    subnet = ec2.create_subnet(VpcId=ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"], CidrBlock="10.0.0.0/24")[
        "Subnet"
    ]["SubnetId"]
    node = ec2.run_instances(ImageId=AMI, InstanceType="c5.large", MinCount=1, MaxCount=1, SubnetId=subnet)
    eni = node["Instances"][0]["NetworkInterfaces"][0]["NetworkInterfaceId"]
    spare = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    assert ids(ec2.describe_network_interfaces(Filters=by("attachment.instance-id", "i-*"))) == [eni]
    assert ids(ec2.describe_network_interfaces(Filters=by("network-interface-id", spare, "eni-0123456789abcdef0"))) == [
        spare
    ]
    assert ids(ec2.describe_network_interfaces(Filters=by("subnet-id", "subnet-01234567"))) == []
    with ec2_error("InvalidNetworkInterfaceID.NotFound"):  # an id named outside filters must exist, as before
        ec2.describe_network_interfaces(NetworkInterfaceIds=[spare, "eni-0123456789abcdef0"])
    with ec2_error("InvalidParameterValue", "The filter 'subnet-idd' is invalid"):  # checked before any index
        ec2.describe_network_interfaces(NetworkInterfaceIds=[spare], Filters=by("subnet-idd", subnet))


def test_what_eventual_consistency_still_hides_no_index_shows() -> None:
    with botohook.mock(seed=3, strict=True, consistency="eventual") as sim:
        ec2 = boto3.client("ec2", region_name="us-east-1")
        subnet = ec2.describe_subnets()["Subnets"][0]
        launched = ec2.run_instances(
            ImageId=AMI, InstanceType="c5.large", MinCount=1, MaxCount=1, SubnetId=subnet["SubnetId"]
        )["Instances"][0]
        node, eni = launched["InstanceId"], launched["NetworkInterfaces"][0]["NetworkInterfaceId"]
        queries = [
            ("describe_network_interfaces", by("subnet-id", subnet["SubnetId"])),
            ("describe_network_interfaces", by("vpc-id", subnet["VpcId"])),
            ("describe_network_interfaces", by("attachment.instance-id", node)),
            ("describe_network_interfaces", by("private-ip-address", launched["PrivateIpAddress"])),
            ("describe_instances", by("instance-id", node)),
            ("describe_instances", by("private-ip-address", launched["PrivateIpAddress"])),
            ("describe_instances", by("network-interface.network-interface-id", eni)),
        ]
        for method, filters in queries:  # new ids are unknown to other calls for the create lag (test_consistency)
            assert ids(getattr(ec2, method)(Filters=filters)) == [], filters
        sim.clock.advance(2)
        for method, filters in queries:
            assert len(ids(getattr(ec2, method)(Filters=filters))) == 1, filters


@pytest.mark.parametrize("kind", ["interfaces", "instances"])
def test_a_world_with_ids_of_its_own_is_found_through_the_indexes(kind: str) -> None:
    with botohook.mock(strict=True) as sim:
        sim.load(WORLD)  # the loader gives each resource the id the world names after making it
        ec2 = boto3.client("ec2", region_name="eu-west-1")
        for entry in WORLD["regions"]["eu-west-1"][kind]:
            if kind == "interfaces":
                answer = ec2.describe_network_interfaces(Filters=by("subnet-id", scan(entry["subnet"])))
                assert entry["id"] in ids(answer)
                assert ids(ec2.describe_network_interfaces(Filters=by("subnet-id", entry["subnet"]))) == ids(answer)
            else:
                slot = entry["interfaces"][0]["interface"]
                assert ids(ec2.describe_instances(Filters=by("network-interface.network-interface-id", slot))) == [
                    entry["id"]
                ]
                answer = ec2.describe_network_interfaces(Filters=by("attachment.instance-id", entry["id"]))
                assert sorted(ids(answer)) == sorted(s["interface"] for s in entry["interfaces"])


def test_tags_are_found_however_they_were_given_changed_or_taken_away(ec2: Any) -> None:
    subnet = ec2.create_subnet(VpcId=ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"], CidrBlock="10.0.0.0/24")[
        "Subnet"
    ]["SubnetId"]
    specs = [
        {"ResourceType": kind, "Tags": [{"Key": "cluster", "Value": "blue"}]}
        for kind in ("instance", "network-interface")
    ]
    launched = ec2.run_instances(
        ImageId=AMI, InstanceType="c5.large", MinCount=2, MaxCount=2, SubnetId=subnet, TagSpecifications=specs
    )["Instances"]
    nodes = [i["InstanceId"] for i in launched]
    attached = [i["NetworkInterfaces"][0]["NetworkInterfaceId"] for i in launched]
    spare = ec2.create_network_interface(SubnetId=subnet, TagSpecifications=specs[1:])["NetworkInterface"][
        "NetworkInterfaceId"
    ]

    def found(key: str, *values: str) -> List[List[str]]:
        """Instances and interfaces with the tag, as the index finds them; and as a scan does (asserted equal)."""
        answers = []
        for method in ("describe_instances", "describe_network_interfaces"):
            indexed = ids(getattr(ec2, method)(Filters=by(f"tag:{key}", *values)))
            assert indexed == ids(getattr(ec2, method)(Filters=by(f"tag:{key}", *map(scan, values))))
            answers.append(indexed)
        return answers

    assert found("cluster", "blue") == [nodes, [*attached, spare]]
    ec2.create_tags(Resources=[nodes[0], spare], Tags=[{"Key": "cluster", "Value": "green"}])  # over the old value
    assert found("cluster", "blue") == [nodes[1:], attached]
    assert found("cluster", "green", "red") == [nodes[:1], [spare]]
    ec2.delete_tags(Resources=[nodes[1]], Tags=[{"Key": "cluster", "Value": "green"}])  # another value: stays
    ec2.delete_tags(Resources=[attached[0]], Tags=[{"Key": "cluster"}])
    ec2.delete_tags(Resources=[spare])  # every tag
    assert found("cluster", "blue") == [nodes[1:], attached[1:]]
    assert found("cluster", "green") == [nodes[:1], []]
    ec2.terminate_instances(InstanceIds=nodes)  # the interfaces go with them; the instances stay, tags and all
    assert found("cluster", "blue") == [nodes[1:], []]


def test_an_address_moved_under_eventual_consistency_is_found_where_describe_still_shows_it() -> None:
    with botohook.mock(seed=5, strict=True, consistency="eventual") as sim:
        ec2 = boto3.client("ec2", region_name="us-east-1")
        subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
        a, b, c = (
            ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"] for _ in "abc"
        )
        sim.clock.advance(2)
        moving = [
            x["PrivateIpAddress"]
            for x in ec2.assign_private_ip_addresses(NetworkInterfaceId=a, SecondaryPrivateIpAddressCount=2)[
                "AssignedPrivateIpAddresses"
            ]
        ]
        sim.clock.advance(2)

        def holders(address: str) -> List[str]:
            """As the index finds them, asserted equal to what a scan finds."""
            indexed = ids(ec2.describe_network_interfaces(Filters=by("addresses.private-ip-address", address)))
            scanned = ec2.describe_network_interfaces(Filters=by("addresses.private-ip-address", scan(address)))
            assert indexed == ids(scanned)
            return indexed

        ec2.assign_private_ip_addresses(NetworkInterfaceId=b, PrivateIpAddresses=moving[:1], AllowReassignment=True)
        ec2.assign_private_ip_addresses(NetworkInterfaceId=c, PrivateIpAddresses=moving[1:], AllowReassignment=True)
        assert holders(moving[0]) == [a] and holders(moving[1]) == [a]  # described where they were
        ec2.unassign_private_ip_addresses(NetworkInterfaceId=c, PrivateIpAddresses=moving[1:])
        ec2.delete_network_interface(NetworkInterfaceId=c)  # gone, though described with the address a moment ago
        assert holders(moving[1]) == [a]
        sim.clock.advance(2)
        assert holders(moving[0]) == [b] and holders(moving[1]) == []


def test_tag_keys_macs_and_groups_are_found_however_they_change(ec2: Any) -> None:
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    blue, green = (ec2.create_security_group(GroupName=n, Description=n, VpcId=vpc)["GroupId"] for n in "bg")
    specs = [{"ResourceType": k, "Tags": [{"Key": "cluster", "Value": "x"}]} for k in ("instance", "network-interface")]
    launched = ec2.run_instances(
        ImageId=AMI, InstanceType="c5.large", MinCount=2, MaxCount=2, SubnetId=subnet, SecurityGroupIds=[blue],
        TagSpecifications=specs,
    )["Instances"]  # fmt: skip
    nodes = [i["InstanceId"] for i in launched]
    attached = [i["NetworkInterfaces"][0]["NetworkInterfaceId"] for i in launched]
    made = ec2.create_network_interface(SubnetId=subnet, Groups=[green])["NetworkInterface"]
    spare, mac = made["NetworkInterfaceId"], made["MacAddress"]

    def found(method: str, name: str, *values: str) -> List[str]:
        """As the index finds them, asserted equal to what a scan finds."""
        indexed = ids(getattr(ec2, method)(Filters=by(name, *values)))
        assert indexed == ids(getattr(ec2, method)(Filters=by(name, *map(scan, values)))), (name, values)
        return indexed

    def enis(name: str, *values: str) -> List[str]:
        return found("describe_network_interfaces", name, *values)

    def instances(name: str, *values: str) -> List[str]:
        return found("describe_instances", name, *values)

    assert enis("group-id", blue) == attached and enis("group-id", green, "sg-01234567") == [spare]
    assert instances("network-interface.group-id", blue) == nodes
    ec2.modify_network_interface_attribute(NetworkInterfaceId=spare, Groups=[blue, green])
    ec2.modify_instance_attribute(InstanceId=nodes[0], Groups=[green])  # its primary interface's groups
    assert enis("group-id", blue) == [*attached[1:], spare] and enis("group-id", green) == [attached[0], spare]
    assert instances("network-interface.group-id", green) == nodes[:1]
    ec2.attach_network_interface(NetworkInterfaceId=spare, InstanceId=nodes[1], DeviceIndex=1)
    assert instances("network-interface.group-id", green) == nodes
    ec2.modify_network_interface_attribute(NetworkInterfaceId=spare, Groups=[blue])
    assert enis("group-id", green) == attached[:1] and instances("network-interface.group-id", green) == nodes[:1]

    assert enis("mac-address", mac, "0e:00:00:00:00:00") == [spare] and enis("mac-address", mac.upper()) == []
    assert instances("tag-key", "cluster") == nodes and enis("tag-key", "cluster", "team") == attached
    ec2.create_tags(Resources=[nodes[1], spare], Tags=[{"Key": "team", "Value": ""}])
    ec2.delete_tags(Resources=[attached[0]], Tags=[{"Key": "cluster"}])
    assert instances("tag-key", "team") == nodes[1:] and enis("tag-key", "team", "cluster") == [*attached[1:], spare]
    ec2.terminate_instances(InstanceIds=nodes)  # their interfaces go with them, the spare is detached
    assert enis("mac-address", mac) == [spare] and enis("group-id", blue) == [spare]
    assert instances("tag-key", "cluster") == nodes and enis("tag-key", "cluster", "team") == [spare]
    ec2.delete_network_interface(NetworkInterfaceId=spare)
    assert enis("mac-address", mac) == [] and enis("group-id", blue) == [] and enis("tag-key", "team") == []


def test_subnets_and_groups_by_vpc_id_and_tags_are_found_as_a_scan_finds_them(ec2: Any) -> None:
    vpcs = [ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"] for _ in range(2)]
    subnets = [ec2.create_subnet(VpcId=vpcs[i % 2], CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"] for i in range(4)]
    groups = [
        ec2.create_security_group(GroupName=f"g{i}", Description="d", VpcId=vpcs[i % 2])["GroupId"] for i in range(4)
    ]
    ec2.create_tags(Resources=[subnets[1], groups[2]], Tags=[{"Key": "team", "Value": "a"}])

    def found(method: str, name: str, *values: str) -> List[str]:
        """As the index finds them, asserted equal to what a scan finds."""
        key = "Subnets" if method == "describe_subnets" else "SecurityGroups"
        field = "SubnetId" if method == "describe_subnets" else "GroupId"
        indexed = getattr(ec2, method)(Filters=by(name, *values))[key]
        assert indexed == getattr(ec2, method)(Filters=by(name, *map(scan, values)))[key], (name, values)
        return [x[field] for x in indexed]

    assert found("describe_subnets", "vpc-id", vpcs[1], "vpc-01234567") == subnets[1::2]
    assert found("describe_subnets", "subnet-id", subnets[2], subnets[0]) == subnets[::2]
    assert found("describe_subnets", "tag-key", "team") == subnets[1:2]
    defaults = found("describe_security_groups", "group-name", "default")
    assert found("describe_security_groups", "vpc-id", vpcs[0]) == [defaults[-2], *groups[::2]]
    assert found("describe_security_groups", "group-id", groups[3], groups[1]) == groups[1::2]
    assert found("describe_security_groups", "tag:team", "a") == groups[2:3]
    ec2.delete_security_group(GroupId=groups[0])
    ec2.delete_subnet(SubnetId=subnets[1])
    assert found("describe_security_groups", "vpc-id", vpcs[0]) == [defaults[-2], groups[2]]
    assert found("describe_subnets", "vpc-id", vpcs[1]) == subnets[3:]
    assert found("describe_subnets", "tag-key", "team") == []


def test_route_tables_by_vpc_and_association_are_found_as_a_scan_finds_them(ec2: Any) -> None:
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]

    def found(name: str, *values: str) -> List[str]:
        """As the index finds them, asserted equal to what a scan finds."""
        indexed = ec2.describe_route_tables(Filters=by(name, *values))["RouteTables"]
        assert indexed == ec2.describe_route_tables(Filters=by(name, *map(scan, values)))["RouteTables"], name
        return [t["RouteTableId"] for t in indexed]

    main = [t for t in found("vpc-id", vpc) if t != table]
    assert found("vpc-id", vpc) == [*main, table] and found("route-table-id", table, "rtb-01234567") == [table]
    assert found("association.subnet-id", subnet) == []  # the main table serves it, without naming it
    association = ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)["AssociationId"]
    assert (
        found("association.subnet-id", subnet)
        == [table]
        == found("association.route-table-association-id", association)
    )
    ec2.disassociate_route_table(AssociationId=association)
    assert found("association.subnet-id", subnet) == [] == found("association.route-table-association-id", association)
