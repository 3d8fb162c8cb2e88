"""AssignPrivateIpAddresses and UnassignPrivateIpAddresses, rule by rule of the contract."""

from __future__ import annotations

import ipaddress
from typing import Any, List

import pytest

import botohook
from tests.conftest import ec2_error, free, new_eni


def addresses(ec2: Any, eni_id: str) -> List[str]:
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    return [a["PrivateIpAddress"] for a in eni["PrivateIpAddresses"] if not a["Primary"]]


def test_count_assigns_that_many_new_addresses_in_the_subnet(ec2: Any, subnet_id: str, eni_id: str) -> None:
    response = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, SecondaryPrivateIpAddressCount=3)
    assigned = [a["PrivateIpAddress"] for a in response["AssignedPrivateIpAddresses"]]
    assert response["NetworkInterfaceId"] == eni_id
    assert len(set(assigned)) == 3
    assert all(ipaddress.ip_address(a) in ipaddress.ip_network("10.0.1.0/24") for a in assigned)
    assert addresses(ec2, eni_id) == assigned
    assert "AssignedIpv4Prefixes" not in response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_response_lists_only_the_addresses_this_call_assigned(ec2: Any, eni_id: str) -> None:
    first = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, SecondaryPrivateIpAddressCount=2)
    second = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, SecondaryPrivateIpAddressCount=1)
    assert len(second["AssignedPrivateIpAddresses"]) == 1
    assert second["AssignedPrivateIpAddresses"][0] not in first["AssignedPrivateIpAddresses"]
    assert len(addresses(ec2, eni_id)) == 3


def test_named_addresses_are_assigned_in_order(ec2: Any, eni_id: str) -> None:
    response = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.50", "10.0.1.9"])
    assert response["AssignedPrivateIpAddresses"] == [
        {"PrivateIpAddress": "10.0.1.50"},
        {"PrivateIpAddress": "10.0.1.9"},
    ]
    assert addresses(ec2, eni_id) == ["10.0.1.50", "10.0.1.9"]


def test_available_count_falls_for_secondaries_and_rises_when_unassigned(ec2: Any, subnet_id: str, eni_id: str) -> None:
    assert free(ec2, subnet_id) == 251 - 1
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, SecondaryPrivateIpAddressCount=5)
    assert free(ec2, subnet_id) == 245
    ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=addresses(ec2, eni_id)[:2])
    assert free(ec2, subnet_id) == 247


@pytest.mark.parametrize("address", ["10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255"])
def test_reserved_addresses_cannot_be_assigned(ec2: Any, eni_id: str, address: str) -> None:
    with ec2_error("InvalidParameterValue", f"Address {address} is in subnet's reserved address range", unchanged=ec2):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=[address])


def test_address_outside_the_subnet_is_refused(ec2: Any, eni_id: str) -> None:
    with ec2_error(
        "InvalidParameterValue", "Address 10.0.2.5 does not fall within the subnet's address range", unchanged=ec2
    ):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.2.5"])


@pytest.mark.parametrize("value", ["10.0.1", "10.0.1.256", "banana", "10.0.1.010", " 10.0.1.5", "10.0.1.5/32", ""])
def test_unparsable_address_is_refused(ec2: Any, eni_id: str, value: str) -> None:
    with ec2_error("InvalidParameterValue", f"invalid value for parameter address: {value}", unchanged=ec2):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=[value])


def test_secondary_of_another_interface_needs_allow_reassignment(ec2: Any, subnet_id: str, eni_id: str) -> None:
    other = new_eni(ec2, subnet_id)
    ec2.assign_private_ip_addresses(NetworkInterfaceId=other, PrivateIpAddresses=["10.0.1.77"])
    with ec2_error("InvalidParameterValue", contains="move is not allowed", unchanged=ec2) as _:
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.77"])
    assert addresses(ec2, other) == ["10.0.1.77"]


def test_move_error_names_the_address(ec2: Any, subnet_id: str, eni_id: str) -> None:
    other = new_eni(ec2, subnet_id, PrivateIpAddresses=[{"PrivateIpAddress": "10.0.1.77", "Primary": False}])
    with ec2_error("InvalidParameterValue", contains="10.0.1.77"):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.77"])
    assert addresses(ec2, other) == ["10.0.1.77"]


