"""Answers shaped as real EC2's (issue 21): DNS names as the VPC's enableDnsHostnames says, RunInstances' answer as the
launch, StateReason and StateTransitionReason, RequesterId, and the fields recent answers carry. Each test names the
recording under ../shared/data/ec2-recordings (or the thread) its rule comes from."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Dict, Iterator

import boto3
import pytest
from botocore.loaders import create_loader

import botohook
from botohook.ec2.zones import REGION_NAMES
from tests.conftest import AMI, REGION, ec2_error

PUBLIC = ("198.51.100.", "203.0.113.", "192.0.2.")


def launch(ec2: Any, **kwargs: Any) -> Dict[str, Any]:
    found: Dict[str, Any] = ec2.run_instances(ImageId=AMI, InstanceType="c5.large", MinCount=1, MaxCount=1, **kwargs)[
        "Instances"
    ][0]
    return found


def described(ec2: Any, instance_id: str) -> Dict[str, Any]:
    found: Dict[str, Any] = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    return found


def interface(ec2: Any, eni: str) -> Dict[str, Any]:
    found: Dict[str, Any] = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]
    return found


def test_dns_names_follow_the_vpcs_enable_dns_hostnames(ec2: Any, vpc_id: str, subnet_id: str) -> None:
    # Off (every new VPC): no PrivateDnsName on interfaces or their addresses, PublicDnsName "" on the instance and
    # its associations, but the instance keeps its own PrivateDnsName. Read field by field from
    # custodian/test_network_interface_filter/ec2.CreateNetworkInterface_1.json (tier A: the interface and its address
    # carry no name) and custodian/ec2_igw_subnet/ec2.DescribeInstances_1.json (tier C: the instance's private name
    # stays, its public one and its association's are "", its interfaces and addresses carry none).
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    node = launch(ec2, NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet_id, "AssociatePublicIpAddress": True}])
    created = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId=created["NetworkInterfaceId"])
    assert "PrivateDnsName" not in created and "PrivateDnsName" not in created["PrivateIpAddresses"][0]
    off = described(ec2, node["InstanceId"])
    private_name = "ip-" + off["PrivateIpAddress"].replace(".", "-") + ".ec2.internal"
    assert off["PrivateDnsName"] == private_name
    assert off["PublicIpAddress"].startswith(PUBLIC) and off["PublicDnsName"] == ""
    [eni] = off["NetworkInterfaces"]
    assert "PrivateDnsName" not in eni and "PrivateDnsName" not in eni["PrivateIpAddresses"][0]
    assert eni["Association"]["PublicDnsName"] == "" == eni["PrivateIpAddresses"][0]["Association"]["PublicDnsName"]
    held = interface(ec2, created["NetworkInterfaceId"])
    assert "PrivateDnsName" not in held and held["Association"]["PublicDnsName"] == ""
    for name in ("private-dns-name", "association.public-dns-name"):
        assert ec2.describe_network_interfaces(Filters=[{"Name": name, "Values": ["*"]}])["NetworkInterfaces"] == []
    by_name = ec2.describe_instances(Filters=[{"Name": "private-dns-name", "Values": [private_name]}])
    assert [i["InstanceId"] for r in by_name["Reservations"] for i in r["Instances"]] == [node["InstanceId"]]

    # On: every name appears, as in the default VPC (custodian/test_eni_vpc_filter/ec2.DescribeNetworkInterfaces_1.json)
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    on = described(ec2, node["InstanceId"])
    public_name = "ec2-" + on["PublicIpAddress"].replace(".", "-") + ".compute-1.amazonaws.com"
    assert on["PublicDnsName"] == public_name
    [eni] = on["NetworkInterfaces"]
    assert eni["PrivateDnsName"] == private_name == eni["PrivateIpAddresses"][0]["PrivateDnsName"]
    assert eni["Association"]["PublicDnsName"] == public_name
    held = interface(ec2, created["NetworkInterfaceId"])
    assert held["PrivateDnsName"] == "ip-" + held["PrivateIpAddress"].replace(".", "-") + ".ec2.internal"
    assert (
        held["Association"]["PublicDnsName"] == "ec2-" + eip["PublicIp"].replace(".", "-") + ".compute-1.amazonaws.com"
    )
    found = ec2.describe_network_interfaces(Filters=[{"Name": "private-dns-name", "Values": [held["PrivateDnsName"]]}])
    assert [e["NetworkInterfaceId"] for e in found["NetworkInterfaces"]] == [created["NetworkInterfaceId"]]


def test_the_default_vpc_gives_hostnames(ec2: Any) -> None:
    # custodian/test_eni_vpc_filter/ec2.DescribeNetworkInterfaces_1.json (tier A, a default VPC): names everywhere
    node = launch(ec2)
    shown = described(ec2, node["InstanceId"])
    assert shown["PublicDnsName"].startswith("ec2-") and shown["PrivateDnsName"].startswith("ip-")
    assert shown["NetworkInterfaces"][0]["PrivateDnsName"] == shown["PrivateDnsName"]


def check_launch_answer(launched: Dict[str, Any]) -> None:
    """RunInstances' answer is the launch: custodian/test_notify_region_var/ec2.RunInstances_1.json (tier A)."""
    assert launched["State"] == {"Code": 0, "Name": "pending"}
    assert launched["StateReason"] == {"Code": "pending", "Message": "pending"}
    assert launched["StateTransitionReason"] == ""
    assert launched["PublicDnsName"] == "" and "PublicIpAddress" not in launched
    assert launched["PrivateDnsName"].startswith("ip-")
    [eni] = launched["NetworkInterfaces"]
    assert eni["Attachment"]["Status"] == "attaching" and eni["Status"] == "in-use"
    assert "Association" not in eni and "Association" not in eni["PrivateIpAddresses"][0]
    assert launched["MetadataOptions"]["State"] == "pending"


