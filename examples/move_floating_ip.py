"""Move a floating private address between two network interfaces, as a failover script does.

Runs without an AWS account: every call goes through a genuine boto3 client and is answered by botohook.

    python examples/move_floating_ip.py
"""

from __future__ import annotations

from typing import Any, List

import boto3
from botocore.exceptions import ClientError

import botohook

FLOATING_IP = "10.0.1.100"


def take_over(ec2: Any, interface_id: str, address: str) -> None:
    """What the failover script under test does: claim the floating address for this node."""
    ec2.assign_private_ip_addresses(
        NetworkInterfaceId=interface_id, PrivateIpAddresses=[address], AllowReassignment=True
    )


def secondaries(ec2: Any, interface_id: str) -> List[str]:
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[interface_id])["NetworkInterfaces"][0]
    return [a["PrivateIpAddress"] for a in eni["PrivateIpAddresses"] if not a["Primary"]]


def main() -> None:
    with botohook.mock(seed=42) as sim:
        ec2 = boto3.client("ec2", region_name="eu-west-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        node_a = ec2.create_network_interface(SubnetId=subnet, Description="node A")["NetworkInterface"]
        node_b = ec2.create_network_interface(SubnetId=subnet, Description="node B")["NetworkInterface"]
        a, b = node_a["NetworkInterfaceId"], node_b["NetworkInterfaceId"]

        ec2.assign_private_ip_addresses(NetworkInterfaceId=a, PrivateIpAddresses=[FLOATING_IP])
        print(f"node A {a} holds {secondaries(ec2, a)}")

        try:  # a naive script forgets AllowReassignment: EC2 refuses, and so does botohook
            ec2.assign_private_ip_addresses(NetworkInterfaceId=b, PrivateIpAddresses=[FLOATING_IP])
        except ClientError as error:
            print(f"without AllowReassignment: {error.response['Error']['Code']}: {error.response['Error']['Message']}")

        take_over(ec2, b, FLOATING_IP)  # node A failed: node B takes the address
        print(f"after failover: node A holds {secondaries(ec2, a)}, node B holds {secondaries(ec2, b)}")

        assert sim.interface(b).secondary_addresses == [FLOATING_IP]
        assert sim.interface(a).secondary_addresses == []
        free = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["AvailableIpAddressCount"]
        print(f"subnet {subnet}: {free} addresses free of 251")


if __name__ == "__main__":
    main()
