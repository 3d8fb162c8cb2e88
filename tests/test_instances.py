"""RunInstances, DescribeInstances, TerminateInstances, DescribeInstanceTypes and per-type address limits."""

from __future__ import annotations

from typing import Any, Dict, List

import boto3
import pytest

import botohook
from tests.conftest import AMI, ec2_error, free, unsimulated


def launch(ec2: Any, **kwargs: Any) -> Dict[str, Any]:
    kwargs.setdefault("ImageId", AMI)
    kwargs.setdefault("MinCount", 1)
    kwargs.setdefault("MaxCount", 1)
    return dict(ec2.run_instances(**kwargs)["Instances"][0])


def instance(ec2: Any, instance_id: str) -> Dict[str, Any]:
    return dict(ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0])


def test_launch_into_the_default_subnet(ec2: Any) -> None:
    launched = launch(ec2, InstanceType="t3.micro", Placement={"AvailabilityZone": "us-east-1b"})
    assert launched["State"] == {"Code": 0, "Name": "pending"}
    described = instance(ec2, launched["InstanceId"])
    assert described["State"] == {"Code": 16, "Name": "running"}
    assert described["Placement"]["AvailabilityZone"] == "us-east-1b"
    [eni] = described["NetworkInterfaces"]
    assert eni["PrivateIpAddress"] == described["PrivateIpAddress"]
    assert eni["Attachment"]["DeviceIndex"] == 0 and eni["Attachment"]["DeleteOnTermination"] is True
    assert eni["Status"] == "in-use"
    subnet = ec2.describe_subnets(SubnetIds=[described["SubnetId"]])["Subnets"][0]
    assert subnet["DefaultForAz"] and subnet["AvailableIpAddressCount"] == 4091 - 1
    ec2.get_waiter("instance_running").wait(InstanceIds=[launched["InstanceId"]], WaiterConfig={"Delay": 0})


def test_launch_with_subnet_and_private_address(ec2: Any, subnet_id: str) -> None:
    launched = launch(ec2, SubnetId=subnet_id, PrivateIpAddress="10.0.1.50", InstanceType="c5.large")
    assert launched["PrivateIpAddress"] == "10.0.1.50" and launched["SubnetId"] == subnet_id
    with ec2_error("InvalidIPAddress.InUse", unchanged=ec2):
        launch(ec2, SubnetId=subnet_id, PrivateIpAddress="10.0.1.50")
    with ec2_error("InvalidParameterValue", contains="reserved", unchanged=ec2):
        launch(ec2, SubnetId=subnet_id, PrivateIpAddress="10.0.1.255")


def test_launch_with_interface_specs(ec2: Any, subnet_id: str) -> None:
    existing = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    launched = launch(
        ec2,
        InstanceType="c5.large",
        NetworkInterfaces=[
            {
                "DeviceIndex": 0,
                "SubnetId": subnet_id,
                "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.1.10", "Primary": True}],
                "SecondaryPrivateIpAddressCount": 2,
                "DeleteOnTermination": False,
            },
            {"DeviceIndex": 1, "NetworkInterfaceId": existing},
        ],
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "node-a"}]},
            {"ResourceType": "network-interface", "Tags": [{"Key": "role", "Value": "primary"}]},
        ],
    )
    by_index = {e["Attachment"]["DeviceIndex"]: e for e in launched["NetworkInterfaces"]}
    assert by_index[0]["PrivateIpAddress"] == "10.0.1.10" and len(by_index[0]["PrivateIpAddresses"]) == 3
    assert by_index[0]["Attachment"]["DeleteOnTermination"] is False
    assert by_index[1]["NetworkInterfaceId"] == existing and by_index[1]["Attachment"]["DeleteOnTermination"] is False
    assert launched["Tags"] == [{"Key": "Name", "Value": "node-a"}]
    primary = ec2.describe_network_interfaces(NetworkInterfaceIds=[by_index[0]["NetworkInterfaceId"]])
    assert primary["NetworkInterfaces"][0]["TagSet"] == [{"Key": "role", "Value": "primary"}]