def check_running(shown: Dict[str, Any]) -> None:
    """DescribeInstances afterwards: custodian/test_notify_region_var/ec2.DescribeInstances_1.json (tier A)."""
    assert shown["State"] == {"Code": 16, "Name": "running"} and "StateReason" not in shown
    assert shown["PublicIpAddress"].startswith(PUBLIC) and shown["PublicDnsName"].startswith("ec2-")
    [eni] = shown["NetworkInterfaces"]
    assert eni["Attachment"]["Status"] == "attached"
    assert eni["Association"]["PublicIp"] == shown["PublicIpAddress"]
    assert shown["MetadataOptions"]["State"] == "applied"


def test_run_instances_answers_with_the_launch(ec2: Any) -> None:
    launched = launch(ec2)  # the default subnet gives a public address
    check_launch_answer(launched)
    check_running(described(ec2, launched["InstanceId"]))  # strong consistency: running at the next call


@pytest.fixture
def eventual() -> Iterator[botohook.Simulator]:
    with botohook.mock(seed=3, strict=True, consistency="eventual") as sim:
        yield sim


def test_run_instances_answers_with_the_launch_under_eventual_consistency(eventual: botohook.Simulator) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    launched = launch(ec2)
    check_launch_answer(launched)
    eventual.clock.advance(5)  # the launch lag
    check_running(described(ec2, launched["InstanceId"]))


GMT = re.compile(r"User initiated \((\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) GMT\)")
SHUTDOWN = {"Code": "Client.UserInitiatedShutdown", "Message": "Client.UserInitiatedShutdown: User initiated shutdown"}


def check_user_initiated(shown: Dict[str, Any]) -> None:
    """StateReason and StateTransitionReason with its time, as EC2 words them (tier A, e.g.
    custodian/test_iam_instance_profile_inuse/ec2.DescribeInstances_1.json, stopped and terminated, and
    custodian/test_ec2_ssm_filter/ec2.DescribeInstances_1.json, stopping)."""
    assert shown["StateReason"] == SHUTDOWN
    match = GMT.fullmatch(shown["StateTransitionReason"])
    assert match is not None, shown["StateTransitionReason"]
    when = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    assert abs((datetime.now(timezone.utc) - when).total_seconds()) < 60