def test_allow_reassignment_moves_the_address(ec2: Any, subnet_id: str, eni_id: str) -> None:
    other = new_eni(ec2, subnet_id)
    ec2.assign_private_ip_addresses(NetworkInterfaceId=other, PrivateIpAddresses=["10.0.1.77", "10.0.1.78"])
    before = free(ec2, subnet_id)
    response = ec2.assign_private_ip_addresses(
        NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.77"], AllowReassignment=True
    )
    assert response["AssignedPrivateIpAddresses"] == [{"PrivateIpAddress": "10.0.1.77"}]
    assert addresses(ec2, eni_id) == ["10.0.1.77"]
    assert addresses(ec2, other) == ["10.0.1.78"]
    assert free(ec2, subnet_id) == before


def test_primary_address_cannot_be_taken_even_with_reassignment(ec2: Any, subnet_id: str, eni_id: str) -> None:
    other = new_eni(ec2, subnet_id, PrivateIpAddress="10.0.1.40")
    for reassign in (False, True):
        with ec2_error("InvalidIPAddress.InUse", "Address 10.0.1.40 is in use.", unchanged=ec2):
            ec2.assign_private_ip_addresses(
                NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.40"], AllowReassignment=reassign
            )
    assert (
        ec2.describe_network_interfaces(NetworkInterfaceIds=[other])["NetworkInterfaces"][0]["PrivateIpAddress"]
        == "10.0.1.40"
    )


def test_address_already_on_the_interface_succeeds_and_changes_nothing(ec2: Any, subnet_id: str, eni_id: str) -> None:
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.60"])
    before = free(ec2, subnet_id)
    response = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.60"])
    assert response["AssignedPrivateIpAddresses"] == [{"PrivateIpAddress": "10.0.1.60"}]
    assert addresses(ec2, eni_id) == ["10.0.1.60"]
    assert free(ec2, subnet_id) == before


def test_all_or_nothing_when_one_named_address_fails(ec2: Any, subnet_id: str, eni_id: str) -> None:
    other = new_eni(ec2, subnet_id)
    ec2.assign_private_ip_addresses(NetworkInterfaceId=other, PrivateIpAddresses=["10.0.1.77"])
    with ec2_error("InvalidParameterValue", contains="move is not allowed", unchanged=ec2):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.10", "10.0.1.77"])
    with ec2_error("InvalidParameterValue", contains="reserved", unchanged=ec2):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.10", "10.0.1.255"])
    assert addresses(ec2, eni_id) == []


def test_no_parameter_group_is_missing_parameter(ec2: Any, eni_id: str) -> None:
    with ec2_error("MissingParameter", unchanged=ec2):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id)
    with ec2_error("MissingParameter", unchanged=ec2):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=[])


def test_two_parameter_groups_are_an_invalid_combination(ec2: Any, eni_id: str) -> None:
    with ec2_error("InvalidParameterCombination", unchanged=ec2):
        ec2.assign_private_ip_addresses(
            NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.20"], SecondaryPrivateIpAddressCount=1
        )


def test_count_below_one_is_invalid(ec2: Any, eni_id: str) -> None:
    with ec2_error("InvalidParameterValue", contains="secondaryPrivateIpAddressCount", unchanged=ec2):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, SecondaryPrivateIpAddressCount=0)


def test_limit_counts_the_primary_and_every_secondary(ec2: Any, subnet_id: str) -> None:
    eni = new_eni(ec2, subnet_id, SecondaryPrivateIpAddressCount=60)
    with ec2_error("PrivateIpAddressLimitExceeded", "Number of private addresses will exceed limit.", unchanged=ec2):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=4)
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=3)
    taken = set(addresses(ec2, eni))
    free = next(f"10.0.1.{i}" for i in range(4, 255) if f"10.0.1.{i}" not in taken)
    with ec2_error("PrivateIpAddressLimitExceeded", unchanged=ec2):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=[free])
    assert len(addresses(ec2, eni)) == 63


def test_detached_limit_is_configurable() -> None:
    with botohook.mock(detached_address_limit=3, strict=True):
        import boto3

        ec2 = boto3.client("ec2", region_name="eu-west-1")
        subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
        eni = new_eni(ec2, subnet, SecondaryPrivateIpAddressCount=2)
        with ec2_error("PrivateIpAddressLimitExceeded"):
            ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=1)


