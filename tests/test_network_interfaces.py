"""CreateNetworkInterface, DescribeNetworkInterfaces (filters, paging, waiter), DeleteNetworkInterface."""

from __future__ import annotations

from typing import Any, List

import pytest

from tests.conftest import ec2_error


def create(ec2: Any, subnet_id: str, **kwargs: Any) -> Any:
    return ec2.create_network_interface(SubnetId=subnet_id, **kwargs)["NetworkInterface"]


def describe(ec2: Any, **kwargs: Any) -> List[Any]:
    return list(ec2.describe_network_interfaces(**kwargs)["NetworkInterfaces"])


def test_create_with_an_automatic_primary(ec2: Any, subnet_id: str, vpc_id: str) -> None:
    eni = create(
        ec2,
        subnet_id,
        Description="web",
        TagSpecifications=[{"ResourceType": "network-interface", "Tags": [{"Key": "role", "Value": "web"}]}],
    )
    assert eni["Status"] == "pending"
    assert eni["SubnetId"] == subnet_id and eni["VpcId"] == vpc_id and eni["AvailabilityZone"] == "us-east-1a"
    # a new VPC gives no DNS hostnames: no PrivateDnsName (test_answer_shapes.py has the rule and its evidence)
    assert eni["PrivateIpAddresses"] == [{"Primary": True, "PrivateIpAddress": eni["PrivateIpAddress"]}]
    assert "PrivateDnsName" not in eni
    assert eni["Groups"][0]["GroupName"] == "default"
    assert eni["TagSet"] == [{"Key": "role", "Value": "web"}]
    assert eni["Description"] == "web" and eni["InterfaceType"] == "interface"
    assert len(eni["MacAddress"].split(":")) == 6


def test_create_with_named_primary_and_secondaries(ec2: Any, subnet_id: str) -> None:
    eni = create(
        ec2,
        subnet_id,
        PrivateIpAddresses=[
            {"PrivateIpAddress": "10.0.1.10", "Primary": True},
            {"PrivateIpAddress": "10.0.1.11", "Primary": False},
        ],
    )
    assert [(a["PrivateIpAddress"], a["Primary"]) for a in eni["PrivateIpAddresses"]] == [
        ("10.0.1.10", True),
        ("10.0.1.11", False),
    ]
    eni2 = create(ec2, subnet_id, PrivateIpAddress="10.0.1.20", SecondaryPrivateIpAddressCount=2)
    assert eni2["PrivateIpAddress"] == "10.0.1.20" and len(eni2["PrivateIpAddresses"]) == 3
    assert ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["AvailableIpAddressCount"] == 251 - 5


def test_create_with_an_address_in_use(ec2: Any, subnet_id: str) -> None:
    create(ec2, subnet_id, PrivateIpAddress="10.0.1.10")
    with ec2_error("InvalidIPAddress.InUse", "The specified address is already in use.", unchanged=ec2):
        create(ec2, subnet_id, PrivateIpAddress="10.0.1.10")
    with ec2_error("InvalidIPAddress.InUse", unchanged=ec2):
        create(
            ec2,
            subnet_id,
            PrivateIpAddresses=[
                {"PrivateIpAddress": "10.0.1.12", "Primary": True},
                {"PrivateIpAddress": "10.0.1.10", "Primary": False},
            ],
        )


@pytest.mark.parametrize(
    "address,fragment",
    [("10.0.1.255", "reserved"), ("10.0.2.1", "does not fall within"), ("x", "invalid value for parameter address")],
)
def test_create_with_a_bad_primary(ec2: Any, subnet_id: str, address: str, fragment: str) -> None:
    with ec2_error("InvalidParameterValue", contains=fragment, unchanged=ec2):
        create(ec2, subnet_id, PrivateIpAddress=address)


def test_create_limits_and_exhaustion(ec2: Any, vpc_id: str) -> None:
    small = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.3.0/28")["Subnet"]["SubnetId"]
    with ec2_error("InsufficientFreeAddressesInSubnet", unchanged=ec2):
        create(ec2, small, SecondaryPrivateIpAddressCount=11)
    create(ec2, small, SecondaryPrivateIpAddressCount=10)
    with ec2_error("InsufficientFreeAddressesInSubnet", unchanged=ec2):
        create(ec2, small)
    big = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.4.0/24")["Subnet"]["SubnetId"]
    with ec2_error("PrivateIpAddressLimitExceeded", unchanged=ec2):
        create(ec2, big, SecondaryPrivateIpAddressCount=64)


