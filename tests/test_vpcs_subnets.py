"""VPCs and subnets: creation rules, the default VPC, describe filters and paging, deletion."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

import botohook
from tests.conftest import ec2_error


def test_fresh_region_has_a_default_vpc_with_a_subnet_per_zone(ec2: Any) -> None:
    vpcs = ec2.describe_vpcs()["Vpcs"]
    assert [(v["CidrBlock"], v["IsDefault"]) for v in vpcs] == [("172.31.0.0/16", True)]
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    assert sorted(s["AvailabilityZone"] for s in subnets) == [f"us-east-1{z}" for z in "abcdef"]
    assert {s["CidrBlock"][-3:] for s in subnets} == {"/20"}
    assert all(s["AvailableIpAddressCount"] == 4091 for s in subnets)


def test_default_vpc_can_be_turned_off() -> None:
    with botohook.mock(default_vpc=False, strict=True):
        ec2 = boto3.client("ec2", region_name="us-west-2")
        assert ec2.describe_vpcs()["Vpcs"] == []
        assert ec2.describe_subnets()["Subnets"] == []


def test_create_vpc(ec2: Any) -> None:
    vpc = ec2.create_vpc(
        CidrBlock="10.1.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "main"}]}]
    )["Vpc"]
    assert vpc["State"] == "pending" and vpc["CidrBlock"] == "10.1.0.0/16" and not vpc["IsDefault"]
    assert vpc["Tags"] == [{"Key": "Name", "Value": "main"}]
    described = ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"][0]
    assert described["State"] == "available"
    ec2.get_waiter("vpc_available").wait(VpcIds=[vpc["VpcId"]], WaiterConfig={"Delay": 0})


@pytest.mark.parametrize(
    "cidr,code",
    [
        ("10.0.0.0/8", "InvalidVpc.Range"),
        ("10.0.0.0/29", "InvalidVpc.Range"),
        ("10.0.0.1/33", "InvalidParameterValue"),
        ("nope", "InvalidParameterValue"),
    ],
)
def test_create_vpc_refuses_bad_blocks(ec2: Any, cidr: str, code: str) -> None:
    with ec2_error(code, contains=cidr, unchanged=ec2):
        ec2.create_vpc(CidrBlock=cidr)


def test_vpc_not_found_and_dependencies(ec2: Any, vpc_id: str, subnet_id: str) -> None:
    with ec2_error("InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist"):
        ec2.describe_vpcs(VpcIds=["vpc-0123456789abcdef0"])
    with ec2_error("DependencyViolation", f"The vpc '{vpc_id}' has dependencies and cannot be deleted.", unchanged=ec2):
        ec2.delete_vpc(VpcId=vpc_id)
    ec2.delete_subnet(SubnetId=subnet_id)
    ec2.delete_vpc(VpcId=vpc_id)
    with ec2_error("InvalidVpcID.NotFound"):
        ec2.delete_vpc(VpcId=vpc_id)


def test_create_subnet(ec2: Any, vpc_id: str) -> None:
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.0.0/28", AvailabilityZone="us-east-1b")["Subnet"]
    assert subnet["AvailableIpAddressCount"] == 11
    assert subnet["AvailabilityZone"] == "us-east-1b" and subnet["VpcId"] == vpc_id
    assert not subnet["DefaultForAz"]
    by_zone_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZoneId="use1-az3")["Subnet"]
    assert by_zone_id["AvailabilityZone"] == "us-east-1c" and by_zone_id["AvailableIpAddressCount"] == 251
    big = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.128.0/17")["Subnet"]
    assert big["AvailableIpAddressCount"] == 2**15 - 5


@pytest.mark.parametrize("cidr", ["10.1.0.0/24", "10.0.0.0/15", "10.0.0.0/29"])
def test_subnet_outside_the_vpc_or_badly_sized(ec2: Any, vpc_id: str, cidr: str) -> None:
    with ec2_error("InvalidSubnet.Range", f"The CIDR '{cidr}' is invalid.", unchanged=ec2):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr)


def test_overlapping_subnets_conflict(ec2: Any, vpc_id: str, subnet_id: str) -> None:
    for cidr in ("10.0.1.0/24", "10.0.1.128/25", "10.0.0.0/23"):
        with ec2_error("InvalidSubnet.Conflict", f"The CIDR '{cidr}' conflicts with another subnet", unchanged=ec2):
            ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr)


def test_subnet_in_unknown_zone_or_vpc(ec2: Any, vpc_id: str) -> None:
    with ec2_error("InvalidParameterValue", contains="us-east-1a, us-east-1b", unchanged=ec2):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.5.0/24", AvailabilityZone="eu-west-1a")
    with ec2_error("InvalidVpcID.NotFound", unchanged=ec2):
        ec2.create_subnet(VpcId="vpc-0123456789abcdef0", CidrBlock="10.0.5.0/24")


def test_subnet_filters_and_delete(ec2: Any, vpc_id: str, subnet_id: str, eni_id: str) -> None:
    found = ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "cidr-block", "Values": ["10.0.1.*"]}]
    )["Subnets"]
    assert [s["SubnetId"] for s in found] == [subnet_id]
    assert (
        ec2.describe_subnets(Filters=[{"Name": "available-ip-address-count", "Values": ["250"]}])["Subnets"][0][
            "SubnetId"
        ]
        == subnet_id
    )
    with ec2_error(
        "DependencyViolation", f"The subnet '{subnet_id}' has dependencies and cannot be deleted.", unchanged=ec2
    ):
        ec2.delete_subnet(SubnetId=subnet_id)
    ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    ec2.delete_subnet(SubnetId=subnet_id)
    with ec2_error("InvalidSubnetID.NotFound", f"The subnet ID '{subnet_id}' does not exist"):
        ec2.describe_subnets(SubnetIds=[subnet_id])


def test_vpc_filters_real_clients_send_under_legacy_names(ec2: Any, vpc_id: str) -> None:
    """Ansible's ec2_vpc_net filters on ``cidr-block`` and ec2_instance on ``isDefault``: EC2 accepts both."""
    by_cidr = ec2.describe_vpcs(Filters=[{"Name": "cidr-block", "Values": ["10.0.0.0/16"]}])["Vpcs"]
    assert [v["VpcId"] for v in by_cidr] == [vpc_id]
    default = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
    assert [v["CidrBlock"] for v in default] == ["172.31.0.0/16"]
    assert [v["VpcId"] for v in ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["false"]}])["Vpcs"]] == [
        vpc_id
    ]


