"""Stop and start, instance status and attributes, and the public IPv4 address EC2 gives at launch, through a
genuine client with EC2's errors."""

from __future__ import annotations

from typing import Any, Dict

import pytest

import botohook

from .conftest import AMI, REGION, ec2_error, new_eni, unsimulated


def launch(ec2: Any, **kwargs: Any) -> Dict[str, Any]:
    """The new instance as DescribeInstances shows it (RunInstances' own answer shows no public address yet)."""
    kwargs.setdefault("InstanceType", "c5.large")
    found: Dict[str, Any] = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, **kwargs)["Instances"][0]
    return described(ec2, found["InstanceId"])


def described(ec2: Any, instance_id: str) -> Dict[str, Any]:
    found: Dict[str, Any] = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    return found


def test_a_default_subnet_gives_a_public_address_a_custom_one_does_not(ec2: Any, subnet_id: str) -> None:
    public = launch(ec2)
    assert public["PublicIpAddress"].startswith(("198.51.100.", "203.0.113.", "192.0.2."))
    association = public["NetworkInterfaces"][0]["Association"]
    assert association["IpOwnerId"] == "amazon" and association["PublicIp"] == public["PublicIpAddress"]
    private = launch(ec2, SubnetId=subnet_id)
    assert "PublicIpAddress" not in private and "Association" not in private["NetworkInterfaces"][0]
    explicit = launch(
        ec2, NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet_id, "AssociatePublicIpAddress": True}]
    )
    assert "PublicIpAddress" in explicit
    declined = launch(ec2, NetworkInterfaces=[{"DeviceIndex": 0, "AssociatePublicIpAddress": False}])
    assert "PublicIpAddress" not in declined
    # Elastic IPs are counted apart: the quota is untouched by launch addresses
    for _ in range(5):
        ec2.allocate_address(Domain="vpc")
    addresses = ec2.describe_addresses()["Addresses"]
    assert public["PublicIpAddress"] not in {a["PublicIp"] for a in addresses}
    by_ip = ec2.describe_instances(Filters=[{"Name": "ip-address", "Values": [public["PublicIpAddress"]]}])
    assert [i["InstanceId"] for r in by_ip["Reservations"] for i in r["Instances"]] == [public["InstanceId"]]
    eni = ec2.describe_network_interfaces(Filters=[{"Name": "association.ip-owner-id", "Values": ["amazon"]}])[
        "NetworkInterfaces"
    ]
    assert len(eni) == 2


def test_public_address_rules_at_launch(ec2: Any, subnet_id: str) -> None:
    with ec2_error("InvalidParameterCombination", contains="multiple network interfaces", unchanged=ec2):
        launch(
            ec2,
            NetworkInterfaces=[
                {"DeviceIndex": 0, "SubnetId": subnet_id, "AssociatePublicIpAddress": True},
                {"DeviceIndex": 1, "SubnetId": subnet_id},
            ],
        )
    eni = new_eni(ec2, subnet_id)
    with ec2_error("InvalidParameterCombination", contains="network interface with an ID", unchanged=ec2):
        launch(ec2, NetworkInterfaces=[{"DeviceIndex": 0, "NetworkInterfaceId": eni, "AssociatePublicIpAddress": True}])


def test_an_elastic_ip_replaces_the_launch_address_and_gives_it_back(ec2: Any) -> None:
    node = launch(ec2)
    first = node["PublicIpAddress"]
    eip = ec2.allocate_address(Domain="vpc")
    association = ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=node["InstanceId"])
    assert described(ec2, node["InstanceId"])["PublicIpAddress"] == eip["PublicIp"]
    ec2.disassociate_address(AssociationId=association["AssociationId"])
    again = described(ec2, node["InstanceId"])["PublicIpAddress"]
    assert again not in (eip["PublicIp"], None)  # a new public address, as the User Guide says
    assert first != eip["PublicIp"]


def test_stop_keeps_interfaces_and_elastic_ips_and_releases_the_public_address(ec2: Any) -> None:
    node = launch(ec2)
    other = launch(ec2, InstanceType="t3.micro")
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=other["InstanceId"])
    private = node["PrivateIpAddress"]
    stopping = ec2.stop_instances(InstanceIds=[node["InstanceId"], other["InstanceId"]])["StoppingInstances"]
    assert [c["CurrentState"]["Name"] for c in stopping] == ["stopping", "stopping"]
    assert [c["PreviousState"]["Name"] for c in stopping] == ["running", "running"]
    stopped = described(ec2, node["InstanceId"])
    assert stopped["State"] == {"Code": 80, "Name": "stopped"}
    assert stopped["PrivateIpAddress"] == private and "PublicIpAddress" not in stopped
    assert stopped["StateTransitionReason"].startswith("User initiated (")
    assert described(ec2, other["InstanceId"])["PublicIpAddress"] == eip["PublicIp"]
    ec2.get_waiter("instance_stopped").wait(InstanceIds=[node["InstanceId"]])
    starting = ec2.start_instances(InstanceIds=[node["InstanceId"]])["StartingInstances"]
    assert starting[0]["CurrentState"]["Name"] == "pending" and starting[0]["PreviousState"]["Name"] == "stopped"
    running = described(ec2, node["InstanceId"])
    assert running["State"]["Name"] == "running" and "PublicIpAddress" in running
    assert running["PrivateIpAddress"] == private