def test_exhaustion_of_the_subnet(ec2: Any, vpc_id: str) -> None:
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.9.0/28")["Subnet"]["SubnetId"]
    eni = new_eni(ec2, subnet, SecondaryPrivateIpAddressCount=5)
    assert free(ec2, subnet) == 11 - 6
    with ec2_error(
        "InsufficientFreeAddressesInSubnet",
        "The specified subnet does not have enough free addresses to satisfy the request.",
        unchanged=ec2,
    ):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=6)
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=5)
    assert free(ec2, subnet) == 0
    assigned = {ipaddress.ip_address(a) for a in addresses(ec2, eni)}
    net = ipaddress.ip_network("10.0.9.0/28")
    assert len(assigned) == 10
    assert all(a in net and int(a) - int(net.network_address) not in (0, 1, 2, 3, 15) for a in assigned)


def test_unknown_and_malformed_interface_ids(ec2: Any) -> None:
    with ec2_error(
        "InvalidNetworkInterfaceID.NotFound", "The networkInterface ID 'eni-0123456789abcdef0' does not exist"
    ):
        ec2.assign_private_ip_addresses(NetworkInterfaceId="eni-0123456789abcdef0", SecondaryPrivateIpAddressCount=1)
    with ec2_error("InvalidNetworkInterfaceId.Malformed", 'Invalid id: "eni-XYZ" (expecting "eni-...")'):
        ec2.assign_private_ip_addresses(NetworkInterfaceId="eni-XYZ", SecondaryPrivateIpAddressCount=1)
    with ec2_error("InvalidNetworkInterfaceID.NotFound"):
        ec2.assign_private_ip_addresses(NetworkInterfaceId="eni-12345678", SecondaryPrivateIpAddressCount=1)


def test_interfaces_are_per_region(ec2: Any, eni_id: str) -> None:
    import boto3

    other_region = boto3.client("ec2", region_name="eu-west-1")
    with ec2_error("InvalidNetworkInterfaceID.NotFound"):
        other_region.assign_private_ip_addresses(NetworkInterfaceId=eni_id, SecondaryPrivateIpAddressCount=1)


def test_seed_and_lowest_allocation_are_reproducible() -> None:
    import boto3

    def run(**options: Any) -> List[str]:
        with botohook.mock(**options):
            ec2 = boto3.client("ec2", region_name="us-east-1")
            subnet = ec2.describe_subnets(Filters=[{"Name": "availability-zone", "Values": ["us-east-1a"]}])["Subnets"][
                0
            ]["SubnetId"]
            eni = new_eni(ec2, subnet, SecondaryPrivateIpAddressCount=4)
            return [eni, *addresses(ec2, eni)]

    assert run(seed=3) == run(seed=3)
    assert run(seed=3) != run(seed=4)
    lowest = run(allocation="lowest")
    assert lowest[1:] == ["172.31.0.5", "172.31.0.6", "172.31.0.7", "172.31.0.8"]


# -- UnassignPrivateIpAddresses ------------------------------------------------------------------------------------


def test_unassign_frees_the_addresses(ec2: Any, subnet_id: str, eni_id: str) -> None:
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.30", "10.0.1.31"])
    response = ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.30"])
    assert set(response) == {"ResponseMetadata"}
    assert addresses(ec2, eni_id) == ["10.0.1.31"]
    other = new_eni(ec2, subnet_id)
    ec2.assign_private_ip_addresses(NetworkInterfaceId=other, PrivateIpAddresses=["10.0.1.30"])


def test_unassign_needs_addresses(ec2: Any, eni_id: str) -> None:
    with ec2_error("MissingParameter", "The request must contain the privateIpAddressSet parameter"):
        ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni_id)


def test_unassign_primary_is_refused(ec2: Any, eni_id: str) -> None:
    primary = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]["PrivateIpAddress"]
    with ec2_error("InvalidParameterValue", contains=primary, unchanged=ec2):
        ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=[primary])


def test_unassign_is_all_or_nothing(ec2: Any, eni_id: str) -> None:
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.30"])
    with ec2_error("InvalidParameterValue", contains="10.0.1.99", unchanged=ec2):
        ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.30", "10.0.1.99"])
    assert addresses(ec2, eni_id) == ["10.0.1.30"]
