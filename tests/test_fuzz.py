"""Bad input never crashes botohook: generated calls to every simulated operation, through a client that sends
whatever it is given (``parameter_validation=False``), end in a response or an EC2 error, and errors change nothing;
in-process and over HTTP (where the values arrive as text, and a botohook bug would be a 500)."""

from __future__ import annotations

import ipaddress
import os
import traceback
from typing import Any, Dict, List

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import botohook
from tests.conftest import AMI, snapshot

MODEL = botocore.session.get_session().get_service_model("ec2")
OPERATIONS = sorted(name.split(".", 1)[1] for name in botohook.SIMULATED_OPERATIONS if name.startswith("ec2."))


class World:
    """A small network to aim generated ids at: a VPC, a subnet, interfaces, an instance, an Elastic IP."""

    def __init__(self, transport: str) -> None:
        self.mock = botohook.mock(seed=5, strict=True)
        self.sim = self.mock.__enter__()
        self.ec2 = boto3.client("ec2", region_name="us-east-1")
        raw = Config(parameter_validation=False, retries={"max_attempts": 1, "mode": "standard"})
        self.server = None
        if transport == "http":
            self.server = botohook.serve(self.sim)
            self.raw = self.server.__enter__().client(config=raw)
        else:
            self.raw = boto3.client("ec2", region_name="us-east-1", config=raw)
        ec2 = self.ec2
        self.vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
        block = ec2.describe_vpcs(VpcIds=[self.vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
        self.ipv6 = next(ipaddress.IPv6Network(block).subnets(new_prefix=64))
        self.subnet = ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.0.0.0/24", Ipv6CidrBlock=str(self.ipv6))[
            "Subnet"
        ]["SubnetId"]
        self.eni = ec2.create_network_interface(
            SubnetId=self.subnet, SecondaryPrivateIpAddressCount=2, Ipv6AddressCount=2
        )["NetworkInterface"]["NetworkInterfaceId"]
        ec2.assign_private_ip_addresses(NetworkInterfaceId=self.eni, Ipv4PrefixCount=1)
        node = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=self.subnet, InstanceType="c5.large")
        self.instance = node["Instances"][0]["InstanceId"]
        self.attachment = node["Instances"][0]["NetworkInterfaces"][0]["Attachment"]["AttachmentId"]
        self.gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=self.gateway, VpcId=self.vpc)
        eip = ec2.allocate_address(Domain="vpc")
        self.allocation = eip["AllocationId"]
        self.association = ec2.associate_address(AllocationId=self.allocation, NetworkInterfaceId=self.eni)[
            "AssociationId"
        ]
        self.reservation = ec2.create_subnet_cidr_reservation(
            SubnetId=self.subnet, Cidr="10.0.0.192/26", ReservationType="explicit"
        )["SubnetCidrReservation"]["SubnetCidrReservationId"]
        self.group = ec2.create_security_group(GroupName="web", Description="web", VpcId=self.vpc)["GroupId"]
        self.rule = ec2.authorize_security_group_ingress(
            GroupId=self.group, IpProtocol="tcp", FromPort=22, ToPort=22, CidrIp="10.0.0.0/8"
        )["SecurityGroupRules"][0]["SecurityGroupRuleId"]
        self.table = ec2.create_route_table(VpcId=self.vpc)["RouteTable"]["RouteTableId"]
        self.table_association = ec2.associate_route_table(RouteTableId=self.table, SubnetId=self.subnet)[
            "AssociationId"
        ]
        ec2.create_route(RouteTableId=self.table, DestinationCidrBlock="0.0.0.0/0", GatewayId=self.gateway)
        ec2.create_route(RouteTableId=self.table, DestinationCidrBlock="192.168.0.0/24", NetworkInterfaceId=self.eni)
        self.options = ec2.create_dhcp_options(DhcpConfigurations=[{"Key": "domain-name", "Values": ["corp"]}])[
            "DhcpOptions"
        ]["DhcpOptionsId"]

    def close(self) -> None:
        if self.server is not None:
            self.server.__exit__(None, None, None)
        self.mock.__exit__(None, None, None)

    def ids(self) -> List[str]:
        return [
            self.vpc,
            self.subnet,
            self.eni,
            self.instance,
            self.attachment,
            self.allocation,
            self.association,
            self.reservation,
            self.group,
            self.rule,
            self.table,
            self.table_association,
            self.gateway,
            self.options,
            "eni-0123456789abcdef0",
            "i-12345678",
            "vpc-",
            "subnet-XYZ",
            AMI,
        ]

    def id_for(self, name: str) -> st.SearchStrategy[str]:
        """Mostly the right kind of id for a member, sometimes any id."""
        right = {
            "NetworkInterfaceId": self.eni,
            "SubnetId": self.subnet,
            "VpcId": self.vpc,
            "InstanceId": self.instance,
            "AllocationId": self.allocation,
            "AssociationId": self.association,
            "AttachmentId": self.attachment,
            "SubnetCidrReservationId": self.reservation,
            "ImageId": AMI,
            "GroupId": mostly(st.just(self.group), st.just("sg-12345678")),
            "SecurityGroupRuleId": self.rule,
            "RouteTableId": self.table,
            "InternetGatewayId": self.gateway,
            "DhcpOptionsId": self.options,
        }.get(name.rstrip("s"))
        if name.rstrip("s") == "AssociationId" and self.table_association:
            right = mostly(st.just(self.association), st.just(self.table_association))
        anything = st.sampled_from(self.ids())
        if right is None:
            return anything
        return mostly(right if isinstance(right, st.SearchStrategy) else st.just(right), anything)