def test_state_rules(ec2: Any) -> None:
    node = launch(ec2)
    with ec2_error("IncorrectInstanceState", unchanged=ec2):
        ec2.modify_instance_attribute(InstanceId=node["InstanceId"], InstanceType={"Value": "c5.xlarge"})
    ec2.modify_instance_attribute(InstanceId=node["InstanceId"], DisableApiStop={"Value": True})
    with ec2_error(
        "OperationNotPermitted",
        f"The instance '{node['InstanceId']}' may not be stopped. "
        "Modify its 'disableApiStop' instance attribute and try again.",
        unchanged=ec2,
    ):
        ec2.stop_instances(InstanceIds=[node["InstanceId"]])
    ec2.modify_instance_attribute(InstanceId=node["InstanceId"], Attribute="disableApiTermination", Value="true")
    with ec2_error("OperationNotPermitted", contains="may not be terminated", unchanged=ec2):
        ec2.terminate_instances(InstanceIds=[node["InstanceId"]])
    ec2.modify_instance_attribute(InstanceId=node["InstanceId"], DisableApiTermination={"Value": False})
    ec2.terminate_instances(InstanceIds=[node["InstanceId"]])
    with ec2_error("IncorrectInstanceState", unchanged=ec2):
        ec2.start_instances(InstanceIds=[node["InstanceId"]])
    with ec2_error("IncorrectInstanceState", unchanged=ec2):
        ec2.stop_instances(InstanceIds=[node["InstanceId"]])
    other = launch(ec2)["InstanceId"]
    with ec2_error("DryRunOperation", status=412, unchanged=ec2):
        ec2.stop_instances(InstanceIds=[other], DryRun=True)


def test_a_new_type_for_a_stopped_instance_rechecks_the_limits(ec2: Any, subnet_id: str) -> None:
    node = launch(ec2, SubnetId=subnet_id, InstanceType="c5.xlarge")  # 15 addresses per interface
    eni = node["NetworkInterfaces"][0]["NetworkInterfaceId"]
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=12)
    ec2.stop_instances(InstanceIds=[node["InstanceId"]])
    with ec2_error("InvalidInterface.IpAddressLimitExceeded", contains="t3.micro", unchanged=ec2):
        ec2.modify_instance_attribute(InstanceId=node["InstanceId"], InstanceType={"Value": "t3.micro"})
    with ec2_error("InvalidParameterValue", "Invalid value 'x9.huge' for InstanceType.", unchanged=ec2):
        ec2.modify_instance_attribute(InstanceId=node["InstanceId"], InstanceType={"Value": "x9.huge"})
    ec2.modify_instance_attribute(InstanceId=node["InstanceId"], InstanceType={"Value": "c5.2xlarge"})
    attribute = ec2.describe_instance_attribute(InstanceId=node["InstanceId"], Attribute="instanceType")
    assert attribute["InstanceType"] == {"Value": "c5.2xlarge"}


def test_describe_and_modify_attributes(ec2: Any, vpc_id: str, subnet_id: str) -> None:
    node = launch(ec2, SubnetId=subnet_id, KeyName="ops", UserData="hello", DisableApiTermination=True)
    instance_id = node["InstanceId"]

    def attribute(name: str) -> Dict[str, Any]:
        found: Dict[str, Any] = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute=name)
        found.pop("ResponseMetadata")
        return found

    default = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"][0]
    assert attribute("groupSet")["Groups"] == [{"GroupId": default["GroupId"], "GroupName": "default"}]
    assert attribute("sourceDestCheck")["SourceDestCheck"] == {"Value": True}
    assert attribute("disableApiTermination")["DisableApiTermination"] == {"Value": True}
    assert attribute("instanceInitiatedShutdownBehavior")["InstanceInitiatedShutdownBehavior"] == {"Value": "stop"}
    assert attribute("userData")["UserData"]["Value"]  # botocore sent it base64-encoded
    assert described(ec2, instance_id)["KeyName"] == "ops"
    web = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc_id)["GroupId"]
    ec2.modify_instance_attribute(InstanceId=instance_id, Groups=[web])
    assert attribute("groupSet")["Groups"] == [{"GroupId": web, "GroupName": "web"}]
    assert described(ec2, instance_id)["NetworkInterfaces"][0]["Groups"] == [{"GroupId": web, "GroupName": "web"}]
    with ec2_error("InvalidParameterCombination", contains="multiple attribute types", unchanged=ec2):
        ec2.modify_instance_attribute(InstanceId=instance_id, SourceDestCheck={"Value": False}, Groups=[web])
    with ec2_error("InvalidParameterValue", contains="Unknown attribute", unchanged=ec2):
        ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="colour")
    with unsimulated(ec2, "sriovNetSupport"):
        ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="sriovNetSupport")


