"""Failover under throttling: EC2 answers RequestLimitExceeded, and the client's own retry policy decides.

botohook fails the chosen attempts with EC2's error (HTTP 503) inside botocore's retry loop, so botocore's retry
handler runs exactly as against AWS; its back-off passes on the simulation's virtual clock, so nobody waits. The
floating address moves after two throttles in the default (legacy) mode, reporting 2 retries; in the standard mode
with the throttling never ending, the move gives up after 3 attempts and nothing has changed. Runs without an AWS
account.

    python examples/throttled_failover.py
"""

from __future__ import annotations

import time
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import botohook

FLOATING = "10.70.1.100"


def take_floating_address(ec2: Any, interface: str) -> int:
    """The code under test: move the floating address here; returns the retries it took."""
    answer = ec2.assign_private_ip_addresses(
        NetworkInterfaceId=interface, PrivateIpAddresses=[FLOATING], AllowReassignment=True
    )
    return int(answer["ResponseMetadata"]["RetryAttempts"])


def main() -> None:
    with botohook.mock(seed=2) as sim:
        ec2 = boto3.client("ec2", region_name="us-west-2")
        vpc = ec2.create_vpc(CidrBlock="10.70.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.70.1.0/24")["Subnet"]["SubnetId"]
        node_a, node_b = (
            ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"] for _ in range(2)
        )
        ec2.assign_private_ip_addresses(NetworkInterfaceId=node_a, PrivateIpAddresses=[FLOATING])

        sim.faults.add("AssignPrivateIpAddresses", "RequestLimitExceeded", times=2)
        started, wall = sim.clock.now(), time.monotonic()
        retries = take_floating_address(ec2, node_b)
        assert retries == 2 and FLOATING in sim.interface(node_b).secondary_addresses
        print(
            f"moved after {retries} retries; botocore backed off {sim.clock.now() - started:.2f} s of virtual time "
            f"in {time.monotonic() - wall:.3f} s"
        )

        standard = boto3.client("ec2", region_name="us-west-2", config=Config(retries={"mode": "standard"}))
        sim.faults.add("AssignPrivateIpAddresses", "RequestLimitExceeded", times=None)
        try:
            take_floating_address(standard, node_a)
        except ClientError as error:
            assert error.response["ResponseMetadata"]["MaxAttemptsReached"]
            print(f"standard mode gave up: {error}")
        assert FLOATING in sim.interface(node_b).secondary_addresses  # nothing changed
        attempts = [c.error or "ok" for c in sim.calls if c.operation == "AssignPrivateIpAddresses"]
        print(f"every attempt is in sim.calls: {attempts}")


if __name__ == "__main__":
    main()
