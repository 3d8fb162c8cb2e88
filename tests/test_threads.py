"""One simulator shared by many threads: every address handed out once, exhaustion exact."""

from __future__ import annotations

import threading
from typing import Any, List

from botocore.exceptions import ClientError


def test_threads_racing_on_one_subnet_exhaust_it_exactly(sim: Any, ec2: Any, vpc_id: str) -> None:
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.8.0/24")["Subnet"]["SubnetId"]
    enis = [ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"] for _ in range(8)]
    assigned: List[str] = []
    errors: List[str] = []
    lock = threading.Lock()

    def worker(eni: str) -> None:
        while True:
            try:
                response = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=3)
            except ClientError as error:
                with lock:
                    errors.append(error.response["Error"]["Code"])
                return
            with lock:
                assigned.extend(a["PrivateIpAddress"] for a in response["AssignedPrivateIpAddresses"])

    threads = [threading.Thread(target=worker, args=(eni,)) for eni in enis]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(assigned) == len(set(assigned))
    assert set(errors) <= {"InsufficientFreeAddressesInSubnet", "PrivateIpAddressLimitExceeded"}
    free = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["AvailableIpAddressCount"]
    assert free == 251 - 8 - len(assigned)
    held = [a for eni in enis for a in sim.interface(eni).secondary_addresses]
    assert sorted(held) == sorted(assigned)
    assert free < 3 or "PrivateIpAddressLimitExceeded" in errors
