"""Clients with parameter_validation=False send whatever botocore serializes: answer as EC2 would."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.conftest import ec2_error

ARABIC_INDIC_ADDRESS = "\u0661\u0660.\u0660.\u0661.\u0665"  # 10.0.1.5 in Arabic-Indic digits


@pytest.fixture
def raw(sim: Any) -> Any:
    return boto3.client("ec2", region_name="us-east-1", config=Config(parameter_validation=False))


def test_missing_required_parameter(raw: Any, ec2: Any) -> None:
    with ec2_error("MissingParameter", "The request must contain the parameter NetworkInterfaceId", unchanged=ec2):
        raw.assign_private_ip_addresses(SecondaryPrivateIpAddressCount=1)
    with ec2_error("MissingParameter", unchanged=ec2):
        raw.create_network_interface()
    with ec2_error("MissingParameter", unchanged=ec2):
        raw.create_subnet(CidrBlock="10.0.0.0/24")


def test_wrong_types_become_invalid_parameter_values(raw: Any, ec2: Any, eni_id: str) -> None:
    with ec2_error("InvalidParameterValue", contains="secondaryPrivateIpAddressCount", unchanged=ec2):
        raw.assign_private_ip_addresses(NetworkInterfaceId=eni_id, SecondaryPrivateIpAddressCount="many")
    with ec2_error("InvalidParameterValue", "invalid value for parameter address: 1", unchanged=ec2):
        raw.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses="10.0.1.5")
    with ec2_error("InvalidNetworkInterfaceId.Malformed", unchanged=ec2):
        raw.assign_private_ip_addresses(NetworkInterfaceId=42, SecondaryPrivateIpAddressCount=1)
    with ec2_error("InvalidParameterValue", unchanged=ec2):
        raw.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=[None, {"a": 1}])
    with ec2_error("InvalidParameterValue", contains="maxResults", unchanged=ec2):
        raw.describe_network_interfaces(MaxResults="ten")


def test_integers_sent_as_text_are_accepted(raw: Any, eni_id: str) -> None:
    response = raw.assign_private_ip_addresses(NetworkInterfaceId=eni_id, SecondaryPrivateIpAddressCount="2")
    assert len(response["AssignedPrivateIpAddresses"]) == 2


def test_truthy_booleans_are_true(raw: Any, ec2: Any, sim: Any, subnet_id: str, eni_id: str) -> None:
    other = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    ec2.assign_private_ip_addresses(NetworkInterfaceId=other, PrivateIpAddresses=["10.0.1.40"])
    raw.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.40"], AllowReassignment="no")
    assert sim.interface(other).secondary_addresses == []
    assert sim.interface(eni_id).secondary_addresses == ["10.0.1.40"]


def test_huge_and_unicode_values(raw: Any, ec2: Any, eni_id: str, vpc_id: str) -> None:
    with ec2_error("InvalidParameterValue", unchanged=ec2):
        raw.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=[ARABIC_INDIC_ADDRESS])
    with ec2_error("InvalidParameterValue", unchanged=ec2):
        raw.assign_private_ip_addresses(NetworkInterfaceId=eni_id, SecondaryPrivateIpAddressCount=10**30)
    with ec2_error("InvalidParameterValue", unchanged=ec2):
        raw.create_subnet(VpcId=vpc_id, CidrBlock="\uff11\uff10.0.0.0/24")
    with ec2_error("InvalidParameterValue", unchanged=ec2):
        raw.describe_vpcs(Filters=[{"Values": ["x"]}])


def test_huge_lists_are_answered_quickly_and_change_nothing(raw: Any, ec2: Any, eni_id: str) -> None:
    many = [f"10.0.{i // 250}.{i % 250 + 4}" for i in range(5000)]
    with ec2_error("InvalidParameterValue", contains="does not fall within", unchanged=ec2):
        raw.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=many)
    primary = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]["PrivateIpAddress"]
    within = [f"10.0.1.{i}" for i in range(4, 255) if f"10.0.1.{i}" != primary]
    with ec2_error("PrivateIpAddressLimitExceeded", unchanged=ec2):
        raw.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=within)
    with ec2_error("InvalidNetworkInterfaceID.NotFound", unchanged=ec2):
        raw.describe_network_interfaces(NetworkInterfaceIds=[f"eni-{i:017x}" for i in range(2000)])
    with ec2_error("InvalidParameterValue", unchanged=ec2):
        raw.describe_subnets(Filters=[{"Name": f"f{i}", "Values": ["x"] * 50} for i in range(200)])


def test_ids_of_the_wrong_resource_type(raw: Any, ec2: Any, vpc_id: str, subnet_id: str) -> None:
    with ec2_error("InvalidNetworkInterfaceId.Malformed", unchanged=ec2):
        raw.assign_private_ip_addresses(NetworkInterfaceId=subnet_id, SecondaryPrivateIpAddressCount=1)
    with ec2_error("InvalidSubnetID.NotFound", unchanged=ec2):
        raw.create_network_interface(SubnetId=vpc_id)
    with ec2_error("InvalidVpcID.NotFound", unchanged=ec2):
        raw.delete_vpc(VpcId=subnet_id)
    with ec2_error("InvalidInstanceID.Malformed", unchanged=ec2):
        raw.terminate_instances(InstanceIds=[vpc_id])
