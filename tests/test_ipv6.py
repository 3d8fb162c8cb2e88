"""IPv6 through a genuine client: /56s for VPCs, /64s for subnets, addresses and /80 prefixes on interfaces, with
EC2's rules (code, message, status, nothing changed)."""

from __future__ import annotations

import ipaddress
from typing import Any, Dict, List

import boto3
import pytest

import botohook

from .conftest import AMI, REGION, ec2_error, new_eni


@pytest.fixture
def dual(ec2: Any) -> Dict[str, str]:
    """A dual-stack VPC and subnet: their ids and the subnet's /64."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    block = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    sixty_four = str(next(ipaddress.IPv6Network(block).subnets(new_prefix=64)))
    subnet = ec2.create_subnet(
        VpcId=vpc, CidrBlock="10.0.1.0/24", Ipv6CidrBlock=sixty_four, AvailabilityZone="us-east-1a"
    )["Subnet"]["SubnetId"]
    return {"vpc": vpc, "subnet": subnet, "block": sixty_four, "vpc_block": block}


def ipv6s(ec2: Any, eni: str) -> List[str]:
    found = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]
    return [a["Ipv6Address"] for a in found["Ipv6Addresses"]]


def test_vpcs_get_distinct_documentation_56s(ec2: Any) -> None:
    first = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    second = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    answer = ec2.associate_vpc_cidr_block(VpcId=second, AmazonProvidedIpv6CidrBlock=True)
    assert answer["Ipv6CidrBlockAssociation"]["Ipv6CidrBlockState"] == {"State": "associating"}
    blocks = [ec2.describe_vpcs(VpcIds=[v])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0] for v in (first, second)]
    networks = [ipaddress.IPv6Network(b["Ipv6CidrBlock"]) for b in blocks]
    assert all(n.prefixlen == 56 and n.subnet_of(ipaddress.IPv6Network("2001:db8::/32")) for n in networks)
    assert networks[0] != networks[1] and blocks[0]["Ipv6Pool"] == "Amazon"
    found = ec2.describe_vpcs(
        Filters=[{"Name": "ipv6-cidr-block-association.ipv6-cidr-block", "Values": [str(networks[1])]}]
    )["Vpcs"]
    assert [v["VpcId"] for v in found] == [second]
    with ec2_error("CidrLimitExceeded", unchanged=ec2):
        ec2.associate_vpc_cidr_block(VpcId=second, AmazonProvidedIpv6CidrBlock=True)
    gone = ec2.disassociate_vpc_cidr_block(AssociationId=blocks[1]["AssociationId"])
    assert gone["Ipv6CidrBlockAssociation"]["Ipv6CidrBlockState"] == {"State": "disassociating"}
    assert "Ipv6CidrBlockAssociationSet" not in ec2.describe_vpcs(VpcIds=[second])["Vpcs"][0]


def test_subnet_64s(ec2: Any, dual: Dict[str, str]) -> None:
    subnet = ec2.describe_subnets(SubnetIds=[dual["subnet"]])["Subnets"][0]
    assert subnet["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"] == dual["block"]
    with ec2_error("InvalidSubnet.Conflict", unchanged=ec2):
        ec2.create_subnet(VpcId=dual["vpc"], CidrBlock="10.0.2.0/24", Ipv6CidrBlock=dual["block"])
    with ec2_error("InvalidSubnet.Range", unchanged=ec2):
        ec2.create_subnet(VpcId=dual["vpc"], CidrBlock="10.0.2.0/24", Ipv6CidrBlock="2001:db9::/64")
    with ec2_error("InvalidParameterValue", contains="/64", unchanged=ec2):
        ec2.create_subnet(VpcId=dual["vpc"], CidrBlock="10.0.2.0/24", Ipv6CidrBlock=dual["vpc_block"])
    other = ec2.create_subnet(VpcId=dual["vpc"], CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    second = str(list(ipaddress.IPv6Network(dual["vpc_block"]).subnets(new_prefix=64))[1])
    association = ec2.associate_subnet_cidr_block(SubnetId=other, Ipv6CidrBlock=second)["Ipv6CidrBlockAssociation"]
    found = ec2.describe_subnets(Filters=[{"Name": "ipv6-cidr-block-association.ipv6-cidr-block", "Values": [second]}])[
        "Subnets"
    ]
    assert [s["SubnetId"] for s in found] == [other]
    with ec2_error("DependencyViolation", unchanged=ec2):  # the VPC's /56 is in use by subnets
        ec2.disassociate_vpc_cidr_block(
            AssociationId=ec2.describe_vpcs(VpcIds=[dual["vpc"]])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0][
                "AssociationId"
            ]
        )
    eni = new_eni(ec2, other, Ipv6AddressCount=1)
    with ec2_error("DependencyViolation", unchanged=ec2):
        ec2.disassociate_subnet_cidr_block(AssociationId=association["AssociationId"])
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    ec2.disassociate_subnet_cidr_block(AssociationId=association["AssociationId"])
    assert ec2.describe_subnets(SubnetIds=[other])["Subnets"][0]["Ipv6CidrBlockAssociationSet"] == []


def test_assign_and_unassign_addresses(ec2: Any, dual: Dict[str, str]) -> None:
    network = ipaddress.IPv6Network(dual["block"])
    eni = new_eni(ec2, dual["subnet"], Ipv6AddressCount=2)
    held = ipv6s(ec2, eni)
    assert len(held) == 2 and all(ipaddress.IPv6Address(a) in network for a in held)
    named = str(network.network_address + 1000)
    answer = ec2.assign_ipv6_addresses(NetworkInterfaceId=eni, Ipv6Addresses=[named, held[0]])
    assert answer["AssignedIpv6Addresses"] == [named]  # only what this call assigned
    counted = ec2.assign_ipv6_addresses(NetworkInterfaceId=eni, Ipv6AddressCount=3)["AssignedIpv6Addresses"]
    assert len(counted) == 3 and not set(counted) & set(held)
    assert ipv6s(ec2, eni) == [*held, named, *counted]
    by_address = ec2.describe_network_interfaces(Filters=[{"Name": "ipv6-addresses.ipv6-address", "Values": [named]}])
    assert [e["NetworkInterfaceId"] for e in by_address["NetworkInterfaces"]] == [eni]
    out = ec2.unassign_ipv6_addresses(NetworkInterfaceId=eni, Ipv6Addresses=[named])
    assert out["UnassignedIpv6Addresses"] == [named] and named not in ipv6s(ec2, eni)
    with ec2_error("InvalidParameterValue", contains="is not assigned to the network interface", unchanged=ec2):
        ec2.unassign_ipv6_addresses(NetworkInterfaceId=eni, Ipv6Addresses=[named])


@pytest.mark.parametrize(
    ("offset", "code", "contains"),
    [
        (0, "InvalidParameterValue", "reserved"),
        (3, "InvalidParameterValue", "reserved"),
        (None, "InvalidParameterValue", "does not fall within"),
    ],
)
def test_named_addresses_must_be_usable(
    ec2: Any, dual: Dict[str, str], offset: int | None, code: str, contains: str
) -> None:
    network = ipaddress.IPv6Network(dual["block"])
    address = str(network.network_address + offset) if offset is not None else "2001:db9::5"
    eni = new_eni(ec2, dual["subnet"])
    with ec2_error(code, contains=contains, unchanged=ec2):
        ec2.assign_ipv6_addresses(NetworkInterfaceId=eni, Ipv6Addresses=[address])


def test_ipv6_rules(ec2: Any, dual: Dict[str, str], subnet_id: str) -> None:
    network = ipaddress.IPv6Network(dual["block"])
    eni, other = new_eni(ec2, dual["subnet"]), new_eni(ec2, dual["subnet"])
    taken = str(network.network_address + 77)
    ec2.assign_ipv6_addresses(NetworkInterfaceId=eni, Ipv6Addresses=[taken])
    with ec2_error("InvalidIPAddress.InUse", "The specified address is already in use.", unchanged=ec2):
        ec2.assign_ipv6_addresses(NetworkInterfaceId=other, Ipv6Addresses=[taken])
    with ec2_error("InvalidParameterValue", contains="invalid value for parameter ipv6Address", unchanged=ec2):
        ec2.assign_ipv6_addresses(NetworkInterfaceId=other, Ipv6Addresses=["not-an-address"])
    with ec2_error("InvalidParameterCombination", unchanged=ec2):
        ec2.assign_ipv6_addresses(NetworkInterfaceId=other, Ipv6AddressCount=1, Ipv6PrefixCount=1)
    v4_only = new_eni(ec2, subnet_id)
    with ec2_error("InvalidParameterValue", contains="does not have an IPv6 CIDR block", unchanged=ec2):
        ec2.assign_ipv6_addresses(NetworkInterfaceId=v4_only, Ipv6AddressCount=1)
    # an Elastic IP stays IPv4: it cannot go to an IPv6 address
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    with ec2_error("InvalidParameterValue"):
        ec2.associate_address(AllocationId=eip, NetworkInterfaceId=eni, PrivateIpAddress=taken)


def test_instance_type_limits_and_prefixes(ec2: Any, dual: Dict[str, str]) -> None:
    small = ec2.run_instances(
        ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=dual["subnet"], InstanceType="t3.micro", Ipv6AddressCount=2
    )["Instances"][0]
    primary = small["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert len(small["NetworkInterfaces"][0]["Ipv6Addresses"]) == 2
    with ec2_error(
        "InvalidParameterValue", "Number of IPv6 addresses will exceed the limit for t3.micro.", unchanged=ec2
    ):
        ec2.assign_ipv6_addresses(NetworkInterfaceId=primary, Ipv6AddressCount=1)
    with ec2_error("InvalidParameterValue", "Instance type 'm1.small' does not support IPv6.", unchanged=ec2):
        ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=dual["subnet"], InstanceType="m1.small",
                          Ipv6AddressCount=1)  # fmt: skip
    xen = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=dual["subnet"], InstanceType="m4.large")
    with ec2_error("InvalidParameterValue", contains="Prefix delegation is not supported", unchanged=ec2):
        ec2.assign_ipv6_addresses(
            NetworkInterfaceId=xen["Instances"][0]["NetworkInterfaces"][0]["NetworkInterfaceId"], Ipv6PrefixCount=1
        )
    nitro = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=dual["subnet"], InstanceType="c5.large")
    eni = nitro["Instances"][0]["NetworkInterfaces"][0]["NetworkInterfaceId"]
    prefixes = ec2.assign_ipv6_addresses(NetworkInterfaceId=eni, Ipv6PrefixCount=2)["AssignedIpv6Prefixes"]
    network = ipaddress.IPv6Network(dual["block"])
    for prefix in prefixes:
        delegated = ipaddress.IPv6Network(prefix)  # strict: aligned
        assert delegated.prefixlen == 80 and delegated.subnet_of(network)
        assert delegated.network_address != network.network_address  # not the /80 holding reserved addresses
    inside = str(ipaddress.IPv6Network(prefixes[0]).network_address + 9)
    with ec2_error("InvalidIPAddress.InUse", unchanged=ec2):
        ec2.assign_ipv6_addresses(NetworkInterfaceId=primary, Ipv6Addresses=[inside])
    described = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]
    assert [p["Ipv6Prefix"] for p in described["Ipv6Prefixes"]] == prefixes
    ec2.unassign_ipv6_addresses(NetworkInterfaceId=eni, Ipv6Prefixes=[prefixes[0]])
    found = ec2.describe_instances(
        Filters=[{"Name": "network-interface.ipv6-addresses.ipv6-address", "Values": [ipv6s(ec2, primary)[0]]}]
    )
    assert [i["InstanceId"] for r in found["Reservations"] for i in r["Instances"]] == [small["InstanceId"]]


def test_assign_ipv6_address_on_creation(ec2: Any, dual: Dict[str, str]) -> None:
    ec2.modify_subnet_attribute(SubnetId=dual["subnet"], AssignIpv6AddressOnCreation={"Value": True})
    assert ec2.describe_subnets(SubnetIds=[dual["subnet"]])["Subnets"][0]["AssignIpv6AddressOnCreation"] is True
    assert len(ipv6s(ec2, new_eni(ec2, dual["subnet"]))) == 1


def test_lowest_first_and_reproducible() -> None:
    with botohook.mock(allocation="lowest", strict=True):
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
        block = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
        sixty_four = next(ipaddress.IPv6Network(block).subnets(new_prefix=64))
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", Ipv6CidrBlock=str(sixty_four))["Subnet"]
        eni = new_eni(ec2, subnet["SubnetId"], Ipv6AddressCount=2)
        assert ipv6s(ec2, eni) == [str(sixty_four.network_address + 4), str(sixty_four.network_address + 5)]
    picks = []
    for _ in range(2):
        with botohook.mock(seed=9):
            ec2 = boto3.client("ec2", region_name=REGION)
            vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
            block = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
            sixty_four = str(next(ipaddress.IPv6Network(block).subnets(new_prefix=64)))
            subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", Ipv6CidrBlock=sixty_four)["Subnet"]
            picks.append(ipv6s(ec2, new_eni(ec2, subnet["SubnetId"], Ipv6AddressCount=3)))
    assert picks[0] == picks[1]
