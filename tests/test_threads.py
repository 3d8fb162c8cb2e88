"""One simulator shared by many threads: every address handed out once, exhaustion exact."""

from __future__ import annotations

import ipaddress
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


def test_threads_mixing_addresses_prefixes_and_releases_keep_the_invariants(sim: Any, ec2: Any, vpc_id: str) -> None:
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.16.0/22")["Subnet"]["SubnetId"]
    enis = [ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"] for _ in range(10)]
    failures: List[BaseException] = []

    def worker(index: int) -> None:
        eni = enis[index]
        try:
            for round_ in range(40):
                try:
                    if index % 2:
                        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4PrefixCount=1)
                    else:
                        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=2)
                except ClientError as error:
                    assert error.response["Error"]["Code"] in (
                        "PrivateIpAddressLimitExceeded",
                        "InsufficientCidrBlocks",
                        "InsufficientFreeAddressesInSubnet",
                    )
                interface = sim.interface(eni)  # only this thread changes this interface
                if round_ % 3 == 2 and interface.secondary_addresses:
                    ec2.unassign_private_ip_addresses(
                        NetworkInterfaceId=eni, PrivateIpAddresses=interface.secondary_addresses[:2]
                    )
                if round_ % 3 == 2 and interface.ipv4_prefixes:
                    ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4Prefixes=interface.ipv4_prefixes[:1])
        except BaseException as error:  # reported below: a thread's assertion must fail the test
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(enis))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    described = ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet]}])
    addresses = [a["PrivateIpAddress"] for e in described["NetworkInterfaces"] for a in e["PrivateIpAddresses"]]
    prefixes = [
        ipaddress.ip_network(p["Ipv4Prefix"]) for e in described["NetworkInterfaces"] for p in e.get("Ipv4Prefixes", [])
    ]
    assert len(addresses) == len(set(addresses)) and len(prefixes) == len(set(prefixes))
    assert not any(ipaddress.ip_address(a) in p for a in addresses for p in prefixes)
    free = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["AvailableIpAddressCount"]
    assert free == 1019 - len(addresses) - 16 * len(prefixes)
