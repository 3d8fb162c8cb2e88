"""Faults, retries and time: EC2 errors injected per attempt, decided on by the client's own retry policy (botocore's
retry handler runs, as against AWS), and back-offs and waiter delays taken from the simulation's virtual clock."""

from __future__ import annotations

import time
from typing import Any, Dict, Iterator, Tuple

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import botohook
from tests.conftest import AMI, snapshot

ASSIGN = "AssignPrivateIpAddresses"


@pytest.fixture
def world(sim: botohook.Simulator) -> Iterator[Tuple[botohook.Simulator, str]]:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    yield sim, ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]


def client(**retries: Any) -> Any:
    return boto3.client("ec2", region_name="us-east-1", config=Config(retries=retries) if retries else None)


def assign(ec2: Any, eni: str) -> Dict[str, Any]:
    return dict(ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=1))


def test_legacy_mode_survives_two_throttles_and_reports_two_retries(world: Tuple[botohook.Simulator, str]) -> None:
    sim, eni = world
    sim.faults.add(ASSIGN, "RequestLimitExceeded", times=2)
    ec2 = client()  # made before the clock starts: making a client is slow on a loaded machine, sleeping is not it
    before, wall = sim.clock.now(), time.monotonic()
    answer = assign(ec2, eni)  # the default retry mode: legacy, 5 attempts, RequestLimitExceeded on 503
    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(sim.interface(eni).secondary_addresses) == 1
    assert [(c.operation, c.error) for c in sim.calls[-3:]] == [
        (ASSIGN, "RequestLimitExceeded"),
        (ASSIGN, "RequestLimitExceeded"),
        (ASSIGN, None),
    ]
    assert sim.clock.now() - before > 0.05  # the back-off happened, in virtual time
    assert time.monotonic() - wall < 0.5  # and nobody slept for it


def test_standard_mode_gives_up_after_three_attempts_and_changes_nothing(
    world: Tuple[botohook.Simulator, str],
) -> None:
    sim, eni = world
    ec2 = client(mode="standard")
    sim.faults.add(ASSIGN, "RequestLimitExceeded", times=None)
    before = snapshot(ec2)
    with pytest.raises(ClientError) as caught:
        assign(ec2, eni)
    assert str(caught.value) == (
        "An error occurred (RequestLimitExceeded) when calling the AssignPrivateIpAddresses operation "
        "(reached max retries: 2): Request limit exceeded."
    )
    metadata = caught.value.response["ResponseMetadata"]
    assert (metadata["HTTPStatusCode"], metadata["RetryAttempts"], metadata["MaxAttemptsReached"]) == (503, 2, True)
    assert [c.error for c in sim.calls if c.operation == ASSIGN] == ["RequestLimitExceeded"] * 3
    sim.faults.clear()
    assert snapshot(ec2) == before


@pytest.mark.parametrize(
    ("retries", "environ", "attempts"),
    [
        ({"total_max_attempts": 2}, {}, 2),
        ({"mode": "legacy"}, {}, 5),
        ({}, {"AWS_MAX_ATTEMPTS": "4", "AWS_RETRY_MODE": "standard"}, 4),
        ({"mode": "adaptive", "max_attempts": 1}, {}, 2),
    ],
    ids=["config", "legacy", "environment", "adaptive"],
)
def test_the_clients_own_policy_decides(
    world: Tuple[botohook.Simulator, str],
    monkeypatch: pytest.MonkeyPatch,
    retries: Dict[str, Any],
    environ: Dict[str, str],
    attempts: int,
) -> None:
    sim, eni = world
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    ec2 = client(**retries)
    sim.faults.add(ASSIGN, "InternalError", times=None)
    with pytest.raises(ClientError, match=rf"InternalError.*reached max retries: {attempts - 1}"):
        assign(ec2, eni)
    assert sum(1 for c in sim.calls if c.error == "InternalError") == attempts


@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
def test_the_same_as_botocore_against_a_real_http_error(world: Tuple[botohook.Simulator, str], mode: str) -> None:
    """The in-process answer and botohook's HTTP server (botocore parsing a real 503 off the wire) agree."""
    sim, eni = world
    outcomes = []
    with botohook.serve(sim) as server:
        for ec2 in (client(mode=mode), server.client(config=Config(retries={"mode": mode}))):
            sim.faults.add(ASSIGN, "RequestLimitExceeded", times=None)
            with pytest.raises(ClientError) as caught:
                assign(ec2, eni)
            sim.faults.clear()
            metadata = caught.value.response["ResponseMetadata"]
            outcomes.append((str(caught.value), metadata["RetryAttempts"], metadata["MaxAttemptsReached"]))
    assert outcomes[0] == outcomes[1]


def test_codes_no_policy_retries_fail_at_once(world: Tuple[botohook.Simulator, str]) -> None:
    sim, eni = world
    sim.faults.add(ASSIGN, "InvalidNetworkInterfaceID.NotFound", message="The networkInterface ID 'x' does not exist")
    with pytest.raises(ClientError) as caught:
        assign(client(), eni)
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert caught.value.response["Error"]["Message"] == "The networkInterface ID 'x' does not exist"
    assert assign(client(), eni)["ResponseMetadata"]["RetryAttempts"] == 0  # used up: the next call succeeds