def test_instance_status(ec2: Any) -> None:
    running, stopped = launch(ec2), launch(ec2)
    ec2.stop_instances(InstanceIds=[stopped["InstanceId"]])
    statuses = ec2.describe_instance_status()["InstanceStatuses"]
    assert [s["InstanceId"] for s in statuses] == [running["InstanceId"]]
    assert statuses[0]["InstanceStatus"] == {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]}
    every = ec2.describe_instance_status(IncludeAllInstances=True)["InstanceStatuses"]
    assert {s["InstanceId"]: s["InstanceStatus"]["Status"] for s in every} == {
        running["InstanceId"]: "ok",
        stopped["InstanceId"]: "not-applicable",
    }
    filtered = ec2.describe_instance_status(
        IncludeAllInstances=True, Filters=[{"Name": "instance-state-name", "Values": ["stopped"]}]
    )
    assert [s["InstanceId"] for s in filtered["InstanceStatuses"]] == [stopped["InstanceId"]]
    ec2.get_waiter("instance_status_ok").wait(InstanceIds=[running["InstanceId"]])
    with ec2_error("InvalidInstanceID.NotFound"):
        ec2.describe_instance_status(InstanceIds=["i-0123456789abcdef0"])


def test_eventual_consistency_passes_through_stopping_and_pending() -> None:
    with botohook.mock(seed=3, consistency="eventual", strict=True) as sim:
        import boto3

        ec2 = boto3.client("ec2", region_name=REGION)
        node = ec2.run_instances(ImageId=AMI, InstanceType="c5.large", MinCount=1, MaxCount=1)["Instances"][0]
        sim.clock.advance(10)
        ec2.stop_instances(InstanceIds=[node["InstanceId"]])
        assert described(ec2, node["InstanceId"])["State"]["Name"] == "stopping"
        ec2.get_waiter("instance_stopped").wait(InstanceIds=[node["InstanceId"]], WaiterConfig={"Delay": 1})
        ec2.start_instances(InstanceIds=[node["InstanceId"]])
        assert described(ec2, node["InstanceId"])["State"]["Name"] == "pending"
        status = ec2.describe_instance_status(IncludeAllInstances=True)["InstanceStatuses"][0]
        assert status["InstanceStatus"]["Status"] == "initializing"


def test_allocate_address_recovers_a_given_address(ec2: Any) -> None:
    wanted = ec2.allocate_address(Domain="vpc", Address="203.0.113.77")
    assert wanted["PublicIp"] == "203.0.113.77"
    with ec2_error("InvalidAddress.NotFound", "Address '203.0.113.77' not found.", unchanged=ec2):
        ec2.allocate_address(Domain="vpc", Address="203.0.113.77")
    with ec2_error("InvalidAddress.NotFound", "Address '8.8.8.8' not found.", unchanged=ec2):
        ec2.allocate_address(Domain="vpc", Address="8.8.8.8")


@pytest.mark.parametrize("zone", ["us-east-1a", "us-east-1b"])
def test_an_interface_of_another_vpc_attaches_in_the_same_zone_only(ec2: Any, subnet_id: str, zone: str) -> None:
    """Multi-VPC ENI attachments (AWS what's new, October 2023): same account and zone, any VPC."""
    other_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    other_subnet = ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.1.0.0/24", AvailabilityZone=zone)["Subnet"]
    node = launch(ec2, SubnetId=subnet_id)  # subnet_id is in us-east-1a
    eni = new_eni(ec2, other_subnet["SubnetId"])
    if zone == "us-east-1a":
        ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=node["InstanceId"], DeviceIndex=1)
        assert len(described(ec2, node["InstanceId"])["NetworkInterfaces"]) == 2
    else:
        with ec2_error("InvalidParameterCombination", contains="same availability zone", unchanged=ec2):
            ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=node["InstanceId"], DeviceIndex=1)


def test_a_terminated_instance_shows_the_groups_its_interface_had_last(ec2: Any) -> None:
    node = launch(ec2)
    vpc = node["VpcId"]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    eni = node["NetworkInterfaces"][0]["NetworkInterfaceId"]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, Groups=[group])  # nothing reads the instance
    ec2.terminate_instances(InstanceIds=[node["InstanceId"]])
    assert [g["GroupId"] for g in described(ec2, node["InstanceId"])["SecurityGroups"]] == [group]