@pytest.mark.parametrize(
    "kwargs,code",
    [
        ({"InstanceType": "t9.gigantic"}, "InvalidParameterValue"),
        ({"ImageId": "image-1"}, "InvalidAMIID.Malformed"),
        ({"MinCount": 3, "MaxCount": 2}, "InvalidParameterValue"),
        ({"SubnetId": "subnet-0123456789abcdef0"}, "InvalidSubnetID.NotFound"),
        (
            {"SubnetId": "SUBNET", "NetworkInterfaces": [{"DeviceIndex": 0, "SubnetId": "SUBNET"}]},
            "InvalidParameterCombination",
        ),
        ({"NetworkInterfaces": [{"DeviceIndex": 1, "SubnetId": "SUBNET"}]}, "InvalidParameterValue"),
        (
            {"NetworkInterfaces": [{"DeviceIndex": 0, "SubnetId": "SUBNET"}, {"DeviceIndex": 0, "SubnetId": "SUBNET"}]},
            "InvalidParameterValue",
        ),
        ({"MaxCount": 2, "SubnetId": "SUBNET", "PrivateIpAddress": "10.0.1.9"}, "InvalidParameterCombination"),
        (
            {"TagSpecifications": [{"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}]},
            "InvalidParameterValue",
        ),
    ],
)
def test_launch_errors(ec2: Any, subnet_id: str, kwargs: Dict[str, Any], code: str) -> None:
    def fill(value: Any) -> Any:
        if value == "SUBNET":
            return subnet_id
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    with ec2_error(code, unchanged=ec2):
        launch(ec2, **fill(kwargs))


def test_too_many_addresses_or_interfaces_for_the_type(ec2: Any, subnet_id: str) -> None:
    with ec2_error("InvalidInterface.IpAddressLimitExceeded", unchanged=ec2):
        launch(
            ec2,
            InstanceType="t3.micro",
            NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet_id, "SecondaryPrivateIpAddressCount": 2}],
        )
    specs = [{"DeviceIndex": i, "SubnetId": subnet_id} for i in range(3)]
    with ec2_error("AttachmentLimitExceeded", "Interface count 3 exceeds the limit for t3.micro", unchanged=ec2):
        launch(ec2, InstanceType="t3.micro", NetworkInterfaces=specs)


def test_min_and_max_count_against_free_addresses(ec2: Any, vpc_id: str) -> None:
    small = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.9.0/28")["Subnet"]["SubnetId"]
    reservation = ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=20, SubnetId=small)
    assert len(reservation["Instances"]) == 11 and free(ec2, small) == 0
    assert {i["AmiLaunchIndex"] for i in reservation["Instances"]} == set(range(11))
    with ec2_error("InsufficientFreeAddressesInSubnet", unchanged=ec2):
        ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=small)


def test_dry_run(ec2: Any) -> None:
    with ec2_error("DryRunOperation", status=412, unchanged=ec2):
        launch(ec2, DryRun=True)


def test_address_limit_follows_the_instance_type(ec2: Any, subnet_id: str) -> None:
    launched = launch(ec2, InstanceType="t3.micro", SubnetId=subnet_id)
    eni = launched["NetworkInterfaces"][0]["NetworkInterfaceId"]
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=1)
    with ec2_error("PrivateIpAddressLimitExceeded", "Number of private addresses will exceed limit.", unchanged=ec2):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=1)
    big = launch(ec2, InstanceType="c5.4xlarge", SubnetId=subnet_id)["NetworkInterfaces"][0]["NetworkInterfaceId"]
    ec2.assign_private_ip_addresses(NetworkInterfaceId=big, SecondaryPrivateIpAddressCount=29)
    with ec2_error("PrivateIpAddressLimitExceeded", unchanged=ec2):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=big, SecondaryPrivateIpAddressCount=1)


