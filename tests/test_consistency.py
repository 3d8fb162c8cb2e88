"""Eventual consistency and state transitions in virtual time (consistency="eventual"), and virtual_sleep."""

from __future__ import annotations

import ipaddress
import time
from typing import Any, Dict, Iterator, List, Tuple

import boto3
import pytest

import botohook
from tests.conftest import AMI, ec2_error


@pytest.fixture
def eventual() -> Iterator[botohook.Simulator]:
    with botohook.mock(seed=8, strict=True, consistency="eventual") as sim:
        yield sim


def client() -> Any:
    return boto3.client("ec2", region_name="us-east-1")


def test_new_ids_are_unknown_to_other_calls_for_the_create_lag(eventual: botohook.Simulator) -> None:
    ec2 = client()
    vpc = ec2.create_vpc(CidrBlock="10.80.0.0/16")["Vpc"]["VpcId"]
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{vpc}' does not exist", unchanged=ec2):
        ec2.create_subnet(VpcId=vpc, CidrBlock="10.80.1.0/24")
    assert vpc not in [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]]
    eventual.clock.advance(2)
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.80.1.0/24")["Subnet"]["SubnetId"]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]  # Elastic IPs need one
    with ec2_error("InvalidSubnetID.NotFound"):
        ec2.create_network_interface(SubnetId=subnet)
    eventual.clock.advance(2)
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    with ec2_error("InvalidNetworkInterfaceID.NotFound", unchanged=ec2):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=1)
    with ec2_error("InvalidNetworkInterfaceID.NotFound"):
        ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])
    with ec2_error("InvalidNetworkInterfaceID.NotFound"):  # the classic: tagging what was just made
        ec2.create_tags(Resources=[eni], Tags=[{"Key": "role", "Value": "floating"}])
    eventual.clock.advance(2)
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=1)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    with ec2_error("InvalidAllocationID.NotFound"):
        ec2.associate_address(AllocationId=allocation, NetworkInterfaceId=eni)
    eventual.clock.advance(2)
    ec2.associate_address(AllocationId=allocation, NetworkInterfaceId=eni)
    assert [e["NetworkInterfaceId"] for e in ec2.describe_network_interfaces()["NetworkInterfaces"]] == [eni]


def test_instances_pass_through_pending_and_shutting_down(eventual: botohook.Simulator) -> None:
    ec2 = client()
    launched = ec2.run_instances(ImageId=AMI, InstanceType="c5.large", MinCount=1, MaxCount=1)["Instances"][0]
    node, subnet = launched["InstanceId"], launched["SubnetId"]
    eventual.clock.advance(2)  # known now, but still pending

    def state() -> str:
        return str(ec2.describe_instances(InstanceIds=[node])["Reservations"][0]["Instances"][0]["State"]["Name"])

    assert state() == "pending"
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    eventual.clock.advance(2)
    with ec2_error("IncorrectInstanceState", contains="is not in a valid state", unchanged=ec2):
        ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=node, DeviceIndex=1)
    wall = time.monotonic()
    ec2.get_waiter("instance_running").wait(InstanceIds=[node])  # polls every 15 virtual seconds
    assert time.monotonic() - wall < 0.5
    assert state() == "running"
    ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=node, DeviceIndex=1)

    def attachment() -> str:
        return str(
            ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]["Attachment"]["Status"]
        )

    assert attachment() == "attaching"
    eventual.clock.advance(1)
    assert attachment() == "attached"
    change = ec2.terminate_instances(InstanceIds=[node])["TerminatingInstances"][0]
    assert (change["PreviousState"]["Name"], change["CurrentState"]["Name"]) == ("running", "shutting-down")
    assert state() == "shutting-down"
    again = ec2.terminate_instances(InstanceIds=[node])["TerminatingInstances"][0]
    assert again["CurrentState"]["Name"] == "shutting-down"
    ec2.get_waiter("instance_terminated").wait(InstanceIds=[node])
    assert state() == "terminated"
    assert eventual.clock.now() >= 5 + 15


def test_lags_are_configurable_and_checked() -> None:
    with botohook.mock(consistency="eventual", lags={"create": 0, "launch": 0}) as sim:
        ec2 = client()
        node = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        assert sim.instance(node).state == "running"
    for bad in (
        {"consistency": "sometimes"},
        {"consistency": "eventual", "lags": {"routes": 1}},
        {"lags": {"create": -1}},
    ):
        with pytest.raises(ValueError):
            botohook.Simulator(**bad)


def test_strong_by_default(sim: botohook.Simulator) -> None:
    ec2 = client()
    node = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    assert ec2.describe_instances(InstanceIds=[node])["Reservations"][0]["Instances"][0]["State"]["Name"] == "running"
    assert ec2.terminate_instances(InstanceIds=[node])["TerminatingInstances"][0]["CurrentState"]["Name"] == (
        "shutting-down"
    )
    assert sim.instance(node).state == "terminated"


def test_over_http_too(eventual: botohook.Simulator) -> None:
    with botohook.serve(eventual) as server:
        ec2 = server.client()
        subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
        eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
        with ec2_error("InvalidNetworkInterfaceID.NotFound"):
            ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=1)


