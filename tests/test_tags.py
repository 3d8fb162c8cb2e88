"""CreateTags, DeleteTags, DescribeTags and TagSpecifications on every simulated resource."""

from __future__ import annotations

from typing import Any

from tests.conftest import ec2_error


def test_create_describe_and_delete_tags(ec2: Any, vpc_id: str, subnet_id: str, eni_id: str) -> None:
    ec2.create_tags(Resources=[vpc_id, subnet_id, eni_id], Tags=[{"Key": "env", "Value": "test"}])
    rows = ec2.describe_tags(Filters=[{"Name": "key", "Values": ["env"]}])["Tags"]
    assert {(r["ResourceId"], r["ResourceType"]) for r in rows} == {
        (vpc_id, "vpc"),
        (subnet_id, "subnet"),
        (eni_id, "network-interface"),
    }
    assert ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["Tags"] == [{"Key": "env", "Value": "test"}]
    ec2.delete_tags(Resources=[vpc_id], Tags=[{"Key": "env", "Value": "other"}])
    assert ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["Tags"] != []
    ec2.delete_tags(Resources=[vpc_id], Tags=[{"Key": "env"}])
    assert ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["Tags"] == []
    ec2.delete_tags(Resources=[subnet_id])
    assert [r["ResourceId"] for r in ec2.describe_tags()["Tags"]] == [eni_id]
    assert [
        e["NetworkInterfaceId"]
        for e in ec2.describe_network_interfaces(Filters=[{"Name": "tag:env", "Values": ["t*"]}])["NetworkInterfaces"]
    ] == [eni_id]


def test_tagging_unknown_resources(ec2: Any, vpc_id: str) -> None:
    with ec2_error("InvalidNetworkInterfaceID.NotFound", unchanged=ec2):
        ec2.create_tags(Resources=[vpc_id, "eni-0123456789abcdef0"], Tags=[{"Key": "a", "Value": "b"}])
    with ec2_error("InvalidID", "The ID 'banana' is not valid", unchanged=ec2):
        ec2.create_tags(Resources=["banana"], Tags=[{"Key": "a", "Value": "b"}])


def test_tag_rules(ec2: Any, vpc_id: str) -> None:
    with ec2_error("InvalidParameterValue", contains="aws:", unchanged=ec2):
        ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "aws:owner", "Value": "b"}])
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    with ec2_error("TagLimitExceeded", unchanged=ec2):
        ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "one-more", "Value": "v"}])
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "k1", "Value": "replaced"}])
    with ec2_error("DryRunOperation", status=412, unchanged=ec2):
        ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "k2", "Value": "x"}], DryRun=True)


def test_describe_tags_pages(ec2: Any, vpc_id: str) -> None:
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(12)])
    pages = list(ec2.get_paginator("describe_tags").paginate(PaginationConfig={"PageSize": 5}))
    assert [len(p["Tags"]) for p in pages] == [5, 5, 2]


def test_the_new_resource_families_take_tags(ec2: Any, vpc_id: str) -> None:
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc_id)["GroupId"]
    table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.create_tags(Resources=[group, table, gateway], Tags=[{"Key": "team", "Value": "net"}])
    tagged = ec2.describe_tags(Filters=[{"Name": "key", "Values": ["team"]}])["Tags"]
    assert {(t["ResourceId"], t["ResourceType"]) for t in tagged} == {
        (group, "security-group"),
        (table, "route-table"),
        (gateway, "internet-gateway"),
    }
    with ec2_error("InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist", unchanged=ec2):
        ec2.create_tags(Resources=["sg-0123456789abcdef0"], Tags=[{"Key": "team", "Value": "net"}])
