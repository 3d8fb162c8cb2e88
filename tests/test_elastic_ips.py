"""Elastic IPs: allocation, association by interface or instance, and how they follow their private address."""

from __future__ import annotations

import ipaddress
from typing import Any, Dict, List

import boto3
import pytest

import botohook
from tests.conftest import AMI, ec2_error, new_eni


@pytest.fixture(autouse=True)
def internet_gateway(ec2: Any, vpc_id: str) -> None:
    """An internet gateway on the fixture VPC: EC2 associates Elastic IPs only in VPCs that have one
    (``Gateway.NotAttached`` otherwise, tested in test_recorded_answers.py)."""
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)


def allocate(ec2: Any) -> Dict[str, Any]:
    return dict(ec2.allocate_address(Domain="vpc"))


def addresses(ec2: Any, **kwargs: Any) -> List[Dict[str, Any]]:
    return list(ec2.describe_addresses(**kwargs)["Addresses"])


def private_addresses(ec2: Any, eni: str) -> List[Dict[str, Any]]:
    return list(
        ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]["PrivateIpAddresses"]
    )


def test_allocate_from_documentation_ranges_up_to_the_quota(ec2: Any) -> None:
    allocated = [allocate(ec2) for _ in range(5)]
    for eip in allocated:
        assert ipaddress.ip_address(eip["PublicIp"]) in ipaddress.ip_network("198.51.100.0/24")
        assert eip["Domain"] == "vpc" and eip["AllocationId"].startswith("eipalloc-")
    assert len({e["PublicIp"] for e in allocated}) == 5
    with ec2_error("AddressLimitExceeded", unchanged=ec2):
        allocate(ec2)
    ec2.release_address(AllocationId=allocated[0]["AllocationId"])
    allocate(ec2)


def test_associate_with_the_primary_and_describe(ec2: Any, subnet_id: str) -> None:
    eni = new_eni(ec2, subnet_id)
    eip = allocate(ec2)
    association = ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId=eni)["AssociationId"]
    described = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]
    expected = {
        "AllocationId": eip["AllocationId"],
        "AssociationId": association,
        "IpOwnerId": "123456789012",
        "PublicDnsName": "",  # the VPC gives no DNS hostnames (test_answer_shapes.py)
        "PublicIp": eip["PublicIp"],
    }
    assert described["Association"] == expected
    assert described["PrivateIpAddresses"][0]["Association"] == expected
    [row] = addresses(ec2, AllocationIds=[eip["AllocationId"]])
    assert row["AssociationId"] == association and row["NetworkInterfaceId"] == eni
    assert row["PrivateIpAddress"] == described["PrivateIpAddress"]
    assert addresses(ec2, Filters=[{"Name": "network-interface-id", "Values": [eni]}]) == [row]
    for name in ("association.public-ip", "addresses.association.public-ip"):
        found = ec2.describe_network_interfaces(Filters=[{"Name": name, "Values": [eip["PublicIp"]]}])
        assert [e["NetworkInterfaceId"] for e in found["NetworkInterfaces"]] == [eni]
    assert addresses(ec2, PublicIps=[eip["PublicIp"]]) == [row]
    ec2.disassociate_address(AssociationId=association)
    assert "AssociationId" not in addresses(ec2)[0]
    with ec2_error("InvalidAssociationID.NotFound", unchanged=ec2):
        ec2.disassociate_address(AssociationId=association)


def test_associate_with_an_instance(ec2: Any, subnet_id: str) -> None:
    node = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id, InstanceType="c5.large")
    instance = node["Instances"][0]
    eip = allocate(ec2)
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=instance["InstanceId"])
    described = ec2.describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"][0]["Instances"][0]
    assert described["PublicIpAddress"] == eip["PublicIp"]
    assert described["NetworkInterfaces"][0]["Association"]["PublicIp"] == eip["PublicIp"]
    assert addresses(ec2)[0]["InstanceId"] == instance["InstanceId"]
    extra = new_eni(ec2, subnet_id)
    ec2.attach_network_interface(NetworkInterfaceId=extra, InstanceId=instance["InstanceId"], DeviceIndex=1)
    other = allocate(ec2)
    with ec2_error("InvalidInstanceID", contains="multiple interfaces attached", unchanged=ec2):
        ec2.associate_address(AllocationId=other["AllocationId"], InstanceId=instance["InstanceId"])


def test_association_rules(ec2: Any, subnet_id: str) -> None:
    first, second = new_eni(ec2, subnet_id), new_eni(ec2, subnet_id)
    eip = allocate(ec2)
    with ec2_error("InvalidParameterValue", contains="10.0.1.200", unchanged=ec2):
        ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId=first, PrivateIpAddress="10.0.1.200")
    with ec2_error("InvalidAllocationID.NotFound", unchanged=ec2):
        ec2.associate_address(AllocationId="eipalloc-0123456789abcdef0", NetworkInterfaceId=first)
    ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId=first)
    with ec2_error("Resource.AlreadyAssociated", unchanged=ec2):
        ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId=second, AllowReassociation=False)
    ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId=second)
    assert addresses(ec2)[0]["NetworkInterfaceId"] == second
    assert "Association" not in ec2.describe_network_interfaces(NetworkInterfaceIds=[first])["NetworkInterfaces"][0]
    replacement = allocate(ec2)
    ec2.associate_address(AllocationId=replacement["AllocationId"], NetworkInterfaceId=second)
    by_id = {a["AllocationId"]: a for a in addresses(ec2)}
    assert "AssociationId" not in by_id[eip["AllocationId"]]
    assert by_id[replacement["AllocationId"]]["NetworkInterfaceId"] == second