def test_unknown_filter_is_refused(ec2: Any) -> None:
    with ec2_error("InvalidParameterValue", "The filter 'colour' is invalid"):
        ec2.describe_subnets(Filters=[{"Name": "colour", "Values": ["red"]}])


def test_describe_pages_with_the_paginator(ec2: Any, vpc_id: str) -> None:
    created = [ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"] for i in range(12)]
    pages = list(
        ec2.get_paginator("describe_subnets").paginate(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}], PaginationConfig={"PageSize": 5}
        )
    )
    assert [len(p["Subnets"]) for p in pages] == [5, 5, 2]
    assert [s["SubnetId"] for p in pages for s in p["Subnets"]] == created
    with ec2_error("InvalidParameterValue", contains="nextToken"):
        ec2.describe_subnets(MaxResults=5, NextToken="garbage")


def test_dry_run_on_create_and_delete(ec2: Any, vpc_id: str) -> None:
    with ec2_error("DryRunOperation", status=412, unchanged=ec2):
        ec2.create_vpc(CidrBlock="10.2.0.0/16", DryRun=True)
    with ec2_error("DryRunOperation", status=412, unchanged=ec2):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.7.0/24", DryRun=True)
    with ec2_error("DryRunOperation", status=412, unchanged=ec2):
        ec2.delete_vpc(VpcId=vpc_id, DryRun=True)