def test_after_star_status_and_probability(world: Tuple[botohook.Simulator, str]) -> None:
    sim, eni = world
    ec2 = client(total_max_attempts=1)
    sim.faults.add("*", "Unavailable", after=2, times=1, status=500)
    ec2.describe_vpcs()
    assign(ec2, eni)
    with pytest.raises(ClientError) as caught:
        ec2.describe_subnets()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    ec2.describe_subnets()

    def pattern(seed: int) -> str:
        with botohook.mock(seed=seed) as other:
            other.faults.add("DescribeVpcs", "RequestLimitExceeded", times=None, probability=0.5)
            plain = client(total_max_attempts=1)
            outcome = ""
            for _ in range(24):
                try:
                    plain.describe_vpcs()
                    outcome += "."
                except ClientError:
                    outcome += "x"
            return outcome

    assert pattern(3) == pattern(3) != pattern(4)
    assert 4 < pattern(3).count("x") < 20


def test_faults_as_an_option_and_across_transports() -> None:
    with botohook.mock(faults=[{"operation": "DescribeVpcs", "code": "RequestLimitExceeded"}]) as sim:
        assert client().describe_vpcs()["ResponseMetadata"]["RetryAttempts"] == 1
        with botohook.serve(sim) as server:
            sim.faults.add("DescribeVpcs", "RequestLimitExceeded", times=3)
            assert server.client().describe_vpcs()["ResponseMetadata"]["RetryAttempts"] == 3
        sim.reset()  # back to the options' rule
        assert client().describe_vpcs()["ResponseMetadata"]["RetryAttempts"] == 1


def test_a_waiter_waits_in_virtual_time(sim: botohook.Simulator) -> None:
    ec2 = client()
    node = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    sim.faults.add("DescribeInstances", "InvalidInstanceID.NotFound", times=3)  # not visible yet, three times
    before, wall = sim.clock.now(), time.monotonic()
    ec2.get_waiter("instance_exists").wait(InstanceIds=[node], WaiterConfig={"Delay": 5})
    assert sim.clock.now() - before >= 15  # three delays of 5 seconds
    assert time.monotonic() - wall < 0.5


def test_the_clock_advances_with_every_call_and_on_demand(sim: botohook.Simulator) -> None:
    ec2 = client()
    start = sim.clock.now()
    for _ in range(10):
        ec2.describe_vpcs()
    assert sim.clock.now() == pytest.approx(start + 0.010)
    sim.clock.advance(60)
    assert sim.clock.now() == pytest.approx(start + 60.010)
    with pytest.raises(ValueError):
        sim.clock.advance(-1)


def test_bad_fault_rules_fail_early(sim: botohook.Simulator) -> None:
    for bad in ({"times": 0}, {"after": -1}, {"probability": 1.5}):
        with pytest.raises(ValueError):
            sim.faults.add(ASSIGN, "RequestLimitExceeded", **bad)


def test_aiobotocore_clients_retry_through_their_own_loop_in_virtual_time() -> None:
    pytest.importorskip("aiobotocore")
    import asyncio

    from aiobotocore.session import get_session

    async def scenario() -> Tuple[int, float, float]:
        with botohook.mock(seed=3) as sim:
            async with get_session().create_client("ec2", region_name="us-east-1") as ec2:
                subnet = (await ec2.describe_subnets())["Subnets"][0]["SubnetId"]
                eni = (await ec2.create_network_interface(SubnetId=subnet))["NetworkInterface"]["NetworkInterfaceId"]
                sim.faults.add(ASSIGN, "RequestLimitExceeded", times=2)
                before, wall = sim.clock.now(), time.monotonic()
                answer = await ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=1)
                assert len(sim.interface(eni).secondary_addresses) == 1
                return answer["ResponseMetadata"]["RetryAttempts"], sim.clock.now() - before, time.monotonic() - wall

    retries, virtual, real = asyncio.run(scenario())
    assert retries == 2
    from aiobotocore.endpoint import AioEndpoint

    if "_sleep" in vars(AioEndpoint):  # older aiobotocore sleeps inline: its back-off is real time (README)
        assert virtual > 0.05 and real < 0.5


def test_a_waiter_on_an_installed_session_waits_in_that_simulations_time() -> None:
    session = boto3.Session(region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    sim = botohook.install(session, consistency="eventual", lags={"create": 0})
    try:
        ec2 = session.client("ec2")
        node = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        wall = time.monotonic()
        waiter = ec2.get_waiter("instance_running")  # no mock() active: the delays go on the installed simulator's
        waiter.wait(InstanceIds=[node], WaiterConfig={"Delay": 5, "MaxAttempts": 3})
        assert sim.instance(node).state == "running"
        assert sim.clock.now() >= 5 and time.monotonic() - wall < 0.5
    finally:
        botohook.uninstall(session)