TEXT = st.one_of(
    st.sampled_from(["", "-1", "*", "true", "banana", "\u0661\u0660.\u0660.\u0660.\u0665", "10.0.0.0/8", "x" * 300]),
    st.text(max_size=12),
)
WRONG = st.one_of(st.none(), st.integers(-3, 3), st.booleans(), TEXT)
IPV6 = ipaddress.IPv6Network("2001:db8:0:100::/64")  # the World's /64 (seeded), and nearby text
HINTS = {  # plausible values by member name: most generated calls should get past the first check
    "Ipv6Address": st.sampled_from(
        [str(IPV6.network_address + n) for n in (0, 3, 4, 77, 2**48)] + ["2001:db9::5", "::1", "banana"]
    ),
    "Ipv6Prefix": st.sampled_from([f"{IPV6.network_address + (n << 48)}/80" for n in (0, 1, 7)] + ["2001:db8::/64"]),
    "Ipv6CidrBlock": st.sampled_from([str(IPV6), "2001:db8:0:101::/64", "2001:db8::/56", "nope"]),
    "Address": st.sampled_from(
        ["10.0.0.5", "10.0.0.0", "10.0.0.255", "10.0.1.5", "10.0.0.200", "10.0.0.17", "10.0.0.33", "10.0.0.90"]
    ),
    "Ipv4Prefix": st.sampled_from(["10.0.0.16/28", "10.0.0.32/28", "10.0.0.8/28", "10.0.0.0/28", "10.0.0.32/27"]),
    "Cidr": st.sampled_from(["10.0.0.0/24", "10.0.1.0/24", "10.0.0.64/26", "10.0.0.0/8", "10.1.0.0/16", "10.0.0.1/24"]),
    "InstanceType": st.sampled_from(["t3.micro", "c5.large", "m4.large", "c5.metal", "z9.huge"]),
    "ReservationType": st.sampled_from(["prefix", "explicit", "other"]),
    "ResourceType": st.sampled_from(["vpc", "subnet", "network-interface", "instance", "elastic-ip", "image"]),
    "Domain": st.sampled_from(["vpc", "standard"]),
    "AvailabilityZone": st.sampled_from(["us-east-1a", "us-east-1b", "eu-west-1a"]),
    "Name": st.sampled_from(["subnet-id", "vpc-id", "tag:Name", "tag-key", "addresses.private-ip-address", "nope"]),
    "Key": st.sampled_from(["Name", "aws:x", "team", "", "domain-name"]),
    "DestinationCidrBlock": st.sampled_from(["0.0.0.0/0", "10.0.0.0/16", "192.168.0.0/24", "192.168.1.9/32"]),
    "IpProtocol": st.sampled_from(["tcp", "udp", "-1", "icmp", "6", "gre"]),
    "Port": st.integers(-2, 70000),
    "CidrIp": st.sampled_from(["0.0.0.0/0", "10.0.0.0/8", "10.0.0.1/8", "::/0"]),
    "Attribute": st.sampled_from(["instanceType", "groupSet", "sourceDestCheck", "enableDnsSupport", "kernel"]),
    "AttributeName": st.sampled_from(["default-vpc", "max-elastic-ips", "nope"]),
}


