"""The failover story: two instances share a floating private address carrying an Elastic IP.

Node A holds the floating address and its Elastic IP. Node A fails; node B takes the address with
AllowReassignment, and the Elastic IP follows it, exactly as on EC2. Runs without an AWS account.

    python examples/failover.py
"""

from __future__ import annotations

from typing import Any, Dict

import boto3

import botohook

AMI = "ami-0123456789abcdef0"
FLOATING = "10.20.1.100"


def primary_interface(ec2: Any, instance_id: str) -> str:
    """What a failover agent does first: find its own instance's primary interface."""
    reservation = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]
    interfaces = reservation["Instances"][0]["NetworkInterfaces"]
    return str(next(e for e in interfaces if e["Attachment"]["DeviceIndex"] == 0)["NetworkInterfaceId"])


def take_floating_address(ec2: Any, instance_id: str) -> None:
    """The code under test: claim the floating address for this node, wherever it is now."""
    ec2.assign_private_ip_addresses(
        NetworkInterfaceId=primary_interface(ec2, instance_id), PrivateIpAddresses=[FLOATING], AllowReassignment=True
    )


def holder(ec2: Any) -> Dict[str, Any]:
    """Which interface holds the floating address, and the public address that comes with it."""
    found = ec2.describe_network_interfaces(Filters=[{"Name": "addresses.private-ip-address", "Values": [FLOATING]}])
    eni = found["NetworkInterfaces"][0]
    entry = next(a for a in eni["PrivateIpAddresses"] if a["PrivateIpAddress"] == FLOATING)
    return {
        "instance": eni["Attachment"]["InstanceId"],
        "public": entry.get("Association", {}).get("PublicIp"),
    }


def main() -> None:
    with botohook.mock(seed=7):
        ec2 = boto3.client("ec2", region_name="eu-west-1")
        vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)  # Elastic IPs reach VPCs with one
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
        launched = ec2.run_instances(ImageId=AMI, InstanceType="m5.large", MinCount=2, MaxCount=2, SubnetId=subnet)
        node_a, node_b = (i["InstanceId"] for i in launched["Instances"])

        take_floating_address(ec2, node_a)
        eip = ec2.allocate_address(Domain="vpc")
        ec2.associate_address(
            AllocationId=eip["AllocationId"],
            NetworkInterfaceId=primary_interface(ec2, node_a),
            PrivateIpAddress=FLOATING,
        )
        print(f"before: {FLOATING} and {eip['PublicIp']} on node A {node_a}: {holder(ec2)}")
        assert holder(ec2) == {"instance": node_a, "public": eip["PublicIp"]}

        print("node A fails; node B takes over")
        take_floating_address(ec2, node_b)
        print(f"after:  {holder(ec2)}")
        assert holder(ec2) == {"instance": node_b, "public": eip["PublicIp"]}
        [address] = ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"]
        assert address["InstanceId"] == node_b and address["PrivateIpAddress"] == FLOATING
        print(f"Elastic IP {address['PublicIp']} now maps to {address['PrivateIpAddress']} on {address['InstanceId']}")


if __name__ == "__main__":
    main()
