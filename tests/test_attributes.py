"""VPC and subnet attributes, DHCP option sets, account attributes, the caller's identity: what real clients ask
around the interfaces (Ansible's ec2_vpc_net, ec2_vpc_subnet, ec2_security_group, aws_caller_info)."""

from __future__ import annotations

from typing import Any

import boto3

import botohook

from .conftest import AMI, REGION, ec2_error, new_eni


def test_vpc_dns_attributes(ec2: Any, vpc_id: str) -> None:
    def attribute(name: str) -> Any:
        return ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=name)

    assert attribute("enableDnsSupport")["EnableDnsSupport"] == {"Value": True}
    assert attribute("enableDnsHostnames")["EnableDnsHostnames"] == {"Value": False}
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    assert ec2.describe_vpc_attribute(VpcId=default_vpc, Attribute="enableDnsHostnames")["EnableDnsHostnames"] == {
        "Value": True
    }
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    assert attribute("enableDnsHostnames")["EnableDnsHostnames"] == {"Value": True}
    with ec2_error("InvalidParameterCombination", contains="multiple attribute types", unchanged=ec2):
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": False}, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": False})
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": False})
    with ec2_error("InvalidParameterValue", contains="DNS support", unchanged=ec2):
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    with ec2_error("InvalidParameterValue", contains="Unknown attribute"):
        attribute("colour")


def test_subnet_map_public_ip_on_launch(ec2: Any, subnet_id: str) -> None:
    ec2.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": True})
    assert ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["MapPublicIpOnLaunch"] is True
    node = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id)["Instances"][0]
    shown = ec2.describe_instances(InstanceIds=[node["InstanceId"]])["Reservations"][0]["Instances"][0]
    assert "PublicIpAddress" in shown  # the subnet's attribute decides
    with ec2_error("InvalidParameterValue", contains="has an IPv6 CIDR block associated", unchanged=ec2):
        ec2.modify_subnet_attribute(SubnetId=subnet_id, AssignIpv6AddressOnCreation={"Value": True})
    ec2.modify_subnet_attribute(SubnetId=subnet_id, AssignIpv6AddressOnCreation={"Value": False})
    found = ec2.describe_subnets(
        Filters=[{"Name": "ipv6-cidr-block-association.ipv6-cidr-block", "Values": ["2001:db8::/64"]}]
    )
    assert found["Subnets"] == []  # a legacy filter name EC2 accepts (Ansible's ec2_vpc_subnet): nothing matches


def test_dhcp_option_sets(ec2: Any, vpc_id: str) -> None:
    vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
    [default] = ec2.describe_dhcp_options(DhcpOptionsIds=[vpc["DhcpOptionsId"]])["DhcpOptions"]
    assert {c["Key"]: [v["Value"] for v in c["Values"]] for c in default["DhcpConfigurations"]} == {
        "domain-name": ["ec2.internal"],
        "domain-name-servers": ["AmazonProvidedDNS"],
    }
    corp = ec2.create_dhcp_options(
        DhcpConfigurations=[
            {"Key": "domain-name", "Values": ["corp.example"]},
            {"Key": "ntp-servers", "Values": ["10.0.0.9"]},
        ]
    )["DhcpOptions"]["DhcpOptionsId"]
    ec2.associate_dhcp_options(DhcpOptionsId=corp, VpcId=vpc_id)
    assert ec2.describe_vpcs(Filters=[{"Name": "dhcp-options-id", "Values": [corp]}])["Vpcs"][0]["VpcId"] == vpc_id
    with ec2_error(
        "DependencyViolation", f"The dhcpOptions '{corp}' has dependencies and cannot be deleted.", unchanged=ec2
    ):
        ec2.delete_dhcp_options(DhcpOptionsId=corp)
    with ec2_error("InvalidParameterValue", contains="dhcpConfiguration", unchanged=ec2):
        ec2.create_dhcp_options(DhcpConfigurations=[{"Key": "colour", "Values": ["blue"]}])
    ec2.associate_dhcp_options(DhcpOptionsId="default", VpcId=vpc_id)
    assert ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["DhcpOptionsId"] == "default"
    ec2.delete_dhcp_options(DhcpOptionsId=corp)
    with ec2_error("InvalidDhcpOptionID.NotFound", f"The dhcpOption ID '{corp}' does not exist"):
        ec2.describe_dhcp_options(DhcpOptionsIds=[corp])