def test_virtual_sleep_passes_the_code_under_tests_own_sleeps_on_the_clock() -> None:
    with botohook.mock(virtual_sleep=True) as sim:
        wall = time.monotonic()
        time.sleep(30)
        assert sim.clock.now() == pytest.approx(30)
        assert time.monotonic() - wall < 0.5
    wall = time.monotonic()
    time.sleep(0.05)  # outside: a real sleep
    assert time.monotonic() - wall >= 0.05
    with botohook.mock() as plain:  # without the option, sleeps are the code's own
        time.sleep(0.05)
        assert plain.clock.now() == 0


def test_describe_shows_the_old_placement_of_a_moved_address_for_the_move_lag(eventual: botohook.Simulator) -> None:
    ec2 = client()
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    a, b = (ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"] for _ in range(2))
    eventual.clock.advance(2)
    floating = ec2.assign_private_ip_addresses(NetworkInterfaceId=a, SecondaryPrivateIpAddressCount=1)[
        "AssignedPrivateIpAddresses"
    ][0]["PrivateIpAddress"]
    eventual.clock.advance(2)

    def holders() -> list[str]:
        found = ec2.describe_network_interfaces(
            Filters=[{"Name": "addresses.private-ip-address", "Values": [floating]}]
        )["NetworkInterfaces"]
        return [e["NetworkInterfaceId"] for e in found]

    def secondaries(eni: str) -> list[str]:
        described = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]
        return [p["PrivateIpAddress"] for p in described["PrivateIpAddresses"] if not p["Primary"]]

    assert holders() == [a]
    ec2.assign_private_ip_addresses(NetworkInterfaceId=b, PrivateIpAddresses=[floating], AllowReassignment=True)
    assert holders() == [a] and secondaries(a) == [floating] and secondaries(b) == []  # not visible yet
    assert eventual.interface(b).secondary_addresses == [floating]  # the simulation itself is current
    more = ec2.assign_private_ip_addresses(NetworkInterfaceId=a, SecondaryPrivateIpAddressCount=5)
    assert floating not in [x["PrivateIpAddress"] for x in more["AssignedPrivateIpAddresses"]]  # never twice
    eventual.clock.advance(2)
    assert holders() == [b] and secondaries(b) == [floating] and floating not in secondaries(a)


def test_a_detached_interface_is_detaching_for_the_detach_lag(eventual: botohook.Simulator) -> None:
    ec2 = client()
    launched = ec2.run_instances(ImageId=AMI, InstanceType="c5.large", MinCount=1, MaxCount=1)["Instances"][0]
    eni = ec2.create_network_interface(SubnetId=launched["SubnetId"])["NetworkInterface"]["NetworkInterfaceId"]
    eventual.clock.advance(5)
    attachment = ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=launched["InstanceId"], DeviceIndex=1)
    eventual.clock.advance(1)
    ec2.detach_network_interface(AttachmentId=attachment["AttachmentId"])

    def described() -> Any:
        return ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]

    assert (described()["Status"], described()["Attachment"]["Status"]) == ("in-use", "detaching")
    with ec2_error("InvalidNetworkInterface.InUse", unchanged=ec2):
        ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=launched["InstanceId"], DeviceIndex=2)
    with ec2_error("InvalidParameterValue", f"Network interface '{eni}' is currently in use."):
        ec2.delete_network_interface(NetworkInterfaceId=eni)
    eventual.clock.advance(1)
    assert described()["Status"] == "available" and "Attachment" not in described()
    ec2.delete_network_interface(NetworkInterfaceId=eni)


@pytest.mark.parametrize("change", ["count", "named", "prefix count", "prefixes", "unassign", "unassign prefix"])
def test_every_change_of_placement_is_described_late_by_the_move_lag(eventual: botohook.Simulator, change: str) -> None:
    """Only the interfaces a call changes are recorded before it (so a call costs the same however many interfaces
    the region holds, issue 24); each way of changing one shows its old placement for the move lag."""
    ec2 = client()
    subnet = ec2.describe_subnets()["Subnets"][0]
    base = ipaddress.ip_network(subnet["CidrBlock"]).network_address
    start = {"Ipv4PrefixCount": 1} if change == "unassign prefix" else {"SecondaryPrivateIpAddressCount": 1}
    made = ec2.create_network_interface(SubnetId=subnet["SubnetId"], **start)["NetworkInterface"]
    eni = made["NetworkInterfaceId"]
    eventual.clock.advance(2)

    def placement() -> Tuple[List[str], List[str]]:
        described = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]
        secondaries = [a["PrivateIpAddress"] for a in described["PrivateIpAddresses"] if not a["Primary"]]
        return secondaries, [p["Ipv4Prefix"] for p in described.get("Ipv4Prefixes", [])]

    before = placement()
    secondaries, prefixes = before
    ways: Dict[str, Dict[str, Any]] = {
        "count": {"SecondaryPrivateIpAddressCount": 2},
        "named": {"PrivateIpAddresses": [str(base + 200)]},
        "prefix count": {"Ipv4PrefixCount": 1},
        "prefixes": {"Ipv4Prefixes": [f"{base + 256}/28"]},
    }
    if change == "unassign":
        ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=secondaries)
    elif change == "unassign prefix":
        ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4Prefixes=prefixes)
    else:
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, **ways[change])
    assert placement() == before
    eventual.clock.advance(2)
    assert placement() != before