def test_terminate_deletes_or_detaches_interfaces(ec2: Any, sim: botohook.Simulator, subnet_id: str) -> None:
    before = free(ec2, subnet_id)
    kept = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    launched = launch(
        ec2,
        InstanceType="c5.large",
        NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": subnet_id, "SecondaryPrivateIpAddressCount": 3},
            {"DeviceIndex": 1, "NetworkInterfaceId": kept, "DeleteOnTermination": False},
        ],
    )
    primary = launched["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert free(ec2, subnet_id) == before - 5
    response = ec2.terminate_instances(InstanceIds=[launched["InstanceId"]])
    assert response["TerminatingInstances"] == [
        {
            "CurrentState": {"Code": 32, "Name": "shutting-down"},
            "InstanceId": launched["InstanceId"],
            "PreviousState": {"Code": 16, "Name": "running"},
        }
    ]
    assert instance(ec2, launched["InstanceId"])["State"]["Name"] == "terminated"
    assert instance(ec2, launched["InstanceId"])["NetworkInterfaces"] == []
    assert free(ec2, subnet_id) == before - 1
    with ec2_error("InvalidNetworkInterfaceID.NotFound"):
        ec2.describe_network_interfaces(NetworkInterfaceIds=[primary])
    remaining = ec2.describe_network_interfaces(NetworkInterfaceIds=[kept])["NetworkInterfaces"][0]
    assert remaining["Status"] == "available" and "Attachment" not in remaining
    assert sim.interface(kept).instance is None
    again = ec2.terminate_instances(InstanceIds=[launched["InstanceId"]])["TerminatingInstances"][0]
    assert again["PreviousState"]["Name"] == again["CurrentState"]["Name"] == "terminated"
    ec2.get_waiter("instance_terminated").wait(InstanceIds=[launched["InstanceId"]], WaiterConfig={"Delay": 0})


def test_describe_instances_filters_and_pages(ec2: Any, subnet_id: str) -> None:
    launched = ec2.run_instances(ImageId=AMI, MinCount=7, MaxCount=7, SubnetId=subnet_id, InstanceType="m5.large")
    ids = [i["InstanceId"] for i in launched["Instances"]]
    first = launched["Instances"][0]

    def found(*filters: Any) -> List[str]:
        reservations = ec2.describe_instances(Filters=list(filters))["Reservations"]
        return [i["InstanceId"] for r in reservations for i in r["Instances"]]

    assert found({"Name": "subnet-id", "Values": [subnet_id]}) == ids
    assert found({"Name": "private-ip-address", "Values": [first["PrivateIpAddress"]]}) == [first["InstanceId"]]
    assert found({"Name": "instance-type", "Values": ["m5.*"]}, {"Name": "instance-state-name", "Values": ["running"]})
    eni = first["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert found({"Name": "network-interface.network-interface-id", "Values": [eni]}) == [first["InstanceId"]]
    pages = list(
        ec2.get_paginator("describe_instances").paginate(
            Filters=[{"Name": "subnet-id", "Values": [subnet_id]}], PaginationConfig={"PageSize": 5}
        )
    )
    assert [i["InstanceId"] for p in pages for r in p["Reservations"] for i in r["Instances"]] == ids
    assert len(pages) == 2
    with ec2_error("InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist"):
        ec2.describe_instances(InstanceIds=["i-0123456789abcdef0"])
    with ec2_error("InvalidInstanceID.Malformed"):
        ec2.describe_instances(InstanceIds=["instance-1"])
    with ec2_error("InvalidParameterCombination"):
        ec2.describe_instances(InstanceIds=ids[:1], MaxResults=5)


def test_describe_instance_types(ec2: Any) -> None:
    [t3] = ec2.describe_instance_types(InstanceTypes=["t3.micro"])["InstanceTypes"]
    assert t3["NetworkInfo"]["MaximumNetworkInterfaces"] == 2 and t3["NetworkInfo"]["Ipv4AddressesPerInterface"] == 2
    assert t3["Hypervisor"] == "nitro" and t3["BareMetal"] is False
    metal = ec2.describe_instance_types(Filters=[{"Name": "bare-metal", "Values": ["true"]}])["InstanceTypes"]
    assert metal and all("Hypervisor" not in t for t in metal)
    pages = list(ec2.get_paginator("describe_instance_types").paginate(PaginationConfig={"PageSize": 100}))
    assert sum(len(p["InstanceTypes"]) for p in pages) == 1263
    with ec2_error("InvalidInstanceType", contains="t9.gigantic"):
        ec2.describe_instance_types(InstanceTypes=["t9.gigantic"])


def test_the_instance_type_table_can_be_replaced(tmp_path: Any) -> None:
    table = tmp_path / "types.csv"
    table.write_text(
        "instance_type,hypervisor,bare_metal,max_network_interfaces,ipv4_addresses_per_interface,"
        "ipv6_addresses_per_interface,ipv6_supported,max_network_cards\nz9.tiny,nitro,false,1,3,0,false,1\n"
    )
    with botohook.mock(instance_types=str(table), strict=True):
        ec2 = boto3.client("ec2", region_name="us-east-1")
        assert [t["InstanceType"] for t in ec2.describe_instance_types()["InstanceTypes"]] == ["z9.tiny"]
        eni = launch(ec2, InstanceType="z9.tiny")["NetworkInterfaces"][0]["NetworkInterfaceId"]
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=2)
        with ec2_error("PrivateIpAddressLimitExceeded"):
            ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=1)
        subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
        detached = ec2.create_network_interface(SubnetId=subnet, SecondaryPrivateIpAddressCount=2)
        with ec2_error("PrivateIpAddressLimitExceeded"):
            ec2.assign_private_ip_addresses(
                NetworkInterfaceId=detached["NetworkInterface"]["NetworkInterfaceId"], SecondaryPrivateIpAddressCount=1
            )


