"""Prefix delegation (/28 IPv4 prefixes) and subnet CIDR reservations, rule by rule."""

from __future__ import annotations

import ipaddress
from typing import Any, List

import pytest

import botohook
from tests.conftest import AMI, ec2_error, free, new_eni


def prefixes(ec2: Any, eni: str) -> List[str]:
    described = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]
    return [p["Ipv4Prefix"] for p in described.get("Ipv4Prefixes", [])]


def test_assign_prefix_count(ec2: Any, subnet_id: str, eni_id: str) -> None:
    before = free(ec2, subnet_id)
    response = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, Ipv4PrefixCount=2)
    assigned = [p["Ipv4Prefix"] for p in response["AssignedIpv4Prefixes"]]
    assert "AssignedPrivateIpAddresses" not in response
    assert len(assigned) == 2 and prefixes(ec2, eni_id) == assigned
    for prefix in assigned:
        network = ipaddress.ip_network(prefix)
        assert network.prefixlen == 28 and network.subnet_of(ipaddress.ip_network("10.0.1.0/24"))
    assert free(ec2, subnet_id) == before - 32
    again = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, Ipv4PrefixCount=1)["AssignedIpv4Prefixes"]
    assert len(again) == 1 and again[0]["Ipv4Prefix"] not in assigned


def test_assign_named_prefixes(ec2: Any, subnet_id: str, eni_id: str) -> None:
    response = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, Ipv4Prefixes=["10.0.1.32/28"])
    assert response["AssignedIpv4Prefixes"] == [{"Ipv4Prefix": "10.0.1.32/28"}]
    same = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, Ipv4Prefixes=["10.0.1.32/28"])
    assert same["AssignedIpv4Prefixes"] == [{"Ipv4Prefix": "10.0.1.32/28"}]
    assert prefixes(ec2, eni_id) == ["10.0.1.32/28"]


@pytest.mark.parametrize(
    "prefix,fragment",
    [
        ("10.0.1.32/27", "Only /28"),
        ("10.0.1.36/28", "not aligned"),
        ("10.0.2.0/28", "does not fall within"),
        ("10.0.1.0/28", "reserved"),
        ("10.0.1.240/28", "reserved"),
        ("banana", "Only /28"),
    ],
)
def test_prefix_rules(ec2: Any, eni_id: str, prefix: str, fragment: str) -> None:
    with ec2_error("InvalidParameterValue", contains=fragment, unchanged=ec2):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, Ipv4Prefixes=[prefix])


def test_prefixes_never_overlap_addresses_or_prefixes(ec2: Any, subnet_id: str, eni_id: str) -> None:
    other = new_eni(ec2, subnet_id, PrivateIpAddress="10.0.1.50")
    with ec2_error("InvalidParameterValue", contains="overlaps", unchanged=ec2):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, Ipv4Prefixes=["10.0.1.48/28"])
    ec2.assign_private_ip_addresses(NetworkInterfaceId=other, Ipv4Prefixes=["10.0.1.64/28"])
    with ec2_error("InvalidParameterValue", contains="overlaps", unchanged=ec2):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, Ipv4Prefixes=["10.0.1.64/28"])
    for reassign in (False, True):
        with ec2_error("InvalidIPAddress.InUse", "Address 10.0.1.70 is in use.", unchanged=ec2):
            ec2.assign_private_ip_addresses(
                NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.70"], AllowReassignment=reassign
            )
    with ec2_error("InvalidIPAddress.InUse", unchanged=ec2):
        new_eni(ec2, subnet_id, PrivateIpAddress="10.0.1.70")


def test_automatic_addresses_never_land_inside_a_prefix(ec2: Any, vpc_id: str) -> None:
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.3.0/26")["Subnet"]["SubnetId"]
    holder = new_eni(ec2, subnet, PrivateIpAddress="10.0.3.4")
    ec2.assign_private_ip_addresses(NetworkInterfaceId=holder, Ipv4Prefixes=["10.0.3.16/28"])
    assert free(ec2, subnet) == 59 - 1 - 16
    eni = new_eni(ec2, subnet, SecondaryPrivateIpAddressCount=10)
    described = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]
    inside = ipaddress.ip_network("10.0.3.16/28")
    assert not any(ipaddress.ip_address(a["PrivateIpAddress"]) in inside for a in described["PrivateIpAddresses"])
    with ec2_error("InsufficientFreeAddressesInSubnet", unchanged=ec2):
        new_eni(ec2, subnet, SecondaryPrivateIpAddressCount=31)
    new_eni(ec2, subnet, SecondaryPrivateIpAddressCount=30)
    assert free(ec2, subnet) == 0


def test_insufficient_cidr_blocks_when_fragmented(ec2: Any, vpc_id: str) -> None:
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.4.0/26")["Subnet"]["SubnetId"]
    eni = new_eni(ec2, subnet, PrivateIpAddress="10.0.4.20")  # one address in each usable /28 ...
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=["10.0.4.40"])
    assert free(ec2, subnet) == 59 - 2
    with ec2_error(
        "InsufficientCidrBlocks",
        "The specified subnet does not have enough free cidr blocks to satisfy the request.",
        unchanged=ec2,
    ):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4PrefixCount=1)