def test_create_refuses_count_with_several_named_addresses(ec2: Any, subnet_id: str) -> None:
    with ec2_error("InvalidParameterCombination", unchanged=ec2):
        create(
            ec2,
            subnet_id,
            SecondaryPrivateIpAddressCount=1,
            PrivateIpAddresses=[{"PrivateIpAddress": "10.0.1.10", "Primary": True}, {"PrivateIpAddress": "10.0.1.11"}],
        )


def test_create_refuses_two_primaries_and_bad_groups(ec2: Any, subnet_id: str) -> None:
    with ec2_error("InvalidParameterValue", unchanged=ec2):
        create(
            ec2,
            subnet_id,
            PrivateIpAddresses=[
                {"PrivateIpAddress": "10.0.1.10", "Primary": True},
                {"PrivateIpAddress": "10.0.1.11", "Primary": True},
            ],
        )
    with ec2_error("InvalidGroupId.Malformed", 'Invalid id: "web" (expecting "sg-...")', unchanged=ec2):
        create(ec2, subnet_id, Groups=["web"])
    with ec2_error("InvalidSubnetID.NotFound", unchanged=ec2):
        create(ec2, "subnet-0123456789abcdef0")
    with ec2_error("InvalidParameterValue", contains="taggable resource type", unchanged=ec2):
        create(ec2, subnet_id, TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}])


def test_create_dry_run(ec2: Any, subnet_id: str) -> None:
    with ec2_error("DryRunOperation", status=412, unchanged=ec2):
        create(ec2, subnet_id, SecondaryPrivateIpAddressCount=3, DryRun=True)


def test_waiter_and_describe_by_id(ec2: Any, eni_id: str) -> None:
    ec2.get_waiter("network_interface_available").wait(NetworkInterfaceIds=[eni_id], WaiterConfig={"Delay": 0})
    assert describe(ec2, NetworkInterfaceIds=[eni_id])[0]["Status"] == "available"
    with ec2_error(
        "InvalidNetworkInterfaceID.NotFound", "The networkInterface ID 'eni-0123456789abcdef0' does not exist"
    ):
        describe(ec2, NetworkInterfaceIds=[eni_id, "eni-0123456789abcdef0"])


def test_private_ip_filter_matches_primary_only_addresses_filter_matches_any(ec2: Any, subnet_id: str) -> None:
    eni = create(ec2, subnet_id, PrivateIpAddress="10.0.1.10")["NetworkInterfaceId"]
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=["10.0.1.11"])

    def ids(name: str, value: str) -> List[str]:
        return [e["NetworkInterfaceId"] for e in describe(ec2, Filters=[{"Name": name, "Values": [value]}])]

    assert ids("private-ip-address", "10.0.1.10") == [eni]
    assert ids("private-ip-address", "10.0.1.11") == []
    assert ids("addresses.private-ip-address", "10.0.1.11") == [eni]
    assert ids("addresses.private-ip-address", "10.0.1.10") == [eni]


