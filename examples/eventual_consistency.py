"""Eventual consistency: a new interface is not known to the next call at once, as on EC2.

EC2's "eventual consistency in the EC2 API" page warns that an id a create call just returned may be unknown to the
next call for a while. Code that creates an interface and assigns addresses to it at once fails there with
``InvalidNetworkInterfaceID.NotFound`` now and then; the usual fix is a retry loop on that code. Under
``consistency="eventual"`` botohook makes that lag happen every time, in virtual seconds, and with
``virtual_sleep=True`` the retry loop's ``time.sleep`` passes on the simulation's clock, so the test is instant
and the same every run. Runs without an AWS account.

    python examples/eventual_consistency.py
"""

from __future__ import annotations

import time
from typing import Any

import boto3
from botocore.exceptions import ClientError

import botohook


def naive(ec2: Any, subnet: str) -> str:
    """Create an interface and give it two addresses at once: the bug."""
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=2)
    return str(eni)


def with_retries(ec2: Any, subnet: str) -> str:
    """The same, with the usual loop: retry NotFound with a growing pause."""
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    for attempt in range(6):
        try:
            ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=2)
            return str(eni)
        except ClientError as error:
            if error.response["Error"]["Code"] != "InvalidNetworkInterfaceID.NotFound":
                raise
            time.sleep(0.25 * 2**attempt)
    raise TimeoutError(f"{eni} never became visible")


def main() -> None:
    with botohook.mock(seed=4, consistency="eventual", virtual_sleep=True) as sim:
        ec2 = boto3.client("ec2", region_name="eu-central-1")
        subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
        try:
            naive(ec2, subnet)
            raise AssertionError("the naive version should have met the lag")
        except ClientError as error:
            print(f"naive: {error.response['Error']['Code']}")
        started, wall = sim.clock.now(), time.monotonic()
        eni = with_retries(ec2, subnet)
        assert len(sim.interface(eni).secondary_addresses) == 2
        print(
            f"with retries: {eni} has its addresses after {sim.clock.now() - started:.2f} s of virtual time "
            f"({time.monotonic() - wall:.3f} s of real time)"
        )


if __name__ == "__main__":
    main()