def mostly(usual: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``usual`` nine times in ten, ``odd`` otherwise."""
    return st.integers(0, 9).flatmap(lambda roll: odd if roll == 0 else usual)


def values(name: str, shape: Any, world: World, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values for a botocore input shape: mostly plausible (by member name), sometimes of the wrong type."""
    kind = shape.type_name
    hint = next((strategy for key, strategy in HINTS.items() if key in name), None)
    if kind == "structure" and depth < 3:  # botocore itself cannot serialize a non-mapping structure
        return members_of(shape, world, depth + 1)
    if kind == "list" and depth < 3:  # a string passes as a list of characters; other types botocore refuses
        member_name = shape.member.name if shape.member.type_name == "structure" else name
        items = st.lists(values(member_name, shape.member, world, depth + 1), min_size=1, max_size=3)
        return items if shape.member.type_name == "structure" else mostly(items, TEXT)
    if kind == "integer":
        plausible = st.integers(-1, 6)
    elif kind == "boolean":
        plausible = st.booleans()
    elif hint is not None:
        plausible = hint
    elif kind == "string" and (name.endswith("Id") or name.endswith("Ids")):
        plausible = world.id_for(name)
    else:
        plausible = TEXT
    return mostly(plausible, WRONG)


def members_of(shape: Any, world: World, depth: int = 0) -> st.SearchStrategy[Dict[str, Any]]:
    """A structure's members: the required ones always (well, usually: a missing one is a case too)."""
    required = set(shape.required_members)
    strategies = {n: values(n, member, world, depth) for n, member in shape.members.items() if n != "DryRun"}
    given = {n: v for n, v in strategies.items() if n in required}
    optional = {n: v for n, v in strategies.items() if n not in required}
    return mostly(st.fixed_dictionaries(given, optional=optional), st.fixed_dictionaries({}, optional=strategies))


@pytest.mark.parametrize("transport", ["in-process", "http"])
@pytest.mark.parametrize("operation", OPERATIONS)
def test_generated_calls_end_in_a_response_or_an_ec2_error(operation: str, transport: str) -> None:
    model = MODEL.operation_model(operation)
    method = botocore.xform_name(operation)
    world = World(transport)
    try:
        outcomes: Dict[str, int] = {}

        @settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        @given(members_of(model.input_shape, world))
        def call(kwargs: Dict[str, Any]) -> None:
            before = snapshot(world.ec2)
            try:
                getattr(world.raw, method)(**kwargs)
                outcomes["ok"] = outcomes.get("ok", 0) + 1
            except ClientError as error:
                if error.response["Error"]["Code"] == "UnsupportedOperation":  # over HTTP: what raises in-process
                    outcomes["unsimulated"] = outcomes.get("unsimulated", 0) + 1
                    return
                assert error.response["Error"]["Code"] and error.response["Error"]["Message"]
                assert error.response["ResponseMetadata"]["HTTPStatusCode"] in (400, 412)
                assert snapshot(world.ec2) == before, f"{operation} failed and changed something: {kwargs!r}"
                outcomes["error"] = outcomes.get("error", 0) + 1
            except botohook.UnsimulatedOperationError:  # a parameter botohook says plainly it does not simulate
                outcomes["unsimulated"] = outcomes.get("unsimulated", 0) + 1
            except Exception as error:  # botocore itself may refuse to serialize nonsense: not botohook's doing
                frames = traceback.extract_tb(error.__traceback__)
                assert not any(f"{os.sep}botohook{os.sep}" in frame.filename for frame in frames), kwargs
                outcomes["refused by botocore"] = outcomes.get("refused by botocore", 0) + 1

        call()
        answered = outcomes.get("ok", 0) + outcomes.get("error", 0) + outcomes.get("unsimulated", 0)
        assert answered >= 10, f"too few generated calls reached botohook: {outcomes}"
    finally:
        world.close()