def test_filters(ec2: Any, subnet_id: str, vpc_id: str) -> None:
    a = create(
        ec2,
        subnet_id,
        Description="alpha",
        TagSpecifications=[{"ResourceType": "network-interface", "Tags": [{"Key": "team", "Value": "blue"}]}],
    )
    b = create(ec2, subnet_id, Description="beta")
    a_id, b_id = a["NetworkInterfaceId"], b["NetworkInterfaceId"]

    def ids(*filters: Any) -> List[str]:
        return [e["NetworkInterfaceId"] for e in describe(ec2, Filters=list(filters))]

    assert ids({"Name": "subnet-id", "Values": [subnet_id]}) == [a_id, b_id]
    assert ids({"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "description", "Values": ["b*"]}) == [b_id]
    assert ids({"Name": "description", "Values": ["?lpha", "gamma"]}) == [a_id]
    assert ids({"Name": "tag:team", "Values": ["blue"]}) == [a_id]
    assert ids({"Name": "tag-key", "Values": ["team"]}) == [a_id]
    assert ids({"Name": "status", "Values": ["available"]}, {"Name": "network-interface-id", "Values": [b_id]}) == [
        b_id
    ]
    assert ids({"Name": "availability-zone", "Values": ["us-east-1b"]}) == []
    assert ids({"Name": "addresses.primary", "Values": ["false"]}) == []
    assert ids({"Name": "attachment.instance-id", "Values": ["*"]}) == []
    assert ids({"Name": "mac-address", "Values": [b["MacAddress"]]}) == [b_id]


def test_paginator_walks_every_interface(ec2: Any, subnet_id: str) -> None:
    created = [create(ec2, subnet_id)["NetworkInterfaceId"] for _ in range(11)]
    pages = list(
        ec2.get_paginator("describe_network_interfaces").paginate(
            Filters=[{"Name": "subnet-id", "Values": [subnet_id]}], PaginationConfig={"PageSize": 5}
        )
    )
    assert [len(p["NetworkInterfaces"]) for p in pages] == [5, 5, 1]
    assert [e["NetworkInterfaceId"] for p in pages for e in p["NetworkInterfaces"]] == created
    with ec2_error("InvalidParameterValue", contains="maxResults"):
        ec2.describe_network_interfaces(MaxResults=5000)


def test_delete_frees_every_address(ec2: Any, subnet_id: str) -> None:
    eni = create(ec2, subnet_id, PrivateIpAddress="10.0.1.10", SecondaryPrivateIpAddressCount=3)["NetworkInterfaceId"]
    with ec2_error("DryRunOperation", status=412, unchanged=ec2):
        ec2.delete_network_interface(NetworkInterfaceId=eni, DryRun=True)
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    assert ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["AvailableIpAddressCount"] == 251
    assert describe(ec2, Filters=[{"Name": "subnet-id", "Values": [subnet_id]}]) == []
    create(ec2, subnet_id, PrivateIpAddress="10.0.1.10")
    with ec2_error("InvalidNetworkInterfaceID.NotFound"):
        ec2.delete_network_interface(NetworkInterfaceId=eni)


def test_modify_and_describe_interface_attributes(ec2: Any, subnet_id: str) -> None:
    from tests.conftest import AMI

    eni = create(ec2, subnet_id)["NetworkInterfaceId"]

    def attribute(name: str) -> Any:
        response = ec2.describe_network_interface_attribute(NetworkInterfaceId=eni, Attribute=name)
        return {k: v for k, v in response.items() if k not in ("ResponseMetadata", "NetworkInterfaceId")}

    assert attribute("sourceDestCheck") == {"SourceDestCheck": {"Value": True}}
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, SourceDestCheck={"Value": False})
    assert attribute("sourceDestCheck") == {"SourceDestCheck": {"Value": False}}
    assert describe(ec2, NetworkInterfaceIds=[eni])[0]["SourceDestCheck"] is False
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, Description={"Value": "nat"})
    assert attribute("description") == {"Description": {"Value": "nat"}}
    vpc = describe(ec2, NetworkInterfaceIds=[eni])[0]["VpcId"]
    web = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, Groups=[web])
    assert attribute("groupSet") == {"Groups": [{"GroupId": web, "GroupName": "web"}]}
    assert attribute("attachment") == {}
    node = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id, InstanceType="c5.large")
    attachment = ec2.attach_network_interface(
        NetworkInterfaceId=eni, InstanceId=node["Instances"][0]["InstanceId"], DeviceIndex=1
    )["AttachmentId"]
    ec2.modify_network_interface_attribute(
        NetworkInterfaceId=eni, Attachment={"AttachmentId": attachment, "DeleteOnTermination": True}
    )
    assert attribute("attachment")["Attachment"]["DeleteOnTermination"] is True
    with ec2_error("InvalidParameterCombination", contains="sourceDestCheck", unchanged=ec2):
        ec2.modify_network_interface_attribute(
            NetworkInterfaceId=eni, SourceDestCheck={"Value": True}, Description={"Value": "x"}
        )
    with ec2_error("InvalidAttachmentID.NotFound", unchanged=ec2):
        ec2.modify_network_interface_attribute(
            NetworkInterfaceId=eni, Attachment={"AttachmentId": "eni-attach-0123456789abcdef0"}
        )
    with ec2_error("MissingParameter", unchanged=ec2):
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eni)
    with ec2_error("InvalidGroupId.Malformed", unchanged=ec2):
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, Groups=["web"])
    with ec2_error("InvalidParameterValue", contains="attribute", unchanged=ec2):
        ec2.describe_network_interface_attribute(NetworkInterfaceId=eni, Attribute="colour")
    with ec2_error("DryRunOperation", status=412, unchanged=ec2):
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, SourceDestCheck={"Value": True}, DryRun=True)