def test_stopped_and_terminated_instances_say_why(ec2: Any) -> None:
    node = launch(ec2)["InstanceId"]
    running = described(ec2, node)
    assert "StateReason" not in running and running["StateTransitionReason"] == ""
    ec2.stop_instances(InstanceIds=[node])
    check_user_initiated(described(ec2, node))
    ec2.start_instances(InstanceIds=[node])
    started = described(ec2, node)
    assert "StateReason" not in started and started["StateTransitionReason"] == ""
    ec2.terminate_instances(InstanceIds=[node])
    gone = described(ec2, node)
    assert gone["State"]["Name"] == "terminated"
    check_user_initiated(gone)


def test_instances_on_their_way_down_say_why_too(eventual: botohook.Simulator) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    node = launch(ec2)["InstanceId"]
    eventual.clock.advance(5)
    ec2.stop_instances(InstanceIds=[node])
    stopping = described(ec2, node)
    assert stopping["State"]["Name"] == "stopping"
    check_user_initiated(stopping)
    eventual.clock.advance(5)
    ec2.start_instances(InstanceIds=[node])
    pending = described(ec2, node)  # starting again: pending, for the launch lag
    assert pending["State"]["Name"] == "pending" and pending["StateReason"] == {"Code": "pending", "Message": "pending"}
    eventual.clock.advance(5)
    ec2.terminate_instances(InstanceIds=[node])
    shutting = described(ec2, node)
    assert shutting["State"]["Name"] == "shutting-down"  # custodian/test_ec2_terminate/ec2.DescribeInstances_2.json
    check_user_initiated(shutting)


def test_requester_id_marks_the_interfaces_the_caller_created(ec2: Any, subnet_id: str) -> None:
    # custodian/test_eni_vpc_filter/ec2.DescribeNetworkInterfaces_1.json (tier A, 2019): the interface a launch made
    # has no RequesterId; the one a user created has RequesterId, the caller's IAM unique id (AIDA..., as in
    # custodian/test_network_interface_filter/ec2.CreateNetworkInterface_1.json), not the account
    user_id = boto3.client("sts", region_name=REGION).get_caller_identity()["UserId"]
    own = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    assert own["RequesterId"] == user_id and own["RequesterManaged"] is False
    node = launch(ec2, NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet_id}])
    made = interface(ec2, node["NetworkInterfaces"][0]["NetworkInterfaceId"])
    assert "RequesterId" not in made and made["RequesterManaged"] is False
    brought = launch(ec2, NetworkInterfaces=[{"DeviceIndex": 0, "NetworkInterfaceId": own["NetworkInterfaceId"]}])
    assert brought["NetworkInterfaces"][0]["NetworkInterfaceId"] == own["NetworkInterfaceId"]
    assert interface(ec2, own["NetworkInterfaceId"])["RequesterId"] == user_id  # still the caller's when attached
    ec2.terminate_instances(InstanceIds=[node["InstanceId"], brought["InstanceId"]])
    assert interface(ec2, own["NetworkInterfaceId"])["RequesterId"] == user_id


