"""AttachNetworkInterface and DetachNetworkInterface, with the rules EC2 enforces."""

from __future__ import annotations

from typing import Any, Dict

import boto3
from botocore.config import Config

from tests.conftest import AMI, ec2_error, new_eni


def launch(ec2: Any, subnet_id: str, kind: str = "c5.large") -> Dict[str, Any]:
    return dict(
        ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id, InstanceType=kind)["Instances"][0]
    )


def attachment(ec2: Any, eni: str) -> Any:
    return ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0].get("Attachment")


def test_attach_and_detach(ec2: Any, subnet_id: str) -> None:
    node = launch(ec2, subnet_id)
    eni = new_eni(ec2, subnet_id)
    response = ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=node["InstanceId"], DeviceIndex=1)
    assert response["NetworkCardIndex"] == 0
    attached = attachment(ec2, eni)
    assert attached["AttachmentId"] == response["AttachmentId"] and attached["Status"] == "attached"
    assert attached["InstanceId"] == node["InstanceId"] and attached["DeleteOnTermination"] is False
    filtered = ec2.describe_network_interfaces(
        Filters=[
            {"Name": "attachment.instance-id", "Values": [node["InstanceId"]]},
            {"Name": "attachment.status", "Values": ["attached"]},
        ]
    )["NetworkInterfaces"]
    assert len(filtered) == 2
    described = ec2.describe_instances(InstanceIds=[node["InstanceId"]])["Reservations"][0]["Instances"][0]
    assert [e["Attachment"]["DeviceIndex"] for e in described["NetworkInterfaces"]] == [0, 1]
    with ec2_error("InvalidParameterValue", f"Network interface '{eni}' is currently in use.", unchanged=ec2):
        ec2.delete_network_interface(NetworkInterfaceId=eni)
    assert ec2.detach_network_interface(AttachmentId=response["AttachmentId"])["ResponseMetadata"]["HTTPStatusCode"]
    assert attachment(ec2, eni) is None
    ec2.delete_network_interface(NetworkInterfaceId=eni)


def test_attach_rules(ec2: Any, vpc_id: str, subnet_id: str) -> None:
    node = launch(ec2, subnet_id, "t3.micro")
    other = launch(ec2, subnet_id)
    eni = new_eni(ec2, subnet_id)
    ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=other["InstanceId"], DeviceIndex=1)
    with ec2_error("InvalidNetworkInterface.InUse", unchanged=ec2):
        ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=node["InstanceId"], DeviceIndex=1)
    second = new_eni(ec2, subnet_id)
    with ec2_error("InvalidParameterValue", contains="device index '0'", unchanged=ec2):
        ec2.attach_network_interface(NetworkInterfaceId=second, InstanceId=node["InstanceId"], DeviceIndex=0)
    elsewhere = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b")
    far = new_eni(ec2, elsewhere["Subnet"]["SubnetId"])
    with ec2_error("InvalidParameterCombination", contains="availability zone", unchanged=ec2):
        ec2.attach_network_interface(NetworkInterfaceId=far, InstanceId=node["InstanceId"], DeviceIndex=1)
    crowded = new_eni(ec2, subnet_id, SecondaryPrivateIpAddressCount=2)
    with ec2_error("PrivateIpAddressLimitExceeded", unchanged=ec2):
        ec2.attach_network_interface(NetworkInterfaceId=crowded, InstanceId=node["InstanceId"], DeviceIndex=1)
    ec2.attach_network_interface(NetworkInterfaceId=second, InstanceId=node["InstanceId"], DeviceIndex=1)
    third = new_eni(ec2, subnet_id)
    with ec2_error("AttachmentLimitExceeded", "Interface count 3 exceeds the limit for t3.micro", unchanged=ec2):
        ec2.attach_network_interface(NetworkInterfaceId=third, InstanceId=node["InstanceId"], DeviceIndex=2)
    ec2.terminate_instances(InstanceIds=[node["InstanceId"]])
    with ec2_error("IncorrectInstanceState", unchanged=ec2):
        ec2.attach_network_interface(NetworkInterfaceId=third, InstanceId=node["InstanceId"], DeviceIndex=1)
    with ec2_error("DryRunOperation", status=412, unchanged=ec2):
        ec2.attach_network_interface(
            NetworkInterfaceId=third, InstanceId=other["InstanceId"], DeviceIndex=2, DryRun=True
        )


def test_detach_rules(ec2: Any, subnet_id: str) -> None:
    node = launch(ec2, subnet_id)
    primary = node["NetworkInterfaces"][0]["Attachment"]["AttachmentId"]
    with ec2_error(
        "OperationNotPermitted",
        "The network interface at device index 0 and networkCard index 0 cannot be detached.",
        unchanged=ec2,
    ):
        ec2.detach_network_interface(AttachmentId=primary)
    with ec2_error("InvalidAttachmentID.NotFound", unchanged=ec2):
        ec2.detach_network_interface(AttachmentId="eni-attach-0123456789abcdef0")


def test_a_user_written_attachment_waiter_sees_attached(ec2: Any, subnet_id: str) -> None:
    node = launch(ec2, subnet_id)
    eni = new_eni(ec2, subnet_id)
    ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=node["InstanceId"], DeviceIndex=1)
    from botocore.waiter import WaiterModel, create_waiter_with_client

    model = WaiterModel(
        {
            "version": 2,
            "waiters": {
                "NetworkInterfaceAttached": {
                    "operation": "DescribeNetworkInterfaces",
                    "delay": 0,
                    "maxAttempts": 2,
                    "acceptors": [
                        {
                            "expected": "attached",
                            "matcher": "pathAll",
                            "state": "success",
                            "argument": "NetworkInterfaces[].Attachment.Status",
                        }
                    ],
                }
            },
        }
    )
    create_waiter_with_client("NetworkInterfaceAttached", model, ec2).wait(NetworkInterfaceIds=[eni])


def test_attach_through_an_unvalidated_client(ec2: Any, subnet_id: str) -> None:
    raw = boto3.client("ec2", region_name="us-east-1", config=Config(parameter_validation=False))
    node = launch(ec2, subnet_id)
    eni = new_eni(ec2, subnet_id)
    with ec2_error("MissingParameter", unchanged=ec2):
        raw.attach_network_interface(NetworkInterfaceId=eni, InstanceId=node["InstanceId"])
    with ec2_error("InvalidParameterValue", unchanged=ec2):
        raw.attach_network_interface(NetworkInterfaceId=eni, InstanceId=node["InstanceId"], DeviceIndex="one")