def test_account_attributes_follow_the_options() -> None:
    with botohook.mock(seed=1, elastic_ip_limit=9, strict=True):
        ec2 = boto3.client("ec2", region_name=REGION)
        found = ec2.describe_account_attributes()["AccountAttributes"]
        values = {a["AttributeName"]: a["AttributeValues"][0]["AttributeValue"] for a in found}
        default_vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        assert values["default-vpc"] == default_vpc
        assert values["supported-platforms"] == "VPC"
        assert values["max-elastic-ips"] == values["vpc-max-elastic-ips"] == "9"
        only = ec2.describe_account_attributes(AttributeNames=["default-vpc"])["AccountAttributes"]
        assert [a["AttributeName"] for a in only] == ["default-vpc"]
    with botohook.mock(default_vpc=False, strict=True):
        ec2 = boto3.client("ec2", region_name=REGION)
        found = ec2.describe_account_attributes(AttributeNames=["default-vpc"])["AccountAttributes"]
        assert found[0]["AttributeValues"] == [{"AttributeValue": "none"}]


def test_the_caller_identity_and_the_requester_of_interfaces(ec2: Any, subnet_id: str) -> None:
    with botohook.mock(account_id="210987654321", strict=True):
        identity = boto3.client("sts", region_name=REGION).get_caller_identity()
        assert identity["Account"] == "210987654321"
        assert identity["Arn"] == "arn:aws:iam::210987654321:user/botohook"
        assert identity["UserId"].startswith("AIDA") and len(identity["UserId"]) == 21
        ec2_here = boto3.client("ec2", region_name=REGION)
        vpc = ec2_here.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2_here.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
        eni = ec2_here.create_network_interface(SubnetId=subnet)["NetworkInterface"]
        assert eni["RequesterId"] == identity["UserId"]
    eni_id = new_eni(ec2, subnet_id)
    described = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    assert described["RequesterId"].startswith("AIDA") and described["Groups"][0]["GroupName"] == "default"


def test_answered_calls_log_the_line_botocore_logs(caplog: Any, sim: botohook.Simulator) -> None:
    """botocore logs ``Making request for OperationModel(name=...)`` on ``botocore.endpoint`` for every request it
    sends; Ansible builds each task's ``resource_actions`` from it with this regular expression."""
    import logging
    import re

    ec2 = boto3.client("ec2", region_name=REGION)
    with caplog.at_level(logging.DEBUG, logger="botocore.endpoint"):
        ec2.create_vpc(CidrBlock="10.0.0.0/16")
        boto3.client("sts", region_name=REGION).get_caller_identity()
    actions = []
    for line in caplog.text.splitlines():
        found = re.search(r"OperationModel\(name=.*?\)", line)
        if found:
            service = re.search(r"https://.*?\.", line)
            assert service is not None
            actions.append(f"{service.group(0)[8:-1]}:{found.group(0)[20:-1]}")
    assert actions == ["ec2:CreateVpc", "sts:GetCallerIdentity"]


def test_a_fault_on_the_caller_identity_is_retried_in_its_own_protocol() -> None:
    """A call a fault may fail is answered attempt by attempt on the wire, in the service's protocol (STS's here)."""
    with botohook.mock(
        strict=True, faults=[{"operation": "GetCallerIdentity", "code": "Throttling", "times": 1}]
    ) as sim:
        identity = boto3.client("sts", region_name=REGION).get_caller_identity()
        assert identity["Account"] == sim.account_id
        assert identity["ResponseMetadata"]["RetryAttempts"] == 1
        assert [c.error for c in sim.calls] == ["Throttling", None]