def test_recent_fields_of_instances_and_interfaces(ec2: Any, subnet_id: str) -> None:
    # Fields recent answers carry (custodian/test_ec2_compute_optimizer_server_side_valid/ec2.DescribeInstances_1.json,
    # tier C, 2026; custodian/test_subnet_delete_with_dependencies/ec2.CreateNetworkInterface_1.json, tier C)
    node = launch(ec2, SubnetId=subnet_id)
    shown = described(ec2, node["InstanceId"])
    zone = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["AvailabilityZoneId"]
    assert shown["Placement"] == {
        "AvailabilityZone": "us-east-1a",
        "AvailabilityZoneId": zone,
        "GroupName": "",
        "Tenancy": "default",
    }
    assert shown["MetadataOptions"] == {
        "State": "applied",
        "HttpTokens": "optional",
        "HttpPutResponseHopLimit": 1,
        "HttpEndpoint": "enabled",
        "HttpProtocolIpv6": "disabled",
        "InstanceMetadataTags": "disabled",
    }
    assert shown["PrivateDnsNameOptions"] == {
        "HostnameType": "ip-name",
        "EnableResourceNameDnsARecord": False,
        "EnableResourceNameDnsAAAARecord": False,
    }
    assert shown["NetworkPerformanceOptions"] == {"BandwidthWeighting": "default"}
    assert shown["Operator"] == {"Managed": False} == shown["NetworkInterfaces"][0]["Operator"]
    assert interface(ec2, node["NetworkInterfaces"][0]["NetworkInterfaceId"])["Operator"] == {"Managed": False}
    assert ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]["Operator"] == {"Managed": False}


def test_metadata_options_given_at_launch_are_shown(ec2: Any, subnet_id: str) -> None:
    options = {"HttpTokens": "required", "HttpPutResponseHopLimit": 2, "InstanceMetadataTags": "enabled"}
    node = launch(ec2, SubnetId=subnet_id, MetadataOptions=options)
    assert described(ec2, node["InstanceId"])["MetadataOptions"] == {
        "State": "applied",
        "HttpTokens": "required",
        "HttpPutResponseHopLimit": 2,
        "HttpEndpoint": "enabled",
        "HttpProtocolIpv6": "disabled",
        "InstanceMetadataTags": "enabled",
    }
    # [decided wording] a value EC2 does not list is refused, and nothing is launched
    with ec2_error("InvalidParameterValue", "Value (sometimes) for parameter httpTokens is invalid.", unchanged=ec2):
        launch(ec2, SubnetId=subnet_id, MetadataOptions={"HttpTokens": "sometimes"})
    with ec2_error("InvalidParameterValue", contains="httpPutResponseHopLimit", unchanged=ec2):
        launch(ec2, SubnetId=subnet_id, MetadataOptions={"HttpPutResponseHopLimit": 65})


def test_recent_fields_of_subnets_and_zones(ec2: Any, subnet_id: str) -> None:
    # custodian/test_eni_private_subnet/ec2.DescribeSubnets_1.json (tier C): BlockPublicAccessStates on subnets;
    # localstack/ec2__test_describe_availability_zones_filters.json (snapshot against AWS, 2025): the zone group
    subnet = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]
    assert subnet["BlockPublicAccessStates"] == {"InternetGatewayBlockMode": "off"}
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    assert {(z["GroupName"], z["GroupLongName"]) for z in zones} == {("us-east-1-zg-1", "US East (N. Virginia) 1")}
    found = ec2.describe_availability_zones(Filters=[{"Name": "group-name", "Values": ["us-east-1-zg-1"]}])
    assert len(found["AvailabilityZones"]) == len(zones)


def test_region_names_are_botocores() -> None:
    partitions = create_loader().load_data("endpoints")["partitions"]
    assert {name: region["description"] for p in partitions for name, region in p["regions"].items()} == REGION_NAMES


def test_zones_of_another_region_name_it() -> None:
    with botohook.mock(strict=True):
        west = boto3.client("ec2", region_name="us-west-2").describe_availability_zones()["AvailabilityZones"]
        assert {(z["GroupName"], z["GroupLongName"]) for z in west} == {("us-west-2-zg-1", "US West (Oregon) 1")}


def test_a_region_of_ones_own_has_a_zone_group_but_no_long_name() -> None:
    with botohook.mock(strict=True, regions=["xx-test-1"]):
        zones = boto3.client("ec2", region_name="xx-test-1").describe_availability_zones()["AvailabilityZones"]
        assert zones and all(z["GroupName"] == "xx-test-1-zg-1" and "GroupLongName" not in z for z in zones)