def test_each_prefix_takes_one_address_slot(ec2: Any, subnet_id: str) -> None:
    node = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id, InstanceType="t3.small")
    eni = node["Instances"][0]["NetworkInterfaces"][0]["NetworkInterfaceId"]  # t3.small: 4 per interface
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4PrefixCount=2)
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=1)
    with ec2_error("PrivateIpAddressLimitExceeded", unchanged=ec2):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4PrefixCount=1)
    with ec2_error("PrivateIpAddressLimitExceeded", unchanged=ec2):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=1)


def test_nitro_instances_only(ec2: Any, subnet_id: str) -> None:
    node = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id, InstanceType="m4.large")
    eni = node["Instances"][0]["NetworkInterfaces"][0]["NetworkInterfaceId"]
    with ec2_error("InvalidParameterValue", contains="m4.large", unchanged=ec2):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4PrefixCount=1)
    with ec2_error("InvalidParameterValue", contains="m4.large", unchanged=ec2):
        ec2.run_instances(
            ImageId=AMI,
            MinCount=1,
            MaxCount=1,
            InstanceType="m4.large",
            NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet_id, "Ipv4PrefixCount": 1}],
        )
    metal = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id, InstanceType="c5.metal")
    metal_eni = metal["Instances"][0]["NetworkInterfaces"][0]["NetworkInterfaceId"]
    ec2.assign_private_ip_addresses(NetworkInterfaceId=metal_eni, Ipv4PrefixCount=1)
    delegated = new_eni(ec2, subnet_id, Ipv4PrefixCount=1)
    with ec2_error("InvalidParameterValue", contains="m4.large", unchanged=ec2):
        ec2.attach_network_interface(
            NetworkInterfaceId=delegated, InstanceId=node["Instances"][0]["InstanceId"], DeviceIndex=1
        )


def test_create_and_launch_with_prefixes(ec2: Any, subnet_id: str) -> None:
    eni = ec2.create_network_interface(SubnetId=subnet_id, Ipv4Prefixes=[{"Ipv4Prefix": "10.0.1.16/28"}])
    assert eni["NetworkInterface"]["Ipv4Prefixes"] == [{"Ipv4Prefix": "10.0.1.16/28"}]
    launched = ec2.run_instances(
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        InstanceType="c5.large",
        NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet_id, "Ipv4PrefixCount": 2}],
    )["Instances"][0]
    assert len(launched["NetworkInterfaces"][0]["Ipv4Prefixes"]) == 2
    described = ec2.describe_instances(InstanceIds=[launched["InstanceId"]])["Reservations"][0]["Instances"][0]
    assert described["NetworkInterfaces"][0]["Ipv4Prefixes"] == launched["NetworkInterfaces"][0]["Ipv4Prefixes"]
    with ec2_error("InvalidParameterCombination", unchanged=ec2):
        ec2.create_network_interface(SubnetId=subnet_id, Ipv4PrefixCount=1, SecondaryPrivateIpAddressCount=1)
    with ec2_error("InvalidParameterCombination", unchanged=ec2):
        ec2.create_network_interface(
            SubnetId=subnet_id, Ipv4PrefixCount=1, Ipv4Prefixes=[{"Ipv4Prefix": "10.0.1.64/28"}]
        )
    with ec2_error("InvalidParameterValue", contains="overlaps", unchanged=ec2):
        ec2.create_network_interface(SubnetId=subnet_id, Ipv4Prefixes=[{"Ipv4Prefix": "10.0.1.16/28"}])


def test_unassign_prefixes(ec2: Any, subnet_id: str, eni_id: str) -> None:
    before = free(ec2, subnet_id)
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, Ipv4Prefixes=["10.0.1.32/28", "10.0.1.48/28"])
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.100"])
    with ec2_error("InvalidParameterValue", contains="10.0.1.64/28", unchanged=ec2):
        ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni_id, Ipv4Prefixes=["10.0.1.32/28", "10.0.1.64/28"])
    ec2.unassign_private_ip_addresses(
        NetworkInterfaceId=eni_id, Ipv4Prefixes=["10.0.1.32/28"], PrivateIpAddresses=["10.0.1.100"]
    )
    assert prefixes(ec2, eni_id) == ["10.0.1.48/28"]
    assert free(ec2, subnet_id) == before - 16
    ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    assert free(ec2, subnet_id) == before + 1