def test_state_is_per_region(ec2: Any, vpc_id: str) -> None:
    west = boto3.client("ec2", region_name="us-west-2")
    assert [v["IsDefault"] for v in west.describe_vpcs()["Vpcs"]] == [True]
    assert {s["AvailabilityZone"] for s in west.describe_subnets()["Subnets"]} == {
        "us-west-2a",
        "us-west-2b",
        "us-west-2c",
    }
    with ec2_error("InvalidVpcID.NotFound"):
        west.describe_vpcs(VpcIds=[vpc_id])


def test_describe_availability_zones(ec2: Any) -> None:
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    assert [z["ZoneName"] for z in zones] == [f"us-east-1{z}" for z in "abcdef"]
    assert all(z["State"] == "available" and z["RegionName"] == "us-east-1" for z in zones)
    by_id = ec2.describe_availability_zones(ZoneIds=["use1-az2"])["AvailabilityZones"]
    assert [z["ZoneName"] for z in by_id] == ["us-east-1b"]
    filtered = ec2.describe_availability_zones(Filters=[{"Name": "zone-name", "Values": ["us-east-1[ac]", "*f"]}])
    assert [z["ZoneName"] for z in filtered["AvailabilityZones"]] == ["us-east-1f"]
    with ec2_error("InvalidParameterValue", contains="us-east-1z"):
        ec2.describe_availability_zones(ZoneNames=["us-east-1z"])
    west = boto3.client("ec2", region_name="eu-west-1").describe_availability_zones()["AvailabilityZones"]
    assert [(z["ZoneName"], z["ZoneId"]) for z in west] == [
        ("eu-west-1a", "euw1-az1"),
        ("eu-west-1b", "euw1-az2"),
        ("eu-west-1c", "euw1-az3"),
    ]


def test_blocks_with_host_bits_are_made_canonical(ec2: Any) -> None:
    """The API reference: a CIDR block with host bits set is changed to its canonical form (moto's test, too)."""
    vpc = ec2.create_vpc(CidrBlock="100.68.0.18/18")["Vpc"]
    assert vpc["CidrBlock"] == "100.68.0.0/18"
    subnet = ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="100.68.1.77/24")["Subnet"]
    assert subnet["CidrBlock"] == "100.68.1.0/24"
    reservation = ec2.create_subnet_cidr_reservation(
        SubnetId=subnet["SubnetId"], Cidr="100.68.1.20/28", ReservationType="explicit"
    )["SubnetCidrReservation"]
    assert reservation["Cidr"] == "100.68.1.16/28"


def test_create_default_vpc_and_subnets_where_the_region_has_none() -> None:
    with botohook.mock(default_vpc=False, strict=True):
        ec2 = boto3.client("ec2", region_name="eu-west-1")
        with ec2_error("DefaultVpcDoesNotExist", unchanged=ec2):
            ec2.create_default_subnet(AvailabilityZone="eu-west-1a")
        vpc = ec2.create_default_vpc()["Vpc"]
        assert (vpc["CidrBlock"], vpc["IsDefault"]) == ("172.31.0.0/16", True)
        subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
        assert sorted(s["CidrBlock"] for s in subnets) == ["172.31.0.0/20", "172.31.16.0/20", "172.31.32.0/20"]
        routes = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["RouteTables"]
        assert {r["DestinationCidrBlock"] for r in routes[0]["Routes"]} == {"172.31.0.0/16", "0.0.0.0/0"}
        with ec2_error("DefaultVpcAlreadyExists", "A Default VPC already exists for this account in this region."):
            ec2.create_default_vpc()
        with ec2_error("DefaultSubnetAlreadyExistsInAvailabilityZone", unchanged=ec2):
            ec2.create_default_subnet(AvailabilityZone="eu-west-1b")
        lost = next(s for s in subnets if s["AvailabilityZone"] == "eu-west-1b")
        ec2.delete_subnet(SubnetId=lost["SubnetId"])
        again = ec2.create_default_subnet(AvailabilityZone="eu-west-1b")["Subnet"]
        assert (again["CidrBlock"], again["DefaultForAz"], again["MapPublicIpOnLaunch"]) == (
            "172.31.16.0/20",
            True,
            True,
        )