def test_elastic_ip_follows_a_reassigned_secondary(ec2: Any, subnet_id: str) -> None:
    node_a, node_b = new_eni(ec2, subnet_id), new_eni(ec2, subnet_id)
    ec2.assign_private_ip_addresses(NetworkInterfaceId=node_a, PrivateIpAddresses=["10.0.1.100"])
    eip = allocate(ec2)
    ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId=node_a, PrivateIpAddress="10.0.1.100")
    ec2.assign_private_ip_addresses(
        NetworkInterfaceId=node_b, PrivateIpAddresses=["10.0.1.100"], AllowReassignment=True
    )
    [row] = addresses(ec2)
    assert row["NetworkInterfaceId"] == node_b and row["PrivateIpAddress"] == "10.0.1.100"
    moved = next(a for a in private_addresses(ec2, node_b) if a["PrivateIpAddress"] == "10.0.1.100")
    assert moved["Association"]["PublicIp"] == eip["PublicIp"]
    assert all("Association" not in a for a in private_addresses(ec2, node_a))


def test_unassigning_or_deleting_disassociates(ec2: Any, subnet_id: str) -> None:
    eni = new_eni(ec2, subnet_id)
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=["10.0.1.100"])
    eip = allocate(ec2)
    ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId=eni, PrivateIpAddress="10.0.1.100")
    ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=["10.0.1.100"])
    assert "AssociationId" not in addresses(ec2)[0]
    ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId=eni)
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    assert "AssociationId" not in addresses(ec2)[0]


def test_terminate_disassociates_deleted_interfaces(ec2: Any, subnet_id: str) -> None:
    node = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id)["Instances"][0]
    eip = allocate(ec2)
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=node["InstanceId"])
    ec2.terminate_instances(InstanceIds=[node["InstanceId"]])
    assert "AssociationId" not in addresses(ec2)[0]


def test_release_rules(ec2: Any, subnet_id: str, sim: botohook.Simulator) -> None:
    eni = new_eni(ec2, subnet_id)
    eip = allocate(ec2)
    ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId=eni)
    with ec2_error("InvalidIPAddress.InUse", unchanged=ec2):
        ec2.release_address(AllocationId=eip["AllocationId"])
    default_subnet = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"][0]
    in_default = new_eni(ec2, default_subnet["SubnetId"])
    other = allocate(ec2)
    ec2.associate_address(AllocationId=other["AllocationId"], NetworkInterfaceId=in_default)
    ec2.release_address(AllocationId=other["AllocationId"])
    assert sim.interface(in_default).associations == {}
    with ec2_error("InvalidAllocationID.NotFound", unchanged=ec2):
        ec2.release_address(AllocationId=other["AllocationId"])
    with ec2_error("InvalidAddress.NotFound", unchanged=ec2):
        addresses(ec2, PublicIps=["203.0.113.77"])
    with ec2_error("DryRunOperation", status=412, unchanged=ec2):
        ec2.allocate_address(Domain="vpc", DryRun=True)


def test_elastic_ips_are_per_region(ec2: Any) -> None:
    allocate(ec2)
    assert boto3.client("ec2", region_name="eu-west-1").describe_addresses()["Addresses"] == []


def test_reverse_dns_of_elastic_ips(ec2: Any) -> None:
    eip = ec2.allocate_address(Domain="vpc")
    [shown] = ec2.describe_addresses_attribute(AllocationIds=[eip["AllocationId"]], Attribute="domain-name")[
        "Addresses"
    ]
    assert shown["PtrRecord"] == f"ec2-{eip['PublicIp'].replace('.', '-')}.compute-1.amazonaws.com."
    changed = ec2.modify_address_attribute(AllocationId=eip["AllocationId"], DomainName="mail.example.com")["Address"]
    assert changed["PtrRecordUpdate"] == {"Value": "mail.example.com.", "Status": "PENDING"}
    assert ec2.describe_addresses_attribute(Attribute="domain-name")["Addresses"][0]["PtrRecord"] == "mail.example.com."
    with ec2_error("InvalidParameterValue", unchanged=ec2):
        ec2.modify_address_attribute(AllocationId=eip["AllocationId"], DomainName="not a name")
    reset = ec2.reset_address_attribute(AllocationId=eip["AllocationId"], Attribute="domain-name")["Address"]
    assert reset["PtrRecord"] == shown["PtrRecord"]
    with ec2_error("InvalidAllocationID.NotFound"):
        ec2.modify_address_attribute(AllocationId="eipalloc-0123456789abcdef0", DomainName="mail.example.com")