def test_client_token_makes_launch_and_create_idempotent(ec2: Any, subnet_id: str) -> None:
    first = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id, ClientToken="launch-1")
    before = free(ec2, subnet_id)
    again = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id, ClientToken="launch-1")
    assert again["Instances"][0]["InstanceId"] == first["Instances"][0]["InstanceId"]
    assert free(ec2, subnet_id) == before
    with ec2_error("IdempotentParameterMismatch", unchanged=ec2):
        ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2, SubnetId=subnet_id, ClientToken="launch-1")
    eni = ec2.create_network_interface(SubnetId=subnet_id, ClientToken="eni-1")["NetworkInterface"]
    same = ec2.create_network_interface(SubnetId=subnet_id, ClientToken="eni-1")["NetworkInterface"]
    assert same["NetworkInterfaceId"] == eni["NetworkInterfaceId"]
    other = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    assert other["NetworkInterfaceId"] != eni["NetworkInterfaceId"]


def test_source_dest_check_on_the_instance(ec2: Any, subnet_id: str) -> None:
    node = launch(ec2, SubnetId=subnet_id)
    ec2.modify_instance_attribute(InstanceId=node["InstanceId"], SourceDestCheck={"Value": False})
    assert instance(ec2, node["InstanceId"])["SourceDestCheck"] is False
    assert instance(ec2, node["InstanceId"])["NetworkInterfaces"][0]["SourceDestCheck"] is False
    ec2.modify_instance_attribute(InstanceId=node["InstanceId"], Attribute="sourceDestCheck", Value="true")
    assert instance(ec2, node["InstanceId"])["SourceDestCheck"] is True
    with ec2_error("InvalidParameterValue", unchanged=ec2):
        ec2.modify_instance_attribute(InstanceId=node["InstanceId"], Attribute="sourceDestCheck", Value="maybe")
    with ec2_error("IncorrectInstanceState", unchanged=ec2):  # a new type needs a stopped instance
        ec2.modify_instance_attribute(InstanceId=node["InstanceId"], InstanceType={"Value": "c5.xlarge"})
    with unsimulated(ec2, "Kernel.Value"):
        ec2.modify_instance_attribute(InstanceId=node["InstanceId"], Kernel={"Value": "aki-12345678"})
    with ec2_error("DryRunOperation", status=412, unchanged=ec2):
        ec2.modify_instance_attribute(InstanceId=node["InstanceId"], SourceDestCheck={"Value": False}, DryRun=True)


def test_an_enormous_max_count_is_capped_by_free_addresses_at_once(ec2: Any, vpc_id: str) -> None:
    small = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.9.0/28")["Subnet"]["SubnetId"]
    reservation = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=2**31 - 1, SubnetId=small)
    assert len(reservation["Instances"]) == 11