def test_cidr_reservations(ec2: Any, vpc_id: str, sim: botohook.Simulator) -> None:
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.5.0/24")["Subnet"]["SubnetId"]
    prefix = ec2.create_subnet_cidr_reservation(
        SubnetId=subnet, Cidr="10.0.5.128/26", ReservationType="prefix", Description="for pods"
    )["SubnetCidrReservation"]
    assert prefix["ReservationType"] == "prefix" and prefix["Description"] == "for pods"
    explicit = ec2.create_subnet_cidr_reservation(SubnetId=subnet, Cidr="10.0.5.64/26", ReservationType="explicit")
    with ec2_error("InvalidParameterValue", contains="has overlap with existing reserved CIDR block", unchanged=ec2):
        ec2.create_subnet_cidr_reservation(SubnetId=subnet, Cidr="10.0.5.96/27", ReservationType="explicit")
    assert free(ec2, subnet) == 251
    eni = new_eni(ec2, subnet, SecondaryPrivateIpAddressCount=50)
    reserved = ipaddress.ip_network("10.0.5.64/26"), ipaddress.ip_network("10.0.5.128/26")
    for address in sim.interface(eni).private_addresses:
        assert not any(ipaddress.ip_address(address) in network for network in reserved)
    delegated = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4PrefixCount=3)["AssignedIpv4Prefixes"]
    for p in delegated:
        assert ipaddress.ip_network(p["Ipv4Prefix"]).subnet_of(ipaddress.ip_network("10.0.5.128/26"))
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=["10.0.5.70"])  # explicit use is fine
    listed = ec2.get_subnet_cidr_reservations(SubnetId=subnet)["SubnetIpv4CidrReservations"]
    assert {r["Cidr"] for r in listed} == {"10.0.5.128/26", "10.0.5.64/26"}
    only = ec2.get_subnet_cidr_reservations(
        SubnetId=subnet, Filters=[{"Name": "reservationType", "Values": ["prefix"]}]
    )
    assert [r["Cidr"] for r in only["SubnetIpv4CidrReservations"]] == ["10.0.5.128/26"]
    deleted = ec2.delete_subnet_cidr_reservation(
        SubnetCidrReservationId=explicit["SubnetCidrReservation"]["SubnetCidrReservationId"]
    )
    assert deleted["DeletedSubnetCidrReservation"]["Cidr"] == "10.0.5.64/26"
    assert sim.interface(eni).secondary_addresses[-1] == "10.0.5.70"  # deleting unassigns nothing
    with ec2_error("InvalidSubnetCidrReservationID.NotFound", unchanged=ec2):
        ec2.delete_subnet_cidr_reservation(
            SubnetCidrReservationId=explicit["SubnetCidrReservation"]["SubnetCidrReservationId"]
        )


@pytest.mark.parametrize(
    "cidr,kind",
    [("10.0.6.0/24", "prefix"), ("10.0.5.0/30", "prefix"), ("10.0.5.0/33", "explicit"), ("10.0.5.0/28", "other")],
)
def test_cidr_reservation_rules(ec2: Any, vpc_id: str, cidr: str, kind: str) -> None:
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.5.0/24")["Subnet"]["SubnetId"]
    with ec2_error("InvalidParameterValue", unchanged=ec2):
        ec2.create_subnet_cidr_reservation(SubnetId=subnet, Cidr=cidr, ReservationType=kind)


def test_fill_a_16_with_prefixes_until_insufficient_cidr_blocks(ec2: Any, vpc_id: str) -> None:
    with botohook.mock(detached_address_limit=5000, seed=3, strict=True):
        import boto3

        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.8.0.0/16")["Subnet"]["SubnetId"]
        eni = new_eni(ec2, subnet)
        delegated = 0
        while True:
            try:
                ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4PrefixCount=1000)
                delegated += 1000
            except Exception:
                break
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4PrefixCount=4094 - 1 - delegated)
        with ec2_error("InsufficientCidrBlocks"):
            ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4PrefixCount=1)
        assert free(ec2, subnet) == 2**16 - 5 - 1 - 16 * 4093


def test_reserved_ranges_are_for_explicit_use_only(ec2: Any, vpc_id: str) -> None:
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.7.0/28")["Subnet"]["SubnetId"]
    ec2.create_subnet_cidr_reservation(SubnetId=subnet, Cidr="10.0.7.0/28", ReservationType="explicit")
    assert free(ec2, subnet) == 11
    with ec2_error("InsufficientFreeAddressesInSubnet", unchanged=ec2):
        new_eni(ec2, subnet)
    eni = new_eni(ec2, subnet, PrivateIpAddress="10.0.7.5")
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=["10.0.7.6"])
    with ec2_error("InsufficientFreeAddressesInSubnet", unchanged=ec2):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=1)


def test_automatic_prefixes_only_from_prefix_reservations_when_there_are_some(ec2: Any, vpc_id: str) -> None:
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.8.0/24")["Subnet"]["SubnetId"]
    ec2.create_subnet_cidr_reservation(SubnetId=subnet, Cidr="10.0.8.32/28", ReservationType="prefix")
    eni = new_eni(ec2, subnet)
    first = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4PrefixCount=1)["AssignedIpv4Prefixes"]
    assert first == [{"Ipv4Prefix": "10.0.8.32/28"}]
    with ec2_error("InsufficientCidrBlocks", unchanged=ec2):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4PrefixCount=1)
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4Prefixes=["10.0.8.64/28"])  # named: any free block
