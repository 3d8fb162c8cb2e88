"""Threads and tasks: one simulator shared by many threads (every address handed out once, exhaustion exact), and
which simulator answers when several threads or tasks each have their own."""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Tuple

import boto3
import pytest
from botocore.exceptions import ClientError, HTTPClientError, NoCredentialsError

import botohook

NOT_SENT = (NoCredentialsError, HTTPClientError)  # went on to botocore: no simulator answered


def client() -> Any:
    """A client made outside every simulation, with keys of its own (so a call that escapes goes for the network)."""
    return boto3.client("ec2", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")


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


# -- which simulator answers: mock()s are per thread and per task ------------------------------------------------


def test_threads_each_inside_their_own_mock_are_answered_by_their_own() -> None:
    """The issue's case: eight threads, each in its own mock(), one client shared by all."""
    ec2 = client()
    ready = threading.Barrier(8)
    seen: Dict[int, Tuple[int, List[str], List[str]]] = {}
    failures: List[BaseException] = []

    def worker(index: int) -> None:
        try:
            with botohook.mock() as sim:
                ready.wait()
                made = [ec2.create_vpc(CidrBlock=f"10.{index}.{n}.0/24")["Vpc"]["VpcId"] for n in range(30)]
                listed = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]]
                seen[index] = (len(sim.calls), made, listed)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    for calls, made, listed in seen.values():
        assert calls == 31
        assert sorted(made) == sorted(listed)


def test_threads_the_code_under_test_starts_are_answered_by_its_mock(sim: botohook.Simulator) -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    with ThreadPoolExecutor(4) as pool:
        made = list(pool.map(lambda n: ec2.create_vpc(CidrBlock=f"10.{n}.0.0/16")["Vpc"]["VpcId"], range(8)))
    assert {c.operation for c in sim.calls} == {"CreateVpc"} and len(sim.calls) == 8
    assert all(sim.vpc(vpc) for vpc in made)
    with botohook.mock() as inner:  # nested in the same thread: the innermost answers the pool's threads too
        with ThreadPoolExecutor(2) as pool:
            pool.submit(ec2.describe_vpcs).result()
        assert len(inner.calls) == 1 and len(sim.calls) == 8


def test_a_thread_of_its_own_with_several_simulations_active_elsewhere_is_refused() -> None:
    ec2 = client()
    entered, done = threading.Barrier(3), threading.Event()
    sims: List[botohook.Simulator] = []

    def owner() -> None:
        with botohook.mock() as sim:
            sims.append(sim)
            entered.wait()
            done.wait()

    owners = [threading.Thread(target=owner) for _ in range(2)]
    for thread in owners:
        thread.start()
    entered.wait()
    try:
        with pytest.raises(botohook.AmbiguousSimulationError, match=r"ec2\.DescribeVpcs .* 2 simulations"):
            ec2.describe_vpcs()  # this thread has no mock() of its own: which of the two? Neither answers.
        with pytest.raises(RuntimeError, match="2 are active side by side"):
            botohook.current()
        with botohook.mock() as mine:  # with one of its own, it is answered by it
            ec2.describe_vpcs()
        assert len(mine.calls) == 1
    finally:
        done.set()
        for thread in owners:
            thread.join()
    assert [len(s.calls) for s in sims] == [0, 0]


def test_a_thread_started_with_the_context_of_a_mock_is_answered_by_it() -> None:
    ec2 = client()
    side_entered, side_done = threading.Event(), threading.Event()

    def side() -> None:
        with botohook.mock():
            side_entered.set()
            side_done.wait()

    with botohook.mock() as mine:
        other = threading.Thread(target=side)
        other.start()
        side_entered.wait()
        try:
            with ThreadPoolExecutor(1) as pool:
                with pytest.raises(botohook.AmbiguousSimulationError):
                    pool.submit(ec2.describe_vpcs).result()
                pool.submit(contextvars.copy_context().run, ec2.describe_vpcs).result()
            asyncio.run(asyncio.to_thread(ec2.describe_vpcs))  # to_thread carries the context too
        finally:
            side_done.set()
            other.join()
    assert len(mine.calls) == 2


def test_concurrent_decorated_coroutines_each_see_their_own_simulator() -> None:
    ec2 = client()

    @botohook.mock()
    async def scenario(index: int) -> Tuple[botohook.Simulator, List[str]]:
        made = []
        for n in range(10):
            made.append(ec2.create_vpc(CidrBlock=f"10.{index}.{n}.0/24")["Vpc"]["VpcId"])
            await asyncio.sleep(0)  # let the other coroutines run in between
        return botohook.current(), made

    async def main() -> List[Tuple[botohook.Simulator, List[str]]]:
        return list(await asyncio.gather(*(scenario(i) for i in range(6))))

    results = asyncio.run(main())
    assert len({id(sim) for sim, _ in results}) == 6
    for sim, made in results:
        assert [c.operation for c in sim.calls] == ["CreateVpc"] * 10
        assert all(sim.vpc(vpc) for vpc in made)


def test_a_mock_left_from_another_context_answers_nothing_more() -> None:
    """pytest-asyncio may set a fixture up in one task and tear it down in another."""
    ec2 = client()
    shared = botohook.mock()
    context = contextvars.copy_context()
    sim = context.run(shared.__enter__)
    context.run(ec2.describe_vpcs)
    shared.__exit__(None, None, None)  # from this context, which never entered it
    assert len(sim.calls) == 1
    with pytest.raises(NOT_SENT):
        context.run(ec2.describe_vpcs)
    assert len(sim.calls) == 1


def test_under_pytest_run_parallel(pytester: pytest.Pytester) -> None:
    """Each test body runs in several threads at once: decorated tests get a simulator per thread; the botohook
    fixture, set up once and shared by the threads, answers all of them."""
    pytest.importorskip("pytest_run_parallel")
    pytester.makepyfile(
        test_inner="""
        import boto3
        import botohook

        EC2 = boto3.client("ec2", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")

        @botohook.mock()
        def test_each_thread_has_its_own_simulator():
            made = {EC2.create_vpc(CidrBlock=f"10.0.{n}.0/24")["Vpc"]["VpcId"] for n in range(20)}
            listed = {v["VpcId"] for v in EC2.describe_vpcs()["Vpcs"] if not v["IsDefault"]}
            assert listed == made
            assert len(botohook.current().calls) == 21

        def test_a_shared_fixture_answers_every_thread(botohook):
            vpc = EC2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
            assert botohook.vpc(vpc).cidr == "10.9.0.0/16"
        """
    )
    result = pytester.runpytest_subprocess("--parallel-threads=4", "-p", "no:randomly")
    result.assert_outcomes(passed=2)
    result.stdout.no_fnmatch_line("*Collected 0 items to run in parallel*")
