"""The fragmentation failure a Kubernetes CNI meets with prefix delegation, and the reservation that prevents it.

A subnet has plenty of free addresses, but single addresses scattered across it leave no whole /28 free, so a
prefix request fails with InsufficientCidrBlocks. A "prefix" subnet CIDR reservation, made before the scatter,
keeps /28 blocks whole for prefixes. Runs without an AWS account.

    python examples/cni_fragmentation.py
"""

from __future__ import annotations

from typing import Any, Tuple

import boto3
from botocore.exceptions import ClientError

import botohook

AMI = "ami-0123456789abcdef0"


def cluster(ec2: Any, reserve: bool) -> Tuple[str, str]:
    """A /24 node subnet; with ``reserve``, its upper half is kept for prefixes. Returns (subnet, node interface)."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    if reserve:
        ec2.create_subnet_cidr_reservation(SubnetId=subnet, Cidr="10.0.1.128/25", ReservationType="prefix")
    node = ec2.run_instances(ImageId=AMI, InstanceType="m5.4xlarge", MinCount=1, MaxCount=1, SubnetId=subnet)
    return subnet, node["Instances"][0]["NetworkInterfaces"][0]["NetworkInterfaceId"]


def scatter(ec2: Any, subnet: str) -> None:
    """Other workloads (load balancers, Lambda functions, other nodes) take 100 automatic addresses: EC2 picks them
    at random, so they land all over the subnet, but never inside a reservation."""
    for _ in range(100):
        ec2.create_network_interface(SubnetId=subnet, Description="someone else's")


def request_prefix(ec2: Any, eni: str) -> str:
    """What the CNI does when a node needs more pod addresses."""
    try:
        response = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4PrefixCount=1)
    except ClientError as error:
        return f"{error.response['Error']['Code']}: {error.response['Error']['Message']}"
    return f"got {response['AssignedIpv4Prefixes'][0]['Ipv4Prefix']}"


def main() -> None:
    for reserve in (False, True):
        with botohook.mock(seed=1):
            ec2 = boto3.client("ec2", region_name="us-west-2")
            subnet, eni = cluster(ec2, reserve)
            scatter(ec2, subnet)
            free = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["AvailableIpAddressCount"]
            outcome = request_prefix(ec2, eni)
            label = "with a prefix reservation" if reserve else "without a reservation  "
            print(f"{label}: {free} addresses free, prefix request -> {outcome}")
            assert outcome.startswith("got 10.0.1.") if reserve else outcome.startswith("InsufficientCidrBlocks")


if __name__ == "__main__":
    main()
