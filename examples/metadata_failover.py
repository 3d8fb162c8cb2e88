"""A failover agent that finds itself through instance metadata, tested on two simulated instances.

The agent does what real ones do (keepalived notify scripts, cluster resource agents): it asks the instance
metadata service at 169.254.169.254 for a token, its instance id, region and primary MAC, the interface of that MAC,
and then takes the floating address for that interface with ``AllowReassignment``. ``sim.metadata_as(instance)``
makes this process's metadata requests reach that simulated instance's view, computed from the live simulation,
so the same code runs "on" node A, then "on" node B. Runs without an AWS account.

    python examples/metadata_failover.py
"""

from __future__ import annotations

import urllib.request

import boto3

import botohook

IMDS = "http://169.254.169.254/latest"
AMI = "ami-0123456789abcdef0"
FLOATING = "10.60.1.100"


def metadata(path: str, token: str) -> str:
    request = urllib.request.Request(f"{IMDS}/{path}", headers={"X-aws-ec2-metadata-token": token})
    with urllib.request.urlopen(request, timeout=2) as response:
        return str(response.read().decode())


def become_primary() -> str:
    """The code under test: claim the floating address for the instance this runs on. Returns its interface."""
    put = urllib.request.Request(
        f"{IMDS}/api/token", method="PUT", headers={"X-aws-ec2-metadata-token-ttl-seconds": "300"}
    )
    with urllib.request.urlopen(put, timeout=2) as response:
        token = response.read().decode()
    region = metadata("meta-data/placement/region", token)
    mac = metadata("meta-data/mac", token)
    interface = metadata(f"meta-data/network/interfaces/macs/{mac}/interface-id", token)
    ec2 = boto3.client("ec2", region_name=region)
    ec2.assign_private_ip_addresses(NetworkInterfaceId=interface, PrivateIpAddresses=[FLOATING], AllowReassignment=True)
    return interface


def main() -> None:
    with botohook.mock(seed=9) as sim:
        ec2 = boto3.client("ec2", region_name="ap-southeast-2")
        vpc = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.60.1.0/24")["Subnet"]["SubnetId"]
        launched = ec2.run_instances(ImageId=AMI, InstanceType="m5.large", MinCount=2, MaxCount=2, SubnetId=subnet)
        node_a, node_b = (i["InstanceId"] for i in launched["Instances"])

        for node in (node_a, node_b, node_a):
            with sim.metadata_as(node):
                interface = become_primary()
            holder = sim.interface(interface)
            assert holder.instance is not None and holder.instance.id == node
            assert FLOATING in holder.secondary_addresses
            print(f"{FLOATING} is on {interface}, the primary interface of {node} (found through its metadata)")
        assert FLOATING not in sim.instance(node_b).interfaces[0].secondary_addresses  # moved, not copied


if __name__ == "__main__":
    main()
